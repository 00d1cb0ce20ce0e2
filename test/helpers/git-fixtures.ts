import { readdirSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { fakeRalphPath } from "../fakes/paths.ts";

/**
 * Real git repositories for executor tests: a bare "remote" at `<root>/remotes/<repo>` (so
 * `GIT_REMOTE_BASE=<root>/remotes` and `<repo>` name it), seeded with a short history, plus readers for
 * asserting on clones. Free of vitest; every git call uses a fixed identity and no user configuration.
 */

const IDENTITY = ["-c", "user.name=fixture", "-c", "user.email=fixture@example.invalid", "-c", "commit.gpgsign=false"];

/** Environment for fixture git calls: no prompts, no inherited GIT_DIR, no global/system config. */
export function fixtureGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
  for (const name of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"]) delete env[name];
  return env;
}

/** Runs git in `cwd` and returns trimmed stdout; throws with git's stderr on failure (tests want loud set-up errors). */
export async function git(cwd: string, args: string[]): Promise<string> {
  const result = await execa("git", [...IDENTITY, ...args], {
    cwd,
    env: fixtureGitEnv(),
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed in ${cwd}: ${result.stderr}`);
  return String(result.stdout).trim();
}

/** What {@link createBareRemote} made. */
export interface RemoteFixture {
  /** `<root>/remotes`: use as GIT_REMOTE_BASE. */
  base: string;
  /** The bare repository's path. */
  path: string;
  /** main's commits, oldest first. */
  mainCommits: string[];
  mainTip: string;
  /** develop's tip (one commit past main's), when asked for. */
  developTip?: string;
  /** Tips of extra branches asked for, by name. */
  branchTips: Record<string, string>;
}

/** Options of {@link createBareRemote}. */
export interface RemoteOptions {
  /** Commit the fake ralph.sh as `scripts/ralph/ralph.sh` (mode 755) with its CLAUDE.md and prompt.md on main, like a repo that carries Ralph. */
  ralphScript?: boolean;
  /** With `ralphScript`: commit ralph.sh with mode 644 instead, as a repository whose script lost its executable bit. */
  ralphScriptNotExecutable?: boolean;
  /** Add a `develop` branch one commit ahead of main. */
  develop?: boolean;
  /** Extra branches, each one commit ahead of main (e.g. an existing feature branch). */
  branches?: string[];
}

/**
 * Creates the bare repository `<root>/remotes/<repo>` with a `main` history of three commits (README,
 * a source file, then either ralph.sh or a change), optionally `develop` and other branches.
 */
export async function createBareRemote(
  root: string,
  repo: string,
  options: RemoteOptions = {},
): Promise<RemoteFixture> {
  const base = join(root, "remotes");
  const path = join(base, repo);
  const seed = join(root, `.seed-${repo.replace(/\//g, "-")}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(seed, { recursive: true });
  await git(seed, ["init", "--quiet", "-b", "main"]);
  const mainCommits: string[] = [];
  const commit = async (message: string) => {
    await git(seed, ["add", "-A"]);
    await git(seed, ["commit", "--quiet", "-m", message]);
    return git(seed, ["rev-parse", "HEAD"]);
  };
  await writeFile(join(seed, "README.md"), `# ${repo}\n`);
  mainCommits.push(await commit("initial"));
  await mkdir(join(seed, "src"), { recursive: true });
  await writeFile(join(seed, "src", "app.txt"), "app v1\n");
  mainCommits.push(await commit("add app"));
  if (options.ralphScript) {
    await addRalphFiles(seed, !options.ralphScriptNotExecutable);
    mainCommits.push(await commit("add ralph"));
  } else {
    await writeFile(join(seed, "src", "app.txt"), "app v2\n");
    mainCommits.push(await commit("app v2"));
  }
  const branchTips: Record<string, string> = {};
  const extra = [...(options.develop ? ["develop"] : []), ...(options.branches ?? [])];
  for (const branch of extra) {
    await git(seed, ["switch", "--quiet", "-c", branch, "main"]);
    await writeFile(join(seed, `${branch.replace(/\//g, "-")}.txt`), `${branch}\n`);
    branchTips[branch] = await commit(`work on ${branch}`);
    await git(seed, ["switch", "--quiet", "main"]);
  }
  await mkdir(dirname(path), { recursive: true });
  await git(root, ["clone", "--quiet", "--bare", seed, path]);
  await rm(seed, { recursive: true, force: true });
  return {
    base,
    path,
    mainCommits,
    mainTip: mainCommits[mainCommits.length - 1]!,
    ...(branchTips.develop ? { developTip: branchTips.develop } : {}),
    branchTips,
  };
}

/** Puts the fake ralph.sh (755, or 644 when not `executable`) with its CLAUDE.md and prompt.md in `scripts/ralph/` of the checkout `seed`, staged. */
async function addRalphFiles(seed: string, executable: boolean): Promise<void> {
  await mkdir(join(seed, "scripts", "ralph"), { recursive: true });
  await copyFile(fakeRalphPath, join(seed, "scripts", "ralph", "ralph.sh"));
  for (const prompt of ["CLAUDE.md", "prompt.md"])
    await copyFile(join(dirname(fakeRalphPath), prompt), join(seed, "scripts", "ralph", prompt));
  if (!executable) await chmod(join(seed, "scripts", "ralph", "ralph.sh"), 0o644);
  await git(seed, ["add", "-A"]);
  await git(seed, ["update-index", "--add", `--chmod=${executable ? "+x" : "-x"}`, "scripts/ralph/ralph.sh"]);
}

/**
 * Pushes one commit to the remote's main, made by `change` in a fresh checkout (it stages what it writes),
 * as the project's owner would; returns main's new tip.
 */
export async function pushToRemoteMain(
  remote: RemoteFixture,
  message: string,
  change: (checkout: string) => Promise<void>,
): Promise<string> {
  const seed = `${remote.path}.push-${Math.random().toString(36).slice(2, 8)}`;
  await git(dirname(remote.path), ["clone", "--quiet", remote.path, seed]);
  try {
    await change(seed);
    await git(seed, ["commit", "--quiet", "-m", message]);
    await git(seed, ["push", "--quiet", "origin", "main"]);
    return await git(seed, ["rev-parse", "HEAD"]);
  } finally {
    await rm(seed, { recursive: true, force: true });
  }
}

/** Adds Ralph (as `ralphScript` does) to the remote's main, as its owner would after planbot refused a run for want of it. */
export function pushRalphToRemote(remote: RemoteFixture): Promise<string> {
  return pushToRemoteMain(remote, "add ralph", (checkout) => addRalphFiles(checkout, true));
}

/** A valid Ralph prd.json with `stories` stories (US-1…), priorities in order, none passing. */
export function samplePrd(project: string, stories = 3, branchName = `ralph/${project}`) {
  return {
    project,
    branchName,
    description: `Test plan for ${project}`,
    userStories: Array.from({ length: stories }, (_, index) => ({
      id: `US-${index + 1}`,
      title: `Story ${index + 1}`,
      description: `Do part ${index + 1}`,
      acceptanceCriteria: ["it works"],
      priority: index + 1,
      passes: false,
      notes: "",
    })),
  };
}

/**
 * Writes what planning leaves in a workspace: `scripts/ralph/final-plan.md` and `prd.json` (default: two
 * stories, enough for the fake's fail/block modes which act on iteration 2), and optionally the fake's
 * per-project mode file (`.fake-mode`: complete | fail | block | hang).
 */
export async function writePlanningArtifacts(
  workspaceDir: string,
  slug: string,
  options: { prd?: object; plan?: string; fakeMode?: "complete" | "fail" | "block" | "hang" } = {},
): Promise<string> {
  const dir = join(workspaceDir, slug, "scripts", "ralph");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "final-plan.md"), options.plan ?? `# Plan for ${slug}\n\nThree small stories.\n`);
  await writeFile(join(dir, "prd.json"), `${JSON.stringify(options.prd ?? samplePrd(slug, 2), null, 2)}\n`);
  if (options.fakeMode) await writeFile(join(dir, ".fake-mode"), `${options.fakeMode}\n`);
  return dir;
}

/**
 * True while the process group `pgid` (a Ralph's PID) has a member that is not a zombie. Read from /proc:
 * signal 0 would also count zombies, which linger until something reaps them.
 */
export function groupAlive(pgid: number): boolean {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") return true;
  }
  return false;
}

/** SIGKILLs the process groups of `pids` (ignoring ones already gone): every test's clean-up. */
export function killGroups(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
}

/** Polls `check` every 20 ms until it returns a truthy value or `timeoutMs` passes (then throws naming `what`). */
export async function waitUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
