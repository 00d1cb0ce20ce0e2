import type { Failure } from "../projects/result.ts";

/** The CLI's wording of a failure's way forward (`details.next`), appended to its message; chats word it as commands. */
export function cliHint(failure: Failure): string {
  if (failure.details?.next === "list") return " See them with: planbot projects list";
  return "";
}
