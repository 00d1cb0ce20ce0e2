/**
 * A planbot stand-in the kill tests SIGKILL: a real runtime (watcher, router, planning service) and a
 * notifier over `--data-dir`, notifying memory:ops, with a "memory" Outbound that either never answers
 * (`--mode hang`: the process dies with the send in flight, i.e. between the transition and the send) or
 * accepts and appends each message as a JSON line to `--out` (`--mode deliver`).
 *
 *   node --import tsx test/notify/notify-worker.ts --root R --data-dir D --mode hang|deliver --out FILE
 *
 * Prints `{"type":"ready"}` once the notifier has started, and `{"type":"attempt", ...}` per send.
 */
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Outbound } from "../../src/chat/outbound.ts";
import { createNotifyStack, type RecordingOutbound } from "../helpers/notify-fixtures.ts";

const { values } = parseArgs({
  options: {
    root: { type: "string" },
    "data-dir": { type: "string" },
    mode: { type: "string", default: "deliver" },
    out: { type: "string" },
  },
});
const root = values.root;
const dataDir = values["data-dir"];
const out = values.out;
if (!root || !dataDir || !out) {
  process.stderr.write("notify-worker: --root, --data-dir and --out are required\n");
  process.exit(2);
}
const emit = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

const outbound: Outbound = {
  async send(target, reply) {
    emit({ type: "attempt", target, text: reply.text });
    if (values.mode === "hang") return new Promise(() => undefined);
    appendFileSync(out, `${JSON.stringify({ target, text: reply.text, pid: process.pid })}\n`);
    return { ok: true, messageIds: ["1"] };
  },
};
// Only `outbound` is used by createNotifyStack's registration.
const memory = { outbound } as RecordingOutbound;
const stack = createNotifyStack({ root, dataDir, memory, backoffMs: 20 });
await stack.start();
emit({ type: "ready" });
// Stay alive until killed (the watcher's handles are unref'd), or until the test process is gone: its end
// of stdin closes then, and an orphaned worker must not live on.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
