import { describe, expect, it } from "vitest";
import { projectCard } from "../../src/bot/project-card.ts";
import type { DeliverySetup } from "../../src/deliver/deliver-again-offer.ts";
import { deliveryReply } from "../../src/deliver/delivery-notices.ts";
import { systemClock } from "../../src/projects/clock.ts";
import { createProjectLister, type ProjectRecord } from "../../src/projects/project-list.ts";
import type { DeliveryField } from "../../src/projects/schemas.ts";
import { notifyDirs } from "../helpers/notify-dirs.ts";
import { prdWith, putEntry, writePrd } from "../helpers/notify-fixtures.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp } = useCleanups();

/** planbot pushing complete runs to a remote: "Deliver again" can work. */
const SETUP: DeliverySetup = { pushOn: "complete", remote: true };

/** A failed delivery as the store keeps it: git's or GitHub's words in the summary, the operator's hint. */
const FAILED: DeliveryField = {
  at: "2026-12-02T10:00:00.000Z",
  ok: false,
  pushed: true,
  branch: "ralph/todo",
  summary:
    "pushed ralph/todo to /srv/git/remotes/todo, but no pull request: GitHub answered 422 for acme/todo: Validation Failed: No commits between main and ralph/todo",
  hint: "GitHub refused the pull request (see its words above); open it by hand from the pushed branch.",
};

/** The record of a project `todo` stored with `delivery` in a real store, as /status and the notifier read it. */
async function recordWith(delivery: DeliveryField, status = "complete"): Promise<ProjectRecord> {
  const { store, workspaceDir } = await notifyDirs(temp, "split-words-");
  await putEntry(store, { name: "todo", status, branch: delivery.branch, delivery });
  // Every story passes on a complete project; a failed one has one still open.
  writePrd(workspaceDir, "todo", prdWith("todo", [true, status === "complete"]));
  const got = await createProjectLister({ store, clock: systemClock, workspaceDir }).get("todo");
  if (!got.ok || !got.record) throw new Error("expected the record of todo");
  return got.record;
}

describe("a chat's words for a delivery failure split between the member and the operator", () => {
  it("a branch with nothing beyond its base asks for the base, then a new plan of the complete project; nothing for the admin", async () => {
    const record = await recordWith({ ...FAILED, problem: "pr_no_commits", next: { kind: "edit", field: "base" } });
    const notice = deliveryReply(record, SETUP);
    expect(notice.text).toBe(
      "**todo** could not be fully delivered: branch `ralph/todo` is pushed, but it has no commits its base lacks, so GitHub has nothing for a pull request\nWhat to do: If its base is wrong, set it: `/edit todo --base M`, then deliver it again: `/deliver todo`.",
    );
    expect(notice.text).not.toContain("admin");
    expect(notice.operatorText).toContain("/srv/git/remotes/todo");
    expect(projectCard(record, { operator: true })).toContain("Delivery: pushed ralph/todo to /srv/git/remotes/todo");
  });

  it("a pull request already open is the member's to review; a 404 is theirs to open by hand and the admin's to point planbot right", async () => {
    const open = deliveryReply(
      await recordWith({ ...FAILED, problem: "pr_already_open", next: { kind: "review_pull_request" } }),
      SETUP,
    );
    expect(open.text).toContain("What to do: Review the pull request of `ralph/todo` that is open on GitHub.");
    const missing = projectCard(
      await recordWith(
        { ...FAILED, problem: "pr_repo_not_found", next: { kind: "open_pull_request" }, operator: "github_repo" },
        "failed",
      ),
    );
    expect(missing).toContain(
      "Delivery: branch `ralph/todo` is pushed, but GitHub did not show planbot the repository to open its pull request in — The work is on the remote: open its pull request from `ralph/todo` by hand on GitHub. For the rest, tell planbot's admin: only they can point planbot at the GitHub repository the branch went to, or give it access there.",
    );
    expect(missing).not.toContain("/srv/git");
  });

  it("a split this planbot cannot word (another version's) reads as GitHub's stored words show, never with the server's path", async () => {
    const record = await recordWith({
      ...FAILED,
      problem: "pr_from_the_future",
      next: { kind: "teleport" },
      operator: "x",
    });
    const notice = deliveryReply(record, SETUP);
    expect(notice.text).toContain("it has no commits its base lacks");
    expect(notice.text).toContain("`/edit todo --base M`");
    expect(notice.text).not.toContain("/srv/git");
    // The terminal keeps GitHub's words and the hint.
    expect(notice.operatorText).toContain("What to do: GitHub refused the pull request");
  });
});
