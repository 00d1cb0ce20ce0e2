import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { fail, type Failure, type Result } from "../projects/result.ts";
import { gitEnv, NETWORK_GIT_TIMEOUT_MS, PLANBOT_IDENTITY, runGit, type GitOutcome } from "./git.ts";
import { redactUrl, sameRemote } from "./remote-url.ts";
import type { RunPlan } from "./run-plan.ts";

/** The planning artifacts (relative to the workspace) that must be on the feature branch. */
export const PLANNING_ARTIFACTS = ["scripts/ralph/final-plan.md", "scripts/ralph/prd.json"] as const;

/** Executor bookkeeping that must never be committed by planbot or by Ralph's `git add -A`. */
export const LOCAL_EXCLUDES = [
  "/scripts/ralph/logs/",
  "/scripts/ralph/.ralph.pid",
  "/scripts/ralph/.ralph.go",
] as const;

/** The commit message of the planning artifacts commit. */
export const ARTIFACTS_COMMIT_MESSAGE = "chore: planning artifacts";

/** What preparing a workspace did, for the run report. */
export interface PreparedWorkspace {
  /** One line: cloned/fetched, branch created or checked out, artifacts committed. */
  summary: string;
  /** The feature branch's commit after preparation. */
  head: string;
  artifactsCommitted: boolean;
}

/** Options of {@link prepareWorkspace}. */
export interface PrepareOptions {
  env?: NodeJS.ProcessEnv | undefined;
  /** Extra paths (relative to the workspace) to keep out of commits, e.g. an installed Ralph template. */
  excludes?: readonly string[];
}

/**
 * Gets `plan.root` onto the feature branch with the planning artifacts committed:
 * - no `.git` and a remote: clone (no checkout) into a hidden temp folder next to the workspace, move its
 *   `.git` in, point the branch at `origin/<branch>` (exists) or `origin/<base>` (new) and write only the
 *   files the workspace lacks — planning output already there is never overwritten;
 * - no `.git` and no remote: `git init -b <base>`, an empty initial commit, the branch;
 * - a `.git` already: check its origin is this remote, fetch, switch to (or create) the branch.
 * Then `chore: planning artifacts` is committed when final-plan.md / prd.json are new or changed.
 * Every git failure is a failure value whose message carries git's own words.
 */
export async function prepareWorkspace(
  plan: RunPlan,
  options: PrepareOptions = {},
): Promise<Result<{ prepared: PreparedWorkspace }>> {
  const env = gitEnv(options.env, dirname(plan.root));
  const git = (args: readonly string[], timeoutMs?: number, input?: string) =>
    runGit(args, {
      cwd: plan.root,
      env,
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(input !== undefined ? { input } : {}),
    });
  try {
    await mkdir(plan.root, { recursive: true });
  } catch (error) {
    return fail("execute_failed", `Cannot create the workspace ${plan.root}: ${(error as Error).message}`);
  }
  const steps: string[] = [];
  let outcome: Result<object>;
  if (!existsSync(join(plan.root, ".git"))) {
    outcome = plan.remoteUrl ? await adoptClone(plan, plan.remoteUrl, env, steps) : await initLocal(plan, git, steps);
  } else {
    outcome = await updateExisting(plan, git, steps);
  }
  if (!outcome.ok) return outcome;

  const excluded = await addLocalExcludes(git, plan.root, [
    ...LOCAL_EXCLUDES,
    ...(options.excludes ?? []).map((path) => `/${path}`),
  ]);
  if (!excluded.ok) return gitFailure("could not update .git/info/exclude", excluded);
  const committed = await commitArtifacts(git, plan.root);
  if (!committed.ok) return committed;
  if (committed.committed) steps.push("committed the planning artifacts");
  const head = await git(["rev-parse", "HEAD"]);
  if (!head.ok) return gitFailure("the branch has no commit", head);
  return {
    ok: true,
    prepared: { summary: steps.join(", "), head: head.stdout.trim(), artifactsCommitted: committed.committed },
  };
}

type Git = (args: readonly string[], timeoutMs?: number, input?: string) => Promise<GitOutcome>;

/** Where {@link adoptClone} puts a clone: the planner's first checkout and the executor share this one step. */
export type CloneTarget = Pick<RunPlan, "root" | "slug" | "branch" | "base" | "remoteUrl">;

/**
 * Clones `url` into the existing folder `plan.root` (no checkout into a temp folder, `.git` moved in),
 * HEAD on `plan.branch` (from origin, or new from `origin/<base>`), writing only the files the folder
 * lacks. Planning calls it with `branch = base` so the planner reads the code of the base branch.
 */
