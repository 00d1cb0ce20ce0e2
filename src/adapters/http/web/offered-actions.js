// Which actions the dashboard offers a project in each derived status: one table for the project page's status
// buttons and the Run tab's, so every state offers only what a person would expect there and what does something.

/**
 * The actions a project offers now: `page`, the project page's status buttons (`approve`, `unapprove`,
 * `cancel`), `run`, the Run tab's one action (`run`, `retry`, `stop`, or null), and `deliver`, whether the Run
 * tab offers "Deliver again": a failed delivery that can be delivered again with the settings planbot runs with
 * now (the list's `delivery.deliver_again`, the same test as the chats' button), whatever the status.
 *
 * - pending: Approve (its plan, or as is: the chat's "approve it as is") and Cancel project.
 * - planning: Cancel project; Finish in the conversation approves the plan.
 * - approved: Unapprove and Cancel project; Run once it has a plan (without one Ralph refuses to start).
 * - running: Stop and cancel on the Run tab, the one way to end a run.
 * - failed, blocked: Retry (it approves the project again and runs it, as `/run` does) and Cancel project. No
 *   bare Approve: it marks the project approved and runs nothing, which read as "approve the retry".
 * - idle (a workspace with work left that nothing runs): with a plan, Run (approve and run); without, Approve;
 *   and Cancel project either way, as for failed work: its stories are not done, so dropping it is a real choice
 *   (planbot cancels it; only a complete project is refused).
 * - complete: nothing here. Every story passes, so there is nothing to cancel (planbot refuses it) and Ralph
 *   would refuse a run with nothing to do; building more on it starts with Plan again in the conversation.
 * - cancelled: nothing here; it comes back by planning it again in the conversation.
 */
export function offeredActions(project) {
  return { ...statusActions(project), deliver: project.delivery?.deliver_again === true };
}

/** The status buttons and the Run tab's action of a project in its derived status. */
function statusActions(project) {
  const planned = Boolean(project.has_prd);
  switch (project.status) {
    case "pending":
      return { page: ["approve", "cancel"], run: null };
    case "planning":
      return { page: ["cancel"], run: null };
    case "approved":
      return { page: ["unapprove", "cancel"], run: planned ? "run" : null };
    case "running-ralph":
    case "running-manual":
      return { page: [], run: "stop" };
    case "failed":
    case "blocked":
      return { page: ["cancel"], run: planned ? "retry" : null };
    case "idle":
      return planned ? { page: ["cancel"], run: "retry" } : { page: ["approve", "cancel"], run: null };
    default:
      return { page: [], run: null };
  }
}
