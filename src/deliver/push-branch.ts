import { dirname } from "node:path";
import { gitEnv, NETWORK_GIT_TIMEOUT_MS, runGit } from "../execute/git.ts";
import { redactUrl, sameRemote } from "../execute/remote-url.ts";
import { validateBaseBranch, validateBranch } from "../projects/validation.ts";
import type { DeliverySplit } from "./delivery-split.ts";
import { scrubToken } from "./scrub.ts";

/** Why a push did not happen, for the message and what to do. */
export type PushProblem =
  | "no_remote"
  | "invalid"
  | "auth"
  | "protected"
  | "rejected"
  | "refused"
  | "unreachable"
  | "failed";

/**
 * The push problems only planbot's operator can fix on the server: no GIT_REMOTE_BASE, the server's git
 * credentials or GITHUB_TOKEN, a remote the machine cannot reach, a rule on the remote's server. Their hints name settings a chat member
 * cannot change, so member surfaces say to tell planbot's admin instead (docs/architecture.md, failures).
 */
export const OPERATOR_PUSH_PROBLEMS: ReadonlySet<PushProblem> = new Set<PushProblem>([
  "no_remote",
  "auth",
  "refused",
  "unreachable",
  "failed",
]);

/**
 * A push that failed: the kind, git's words (scrubbed) and what a person should do; `split` when a chat
 * member can do part of it (another branch) and the operator the rest (delivery-split.ts).
 */
export interface PushFailure {
  ok: false;
  problem: PushProblem;
  message: string;
  hint: string;
  split?: DeliverySplit;
}

/** A chat's words for no remote: what failed and whom to tell, never the workspace's path on the server. */
const NO_REMOTE: DeliverySplit = { problem: "push_no_remote", operator: "remote_setup" };

/** What {@link pushBranch} needs. */
export interface PushRequest {
  /** The workspace (a clone whose `origin` is the project's remote). */
  root: string;
  branch: string;
  base: string;
  /** `GIT_REMOTE_BASE/<repo>`; null when no remote is configured. */
  remoteUrl: string | null;
  env?: NodeJS.ProcessEnv | undefined;
  /** Sent as an https extra header to this host only (the GitHub host), never on the command line. */
  token?: { value: string; host: string } | undefined;
}

/**
 * Pushes `refs/heads/<branch>` to `origin` — never the base branch, never with force, so a remote branch
 * someone else moved is left alone and the push is refused. git runs with an argument array and
 * GIT_TERMINAL_PROMPT=0; the token, when one applies, travels in the environment (GIT_CONFIG_*), so it is
 * neither in the process list nor in `.git/config`.
 */
