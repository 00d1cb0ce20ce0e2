import { basename } from "node:path";
import { bold, code } from "../chat/reply.ts";
import { FIXABLE_FIELDS, type MemberStep } from "../projects/error-fix.ts";
import {
  type OperatorProblem,
  PROMPT_CHECK,
  RALPH_FILE_CHECKS,
  SCRIPT_EXECUTABLE_CHECK,
  SERVER_SETUP_CHECKS,
} from "../projects/operator-fix.ts";
import type { RunRefusalField } from "../projects/schemas.ts";

/**
 * A chat's words for a problem only planbot's operator can fix on the server (`details.operator`, or a
 * stored run error's `error_operator`): the problem in one plain line, and what a chat member can do —
 * their own part of the fix when the failure names one (`/edit` a field that may be the cause, commit a
 * file as executable), and that the rest needs planbot's admin. Shared by the bot's failure replies, the
 * `/status` card and the notices; the CLI, the logs and the terminal (the operator's own chat) keep the
 * operator's own message.
 */
export function operatorProblemLine(
  problem: OperatorProblem,
  slug: string | undefined,
  details: Record<string, unknown> = {},
): string {
  const workspace = slug ? `The workspace folder of ${bold(slug)}` : "A project's workspace folder";
  switch (problem) {
    case "data_unwritable":
      return `planbot could not save this: ${whyUnwritable(details.errno)}. Nothing was changed.`;
    case "data_unflushed":
      return "The change was saved, but planbot could not make sure it reached the server's disk.";
    case "store_unreadable": {
      const file = typeof details.path === "string" ? ` ${code(basename(details.path))}` : "";
      // A file that does not parse has no errno; one planbot may not open (permissions, a folder in its way) has.
      if (typeof details.errno === "string")
        return `planbot cannot open its file${file} on the server. Nothing was changed.`;
      return `planbot cannot read its file${file}: it is damaged, and planbot will not overwrite it. Nothing was changed.`;
    }
    case "workspace_unusable":
      return `${workspace} on the server cannot be used.`;
    case "workspace_other_repo":
      return `${workspace} on the server holds a clone of another repository.`;
    case "server_setup":
      return `Ralph was not started: ${serverSetupProblem(details.check)}.`;
    case "queue_unreachable": {
      const consequence = typeof details.consequence === "string" ? details.consequence : "nothing was done";
      return `planbot's job queue is not reachable, so ${consequence}.`;
    }
    case "workspace_file": {
      const file = typeof details.path === "string" ? code(details.path) : "A file";
      if (details.problem === "not_executable")
        return `Ralph was not started: ${file} in the workspace of ${slug ? bold(slug) : "the project"} on the server is not executable.`;
      const what = details.problem === "symlink" ? "a symbolic link" : "not a regular file";
      return `${file} in a project's workspace on the server is ${what}, and planbot will not use it.`;
    }
    case "git_remote":
      return `planbot could not get the code of ${slug ? bold(slug) : "the project"} from its repository.`;
    case "ralph_missing":
      return `Ralph was not started: ${ralphFileMissing(details.check, details.path, slug)}.`;
  }
}

/**
 * What the member can do about an operator's problem: their own part of the fix when there is one (`step`),
 * and what only planbot's admin can do on the server; without a part of their own, to tell the admin.
 */
export function operatorAdvice(
  problem: OperatorProblem,
  slug: string | undefined,
  step: MemberStep | undefined,
): string {
  if (step?.kind === "edit" && slug)
    return `If the project's ${step.field} is wrong, set it: ${code(`/edit ${slug} --${step.field} ${FIXABLE_FIELDS[step.field]}`)}. Otherwise tell planbot's admin: only they can ${adminPart(problem)}.`;
  if (step?.kind === "commit_executable")
    return `It comes from the project's repository: commit it as executable there (${code(`git update-index --chmod=+x ${step.path}`)}, then push) so later checkouts get it right. This workspace's copy needs planbot's admin too: only they can ${adminPart(problem)}.`;
  if (step?.kind === "add_file")
    return `Add it to the project's repository: commit it at ${code(step.path)} on the project's base branch and push (the next run picks it up). Or tell planbot's admin: only they can ${adminPart(problem)}.`;
  return "Please tell planbot's admin: it can only be fixed on the server planbot runs on.";
}

/** The operator's part of a fix split with the member, in a chat's words (no settings, no paths). */
function adminPart(problem: OperatorProblem): string {
  switch (problem) {
    case "workspace_other_repo":
      return "move that folder away on the server";
    case "git_remote":
      return "fix where the server fetches repositories from, or its access to them";
    case "workspace_file":
      return "make that file executable on the server";
    case "ralph_missing":
      return "give planbot its own copy of Ralph on the server";
    default:
      return "fix it on the server planbot runs on";
  }
}

/**
 * A stored refusal only (or partly) planbot's operator can lift, by its check, in a chat's words: why Ralph
 * was not started and what the member can do; undefined for refusals a member fixes alone (their own words
 * name the fix). `repo_path`: the file's path in the project's repository, when it comes from there;
 * `path`: the file inside the workspace it is about (Ralph's script as RALPH_COMMAND configures it, its
 * prompt file), named even when the repository is not where it comes from.
 */
export function operatorRefusalWords(
  refusal: Pick<RunRefusalField, "check" | "repo_path" | "path">,
  slug: string,
): { problem: string; advice: string } | undefined {
  const { check, repo_path: repoPath } = refusal;
  const file = refusal.path ?? repoPath;
  if (SERVER_SETUP_CHECKS.has(check ?? ""))
    return { problem: serverSetupProblem(check), advice: operatorAdvice("server_setup", slug, undefined) };
  if (RALPH_FILE_CHECKS.has(check ?? "")) {
    const step: MemberStep | undefined = repoPath ? { kind: "add_file", path: repoPath } : undefined;
    return { problem: ralphFileMissing(check, file, slug), advice: operatorAdvice("ralph_missing", slug, step) };
  }
  if (check !== SCRIPT_EXECUTABLE_CHECK) return undefined;
  const script = file ? `Ralph's script ${code(file)}` : "Ralph's script";
  const step: MemberStep | undefined = repoPath ? { kind: "commit_executable", path: repoPath } : undefined;
  return {
    problem: `${script} in the project's workspace on the server is not executable`,
    advice: operatorAdvice("workspace_file", slug, step),
  };
}

/**
 * Which of Ralph's files is missing, by the refusal's check (`script_missing`, `prompt`), with its path
 * inside the workspace when known: the project's workspace, never a server path.
 */
function ralphFileMissing(check: unknown, path: unknown, slug: string | undefined): string {
  const file = check === PROMPT_CHECK ? "Ralph's prompt file" : "Ralph's script";
  const named = typeof path === "string" ? `${file} ${code(path)}` : file;
  return `${named} is missing from the workspace of ${slug ? bold(slug) : "the project"}`;
}

/** What is missing on the machine, by the preflight check that refused the run. */
export function serverSetupProblem(check: unknown): string {
  if (check === "jq") return "a tool it needs (jq) is not installed on the server";
  if (check === "root") return "planbot runs as root on the server, and the Claude CLI refuses to run Ralph as root";
  return "the server is not set up to run it";
}

/** Why a store could not be written, by the error's code: a full disk reads differently from a locked folder. */
function whyUnwritable(errno: unknown): string {
  if (errno === "ENOSPC" || errno === "EDQUOT") return "the server's disk is full";
  if (errno === "EACCES" || errno === "EPERM" || errno === "EROFS") return "it may not write its data folder";
  return "writing its data folder failed";
}
