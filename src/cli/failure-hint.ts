import { editHintOf } from "../bot/edit-flag.ts";
import type { Failure } from "../projects/result.ts";

/** The CLI's wording of a failure's way forward (`details.next`), appended to its message; chats word it as commands. */
export function cliHint(failure: Failure): string {
  const slug = typeof failure.details?.slug === "string" ? failure.details.slug : "<slug>";
  switch (failure.details?.next) {
    case "edit": {
      const { field, flag } = editHintOf(failure);
      return ` To set the ${field}: planbot projects edit ${slug} ${flag}`;
    }
    case "status":
      return ` See its progress: planbot projects show ${slug}`;
    case "list":
      return " See them with: planbot projects list";
    case "approve":
      return ` Approve it first: planbot projects approve ${slug}`;
    case "replan":
      return ` To run it again, re-plan it in a chat (/replan ${slug}) and approve the new plan.`;
    case "done":
      return ` Finish the plan in its chat (/done), or approve it as it is: planbot projects approve ${slug}`;
  }
  return "";
}
