import type { ProcessInfo } from "../projects/process-probe.ts";
import { ralphSignature } from "../projects/ralph-signature.ts";
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
 * stored PID must still be a live Ralph (its command line names the script RALPH_COMMAND configures — a
 * recycled PID is never killed), its process group gets SIGTERM, then SIGKILL after `graceMs`, and the outcome is recorded
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
  const info = await settledProcess(ctx, pid);
  if (!info.alive) return { ok: true, report: null };
  if (!ralphSignature(ctx.config.execute.ralphCommand)(info.commandLine))
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

/** How long a live PID with an empty command line is looked at again before it is judged on that. */
const SETTLE_MS = 1000;

/**
 * The probe's view of `pid`, looked at again for a moment while the process is alive with an empty command
 * line: a process between fork and exec (Ralph's script starting a tool) or at exit shows none for an instant, and
 * a live Ralph must not be refused as "not a Ralph process" for being caught then.
 */
async function settledProcess(ctx: RunContext, pid: number): Promise<ProcessInfo> {
  const deadline = Date.now() + SETTLE_MS;
  let info = ctx.probe.inspect(pid);
  while (info.alive && info.commandLine === "" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    info = ctx.probe.inspect(pid);
  }
  return info;
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
