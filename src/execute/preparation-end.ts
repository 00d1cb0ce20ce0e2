import { fail, type Failure, type Result } from "../projects/result.ts";
import { memberStepOf, noteErrorFix, stepRepoPath } from "../projects/error-fix.ts";
import { noteLocalRefusal } from "../projects/run-refusal-field.ts";
import type { ProjectEntry } from "../projects/schemas.ts";
import { holdsClaim, setClaim, type ExecutorClaim } from "./claim.ts";
import type { RunContext, RunReport } from "./run-outcome.ts";
import type { RunPlan } from "./run-plan.ts";

// How a run's preparation ends in the store: Ralph recorded as running, a failure, a refusal, or nothing
// at all because someone changed the project meanwhile. Every ending drops the preparation's claim.

/**
 * Ends a preparation under the store lock: drops this executor's claim and applies `change` — unless
 * someone changed the project meanwhile (unapproved, cancelled), in which case only the claim goes.
 */
export async function endPreparation(
  ctx: RunContext,
  name: string,
  claim: ExecutorClaim,
  change: (entry: ProjectEntry) => void,
): Promise<Result<{ changed: string | null }>> {
  let changed: string | null = null;
  const stored = await ctx.lifecycle.update(name, (entry) => {
    const mine = holdsClaim(entry, claim) && (entry.status ?? "").toLowerCase() === "approved";
    if (holdsClaim(entry, claim)) setClaim(entry, undefined);
    if (!mine) changed = entry.status ?? "without a status";
    else change(entry);
  });
  return stored.ok ? { ok: true, changed } : stored;
}

/** A run that ended before Ralph started: recorded as failed (or skipped when the project changed meanwhile). */
export async function preparationFailed(
  ctx: RunContext,
  name: string,
  claim: ExecutorClaim,
  message: string,
  plan?: RunPlan,
  failure?: Failure,
): Promise<RunReport> {
  const stored = await endPreparation(ctx, name, claim, (entry) => {
    entry.status = "failed";
    entry.error = message;
    noteErrorFix(entry, message, failure);
    entry.pid = null;
    entry.finished_at = ctx.now();
  });
  if (!stored.ok) ctx.log.error({ slug: name, err: stored.message }, "could not record a failed run");
  else if (stored.changed) return changedMeanwhile(name, stored.changed, plan);
  ctx.log.warn({ slug: name }, `${name}: failed before Ralph started: ${message}`);
  const report: RunReport = {
    slug: name,
    outcome: "failed",
    message: `failed: ${message}`,
    error: message,
    ...(plan ? { plan } : {}),
    ...(failure?.details?.next ? { failure } : {}),
  };
  ctx.onFinished(report);
  return report;
}

/**
 * A run the preflight refused: nothing ran, so the project stays approved (the claim is dropped) and the
 * report carries the reason and the fix for the chat, the CLI and the log. The refusal is stored as
 * `run_refusal` — status surfaces show it, and the notifier tells the project's chats once unless `asked`
 * (a `/run` whose reply already says it).
 */
export async function refused(
  ctx: RunContext,
  name: string,
  claim: ExecutorClaim,
  failure: Failure,
  plan: RunPlan,
  asked = false,
): Promise<RunReport> {
  const check = typeof failure.details?.check === "string" ? failure.details.check : null;
  // The member's part of the fix, kept so chats can name it long after (src/notify/operator-words.ts).
  const repoPath = stepRepoPath(memberStepOf(failure)) ?? null;
  // The workspace file it is about (Ralph's script as RALPH_COMMAND configures it), named in chats.
  const path = typeof failure.details?.path === "string" ? failure.details.path : null;
  const stored = await endPreparation(ctx, name, claim, (entry) =>
    noteLocalRefusal(entry, { at: ctx.now(), message: failure.message, check, repoPath, path, answered: asked }),
  );
  if (!stored.ok) ctx.log.error({ slug: name, err: stored.message }, "could not release a refused run");
  else if (stored.changed) return changedMeanwhile(name, stored.changed, plan);
  // Info, not a warning: the reply or the notifier already says it to people, and a warning would reach the
  // screen of a standalone `planbot chat` (which logs warnings to the terminal it chats in) as a second copy.
  ctx.log.info({ slug: name, check: failure.details?.check }, `${name}: ${failure.message}`);
  const report: RunReport = {
    slug: name,
    outcome: "refused",
    message: `refused: ${failure.message}`,
    error: failure.message,
    plan,
    // The reply names the project's own commands (`/status <slug>`, `/run <slug>`) whatever check refused it.
    refusal: { ...failure, details: { ...failure.details, slug: name } },
  };
  ctx.onFinished(report);
  return report;
}

/** The PID was recorded but Ralph could not be released: clear it and record the failure. */
export async function recordLaunchFailure(
  ctx: RunContext,
  name: string,
  pid: number,
  message: string,
  plan: RunPlan,
): Promise<RunReport> {
  const stored = await ctx.lifecycle.update(name, (entry) => {
    if (entry.pid !== pid) return fail("stale", "changed meanwhile");
    entry.pid = null;
    entry.status = "failed";
    entry.error = message;
    entry.finished_at = ctx.now();
  });
  if (!stored.ok) ctx.log.error({ slug: name, err: stored.message }, "could not record a failed launch");
  const report: RunReport = { slug: name, outcome: "failed", message: `failed: ${message}`, error: message, plan };
  ctx.onFinished(report);
  return report;
}

/** The report of a run whose project was unapproved or cancelled while its workspace was prepared. */
export function changedMeanwhile(name: string, status: string, plan?: RunPlan): RunReport {
  return {
    slug: name,
    outcome: "skipped",
    message: `skipped: "${name}" became ${status} while its workspace was prepared; Ralph was not started`,
    ...(plan ? { plan } : {}),
  };
}
