import type { Logger } from "../log.ts";
import type { StoreHealth } from "../projects/store-health.ts";

/**
 * Tells planbot's log when the change watcher finds the project store unreadable, with the operator's whole
 * message (the file's path, what to do, the copy a crashed writer kept), and when it is readable again. The
 * dashboard words the same problem for its members and points at this log for the details
 * (src/adapters/http/store-banner-words.ts). A warning, not an error: planbot runs on and picks the fixed file
 * up by itself, and a standalone chat tells its terminal of it in its own words (src/notify/store-health-notices.ts).
 */
export function logStoreHealth(health: StoreHealth, log: Logger): () => void {
  return health.subscribe((problem) => {
    if (problem)
      log.warn(
        { code: problem.code, file: problem.details?.path, reason: problem.message },
        "the project store cannot be read; nothing can change a project until it is fixed",
      );
    else log.info("the project store is readable again");
  });
}
