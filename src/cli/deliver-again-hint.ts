import type { Config } from "../config.ts";
import { deliverAgainBlock, deliverySetupOf } from "../deliver/deliver-again-offer.ts";
import type { ProjectRecord } from "../projects/project-list.ts";

/**
 * The `deliver again:` line of `planbot projects show` for a failed delivery: the command where delivering again
 * can work with the settings this planbot runs with, else the setting to change first (the shell is the
 * operator's) — the same test the chats' "Deliver again" button follows (src/deliver/deliver-again-offer.ts).
 */
export function deliverAgainHint(p: ProjectRecord, config: Pick<Config, "execute">): string | undefined {
  const delivery = p.delivery;
  if (!delivery || delivery.ok) return undefined;
  const command = `planbot projects deliver ${p.slug}`;
  switch (deliverAgainBlock(p, deliverySetupOf(config))) {
    case undefined:
      return `deliver again: ${command}`;
    case "push_off":
      return `deliver again: not while PUSH_ON is never (or unset); set PUSH_ON=complete (or any), then ${command}`;
    case "not_finished":
      return ["failed", "blocked"].includes(p.status)
        ? `deliver again: not under PUSH_ON=complete, which delivers complete runs only; set PUSH_ON=any, then ${command}, or run it again: planbot execute ${p.slug}`
        : undefined;
    case "no_remote":
      return `deliver again: not while GIT_REMOTE_BASE is unset; set it (e.g. https://github.com/<owner>), then ${command}`;
    case "on_worker":
      return `deliver again: not from here: the run's commits are in the workspace on worker ${String(delivery.worker)}, which could not push them; push ${delivery.branch} from there by hand and open its pull request on GitHub, or run the project again`;
  }
}
