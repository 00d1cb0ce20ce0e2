import { existsSync } from "node:fs";
import { appendFile, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import type { Result } from "../projects/result.ts";
import { gitEnv, type GitOutcome } from "./git.ts";
import { gitFailure, gitIn, type Git } from "./workspace-git-steps.ts";
import { makeFolders } from "../projects/make-folders.ts";

/** Executor bookkeeping that must never be committed by planbot or by Ralph's `git add -A`. */
export const LOCAL_EXCLUDES = [
  "/scripts/ralph/logs/",
  "/scripts/ralph/.ralph.pid",
  "/scripts/ralph/.ralph.go",
] as const;

/**
 * Keeps workspace-relative `paths` out of every commit of this clone (`.git/info/exclude`, never the
 * project's .gitignore): used for a Ralph template planbot copied in.
 */
export async function excludeLocally(
  root: string,
  paths: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<Result<object>> {
  const git = gitIn(root, gitEnv(env, dirname(root)));
  const added = await addLocalExcludes(
    git,
    root,
    paths.map((path) => `/${path}`),
  );
  return added.ok ? { ok: true } : gitFailure("could not update .git/info/exclude", added);
}

/** Appends the lines `.git/info/exclude` lacks, under a `# planbot executor` heading. */
export async function addLocalExcludes(git: Git, root: string, lines: readonly string[]): Promise<GitOutcome> {
  const where = await git(["rev-parse", "--git-path", "info/exclude"]);
  if (!where.ok) return where;
  const file = isAbsolute(where.stdout.trim()) ? where.stdout.trim() : join(root, where.stdout.trim());
  try {
    await makeFolders(dirname(file));
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
