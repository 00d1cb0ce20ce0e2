import type { ErrorCode } from "../projects/result.ts";

/** The CLI's exit codes (docs/architecture.md, "CLI"): 0 ok, 1 failure, 2 usage, 3 conflict, 4 not found. */
export const EXIT = { ok: 0, failure: 1, usage: 2, conflict: 3, notFound: 4 } as const;

/** Maps a failure code to the CLI's exit code. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case "stale":
    case "duplicate_slug":
    case "already_committed":
    case "invalid_state":
      return EXIT.conflict;
    case "not_found":
    case "no_active_session":
      return EXIT.notFound;
    case "usage":
    case "validation_failed":
    case "invalid_slug":
    case "invalid_description":
      return EXIT.usage;
    default:
      return EXIT.failure;
  }
}
