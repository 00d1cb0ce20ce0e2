import type { RunPlan } from "../execute/run-plan.ts";
import type { DeliverySplit } from "./delivery-split.ts";
import { OPERATOR_PUSH_PROBLEMS, type PushRequest, pushBranch } from "./push-branch.ts";

/** How pushing a run's branch went, worded for the run's report and the chats. */
export interface RunPush {
  ok: boolean;
  pushed: boolean;
  summary: string;
  hint: string | null;
  /** The hint names what only planbot's operator can change on the server (settings, credentials). */
  hintOperator?: boolean;
  /** The member's step and the operator's part, when the fix is split between them (delivery-split.ts). */
  split?: DeliverySplit;
}

/**
 * Pushes the branch of a finished run (`pushBranch`: never the base, never with force) and words how it
 * went the same way wherever the push happens: on this machine after a local run, or on the worker that
 * ran a queued one. `token` goes only where `pushBranch` allows it; a worker holds none.
 */
export async function pushRunBranch(
  plan: RunPlan,
  env: NodeJS.ProcessEnv | undefined,
  token?: PushRequest["token"],
): Promise<RunPush> {
  const pushed = await pushBranch({
    root: plan.root,
    branch: plan.branch,
    base: plan.base,
    remoteUrl: plan.remoteUrl,
    env,
    token,
  });
  return pushed.ok
    ? { ok: true, pushed: true, summary: `pushed ${plan.branch} to ${pushed.remote}`, hint: null }
    : {
        ok: false,
        pushed: false,
        summary: `${plan.branch} was not pushed: ${pushed.message}`,
        hint: pushed.hint,
        ...(OPERATOR_PUSH_PROBLEMS.has(pushed.problem) ? { hintOperator: true } : {}),
        ...(pushed.split ? { split: pushed.split } : {}),
      };
}
