import { fail, type Failure } from "../projects/result.ts";
import { isUsageLimit, usageLimitResetAt } from "./usage-limit.ts";

/**
 * Why a planner turn failed. Each kind has its own advice: a login problem never goes away by
 * resending, a usage limit does at a known time, a timeout or crash may on the next try.
 */
export type PlannerFailureReason =
  | "missing"
  | "auth"
  | "usage_limit"
  | "timeout"
  | "crash"
  | "unparsable"
  | "no_conversation"
  | "aborted"
  | "is_error"
  | "subtype";

/** A `planner_failed` failure with `details.reason` (and `details.retryAt` for a usage limit with a known reset). */
export function plannerFailure(
  reason: PlannerFailureReason,
  message: string,
  extra: Record<string, unknown> = {},
): Failure {
  return fail("planner_failed", message, { details: { reason, ...extra } });
}

const AUTH =
  /not logged in|please run \/login|invalid api key|invalid x-api-key|authentication_error|oauth token (?:has )?expired|credit balance is too low/i;

/** The advice of a login problem: where to fix it (on the server, never in chat). */
export function authFailure(said: string): Failure {
  return plannerFailure(
    "auth",
    `The planner cannot log in to Claude ("${said.slice(0, 160)}"). On the server that runs planbot, log in as the user running planbot (run \`claude\` and /login), or set ANTHROPIC_API_KEY in planbot's environment — never in chat. Then send your message again.`,
  );
}

/**
 * Classifies what the CLI reported as an error (`is_error` result text, error subtype list or stderr).
 * `now` dates a usage limit's reset.
 */
export function classifyReported(said: string, now: Date, fallback: () => Failure): Failure {
  if (AUTH.test(said)) return authFailure(said);
  if (/no conversation found with session id/i.test(said)) {
    return plannerFailure(
      "no_conversation",
      "The planner's earlier conversation is gone (its transcript was deleted or moved).",
    );
  }
  if (isUsageLimit(said)) {
    const resetAt = usageLimitResetAt(said, now);
    const when = resetAt ? `at ${resetAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : undefined;
    return plannerFailure(
      "usage_limit",
      when
        ? `The planner hit its Claude usage limit ("${said.slice(0, 160)}"). planbot keeps your message and sends it again ${when}, even across a restart.`
        : `The planner hit its Claude usage limit ("${said.slice(0, 160)}") and did not say when it resets. Send your message again once the limit has reset.`,
      resetAt ? { retryAt: resetAt.toISOString() } : {},
    );
  }
  return fallback();
}