export async function pushBranch(
  request: PushRequest,
): Promise<{ ok: true; head: string; remote: string } | PushFailure> {
  const scrub = (text: string) => scrubToken(text, request.token?.value);
  const problem = validateBranch(request.branch) ?? validateBaseBranch(request.base);
  if (problem)
    return {
      ok: false,
      problem: "invalid",
      message: problem,
      hint: "Set a valid branch on the project, then run it again.",
    };
  if (request.branch === request.base) {
    return {
      ok: false,
      problem: "invalid",
      message: `the branch ${request.branch} is the base branch: planbot never pushes the base.`,
      hint: "Give the project its own branch (--branch) and run it again.",
    };
  }
  if (!request.remoteUrl) {
    return {
      ok: false,
      problem: "no_remote",
      message: `GIT_REMOTE_BASE is not set, so ${request.branch} stays in the workspace ${request.root}.`,
      // Not "run it again": a run never turns a workspace made without a remote into a clone, and a complete
      // project is not run again. The workspace needs an origin, which only the operator can give it.
      hint: `Push ${request.branch} from the workspace by hand, or set GIT_REMOTE_BASE (e.g. https://github.com/<owner>), make GIT_REMOTE_BASE/<repo> the workspace's origin (git -C ${request.root} remote add origin <url>) and deliver it again.`,
      split: NO_REMOTE,
    };
  }
  const env = withToken(gitEnv(request.env, dirname(request.root)), request.token);
  const git = (args: readonly string[], timeoutMs?: number) =>
    runGit(args, { cwd: request.root, env, ...(timeoutMs ? { timeoutMs } : {}) });
  const origin = await git(["remote", "get-url", "origin"]);
  if (!origin.ok || !sameRemote(origin.stdout.trim(), request.remoteUrl)) {
    return {
      ok: false,
      problem: "no_remote",
      message: origin.ok
        ? `the workspace's origin is ${redactUrl(origin.stdout.trim())}, not ${redactUrl(request.remoteUrl)}`
        : `the workspace ${request.root} has no origin remote`,
      // A run refuses such a workspace too (planbot never deletes one), so the fix is the origin itself.
      hint: `Make ${redactUrl(request.remoteUrl)} the workspace's origin (git -C ${request.root} remote ${origin.ok ? "set-url" : "add"} origin <url>) and deliver it again, or push ${request.branch} from the workspace by hand.`,
      split: NO_REMOTE,
    };
  }
  const head = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${request.branch}^{commit}`]);
  if (!head.ok)
    return {
      ok: false,
      problem: "invalid",
      message: `the workspace has no branch ${request.branch}`,
      hint: "Run the project again.",
    };
  const refspec = `refs/heads/${request.branch}:refs/heads/${request.branch}`;
  const pushed = await git(
    [
      "-c",
      "advice.pushUpdateRejected=false",
      "-c",
      "core.askPass=",
      "push",
      "--quiet",
      "--no-verify",
      "origin",
      refspec,
    ],
    NETWORK_GIT_TIMEOUT_MS,
  );
  if (!pushed.ok) return classifyPushFailure(scrub(pushed.message), request.branch);
  return { ok: true, head: head.stdout.trim(), remote: redactUrl(request.remoteUrl) };
}

/** Adds an `http.<host>.extraheader` with the token to git's environment (nothing when no token applies). */
function withToken(env: NodeJS.ProcessEnv, token: PushRequest["token"]): NodeJS.ProcessEnv {
  if (!token) return env;
  const index = Number.parseInt(env.GIT_CONFIG_COUNT ?? "0", 10) || 0;
  const basic = Buffer.from(`x-access-token:${token.value}`).toString("base64");
  return {
    ...env,
    GIT_CONFIG_COUNT: String(index + 1),
    [`GIT_CONFIG_KEY_${index}`]: `http.https://${token.host}/.extraheader`,
    [`GIT_CONFIG_VALUE_${index}`]: `AUTHORIZATION: basic ${basic}`,
  };
}

/**
 * Sorts git's failure into what a person can act on. Also reads the git words a delivery an older planbot
 * stored without its split (legacy-delivery.ts).
 */
export function classifyPushFailure(message: string, branch: string): PushFailure {
  const text = message.toLowerCase();
  if (/protected branch|gh006/.test(text)) {
    return {
      ok: false,
      problem: "protected",
      message,
      hint: `The remote protects ${branch}: allow planbot to push it, or use another branch name (--branch), then run again.`,
      split: { problem: "branch_protected", next: { kind: "edit", field: "branch" }, operator: "push_permission" },
    };
  }
  if (
    /authentication failed|could not read username|terminal prompts disabled|permission denied|403|401|invalid username or password|write access to repository not granted/.test(
      text,
    )
  ) {
    return {
      ok: false,
      problem: "auth",
      message,
      hint: "Check GITHUB_TOKEN (it needs the repo / contents:write scope) or the machine's git credentials, then deliver it again.",
      split: { problem: "push_auth", operator: "git_access" },
    };
  }
  if (/\[rejected\]|non-fast-forward|fetch first|\(stale info\)/.test(text)) {
    return {
      ok: false,
      problem: "rejected",
      message,
      hint: `The remote ${branch} has commits the workspace lacks: merge them into the workspace's branch (planbot never force-pushes), then run again.`,
      split: { problem: "branch_moved", next: { kind: "edit", field: "branch" }, operator: "workspace_merge" },
    };
  }
  if (/\[remote rejected\]|hook declined|pre-receive/.test(text)) {
    return {
      ok: false,
      problem: "refused",
      message,
      hint: "The remote refused the push (a server-side hook or rule): see its message above, fix that, then run again.",
      split: { problem: "push_refused", operator: "push_rule" },
    };
  }
  if (
    /could not resolve host|does not appear to be a git repository|repository not found|connection refused|timed out|unable to access/.test(
      text,
    )
  ) {
    return {
      ok: false,
      problem: "unreachable",
      message,
      hint: "Check that the remote exists and is reachable from this machine (GIT_REMOTE_BASE), then run again.",
      split: { problem: "push_unreachable", operator: "remote_reach" },
    };
  }
  return {
    ok: false,
    problem: "failed",
    message,
    hint: "Push the branch from the workspace by hand, or fix the cause above and run again.",
    // git's words (the server's remote and paths) are all this failure has: a member is told whom to ask.
    split: { problem: "push_failed", operator: "log_check" },
  };
}