export async function adoptClone(
  plan: CloneTarget,
  url: string,
  env: NodeJS.ProcessEnv,
  steps: string[],
): Promise<Result<object>> {
  const parent = dirname(plan.root);
  const temp = join(parent, `.${plan.slug}.clone-${randomBytes(4).toString("hex")}`);
  const cloned = await runGit(["clone", "--no-checkout", "--quiet", "--", url, temp], {
    cwd: parent,
    env,
    timeoutMs: NETWORK_GIT_TIMEOUT_MS,
  });
  if (!cloned.ok) {
    await rm(temp, { recursive: true, force: true });
    return gitFailure(`could not clone ${redactUrl(url)}`, cloned);
  }
  try {
    await rename(join(temp, ".git"), join(plan.root, ".git"));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    return fail(
      "execute_failed",
      `could not move the clone of ${redactUrl(url)} into ${plan.root}: ${(error as Error).message}`,
    );
  }
  await rm(temp, { recursive: true, force: true });
  steps.push(`cloned ${redactUrl(url)}`);
  const git: Git = (args, timeoutMs, input) =>
    runGit(args, {
      cwd: plan.root,
      env,
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(input !== undefined ? { input } : {}),
    });
  const result = await pointAtBranch(plan, git, steps);
  // Leave the workspace as it was (planning artifacts only) so the next attempt starts clean.
  if (!result.ok) await rm(join(plan.root, ".git"), { recursive: true, force: true });
  return result;
}

/** After a no-checkout clone: HEAD on the feature branch, index = its tree, only missing files written. */
async function pointAtBranch(plan: CloneTarget, git: Git, steps: string[]): Promise<Result<object>> {
  const onRemote = await hasRef(git, `refs/remotes/origin/${plan.branch}`);
  const start = onRemote ? `origin/${plan.branch}` : `origin/${plan.base}`;
  if (!onRemote && !(await hasRef(git, `refs/remotes/origin/${plan.base}`))) {
    return fail(
      "execute_failed",
      `base branch "${plan.base}" does not exist on ${redactUrl(plan.remoteUrl ?? "the remote")} (and neither does "${plan.branch}"); push it or set the project's base.`,
    );
  }
  const sha = await git(["rev-parse", "--verify", "--quiet", `${start}^{commit}`]);
  if (!sha.ok) return gitFailure(`could not resolve ${start}`, sha);
  for (const args of [
    ["update-ref", `refs/heads/${plan.branch}`, sha.stdout.trim()],
    ["symbolic-ref", "HEAD", `refs/heads/${plan.branch}`],
    ["reset", "--quiet"],
  ]) {
    const step = await git(args);
    if (!step.ok) return gitFailure(`could not check out ${plan.branch}`, step);
  }
  const missing = await git(["ls-files", "--deleted", "-z"]);
  if (!missing.ok) return gitFailure("could not list the branch's files", missing);
  if (missing.stdout.length > 0) {
    const written = await git(["checkout-index", "--stdin", "-z"], undefined, missing.stdout);
    if (!written.ok) return gitFailure(`could not write the files of ${plan.branch}`, written);
  }
  if (onRemote) {
    const upstream = await git(["branch", `--set-upstream-to=origin/${plan.branch}`, plan.branch]);
    if (!upstream.ok) return gitFailure(`could not track origin/${plan.branch}`, upstream);
    steps.push(`checked out existing branch ${plan.branch}`);
  } else {
    steps.push(`created branch ${plan.branch} from origin/${plan.base}`);
  }
  return { ok: true };
}

async function initLocal(plan: RunPlan, git: Git, steps: string[]): Promise<Result<object>> {
  const init = await git(["init", "--quiet", "-b", plan.base]);
  if (!init.ok) return gitFailure("could not create a local repository", init);
  const first = await git([
    ...PLANBOT_IDENTITY,
    "-c",
    "commit.gpgsign=false",
    "commit",
    "--quiet",
    "--allow-empty",
    "--no-verify",
    "-m",
    "chore: initial commit",
  ]);
  if (!first.ok) {
    await rm(join(plan.root, ".git"), { recursive: true, force: true });
    return gitFailure("could not make the initial commit", first);
  }
  steps.push(`created a local repository on ${plan.base}`);
  if (plan.branch !== plan.base) {
    const branch = await git(["switch", "--quiet", "-c", plan.branch]);
    if (!branch.ok) return gitFailure(`could not create branch ${plan.branch}`, branch);
    steps.push(`created branch ${plan.branch} from ${plan.base}`);
  }
  return { ok: true };
}

