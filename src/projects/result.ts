/**
 * Results cross every boundary instead of exceptions: a caller can always render a failure to a user.
 * The codes are echo-core's (`stale`, `not_found`, `duplicate_slug`, …) plus a few planbot needs.
 */
export type ErrorCode =
  | "validation_failed"
  | "invalid_slug"
  | "invalid_description"
  | "duplicate_slug"
  | "not_found"
  | "stale"
  | "already_committed"
  | "invalid_state"
  | "store_corrupt"
  | "store_io"
  | "no_active_session"
  | "session_busy"
  | "planner_failed"
  | "forbidden"
  | "usage"
  | "not_available"
  | "execute_failed"
  | "send_failed"
  | "rate_limited"
  | "message_gone";

/** A failure with a code a program can branch on and a message a person can act on. */
export interface Failure {
  ok: false;
  code: ErrorCode;
  message: string;
  /** Per-field problems for `validation_failed`. */
  fields?: Record<string, string>;
  /** The store's version at the time of a `stale` failure. */
  currentVersion?: number;
  /** Extra machine-readable details (e.g. the status that blocked an action). */
  details?: Record<string, unknown>;
}

/** Success carrying a value, or a {@link Failure}. */
export type Result<T> = ({ ok: true } & T) | Failure;

/** Builds a {@link Failure}; keeps call sites to one line. */
export function fail(
  code: ErrorCode,
  message: string,
  extra: Partial<Omit<Failure, "ok" | "code" | "message">> = {},
): Failure {
  return { ok: false, code, message, ...extra };
}
