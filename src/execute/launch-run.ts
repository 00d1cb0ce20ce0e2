import type { Failure } from "../projects/result.ts";
import { clearRunRefusal } from "../projects/run-refusal-field.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { checkBeforeRun, checkPreparedWorkspace, type HostFacts } from "./preflight.ts";
import { correctBranchName } from "./branch-name-fix.ts";
import { newClaim, type ExecutorClaim } from "./claim.ts";
import { claimForRun } from "./claim-for-run.ts";
import { startLoggedRalph } from "./logged-ralph.ts";
import {
  endPreparation,
  preparationFailed,
  recordLaunchFailure,
  refused,
  changedMeanwhile,
} from "./preparation-end.ts";
import { ensureRalphScript } from "./ralph-command.ts";
import { writePidFile, type RalphProcess } from "./ralph-process.ts";
import type { RunContext, RunReport } from "./run-outcome.ts";
import { describePlan, planRun, type RunPlan } from "./run-plan.ts";
import { excludeLocally, prepareWorkspace } from "./workspace-git.ts";

/** What {@link launchRun} needs beyond recording: where git and Ralph run, and whether to give up. */
export interface LaunchContext extends RunContext {
  /** Environment for git; Ralph gets it through `ralphEnv` (ralph-env.ts). */
  env: NodeJS.ProcessEnv;
  /** Folder a relative GIT_REMOTE_BASE is taken from. */
  cwd: string;
  /** True once the executor stops: checked after the slow preparation, before Ralph is launched. */
  isClosed(): boolean;
  /** The machine planbot runs on (uid, container), for the preflight's root check. */
  host: HostFacts;
}

/**
 * How a launch went: Ralph released and recorded as `running` (the caller watches it from here), or the
 * run ended before Ralph worked — already recorded, with the claim failure when the project was not runnable.
 */
export type Launch =
  | { kind: "launched"; name: string; plan: RunPlan; ralph: RalphProcess; logPath: string; summary: string }
  | { kind: "ended"; report: RunReport; failure?: Failure };

/** A run ended before Ralph worked, as {@link launchRun} reports it. */
type Ended = Extract<Launch, { kind: "ended" }>;

/** A workspace ready for Ralph: the plan, the script to run and what the preparation has to say. */
interface Prepared {
  kind: "prepared";
  plan: RunPlan;
  scriptFile: string;
  /** Environment the preflight asks Ralph to get (on top of planbot's). */
  checkEnv: NodeJS.ProcessEnv;
  /** The branch's head before Ralph: live progress counts the run's commits from here. */
  head: string;
  /** What was prepared, for the run log's header. */
  notes: string[];
  /** What was prepared, for the person who asked. */
  summary: string;
}

/**
 * Runs one project up to the point where Ralph works: claim → plan → git → script → launch gated →
 * record PID → release. The project is claimed under the store lock (see claim.ts) before its workspace
 * is touched, so two planbot processes never run it twice; it turns `running` with Ralph's PID in the
 * same locked step that ends the claim, and Ralph is released only after that, so it never works unrecorded.
 */
export async function launchRun(ctx: LaunchContext, slug: string, asked = false): Promise<Launch> {
  const claim = newClaim(ctx.now());
  const claimed = await claimForRun(ctx, slug, claim);
  if (!claimed.ok)
    return {
      kind: "ended",
      report: { slug, outcome: "skipped", message: `skipped: ${claimed.message}` },
      failure: claimed,
    };
  const name = claimed.entry.name;

  const prepared = await prepareRun(ctx, claimed.entry, claim, asked);
  if (prepared.kind === "ended") return prepared;
  const { plan } = prepared;

  if (ctx.isClosed()) {
    // Stopped while preparing: the project stays approved for the next run.
    await endPreparation(ctx, name, claim, () => undefined);
    return {
      kind: "ended",
      report: {
        slug: name,
        outcome: "skipped",
        message: "skipped: the executor stopped before Ralph started",
        plan,
        skippedBecause: "stopping",
      },
    };
  }

  const launched = await startLoggedRalph(ctx, plan, prepared.scriptFile, prepared.checkEnv, prepared.notes);
  if (!launched.ok) {
    // A log that cannot be opened is refused like the other preflight problems; a failed start is a failure.
    const report =
      launched.details?.stage === "log"
        ? await refused(ctx, name, claim, launched, plan, asked)
        : await preparationFailed(ctx, name, claim, launched.message, plan);
    return { kind: "ended", report };
  }
  const { ralph, logPath } = launched;
  const ended = await recordAndRelease(ctx, name, claim, prepared, ralph);
  if (ended) return ended;
  return { kind: "launched", name, plan, ralph, logPath, summary: prepared.summary };
}

