import { constants } from "node:os";

/**
 * Calls `stop` on the first SIGINT or SIGTERM. A second one while planbot is still stopping ends the process
 * at once (exit 128 + the signal's number), as a second Ctrl-C does in a shell. Returns what removes the
 * listeners, for a command that ends by itself.
 *
 * The listeners stay registered (`on`, not `once`) for a reason beyond the second signal: signal-exit, which
 * proper-lockfile brings with the store's lock, re-raises a signal when it finds itself the only listener
 * left, and a once-only listener is removed before the others run — so whenever the lock was loaded after
 * these listeners, the first SIGTERM killed planbot before it had stopped.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const listener = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    stop(signal);
  };
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
  return () => {
    process.off("SIGINT", listener);
    process.off("SIGTERM", listener);
  };
}
