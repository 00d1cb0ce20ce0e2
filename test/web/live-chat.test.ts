// The conversation stays live across tabs, and the page's markdown rules hold in the real browser:
// hints in the dashboard's words, protocol markers dropped, links made safe, raw HTML shown as text.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, openPage, pageErrors } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

describe("the conversation, live", () => {
  it("an answer sent from another tab shows up without a reload", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
    const watching = await openPage();
    await watching.goto(`${harness.origin}/#/p/alpha`);
    await watching.waitForSelector(".msg-planner");
    const other = await openPage({ phone: true });
    await other.goto(`${harness.origin}/#/p/alpha`);
    await other.getByLabel("Your answer").fill("Sent from the other tab.");
    await other.getByRole("button", { name: "Send" }).click();
    await watching.waitForSelector('.msg-user:has-text("Sent from the other tab.")', { timeout: 15_000 });
    await watching.waitForSelector('.msg-planner:has-text("Sent from the other tab.")', { timeout: 15_000 });
    // The dashboard's own message is the reader's: "you", not the adapter's name "dashboard".
    expect(
      await watching.locator('.msg-user:has-text("Sent from the other tab.") .msg-meta span').first().textContent(),
    ).toBe("you");
    expect(pageErrors(watching)).toEqual([]);
    expect(pageErrors(other)).toEqual([]);
  }, 90_000);
});

describe("a turn answered elsewhere, read in the moment before its pending mark clears", () => {
  // The turn is recorded, then its mark cleared: a state read between the two still shows the mark, and the
  // transcript read after it already holds the answer. The page must count the turn as answered.
  it("is answered when the transcript holds the marked message and a reply after it", async () => {
    const harness = await startHarness();
    const page = await openPage();
    await page.goto(harness.origin + "/");
    await page.waitForSelector("main");
    const judge = (session: unknown, history: unknown) =>
      page.evaluate(
        `import("/assets/app/remote-turn.js").then((m) => m.remoteTurnPending(${JSON.stringify(session)}, ${JSON.stringify(history)}))`,
      ) as Promise<boolean>;
    const mark = { text: "Sent from the other tab.", user: "bob", at: "2026-12-02T05:00:00.000Z" };
    const marked = { pending_response: true, pending_message: mark };
    const asked = { role: "user", text: "Sent from the other tab.", at: "2026-12-02T05:00:03.000Z" };
    const answer = { role: "assistant", text: "Noted.", at: "2026-12-02T05:00:03.000Z" };
    expect(await judge(marked, [asked, answer])).toBe(false);
    // Still waiting: nothing recorded yet, or only an older message with the same words.
    expect(await judge(marked, [])).toBe(true);
    expect(await judge(marked, [{ ...asked, at: "2026-12-02T04:00:00.000Z" }, answer])).toBe(true);
    expect(await judge(marked, [asked])).toBe(true);
    expect(await judge({ pending_response: false }, [])).toBe(false);
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);
});

describe("who wrote a message", () => {
  it("is you for the dashboard's own, the member and platform for a chat's, the planner for the planner", async () => {
    const harness = await startHarness();
    const page = await openPage();
    await page.goto(harness.origin + "/");
    await page.waitForSelector("main");
    const author = (entry: object) =>
      page.evaluate(
        `import("/assets/app/chat-messages.js").then((m) => m.authorOf(${JSON.stringify(entry)}))`,
      ) as Promise<string>;
    expect(await author({ role: "user", text: "x", adapter: "dashboard", user: "dashboard" })).toBe("you");
    expect(await author({ role: "user", text: "x", adapter: "telegram", user: "Alice" })).toBe("Alice (Telegram)");
    expect(await author({ role: "user", text: "x", adapter: "console" })).toBe("you (terminal)");
    // Planned before messages recorded their chat: the name alone.
    expect(await author({ role: "user", text: "x", user: "bob" })).toBe("bob");
    expect(await author({ role: "assistant", text: "x" })).toBe("planner");
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);
});

describe("markdown in the page", () => {
  it("renders planner text in the dashboard's words and never as markup", async () => {
    const harness = await startHarness();
    const page = await openPage();
    await page.goto(harness.origin + "/");
    await page.waitForSelector("main");
    const render = (text: string) =>
      page.evaluate(
        `import("/assets/app/markdown.js").then((m) => m.markdownHtml(m.dashboardWords(${JSON.stringify(text)})))`,
      ) as Promise<string>;
    expect(await render("Phase ready — `/next` moves on, or keep answering.")).toContain(
      "<strong>Next phase</strong> moves on",
    );
    expect(await render("Plan written. `/done` approves it.")).toContain("<strong>Finish</strong> approves it");
    expect(await render("See the list with /status.")).toContain("See the list with the board.");
    // A hint names one project at most: the words after it stay ("/plan gamma tries again").
    expect(await render("gamma is pending again; /plan gamma tries again.")).toContain(
      "<strong>Start planning</strong> tries again.",
    );
    expect(await render("Start it with `/run alpha`, or use scripts/ralph/run.sh")).toMatch(
      /<strong>Run<\/strong>, or use scripts\/ralph\/run\.sh/,
    );
    expect(await render("Ready.\n[[PHASE_READY]]")).not.toContain("PHASE_READY");
    const hostile = await render(
      'Some **bold** <script>alert(1)</script> [x](javascript:alert(1)) <a href="javascript:alert(2)">y</a>',
    );
    expect(hostile).not.toMatch(/<script|<a [^>]*href="javascript:|onerror/i);
    expect(hostile).toContain("&lt;script&gt;");
    expect(hostile).toContain("<strong>bold</strong>");
    const link = await render("[docs](https://example.com/docs)");
    expect(link).toMatch(/<a href="https:\/\/example.com\/docs" target="_blank" rel="noopener noreferrer">docs<\/a>/);
    expect(await render('```markdown\n# Plan\n\nText\n```\n\n```json\n{"userStories": []}\n```')).toMatch(
      /<h1>Plan<\/h1>[\s\S]*Plan<\/strong> tab/,
    );
    expect(pageErrors(page)).toEqual([]);
  }, 90_000);
});