async function updateExisting(plan: RunPlan, git: Git, steps: string[]): Promise<Result<object>> {
  if (plan.remoteUrl) {
    const origin = await git(["remote", "get-url", "origin"]);
    if (!origin.ok) {
      return fail(
        "execute_failed",
        `the workspace ${plan.root} is a git repository without an "origin" remote, expected ${redactUrl(plan.remoteUrl)}: add it (git remote add origin …) or move the folder away.`,
      );
    }
    const actual = origin.stdout.trim();
    if (!sameRemote(actual, plan.remoteUrl)) {
      return fail(
        "execute_failed",
        `the workspace ${plan.root} is a clone of ${redactUrl(actual)}, not ${redactUrl(plan.remoteUrl)}: move it away or fix the project's repo.`,
      );
    }
    const fetched = await git(["fetch", "--prune", "--quiet", "origin"], NETWORK_GIT_TIMEOUT_MS);
    if (!fetched.ok) return gitFailure(`could not fetch ${redactUrl(plan.remoteUrl)}`, fetched);
    steps.push(`fetched ${redactUrl(plan.remoteUrl)}`);
  }
  const current = await git(["symbolic-ref", "--quiet", "--short", "HEAD"]);
  if (current.ok && current.stdout.trim() === plan.branch && (await hasRef(git, "HEAD"))) {
    steps.push(`on branch ${plan.branch}`);
    return { ok: true };
  }
  if (await hasRef(git, `refs/heads/${plan.branch}`)) {
    const switched = await git(["switch", "--quiet", plan.branch]);
    if (!switched.ok) return gitFailure(`could not switch to ${plan.branch}`, switched);
    steps.push(`checked out branch ${plan.branch}`);
    return { ok: true };
  }
  if (plan.remoteUrl && (await hasRef(git, `refs/remotes/origin/${plan.branch}`))) {
    const tracked = await git(["switch", "--quiet", "-c", plan.branch, "--track", `origin/${plan.branch}`]);
    if (!tracked.ok) return gitFailure(`could not check out origin/${plan.branch}`, tracked);
    steps.push(`checked out existing branch ${plan.branch}`);
    return { ok: true };
  }
  const start = (await hasRef(git, `refs/remotes/origin/${plan.base}`))
    ? `origin/${plan.base}`
    : (await hasRef(git, `refs/heads/${plan.base}`))
      ? plan.base
      : undefined;
  if (!start)
    return fail(
      "execute_failed",
      `base branch "${plan.base}" exists neither as origin/${plan.base} nor locally in ${plan.root}; push it or set the project's base.`,
    );
  const created = await git(["switch", "--quiet", "--no-track", "-c", plan.branch, start]);
  if (!created.ok) return gitFailure(`could not create branch ${plan.branch} from ${start}`, created);
  steps.push(`created branch ${plan.branch} from ${start}`);
  return { ok: true };
}

async function hasRef(git: Git, ref: string): Promise<boolean> {
  return (await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).ok;
}

/**
 * Keeps workspace-relative `paths` out of every commit of this clone (`.git/info/exclude`, never the
 * project's .gitignore): used for a Ralph template planbot copied in.
 */
export async function excludeLocally(
  root: string,
  paths: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<Result<object>> {
  const git: Git = (args, timeoutMs, input) =>
    runGit(args, {
      cwd: root,
      env: gitEnv(env, dirname(root)),
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(input !== undefined ? { input } : {}),
    });
  const added = await addLocalExcludes(
    git,
    root,
    paths.map((path) => `/${path}`),
  );
  return added.ok ? { ok: true } : gitFailure("could not update .git/info/exclude", added);
}

async function addLocalExcludes(git: Git, root: string, lines: readonly string[]): Promise<GitOutcome> {
  const where = await git(["rev-parse", "--git-path", "info/exclude"]);
  if (!where.ok) return where;
  const file = isAbsolute(where.stdout.trim()) ? where.stdout.trim() : join(root, where.stdout.trim());
  try {
    await mkdir(dirname(file), { recursive: true });
    const existing = existsSync(file) ? await readFile(file, "utf8") : "";
    const have = new Set(existing.split("\n").map((line) => line.trim()));
    const add = lines.filter((line) => !have.has(line));
    if (add.length)
      await appendFile(
        file,
        `${existing && !existing.endsWith("\n") ? "\n" : ""}# planbot executor\n${add.join("\n")}\n`,
      );
  } catch (error) {
    return { ok: false, message: (error as Error).message, exitCode: undefined };
  }
  return { ok: true, stdout: "" };
}

async function commitArtifacts(git: Git, root: string): Promise<Result<{ committed: boolean }>> {
  const files = PLANNING_ARTIFACTS.filter((path) => existsSync(join(root, path)));
  if (files.length === 0) return { ok: true, committed: false };
  // --force: the plan must be on the branch even if the project ignores scripts/ralph/.
  const added = await git(["add", "--force", "--", ...files]);
  if (!added.ok) return gitFailure("could not stage the planning artifacts", added);
  const diff = await git(["diff", "--cached", "--quiet", "--", ...files]);
  if (diff.ok) return { ok: true, committed: false };
  if (diff.exitCode !== 1) return gitFailure("could not compare the planning artifacts", diff);
  const commit = await git([
    ...PLANBOT_IDENTITY,
    "-c",
    "commit.gpgsign=false",
    "commit",
    "--quiet",
    "--no-verify",
    "-m",
    ARTIFACTS_COMMIT_MESSAGE,
    "--",
    ...files,
  ]);
  if (!commit.ok) return gitFailure("could not commit the planning artifacts", commit);
  return { ok: true, committed: true };
}

function gitFailure(what: string, outcome: Extract<GitOutcome, { ok: false }>): Failure {
  return fail("execute_failed", `${what}: ${redactUrl(outcome.message)}`);
}
