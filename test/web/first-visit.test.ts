// A newcomer's first visit in a real Chromium: the login page and the board before any project exists.
// Every request the page makes must succeed — a missing icon is a 404 and a red error in the console.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createBareRemote } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, failedRequests, openPage, undeclaredProblems } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);
const temp = createTempDirs();
afterAll(() => temp.cleanup());

describe("the first visit", () => {
  it("the login page and the empty board load without a failed request, and the board says how to start", async () => {
    const token = "first-visit-token-0123456789abcdef";
    const harness = await startHarness({ env: { DASHBOARD_TOKEN: token }, watch: true });
    const page = await openPage();
    // The login page itself is a 401 (the app is behind the token); nothing else may fail.
    expectFailedRequests(page, [{ method: "GET", path: "/", status: 401 }]);
    await page.goto(harness.origin + "/");
    await page.getByLabel("Dashboard token").waitFor();
    // The browser asks for an icon once the page is in; give it the time to do so.
    await page.waitForLoadState("networkidle");
    expect(undeclaredProblems(page)).toEqual([]);

    await page.getByLabel("Dashboard token").fill(token);
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-ready="yes"]');
    await page.waitForLoadState("networkidle");
    expect(await page.locator("main").textContent()).toContain("No projects yet. Propose one with New project.");
    expect(await page.locator(".count-all").textContent()).toBe("0 projects");
    // Behind a token, the header offers to log out.
    expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(1);
    expect(failedRequests(page)).toEqual([{ method: "GET", path: "/", status: 401 }]);
    expect(undeclaredProblems(page)).toEqual([]);
  });

  it("a form with bad input says what is wrong in the field's own words, marks the fields, and keeps the rest", async () => {
    const harness = await startHarness({ watch: true });
    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/propose", status: 400 }]);
    await page.goto(harness.origin + "/");
    await page.waitForSelector('main[data-ready="yes"]');
    // No DASHBOARD_TOKEN: there is no session to end, so no "Log out" that would only reload the page.
    expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(0);
    await page.getByRole("button", { name: "New project" }).click();
    await page.getByLabel("Slug").fill("My App");
    await page.getByLabel("What should it do?").fill("A todo app");
    await page.getByLabel("Repository").fill("../x");
    await page.getByLabel("Branch", { exact: true }).fill("-x");
    await page.getByLabel("Base branch").fill("a..b");
    await page.getByRole("button", { name: "Propose" }).click();
    const alert = page.locator('form.propose [role="alert"]');
    await alert.waitFor();
    // One problem per line, each naming its field once (not "slug: slug …") as the form labels it, saying
    // what is wrong and then what to do.
    expect((await alert.textContent())!.split("\n")).toEqual([
      'slug "My App" is not valid: use lower-case letters, digits and dashes, starting with a letter or digit (e.g. my-app).',
      'repo "../x" is not valid: use name or owner/name made of letters, digits, ".", "_" and "-", not starting with "-" or ".".',
      'branch "-x" is not a valid git branch name: it starts with "-"; use a name such as feat/reminders.',
      'base branch "a..b" is not a valid git branch name: it contains ".."; name the branch to start from, such as main.',
    ]);
    for (const label of ["Slug", "Repository", "Branch", "Base branch"])
      expect(await page.getByLabel(label, { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("What should it do?").getAttribute("aria-invalid")).toBe("false");
    // The first wrong field has the focus, and nothing typed is lost.
    expect(await page.evaluate("document.activeElement?.getAttribute('name')")).toBe("slug");
    expect(await page.getByLabel("What should it do?").inputValue()).toBe("A todo app");

    // Fixed, it proposes; the marks are gone with the problem.
    await page.getByLabel("Slug").fill("my-app");
    await page.getByLabel("Repository").fill("");
    await page.getByLabel("Branch", { exact: true }).fill("feat/x");
    await page.getByLabel("Base branch").fill("");
    await page.getByLabel("Start planning right away").uncheck();
    await page.getByRole("button", { name: "Propose" }).click();
    await page.waitForURL(/#\/p\/my-app$/);
    // The header counts it in words that read right for one.
    await page.locator(".count-all", { hasText: /^1 project$/ }).waitFor();
  });

  it("a page reloaded while the planner thinks still shows the message it is answering", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/alpha`);
    await page.waitForSelector(".msg-planner");
    // The fake planner takes 6 s over this answer: long enough to reload in the middle of the turn.
    await page.getByLabel("Your answer").fill("[[fake:slow=6000]] Only me, on a phone.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForSelector(".thinking");
    await page.reload();
    await page.waitForSelector(".thinking");
    // Before the answer is stored, the reloaded page shows the sent message above the thinking line.
    const sent = page.locator('.msg-user:has-text("Only me, on a phone.")');
    expect(await sent.count()).toBe(1);
    expect(await page.locator(".messages li").last().getAttribute("class")).toContain("thinking");
    // Once answered, the stored history takes over: the message is there once, the answer after it.
    await page.waitForSelector('.msg-planner:has-text("Only me, on a phone.")', { timeout: 20_000 });
    expect(await sent.count()).toBe(1);
    expect(await page.locator(".thinking").count()).toBe(0);
  }, 90_000);

  it("an approved project with no plan offers no Run: the page says why and how to plan it; a run refused elsewhere shows its own why and fix", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "beta", status: "approved", description: "A weather bot." }], 1);
    await harness.runtime.watcher.refresh();
    const page = await openPage();
    await page.goto(`${harness.origin}/#/p/beta/run`);
    // Run would be refused (the preflight wants prd.json): the page says so instead of offering it.
    const note = page.locator('[data-next="plan"]');
    await note.waitFor();
    expect(await page.getByRole("button", { name: "Run", exact: true }).count()).toBe(0);
    expect(await note.textContent()).toContain("Ralph needs a plan first");
    expect(await note.textContent()).toContain("Plan it: Start planning in the Conversation");

    // A run asked for anyway (a chat's /run, a script) is refused as the project's state (409), and the page
    // then shows that refusal's why and fix in place of its own note, not both.
    const answer = await harness.call("POST", "/api/projects/beta/run", { body: {} });
    expect(answer.status).toBe(409);
    expect(answer.json).toMatchObject({ error: "run_refused", check: "plan" });
    await page.waitForSelector('.refusal:has-text("beta has no plan")', { timeout: 15_000 });
    const shown = (await page.locator("main").textContent()) ?? "";
    expect(shown).toContain("plan it first");
    expect(shown).not.toMatch(/undefined|\{"error"/);
    expect(await note.count()).toBe(0);
    expect(await page.getByRole("button", { name: "Run", exact: true }).count()).toBe(0);
  }, 90_000);

  it("a planning start that fails says so in the dashboard's words, not as chat commands in backticks", async () => {
    const remotes = await temp.make("first-visit-remote-");
    const remote = await createBareRemote(remotes, "app");
    const harness = await startHarness({ env: { GIT_REMOTE_BASE: remote.base } });
    await harness.writeStore(
      [{ name: "gamma", status: "pending", description: "A thing.", extra: { repo: "nosuch" } }],
      1,
    );
    const page = await openPage();
    expectFailedRequests(page, [{ method: "POST", path: "/api/projects/gamma/plan/start", status: 500 }]);
    await page.goto(`${harness.origin}/#/p/gamma`);
    await page.getByRole("button", { name: "Start planning" }).click();
    const alert = page.locator('.alert[role="alert"]');
    await alert.waitFor({ timeout: 20_000 });
    const text = (await alert.textContent()) ?? "";
    expect(text).toContain("Could not start planning gamma");
    // The dashboard is not the server's operator: the member's words, as a chat's, not git's with the remote's path.
    expect(text).toContain("planbot could not get the code of gamma from its repository.");
    expect(text).toContain("If the project's repo is wrong, set it");
    expect(text).toContain("Otherwise tell planbot's admin");
    expect(text).not.toContain(remote.base);
    expect(text).toContain("Start planning tries again");
    expect(text).not.toContain("`");
    expect(text).not.toContain("/plan gamma");
    expect(await alert.locator("strong", { hasText: "Start planning" }).count()).toBe(1);
  }, 90_000);
});
