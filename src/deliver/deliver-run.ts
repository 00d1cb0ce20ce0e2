import { readFile } from "node:fs/promises";
import type { DeliverySettings, PushOn } from "../config/delivery-settings.ts";
import type { RunReport } from "../execute/run-outcome.ts";
import type { ExecutorConfig, RunPlan } from "../execute/run-plan.ts";
import { planRun } from "../execute/run-plan.ts";
import type { Logger } from "../log.ts";
import type { Lifecycle } from "../projects/lifecycle.ts";
import { readPrd } from "../projects/workspace-reads.ts";
import type { DeliveryField, ProjectEntry } from "../projects/schemas.ts";
import { workspacePaths } from "../projects/workspace.ts";
import { deliversStatus } from "./deliver-again-offer.ts";
import { type DeliverySplit, deliverySplitFields } from "./delivery-split.ts";
import { blobUrl, githubRepoFor, type GithubRepo } from "./github-repo.ts";
import { pullRequestBody, pullRequestTitle } from "./pr-body.ts";
import { OPERATOR_PULL_REQUEST_PROBLEMS, openOrUpdatePullRequest, type PullRequestRef } from "./pull-request.ts";
import { pushRunBranch, type RunPush } from "./push-run.ts";
import { scrubToken } from "./scrub.ts";

