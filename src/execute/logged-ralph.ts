import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { fail, type Result } from "../projects/result.ts";
import { ensureWorkspaceDir, openWorkspaceFile } from "../projects/workspace-files.ts";
import { ralphEnv } from "./ralph-env.ts";
import { launchRalph, type RalphProcess } from "./ralph-process.ts";
import type { RunPlan } from "./run-plan.ts";

/** What starting a logged Ralph needs from its caller: the clock and the environment git and Ralph get. */
export interface LoggedRalphContext {
  /** The clock as an ISO timestamp: names the log and heads it. */
  now(): string;
  /** Environment Ralph gets through {@link ralphEnv}. */
  env: NodeJS.ProcessEnv;
}

/**
 * Opens this run's log in `scripts/ralph/logs/` (created if needed, links refused) and writes planbot's
 * header: when, what was prepared, what runs. Shared with the queue's worker, which runs the same steps.
 */
export async function openRunLog(
  ctx: Pick<LoggedRalphContext, "now">,
  plan: RunPlan,
  notes: string[],
): Promise<Result<{ handle: FileHandle; path: string }>> {
  const dir = await ensureWorkspaceDir(plan.root, "scripts/ralph/logs");
  if (!dir.ok) return dir;
  const opened = await openWorkspaceFile(
    plan.root,
    `scripts/ralph/logs/ralph-${ctx.now().replace(/[:.]/g, "-")}.log`,
    "append",
  );
  if (!opened.ok) return opened;
  try {
    await opened.handle.write(
      `planbot: ${ctx.now()} ${notes.filter(Boolean).join("; ")}; branch ${plan.branch}; running ${plan.ralph.display}\n`,
    );
  } catch (error) {
    await opened.handle.close();
    return fail("execute_failed", `Cannot write Ralph's log ${opened.path}: ${(error as Error).message}`);
  }
  return opened;
}

/**
 * Opens the run's log ({@link openRunLog}) and launches Ralph gated, writing into it — the same for a local
 * run and a worker's. A failure says at which `details.stage` (`log` or `launch`) it stopped.
 */
export async function startLoggedRalph(
  ctx: LoggedRalphContext,
  plan: RunPlan,
  scriptFile: string,
  checkEnv: NodeJS.ProcessEnv,
  notes: string[],
): Promise<Result<{ ralph: RalphProcess; logPath: string }>> {
  const log = await openRunLog(ctx, plan, notes);
  if (!log.ok) return { ...log, details: { ...log.details, stage: "log" } };
  try {
    const launched = await launchRalph({
      cwd: plan.root,
      file: scriptFile,
      args: plan.ralph.args,
      logPath: log.path,
      logFd: log.handle.fd,
      goFile: join(plan.root, "scripts", "ralph", ".ralph.go"),
      env: { ...ralphEnv(ctx.env), ...checkEnv },
    });
    if (!launched.ok) return { ...launched, details: { ...launched.details, stage: "launch" } };
    return { ok: true, ralph: launched.ralph, logPath: log.path };
  } finally {
    await log.handle.close();
  }
}
