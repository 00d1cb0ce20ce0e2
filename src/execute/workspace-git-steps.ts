import { fail, type Failure } from "../projects/result.ts";
import { runGit, type GitOutcome } from "./git.ts";
import { redactUrl } from "./remote-url.ts";

/** git bound to one workspace and environment: the steps of preparing a workspace pass it around. */
export type Git = (args: readonly string[], timeoutMs?: number, input?: string) => Promise<GitOutcome>;

/** git run in `root` with `env` (an optional time limit and stdin per call). */
export function gitIn(root: string, env: NodeJS.ProcessEnv): Git {
  return (args, timeoutMs, input) =>
    runGit(args, {
      cwd: root,
      env,
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(input !== undefined ? { input } : {}),
    });
}

/** Whether `ref` names a commit in this repository. */
export async function hasRef(git: Git, ref: string): Promise<boolean> {
  return (await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).ok;
}

/** A failed git step as the run report shows it: what planbot tried, then git's own words (credentials redacted). */
export function gitFailure(what: string, outcome: Extract<GitOutcome, { ok: false }>): Failure {
  return fail("execute_failed", `${what}: ${redactUrl(outcome.message)}`);
}
