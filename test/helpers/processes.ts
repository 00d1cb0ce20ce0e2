import { procProbe } from "../../src/projects/process-probe.ts";

/** Whether a process still runs; a zombie (exited, not reaped) counts as gone, like planbot's own probe. */
export function alive(pid: number): boolean {
  return procProbe.inspect(pid).alive;
}

/** Polls `check` every 25 ms until it holds or `timeoutMs` passes; resolves with its last answer. */
export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}
