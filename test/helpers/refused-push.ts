import type { DeliveryField } from "../../src/projects/schemas.ts";

/**
 * A delivery whose push the remote refused for planbot's credentials, stored at `at` as the delivery step
 * stores it: the operator's to fix (`git_access`), then to deliver again.
 */
export function refusedPush(at: string): DeliveryField {
  return {
    at,
    ok: false,
    pushed: false,
    branch: "ralph/todo",
    summary: "ralph/todo was not pushed: remote: Permission to acme/todo.git denied to planbot-bot.",
    hint: "Check GITHUB_TOKEN (it needs the repo / contents:write scope) or the machine's git credentials, then deliver it again.",
    hint_operator: true,
    problem: "push_auth",
    operator: "git_access",
  };
}