/** What delivering needs from the executor: the run context (its env and cwd when it has them). */
export interface DeliveryContext {
  lifecycle: Lifecycle;
  config: ExecutorConfig;
  log: Logger;
  now(): string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * How one delivery went: the push's outcome (worded the same wherever the push ran) and the pull request
 * opened for it. Stored on the entry as `delivery` (and `pull_request` when there is one).
 */
export type Delivery = RunPush & { pullRequest?: PullRequestRef };

/** Who asked for a delivery: the chat that `/deliver` answers (its conversation key), when a chat asked. */
export interface DeliveryAsker {
  answeredIn?: string | undefined;
}

/** A delivery step that threw: its words are an exception's, for the operator's log; a member is told whom to ask. */
const DELIVERY_FAILED: DeliverySplit = { problem: "delivery_failed", operator: "log_check" };

/** The path of the plan on the branch, linked from the pull request. */
const PLAN_PATH = "scripts/ralph/final-plan.md";

/** True when a run that ended `outcome` is pushed under PUSH_ON. */
export function shouldDeliver(pushOn: PushOn, outcome: RunReport["outcome"]): boolean {
  return deliversStatus(pushOn, outcome);
}

/**
 * What follows a recorded outcome (the executor's `afterRecorded`, wired by the runtime): pushes the branch
 * and opens or updates the draft pull request when PUSH_ON says so, stores how it went on the entry
 * (`delivery`, `pull_request`) and adds one line to the report; `asker.answeredIn` names the chat whose
 * `/deliver` answers in its reply, so the notifier leaves that chat out. Never throws and never changes the run's
 * status: a failed delivery is a message with what to do, the run stays `complete`.
 */
export async function deliverAfterRun(
  ctx: DeliveryContext,
  report: RunReport,
  entry: ProjectEntry,
  asker: DeliveryAsker = {},
): Promise<void> {
  const settings = ctx.config.execute.delivery;
  if (!settings || !shouldDeliver(settings.pushOn, report.outcome)) return;
  const token = settings.github.token;
  let delivery: Delivery;
  let branch = report.plan?.branch ?? entry.branch ?? "";
  try {
    const planned = report.plan ? { ok: true as const, plan: report.plan } : planRun(entry, ctx.config, ctx.cwd);
    if (!planned.ok)
      delivery = {
        ok: false,
        pushed: false,
        summary: `not pushed: ${planned.message}`,
        hint: "Fix the project's repo or branch, then run it again.",
      };
    else {
      branch = planned.plan.branch;
      delivery = await deliver(ctx, settings, planned.plan, entry, report.outcome);
    }
  } catch (error) {
    delivery = {
      ok: false,
      pushed: false,
      summary: `delivery failed unexpectedly: ${scrubToken((error as Error).message ?? String(error), token)}`,
      hint: "Push the branch from the workspace by hand; see planbot's log.",
      hintOperator: true,
      split: DELIVERY_FAILED,
    };
  }
  await recordDelivery(ctx, entry, branch, delivery, asker);
  report.message = `${report.message}; ${delivery.summary}`;
}

/**
 * Stores how a delivery of `branch` went on the entry (`delivery`, and `pull_request` when it opened or updated
 * one) and logs it: the one place a delivery is recorded, after a run or when it is delivered again.
 */
export async function recordDelivery(
  ctx: DeliveryContext,
  entry: ProjectEntry,
  branch: string,
  delivery: Delivery,
  asker: DeliveryAsker = {},
): Promise<void> {
  const at = ctx.now();
  const field: DeliveryField = {
    at,
    ok: delivery.ok,
    pushed: delivery.pushed,
    branch,
    summary: delivery.summary,
    hint: delivery.hint,
    ...(delivery.hintOperator ? { hint_operator: true } : {}),
    ...deliverySplitFields(delivery.split),
    ...(asker.answeredIn ? { answered_in: asker.answeredIn } : {}),
  };
  const stored = await ctx.lifecycle.update(entry.name, (current) => {
    current.delivery = field;
    if (delivery.pullRequest)
      current.pull_request = { url: delivery.pullRequest.url, number: delivery.pullRequest.number, updated_at: at };
  });
  if (!stored.ok) ctx.log.error({ slug: entry.name, err: stored.message }, "could not record the delivery");
  const fields = { slug: entry.name, pushed: delivery.pushed, pullRequest: delivery.pullRequest?.url };
  if (delivery.ok) ctx.log.info(fields, `${entry.name}: ${delivery.summary}`);
  else ctx.log.warn({ ...fields, hint: delivery.hint }, `${entry.name}: ${delivery.summary}`);
}

async function deliver(
  ctx: DeliveryContext,
  settings: DeliverySettings,
  plan: RunPlan,
  entry: ProjectEntry,
  outcome: string,
): Promise<Delivery> {
  const pushed = await pushRunBranch(plan, ctx.env, pushToken(plan.remoteUrl, settings.github));
  if (!pushed.ok) return pushed;
  return pullRequestAfterPush(ctx, settings, plan, entry, outcome, pushed.summary);
}

/**
 * The step after a successful push (here or by a remote worker): opens or updates the draft pull request
 * when GITHUB_TOKEN is set and the remote is a GitHub repository. `done` is what the push achieved.
 */
async function pullRequestAfterPush(
  ctx: DeliveryContext,
  settings: DeliverySettings,
  plan: RunPlan,
  entry: ProjectEntry,
  outcome: string,
  done: string,
): Promise<Delivery> {
  const github = settings.github;
  const target = plan.remoteUrl && github.token ? githubRepoFor(plan.remoteUrl, github) : undefined;
  if (!github.token || !target) return { ok: true, pushed: true, summary: done, hint: null };
  if (!target.ok)
    return {
      ok: true,
      pushed: true,
      summary: `${done}; no pull request: ${target.reason}`,
      hint: "Set GITHUB_OWNER (or a github.com GIT_REMOTE_BASE) to get a draft pull request.",
    };
  // Octokit loads only when a pull request is due: a planbot that never delivers need not hold it in memory.
  const { createGithubClient } = await import("./github-client.ts");
  const pr = await openOrUpdatePullRequest(
    createGithubClient({
      token: github.token,
      apiUrl: target.target.apiUrl,
      log: ctx.log,
      ...(github.retryBaseMs !== undefined ? { retryBaseMs: github.retryBaseMs } : {}),
    }),
    target.target,
    await draftFor(ctx, plan, entry, outcome, target.target),
    github.token,
  );
  if (!pr.ok)
    return {
      ok: false,
      pushed: true,
      summary: `${done}, but no pull request: ${pr.message}`,
      hint: pr.hint,
      ...(OPERATOR_PULL_REQUEST_PROBLEMS.has(pr.problem) ? { hintOperator: true } : {}),
      ...(pr.split ? { split: pr.split } : {}),
    };
  return {
    ok: true,
    pushed: true,
    summary: `${done}; draft pull request #${pr.number} ${pr.action === "created" ? "opened" : "updated"}: ${pr.url}`,
    hint: null,
    pullRequest: pr,
  };
}

/**
 * After a remote run whose worker pushed the branch: this machine (which holds GITHUB_TOKEN; a worker
 * needs none) opens or updates the draft pull request, as {@link deliverAfterRun} does for a local run,
 * from the plan and the final prd.json the bot keeps in its own workspace. Never throws; undefined when
 * there is nothing to do (no token, or the worker did not push).
 */
export async function pullRequestForRemoteRun(
  ctx: DeliveryContext,
  entry: ProjectEntry,
  outcome: RunReport["outcome"],
  pushed: { pushed: boolean; summary: string },
): Promise<Delivery | undefined> {
  const settings = ctx.config.execute.delivery;
  if (!settings?.github.token || !pushed.pushed || !shouldDeliver(settings.pushOn, outcome)) return undefined;
  try {
    const planned = planRun(entry, ctx.config, ctx.cwd);
    if (!planned.ok)
      return {
        ok: false,
        pushed: true,
        summary: `${pushed.summary}, but no pull request: ${planned.message}`,
        hint: null,
      };
    return await pullRequestAfterPush(ctx, settings, planned.plan, entry, outcome, pushed.summary);
  } catch (error) {
    return {
      ok: false,
      pushed: true,
      summary: `${pushed.summary}, but no pull request: ${scrubToken((error as Error).message ?? String(error), settings.github.token)}`,
      hint: "See planbot's log.",
      hintOperator: true,
      split: DELIVERY_FAILED,
    };
  }
}

/** Title and body from the workspace's plan and prd.json and the entry's timestamps. */
async function draftFor(ctx: DeliveryContext, plan: RunPlan, entry: ProjectEntry, outcome: string, target: GithubRepo) {
  const paths = workspacePaths(ctx.config.workspaceDir, plan.slug);
  const planText = await readFile(paths.finalPlan, "utf8").catch(() => null);
  const prd = readPrd(paths.prd);
  const started = Date.parse(entry.started_at ?? "");
  const finished = Date.parse(typeof entry.finished_at === "string" ? entry.finished_at : "");
  const cost = [entry.cost_usd, entry.ralph_cost_usd].find(
    (value): value is number => typeof value === "number" && Number.isFinite(value),
  );
  const content = {
    slug: plan.slug,
    plan: planText,
    prd,
    description: entry.description ?? "",
    outcome,
    planUrl: blobUrl(target, plan.branch, PLAN_PATH),
    ...(Number.isFinite(started) && Number.isFinite(finished) ? { durationMs: finished - started } : {}),
    ...(cost !== undefined ? { costUsd: cost } : {}),
  };
  return { branch: plan.branch, base: plan.base, title: pullRequestTitle(content), body: pullRequestBody(content) };
}

/** The token goes with the push only to the GitHub host over https (never to another server). */
function pushToken(
  remoteUrl: string | null,
  github: DeliverySettings["github"],
): { value: string; host: string } | undefined {
  if (!remoteUrl || !github.token) return undefined;
  const host = /^https:\/\/([^/@:]+)\//i.exec(remoteUrl)?.[1]?.toLowerCase();
  if (!host) return undefined;
  const apiHost = github.apiUrl ? /^https?:\/\/([^/:]+)/i.exec(github.apiUrl)?.[1]?.toLowerCase() : undefined;
  return host === "github.com" || (apiHost && apiHost !== "api.github.com" && host === apiHost)
    ? { value: github.token, host }
    : undefined;
}
