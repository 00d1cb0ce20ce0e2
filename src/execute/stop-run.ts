import { fail, type Result } from "../projects/result.ts";
import { killGroup } from "./ralph-process.ts";
import { recordStopped, type RunContext, type RunReport } from "./run-outcome.ts";
import type { StopReason } from "./run-progress.ts";

/** The reason a stopped run's error starts with (README, "Run guardrails"). */
export function stopReasonText(reason: StopReason, maxMinutes: number | null | undefined): string {
  if (reason === "cancelled") return "stopped: cancelled";
  return `stopped after RALPH_MAX_MINUTES=${maxMinutes ?? "?"} minutes`;
}

/** How long to wait for a group that got SIGKILL to be gone before recording anyway. */
const AFTER_KILL_MS = 5000;

/**
 * Stops a run this process did not launch (an earlier planbot started it and was restarted since): the
 * stored PID must still be a live Ralph (its command line names ralph.sh — a recycled PID is never
 * killed), its process group gets SIGTERM, then SIGKILL after `graceMs`, and the outcome is recorded
 * under the store lock only while the entry still names that PID, so it is recorded exactly once.
 * `null` when the PID is not alive (the run ended on its own; reconciling records it).
 */
export async function stopUnwatched(
  ctx: RunContext,
  slug: string,
  pid: number,
  reason: string,
  graceMs: number,
): Promise<Result<{ report: RunReport | null }>> {
  const info = ctx.probe.inspect(pid);
  if (!info.alive) return { ok: true, report: null };
  if (!info.commandLine.includes("ralph.sh"))
    return fail(
      "invalid_state",
      `PID ${pid} recorded for "${slug}" is not a Ralph process (${info.commandLine.slice(0, 80) || "command line unreadable"}); it was left alone. Stop it by hand if it is yours.`,
      { details: { slug, pid } },
    );
  let signal: NodeJS.Signals = "SIGTERM";
  killGroup(pid, signal);
  if (!(await goneWithin(ctx, pid, graceMs))) {
    signal = "SIGKILL";
    killGroup(pid, signal);
    await goneWithin(ctx, pid, AFTER_KILL_MS);
  }
  return { ok: true, report: await recordStopped(ctx, slug, pid, reason, signal) };
}

/** Polls the probe until `pid` is gone; false when it is still there after `ms`. */
async function goneWithin(ctx: RunContext, pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (ctx.probe.inspect(pid).alive) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
