import { deliveryAdvice } from "../../deliver/delivery-notices.ts";
import type { ProjectList, ProjectRecord } from "../../projects/project-list.ts";

/**
 * The project list as the dashboard serves it. The dashboard is a member surface, like a chat
 * (docs/architecture.md, "Layers": a problem only the operator can fix): a delivery carries `advice`, what to do in a member's words and in planbot's
 * reply markup — the `/status` card's and the delivery notice's words (`deliveryAdvice`) — and a hint only
 * planbot's operator can act on (`hint_operator`: the server's settings, credentials, planbot's log) is not
 * served at all (`hint: null`); the operator reads it in `planbot projects show --json` and the terminal. A list
 * without deliveries is served as it is, and records without one keep their object.
 */
export function memberList(list: ProjectList): ProjectList {
  if (!list.projects.some((record) => record.delivery)) return list;
  return { ...list, projects: list.projects.map(memberRecord) };
}

function memberRecord(record: ProjectRecord): ProjectRecord {
  const delivery = record.delivery;
  if (!delivery) return record;
  return {
    ...record,
    delivery: {
      ...delivery,
      hint: delivery.hint_operator ? null : (delivery.hint ?? null),
      advice: deliveryAdvice(delivery, false) || null,
    },
  };
}
