import type { DeliveryField } from "../projects/schemas.ts";
import { type DeliverySplit, readDeliverySplit } from "./delivery-split.ts";
import { PR_UNAVAILABLE, pullRequestSplit } from "./pull-request.ts";
import { classifyPushFailure } from "./push-branch.ts";

/** How a chat member's surface reads a stored failed delivery. */
export interface MemberReading {
  /** The member's step and the operator's part, stored or read from the stored words. */
  split?: DeliverySplit;
  /** The hint is the operator's: it names the server's settings, credentials, workspace or log. */
  hintOperator: boolean;
}

/** Words only the server's operator can act on, in hints planbot stored before it marked them (`hint_operator`). */
const OPERATOR_HINT_WORDS =
  /GIT_REMOTE_BASE|GITHUB_TOKEN|GITHUB_OWNER|git credentials|from the workspace|planbot's log/;

/** How an older planbot's summary of a push with no remote reads (the server's workspace path follows). */
const NO_REMOTE_WORDS = /GIT_REMOTE_BASE is not set|the workspace's origin is|has no origin remote/;

/** GitHub out of reach or answering 5xx, in a pull request's failure summary. */
const GITHUB_UNAVAILABLE = /, but no pull request: GitHub (answered 5\d\d|could not be reached) for /;

/** The parts of a pull request's failure summary: `…, but no pull request: GitHub answered <status> for <repo>: <words>`. */
const GITHUB_ANSWER = /, but no pull request: GitHub answered (\d{3}) for [^:\s]+: (.*)$/s;

/**
 * How chats and the dashboard read a stored delivery: its split, and whether its hint is the operator's. A
 * delivery an older planbot stored has no split and may lack `hint_operator`, while its summary holds git's or
 * GitHub's words (with the server's remote and workspace) and its hint the server's settings. Those words are
 * sorted again as the delivery step sorts them now (push-branch.ts, pull-request.ts), so a member reads the
 * same plain words and steps as for a new delivery (docs/architecture.md, "Delivering again").
 */
export function memberReading(delivery: DeliveryField): MemberReading {
  const split = readDeliverySplit(delivery) ?? splitFromWords(delivery);
  return {
    ...(split ? { split } : {}),
    hintOperator: delivery.hint_operator === true || OPERATOR_HINT_WORDS.test(delivery.hint ?? ""),
  };
}

function splitFromWords(delivery: DeliveryField): DeliverySplit | undefined {
  if (delivery.ok) return undefined;
  if (!delivery.pushed) {
    const marker = `${delivery.branch} was not pushed: `;
    const at = delivery.summary.indexOf(marker);
    if (at < 0) return undefined;
    const words = delivery.summary.slice(at + marker.length);
    if (NO_REMOTE_WORDS.test(words)) return { problem: "push_no_remote", operator: "remote_setup" };
    const push = classifyPushFailure(words, delivery.branch);
    // Words git's push did not say (a workspace without the branch, an invalid name) are no remote's refusal.
    return push.problem === "failed" ? undefined : push.split;
  }
  if (GITHUB_UNAVAILABLE.test(delivery.summary)) return PR_UNAVAILABLE;
  const answer = GITHUB_ANSWER.exec(delivery.summary);
  return answer ? pullRequestSplit(Number(answer[1]), answer[2] ?? "") : undefined;
}
