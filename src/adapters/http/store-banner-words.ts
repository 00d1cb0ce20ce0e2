import { basename } from "node:path";
import type { Failure } from "../../projects/result.ts";

/**
 * The dashboard's banner for a project store planbot cannot read, in a member's words. The dashboard's reader
 * is not the server's operator (docs/architecture.md, "Who may do what, and who is spoken to"): the banner
 * says what is wrong in plain words, that nothing is lost, and that planbot's admin fixes it on the server —
 * never the file's path on the server, the copy to move back or the commands, which planbot's log (written
 * when the watcher finds the file broken, src/runtime/store-health-log.ts), the CLI and the terminal show.
 */
export function storeBannerWords(failure: Failure): string {
  const path = failure.details?.path;
  const file = typeof path === "string" ? ` (${basename(path)})` : "";
  // A file that does not parse has no errno; one planbot may not open (permissions, a folder in its way) has.
  const what =
    typeof failure.details?.errno === "string"
      ? `planbot cannot open its list of projects${file} on the server.`
      : `planbot cannot read its list of projects${file}: the file is damaged.`;
  return `${what} Nothing is lost: planbot does not write over it, and changes wait until it is fixed. Please tell planbot's admin: only they can fix it, on the server planbot runs on, and planbot's log there says how. The projects show here again by themselves once it is fixed.`;
}
