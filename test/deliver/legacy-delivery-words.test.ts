// Deliveries an older planbot stored, before failures carried a member/operator split (and before
// `hint_operator`): git's and GitHub's words in the summary, with the server's remote and workspace paths, and a
// hint naming the server's settings. A chat member still reads member words — the problem in plain words,
// their step, whom to tell — and the dashboard's list serves no operator hint; the terminal, the operator's
// surface, keeps the summary and the hint. Real store, the real Telegram adapter and terminal on one runtime,
// the real dashboard server.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { prdWith, putEntry, storeOf, writePrd } from "../helpers/notify-fixtures.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

/** Words that are the server operator's: its settings, credentials, workspace and remote paths. */
const OPERATOR_WORDS =
  /GIT_REMOTE_BASE|GITHUB_TOKEN|GITHUB_OWNER|\/srv\/|from the workspace|planbot's log|Bad credentials/;

/** A failed delivery exactly as an older planbot stored it: no problem, next, operator nor hint_operator. */
function oldDelivery(branch: string, pushed: boolean, summary: string, hint: string) {
  return { at: "2026-11-01T10:00:00.000Z", ok: false, pushed, branch, summary, hint };
}

/** Four complete projects whose last delivery an older planbot stored. */
function oldDeliveries(): Record<string, ReturnType<typeof oldDelivery>> {
  return {
    nowhere: oldDelivery(
      "ralph/nowhere",
      false,
      "ralph/nowhere was not pushed: GIT_REMOTE_BASE is not set, so ralph/nowhere stays in the workspace /srv/planbot/workspace/nowhere.",
      "Set GIT_REMOTE_BASE (e.g. https://github.com/<owner>) and run the project again, or push from the workspace by hand.",
    ),
    guarded: oldDelivery(
      "ralph/guarded",
      false,
      "ralph/guarded was not pushed: remote: error: GH006: Protected branch update failed for refs/heads/ralph/guarded.\nTo /srv/git/acme/guarded.git\n ! [remote rejected] ralph/guarded -> ralph/guarded (protected branch hook declined)",
      "The remote protects ralph/guarded: allow planbot to push it, or use another branch name (--branch), then run again.",
    ),
    tokenless: oldDelivery(
      "ralph/tokenless",
      true,
      "pushed ralph/tokenless to /srv/git/acme/tokenless.git, but no pull request: GitHub answered 401 for acme/tokenless: Bad credentials",
      "GITHUB_TOKEN was refused: set a valid token (with pull-request write access) and run the project again.",
    ),
    oddity: oldDelivery(
      "ralph/oddity",
      false,
      "delivery failed unexpectedly: EACCES: permission denied, open '/srv/planbot/workspace/oddity/.git/index.lock'",
      "Push the branch from the workspace by hand; see planbot's log.",
    ),
  };
}

describe("a delivery an older planbot stored, without the member/operator split", { timeout: 60_000 }, () => {
  it("reads in a chat as member words, and on the terminal with git's and GitHub's words and the whole hint", async () => {
    const root = await temp.make("legacy-delivery-");
    const dataDir = join(root, "data");
    const store = storeOf(dataDir);
    for (const [name, delivery] of Object.entries(oldDeliveries())) {
      await putEntry(store, { name, status: "complete", branch: delivery.branch, delivery } as ProjectEntry);
      writePrd(join(dataDir, "workspace"), name, prdWith(name, [true, true], delivery.branch));
    }
    const chats = await startChatSurfaces({ root, dataDir });
    defer(() => chats.close());

    const member = async (slug: string) => {
      const card = await chats.telegramSays(`/status ${slug}`, "Delivery:");
      expect(card).not.toMatch(OPERATOR_WORDS);
      return card;
    };
    expect(await member("nowhere")).toContain(
      "Delivery: planbot has no remote repository to push branch ralph/nowhere to, so the work stays on planbot's server — Please tell planbot's admin: only they can give planbot the remote repository it pushes to. Once they have, deliver it again: /deliver nowhere.",
    );
    const guarded = await member("guarded");
    expect(guarded).toContain("the remote protects branch ralph/guarded, so planbot could not push the work there");
    expect(guarded).toContain("/edit guarded --branch B, then deliver it again: /deliver guarded.");
    expect(await member("tokenless")).toContain(
      "Delivery: branch ralph/tokenless is pushed, but GitHub did not accept planbot's access, so there is no pull request — Please tell planbot's admin: only they can fix planbot's access to GitHub.",
    );
    expect(await member("oddity")).toContain(
      "Delivery: branch ralph/oddity was not pushed — Please tell planbot's admin",
    );

    // The operator's own chat keeps what the server said and the whole hint.
    const operator = await chats.terminal.type("/status nowhere", "Delivery:");
    expect(operator).toContain(
      "GIT_REMOTE_BASE is not set, so ralph/nowhere stays in the workspace /srv/planbot/workspace/nowhere.",
    );
    expect(operator).toContain("Set GIT_REMOTE_BASE (e.g. https://github.com/<owner>) and run the project again");
  });

  it("is served by the dashboard's list in member words, without the operator's hint or git's summary", async () => {
    defer(stopHarnesses);
    const harness = await startHarness({ watch: true });
    const deliveries = oldDeliveries();
    await harness.writeStore(
      Object.entries(deliveries).map(([name, delivery]) => ({ name, status: "complete", extra: { delivery } })),
      1,
    );
    for (const name of Object.keys(deliveries)) await harness.writePrd(name, 2, 2);
    await harness.runtime.watcher.refresh();
    const listed = await harness.call("GET", "/api/projects");
    const projects = listed.json.projects as { name: string; delivery: Record<string, unknown> }[];
    for (const name of Object.keys(deliveries)) {
      const served = projects.find((project) => project.name === name)?.delivery;
      expect(served).toMatchObject({ hint: null });
      expect(`${served?.what} ${served?.advice}`).not.toMatch(OPERATOR_WORDS);
      // The stored summary is git's and GitHub's words: a script reading `summary` gets the member's line too.
      expect(served?.summary).toBe(served?.what);
      expect(served?.summary).not.toBe(deliveries[name as keyof typeof deliveries]?.summary);
    }
    expect(projects.find((project) => project.name === "guarded")?.delivery).toMatchObject({
      what: "the remote protects branch `ralph/guarded`, so planbot could not push the work there",
    });
  });
});
