import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { gitEnv, runGit } from "../execute/git.ts";
import { readLogTail } from "../execute/outcome.ts";
import { storyProgress } from "../projects/derive-status.ts";
import type { LoosePrd } from "../projects/schemas.ts";
import type { RunPlan } from "../execute/run-plan.ts";
import type { RunJobProgress } from "./run-job.ts";

/**
 * One progress sample of a run on this worker: stories k/N from prd.json, the iteration (Ralph's
 * iteration logs), the commits on the branch since the run began and the last lines of Ralph's log.
 */
export async function sampleProgress(
  plan: RunPlan,
  paths: { prd: string; logs: string },
  logPath: string,
  startHead: string,
  worker: string,
  env: NodeJS.ProcessEnv,
): Promise<RunJobProgress> {
  const prd = await readFile(paths.prd, "utf8").catch(() => null);
  let parsed: LoosePrd | null = null;
  try {
    parsed = prd ? (JSON.parse(prd) as LoosePrd) : null;
  } catch {
    parsed = null;
  }
  const progress = storyProgress(parsed);
  let iteration = 0;
  try {
    iteration = readdirSync(paths.logs).filter((name) => /^iteration-\d+\.log$/.test(name)).length;
  } catch {
    iteration = 0;
  }
  const counted = await runGit(["rev-list", "--count", `${startHead}..HEAD`], {
    cwd: plan.root,
    env: gitEnv(env, dirname(plan.root)),
  });
  return {
    phase: "running",
    worker,
    storiesDone: progress.done,
    storiesTotal: progress.total,
    iteration,
    commits: counted.ok ? Number.parseInt(counted.stdout, 10) || 0 : 0,
    logTail: await readLogTail(logPath, 10),
    prd,
  };
}
