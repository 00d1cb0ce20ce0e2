import { operatorDetails } from "../projects/operator-fix.ts";
import { fail, type Failure } from "../projects/result.ts";

/**
 * The failure of a queue operation Redis did not answer: `not_available` with `details.reason`
 * `queue_unavailable` and the (password-free) URL, saying what did not happen and how to fix it.
 */
export function queueUnreachable(
  where: string,
  why: string,
  consequence: string,
  details: Record<string, unknown> = {},
): Failure {
  return fail(
    "not_available",
    `The job queue at ${where} is not reachable (${why}), so ${consequence}. Start Redis (or fix PLANBOT_QUEUE_URL) and try again.`,
    {
      details: {
        reason: "queue_unavailable",
        url: where,
        consequence,
        ...operatorDetails("queue_unreachable"),
        ...details,
      },
    },
  );
}
