import { constants } from "node:fs";
import { access, chmod, copyFile, lstat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { split } from "shlex";
import { operatorDetails, SCRIPT_EXECUTABLE_CHECK, SCRIPT_MISSING_CHECK } from "../projects/operator-fix.ts";
import { fail, type Result } from "../projects/result.ts";
import { ensureWorkspaceDir } from "../projects/workspace-files.ts";
import { makeFolders } from "../projects/make-folders.ts";

/** Files next to snarktank/ralph's ralph.sh that it reads (its agent prompts); copied along with a template. */
export const RALPH_TEMPLATE_COMPANIONS = ["prompt.md", "CLAUDE.md"] as const;

/** Folder under PLANBOT_DATA_DIR holding a Ralph template for workspaces whose repository has none. */
export const RALPH_TEMPLATE_DIR = "ralph-template";

/** How Ralph is started in one workspace. */
export interface RalphLaunchSpec {
  /** What is executed: an absolute path (normally inside the workspace), or a bare name looked up on PATH. */
  file: string;
  args: string[];
  /** A script copied to `file` when the workspace lacks it; null when there is none to copy. */
  template: string | null;
  /**
   * The template is the file RALPH_COMMAND names itself (an absolute path outside the workspace), not the
   * copy planbot looks for in `$PLANBOT_DATA_DIR/ralph-template/`: when it is missing, the setting is wrong.
   */
  templateNamed?: boolean;
  /** The command as a person would type it in the workspace. */
  display: string;
}

/**
 * Splits RALPH_COMMAND into words (shell-like quoting, no shell) and decides where its script lives:
 * - a relative path (the default `scripts/ralph/ralph.sh`) is per-workspace: the repository carries it,
 *   or `$PLANBOT_DATA_DIR/ralph-template/<name>` is copied in when it does not;
 * - an absolute path outside the workspace is a template: snarktank/ralph's script works on the prd.json
 *   next to itself, so it must run from the workspace's `scripts/ralph/`; it is copied there (with its
 *   prompt files) when missing;
 * - a bare name runs from the workspace when a file of that name is there, else from PATH.
 */
export function resolveRalphCommand(command: string, root: string, dataDir: string): Result<{ spec: RalphLaunchSpec }> {
  let words: string[];
  try {
    words = split(command);
  } catch (error) {
    return fail(
      "execute_failed",
      `RALPH_COMMAND "${command}" cannot be split into words (${(error as Error).message}); check its quotes.`,
    );
  }
  const [first, ...args] = words;
  if (!first)
    return fail("execute_failed", "RALPH_COMMAND is empty: set it to e.g. scripts/ralph/ralph.sh --tool claude 10.");
  let file: string;
  let template: string | null;
  if (isAbsolute(first)) {
    const inside = first.startsWith(root.endsWith(sep) ? root : root + sep);
    file = inside ? first : join(root, "scripts", "ralph", basename(first));
    template = inside ? null : first;
  } else if (first.includes("/")) {
    file = resolve(root, first);
    template = join(dataDir, RALPH_TEMPLATE_DIR, basename(first));
  } else {
    file = first;
    template = null;
  }
  const shown = isAbsolute(file) && file.startsWith(root + sep) ? relative(root, file) : file;
  const display = [shown, ...args].join(" ");
  return { ok: true, spec: { file, args, template, display, ...(template === first ? { templateNamed: true } : {}) } };
}

/**
 * Makes sure the script exists and is executable in the workspace, copying the template in when the
 * workspace lacks it. Returns the file to execute and the paths it copied (relative to `root`) so the caller can keep them out of
 * the project's commits. A missing script is a failure saying how to add one. `fromRepository`: the
 * workspace is a clone of the project's repository (GIT_REMOTE_BASE), so a script that is not executable
 * came from there and the member can fix its mode for later checkouts.
 */
export async function ensureRalphScript(
  spec: RalphLaunchSpec,
  root: string,
  fromRepository = false,
): Promise<Result<{ file: string; installed: string[] }>> {
  if (!isAbsolute(spec.file)) {
    // A bare name: in the workspace if present, else PATH; a missing one surfaces as a launch failure.
    const local = join(root, spec.file);
    if (await exists(local)) return checkExecutable(local, [], root, fromRepository);
    return { ok: true, file: spec.file, installed: [] };
  }
  const present = await exists(spec.file);
  if (!present && !(spec.template && (await exists(spec.template)))) return missingScript(spec, root, fromRepository);
  const targetDir = dirname(spec.file);
  const inside = relative(root, targetDir);
  if (inside.startsWith("..") || isAbsolute(inside)) {
    await makeFolders(targetDir);
  } else {
    // The repository decides what is in the workspace: never copy through a link it placed there.
    const made = await ensureWorkspaceDir(root, inside);
    if (!made.ok) return made;
  }
  const installed: string[] = [];
  if (!present) {
    await copyFile(spec.template!, spec.file, constants.COPYFILE_EXCL);
    await chmod(spec.file, 0o755);
    installed.push(relative(root, spec.file));
  }
  // Prompt files the workspace lacks come from the template's folder, also next to a script the
  // repository carries (or one copied by an earlier run, before the template had them).
  for (const companion of spec.template ? RALPH_TEMPLATE_COMPANIONS : []) {
    const from = join(dirname(spec.template!), companion);
    const to = join(targetDir, companion);
    if ((await exists(from)) && !(await exists(to))) {
      await copyFile(from, to, constants.COPYFILE_EXCL);
      installed.push(relative(root, to));
    }
  }
  // A copied template was made executable above: only a script the workspace already had can fail here.
  return checkExecutable(spec.file, installed, root, fromRepository && !installed.includes(relative(root, spec.file)));
}

/**
 * A script in neither the workspace nor the template is refused with the fix split by who can do it
 * (src/projects/error-fix.ts): a template on the server, or RALPH_COMMAND, only the operator can provide
 * (`details.operator`); when the workspace is a clone of the project's repository the member can add the
 * script there on the base branch (`next: "add_file"`), which the next run picks up. The message, for the
 * CLI and the logs, says every way, naming the script RALPH_COMMAND configures and its template by their
 * paths on the server.
 */
function missingScript(spec: RalphLaunchSpec, root: string, fromRepository: boolean): Result<never> {
  const where = relative(root, spec.file);
  return fail(
    "execute_failed",
    `Ralph's script ${where} is not in the workspace ${root}. ${missingScriptFix(spec, where)}`,
    {
      details: {
        reason: "preflight",
        check: SCRIPT_MISSING_CHECK,
        path: where,
        ...operatorDetails("ralph_missing"),
        ...(fromRepository ? { next: "add_file" } : {}),
      },
    },
  );
}

/**
 * The operator's ways to a missing script: snarktank/ralph's ralph.sh comes with its prompt files; any
 * other script RALPH_COMMAND runs is named as it is. An absolute RALPH_COMMAND names its template itself,
 * so that file is what is missing on the server; a relative one is looked for in planbot's template folder.
 */
export function missingScriptFix(spec: RalphLaunchSpec, where: string): string {
  const ralphSh = basename(spec.file) === "ralph.sh";
  const script = ralphSh
    ? "snarktank/ralph's ralph.sh (with its prompt.md/CLAUDE.md)"
    : `the script ${basename(spec.file)}`;
  const template = spec.template ?? join("$PLANBOT_DATA_DIR", RALPH_TEMPLATE_DIR, basename(spec.file));
  if (spec.template && spec.templateNamed)
    return (
      `RALPH_COMMAND names ${spec.template}, which is not on the server either (it is copied into each workspace that lacks ${where}). ` +
      `Put ${script} at ${spec.template}, or add it to the repository's base branch at ${where}.`
    );
  return (
    `Add ${script} to the repository's base branch at ${where}, or copy ${ralphSh ? "them" : "it"} to ${template}, ` +
    `or set RALPH_COMMAND to the absolute path of ${ralphSh ? "a ralph.sh" : "the script"} on the server (it is copied into each workspace).`
  );
}

/**
 * A script that is not executable is refused with the fix split by who can do it (src/projects/error-fix.ts):
 * the workspace's copy only the operator can change on the server (`details.operator`); one that came from
 * the project's repository the member can commit as executable there (`next: "commit_executable"`), or the
 * next clone has the same problem. The message, for the CLI and the logs, says both.
 */
async function checkExecutable(
  file: string,
  installed: string[],
  root: string,
  fromRepository: boolean,
): Promise<Result<{ file: string; installed: string[] }>> {
  try {
    await access(file, constants.X_OK);
    return { ok: true, file, installed };
  } catch {
    const path = relative(root, file);
    const commit = fromRepository
      ? `, and commit it with mode 755 in the project's repository (git update-index --chmod=+x ${path}) so later checkouts get it right`
      : "";
    return fail(
      "execute_failed",
      `Ralph was not started: Ralph's script ${file} is not executable. Fix: chmod +x ${file} on the server${commit}.`,
      {
        details: {
          reason: "preflight",
          check: SCRIPT_EXECUTABLE_CHECK,
          path,
          problem: "not_executable",
          ...operatorDetails("workspace_file"),
          ...(fromRepository ? { next: "commit_executable" } : {}),
        },
      },
    );
  }
}

/** A file, or a link (never copied over: a link to a missing file then fails as "not executable"). */
async function exists(path: string): Promise<boolean> {
  try {
    const stats = await lstat(path);
    return stats.isFile() || stats.isSymbolicLink();
  } catch {
    return false;
  }
}