/**
 * Plans the run and readies its workspace, with the preflight on both sides of git: nothing is touched
 * when the plan, jq or the user is wrong, and the repository's own files are checked once they are there.
 * A problem ends the preparation (refused or failed, recorded) and hands the claim back. `asked`: a person
 * asked for this run (`/run`) and reads the refusal in the reply.
 */
async function prepareRun(
  ctx: LaunchContext,
  entry: ProjectEntry,
  claim: ExecutorClaim,
  asked: boolean,
): Promise<Prepared | Ended> {
  const name = entry.name;
  const failed = async (message: string, plan?: RunPlan, failure?: Failure): Promise<Ended> => ({
    kind: "ended",
    report: await preparationFailed(ctx, name, claim, message, plan, failure),
  });
  const refuse = async (failure: Failure, plan: RunPlan): Promise<Ended> => ({
    kind: "ended",
    report: await refused(ctx, name, claim, failure, plan, asked),
  });

  const planned = planRun(entry, ctx.config, ctx.cwd);
  if (!planned.ok) return failed(planned.message);
  const plan = planned.plan;
  ctx.log.info({ slug: name }, `${name}: preparing: ${describePlan(plan)}`);

  const checked = await checkBeforeRun(plan, ctx.env, ctx.host);
  if (!checked.ok) return refuse(checked, plan);
  const fixed = await correctBranchName(plan, checked.check);
  if (!fixed.ok) return refuse(fixed, plan);

  const workspace = await prepareWorkspace(plan, { env: ctx.env });
  if (!workspace.ok) return failed(workspace.message, plan, workspace);
  const script = await ensureRalphScript(plan.ralph, plan.root, plan.remoteUrl !== null);
  if (!script.ok) return refuse(script, plan);
  if (script.installed.length) {
    const excluded = await excludeLocally(plan.root, script.installed, ctx.env);
    if (!excluded.ok) return failed(excluded.message, plan);
  }
  const ready = checkPreparedWorkspace(plan, script.file);
  if (!ready.ok) return refuse(ready, plan);

  const { summary, head } = workspace.prepared;
  return {
    kind: "prepared",
    plan,
    scriptFile: script.file,
    checkEnv: checked.check.env,
    head,
    notes: [summary, ...fixed.notes, ...checked.check.notes],
    summary: [summary, ...fixed.notes].join(", "),
  };
}

/**
 * Records Ralph's PID and `running` in the step that ends the claim, then releases Ralph from its gate —
 * so it never works unrecorded. Ralph is killed when either fails; undefined once it is working.
 */
async function recordAndRelease(
  ctx: LaunchContext,
  name: string,
  claim: ExecutorClaim,
  prepared: Prepared,
  ralph: RalphProcess,
): Promise<Ended | undefined> {
  const { plan } = prepared;
  const recorded = await endPreparation(ctx, name, claim, (entry) => {
    entry.pid = ralph.pid;
    entry.status = "running";
    entry.started_at = ctx.now();
    // Live progress counts the run's commits from here (src/execute/run-sample.ts).
    entry.started_head = prepared.head;
    entry.error = null;
    clearRunRefusal(entry);
    // The branch Ralph works on is the project's branch from now on (chats and notices name it).
    entry.branch = plan.branch;
  });
  if (!recorded.ok || recorded.changed) {
    ralph.kill("SIGKILL");
    if (recorded.ok && recorded.changed)
      return { kind: "ended", report: changedMeanwhile(name, recorded.changed, plan) };
    const why = `could not record Ralph's PID: ${recorded.ok ? "" : recorded.message}`;
    return { kind: "ended", report: await preparationFailed(ctx, name, claim, why, plan) };
  }
  try {
    await writePidFile(plan.root, ralph.pid);
    await ralph.release();
    return undefined;
  } catch (error) {
    ralph.kill("SIGKILL");
    const why = `could not start Ralph: ${(error as Error).message}`;
    return { kind: "ended", report: await recordLaunchFailure(ctx, name, ralph.pid, why, plan) };
  }
}
