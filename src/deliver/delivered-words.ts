import type { DeliveryField } from "../projects/schemas.ts";

/**
 * A successful delivery in a chat member's words: the branch that was pushed, and whether a pull request
 * was left out. The stored summary (`pushed ralph/x to <remote>; no pull request: <why>`) names the
 * server's remote — a folder on the server, or an address with its account — and the settings behind a
 * missing pull request, which are the operator's: the CLI and the log keep it (docs/architecture.md,
 * "Delivering again").
 */
export function deliveredWords(delivery: Pick<DeliveryField, "branch" | "summary">): string {
  const pushed = `branch \`${delivery.branch}\` pushed`;
  return /no pull request/i.test(delivery.summary) ? `${pushed}; no pull request was opened` : pushed;
}
