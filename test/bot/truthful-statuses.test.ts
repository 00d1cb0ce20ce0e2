// Issue 15's "statuses that tell the truth", one lie per test, each through a real entry point: the bot's
// one entry (bot.handle, as every chat adapter calls it), the dashboard's HTTP API and the CLI as a child
// process, all over the same store and workspace files.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import type { Reply } from "../../src/chat/reply.ts";
import { planRun } from "../../src/execute/run-plan.ts";
import type { ProjectRecord } from "../../src/projects/project-list.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startHarness, stopHarnesses, type Harness } from "../http/harness.ts";

afterEach(stopHarnesses);

const ADMIN = { adapter: "telegram", channelId: "500", userId: "1", userName: "ada" };
const bin = join(fileURLToPath(new URL("../..", import.meta.url)), "bin", "planbot");

interface Story {
  passes?: boolean;
  blocked?: boolean;
}

async function start(env: Record<string, string> = {}): Promise<Harness> {
  return startHarness({ env: { PLANBOT_ADMINS: "telegram:1", ...env } });
}

/** A prd.json as the planner writes it, with the given stories and branch. */
async function writePrd(h: Harness, slug: string, stories: Story[], branchName = `ralph/${slug}`): Promise<void> {
  const paths = workspacePaths(h.runtime.config.workspaceDir, slug);
  await mkdir(paths.ralph, { recursive: true });
  const userStories = stories.map((story, index) => ({
    id: `US-${index + 1}`,
    title: `Story ${index + 1}`,
    passes: story.passes === true,
    ...(story.blocked ? { blocked: true } : {}),
  }));
  await writeFile(paths.prd, JSON.stringify({ project: slug, branchName, userStories }));
}

/** What a chat user sees for one typed line: every reply's text, and the buttons' command lines. */
async function say(h: Harness, text: string): Promise<{ text: string; buttons: string[] }> {
  const handled = await h.runtime.bot.handle({ ...ADMIN, text });
  const replies: Reply[] = "replies" in handled ? handled.replies : [];
  return {
    text: replies.map((reply) => reply.text).join("\n"),
    buttons: replies.flatMap((reply) => reply.actions?.map((action) => action.command) ?? []),
  };
}

async function apiProjects(h: Harness): Promise<Record<string, ProjectRecord>> {
  const listed = await h.call("GET", "/api/projects");
  expect(listed.status).toBe(200);
  const projects = listed.json.projects as ProjectRecord[];
  return Object.fromEntries(projects.map((project) => [project.slug, project]));
}

async function cli(h: Harness, args: string[]): Promise<string> {
  const run = await execa(bin, args, {
    cwd: h.dir,
    env: { PLANBOT_DATA_DIR: h.dir, LOG_LEVEL: "silent" },
    reject: false,
    timeout: 120_000,
  });
  expect(run.exitCode, run.stderr).toBe(0);
  return run.stdout;
}

describe("a cancelled project", () => {
  it("reads cancelled in chat, the API and the CLI, and is offered only re-planning — never Approve", async () => {
    const h = await start();
    await h.writeStore([{ name: "gone", status: "cancelled", description: "An abandoned idea." }], 3);
    await writePrd(h, "gone", [{ passes: true }, {}, {}]);

    const card = await say(h, "/status gone");
    expect(card.text).toMatch(/^\*\*gone\*\* — cancelled\n/);
    expect(card.text).not.toContain("idle");
    expect(card.text).not.toContain("min left");
    expect(card.buttons).toEqual(["/replan gone", "/status gone"]);
    expect((await say(h, "/status")).text).toContain("**gone** — cancelled · 1/3 stories");

    expect(await apiProjects(h)).toMatchObject({ gone: { status: "cancelled", eta_seconds: null } });
    expect(await cli(h, ["projects", "list"])).toMatch(/^gone\s+cancelled\s+1\/3\s+An abandoned idea\.$/m);
  });

  it("/cancel says what it did: cancelled, not run, files kept, how to bring it back", async () => {
    const h = await start();
    await h.writeStore([{ name: "late", status: "approved" }], 1);
    await writePrd(h, "late", [{}, {}]);
    const cancelled = await say(h, "/cancel late");
    expect(cancelled.text).toBe(
      "Cancelled **late**: it shows as cancelled and Ralph does not run it. Its files stay; `/replan late` plans it again.",
    );
    expect((await say(h, "/status late")).text).toMatch(/^\*\*late\*\* — cancelled/);
  });
});

describe("/run on a project that cannot run", () => {
  it("names what the project is and the way forward as a command and a button, in chat and in the CLI", async () => {
    const h = await start();
    await h.writeStore(
      [
        { name: "gone", status: "cancelled" },
        { name: "done", status: "complete" },
        { name: "idea", status: "pending" },
      ],
      1,
    );
    await writePrd(h, "done", [{ passes: true }]);
    expect(await say(h, "/run gone")).toEqual({
      text: '"gone" is cancelled. To run it again, re-plan it: `/replan gone`.',
      buttons: ["/replan gone"],
    });
    expect(await say(h, "/run done")).toEqual({
      text: '"done" is complete: every story passes on its branch. To run it again, re-plan it: `/replan done`.',
      buttons: ["/replan done"],
    });
    expect(await say(h, "/run idea")).toEqual({
      text: '"idea" is not approved yet. Approve it first: `/approve idea`.',
      buttons: ["/approve idea"],
    });
    const run = await execa(bin, ["execute", "gone"], {
      cwd: h.dir,
      env: { PLANBOT_DATA_DIR: h.dir, LOG_LEVEL: "silent" },
      reject: false,
      timeout: 120_000,
    });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('"gone" is cancelled. To run it again, re-plan it in a chat (/replan gone)');
  });
});

describe("unapproving", () => {
  it("a complete project says it only changes the status: stories, branch and plan stay; /status agrees", async () => {
    const h = await start();
    await h.writeStore([{ name: "shipped", status: "complete", extra: { branch: "feat/shipped" } }], 2);
    await writePrd(h, "shipped", [{ passes: true }, { passes: true }], "feat/shipped");

    const unapproved = await say(h, "/unapprove shipped");
    expect(unapproved.text).toBe(
      "**shipped** is pending now instead of complete. Nothing is undone: every story (2/2) still passes on branch `feat/shipped`, and the plan and `prd.json` stay. Ralph does not run it while it is pending; `/approve shipped` takes it back, `/replan shipped --force` plans new work.",
    );
    const card = await say(h, "/status shipped");
    expect(card.text).toMatch(/^\*\*shipped\*\* — pending — not approved; every story already passes\n/);
    expect(card.text).not.toContain("not planned yet");
  });

  it("an approved project says what it was and what it takes to run again", async () => {
    const h = await start();
    await h.writeStore([{ name: "waiting", status: "approved" }], 1);
    await writePrd(h, "waiting", [{}, {}]);
    expect((await say(h, "/unapprove waiting")).text).toBe(
      "**waiting** is pending again (it was approved): Ralph does not run it until it is approved again (`/approve waiting`).",
    );
    expect((await say(h, "/status waiting")).text).toMatch(/^\*\*waiting\*\* — pending — planned, not approved\n/);
  });
});

describe("the next run", () => {
  it("/approve names /run when no EXECUTE_AT is set, and the daily run when it is", async () => {
    const manual = await start();
    await manual.writeStore([{ name: "todo", status: "pending" }], 1);
    await writePrd(manual, "todo", [{}, {}]);
    const approved = (await say(manual, "/approve todo")).text;
    expect(approved).toBe(
      "Approved **todo**. No daily run is set up, so nothing starts it by itself: start Ralph with `/run todo` (admins).",
    );

    const daily = await start({ EXECUTE_AT: "02:15" });
    await daily.writeStore([{ name: "todo", status: "pending" }], 1);
    await writePrd(daily, "todo", [{}, {}]);
    expect((await say(daily, "/approve todo")).text).toBe(
      "Approved **todo**. Ralph runs it at the next scheduled run (daily at 02:15), or now with `/run todo`.",
    );
  });
});

describe("ETA", () => {
  it("only where Ralph has work ahead: none on failed, blocked, complete or cancelled projects", async () => {
    const h = await start();
    await h.writeStore(
      [
        { name: "queued", status: "approved" },
        { name: "broken", status: "failed", extra: { error: "ralph exited 1" } },
        { name: "stuck", status: "blocked" },
        { name: "done", status: "complete" },
        { name: "dropped", status: "cancelled" },
      ],
      5,
    );
    await writePrd(h, "queued", [{ passes: true }, {}, {}]);
    await writePrd(h, "broken", [{ passes: true }, {}, {}]);
    await writePrd(h, "stuck", [{ passes: true }, { blocked: true }]);
    await writePrd(h, "done", [{ passes: true }, { passes: true }]);
    await writePrd(h, "dropped", [{}, {}]);

    const api = await apiProjects(h);
    expect(Object.fromEntries(Object.values(api).map((p) => [p.slug, [p.status, p.eta_seconds]]))).toEqual({
      queued: ["approved", 2 * 12 * 60],
      broken: ["failed", null],
      stuck: ["blocked", null],
      done: ["complete", null],
      dropped: ["cancelled", null],
    });
    expect((await say(h, "/status queued")).text).toContain("Stories: 1/3 done (about 24 min left)");
    for (const slug of ["broken", "stuck", "done", "dropped"]) {
      const card = (await say(h, `/status ${slug}`)).text;
      expect(card, slug).toMatch(/Stories: \d\/\d done(\n|$)/);
      expect(card, slug).not.toContain("min left");
    }
  });
});

describe("the branch", () => {
  it("is the one the executor would check out, in chat, the API and the CLI", async () => {
    const h = await start();
    await h.writeStore(
      [
        { name: "own", status: "approved", extra: { branch: "feat/own" } },
        { name: "from-prd", status: "approved" },
        { name: "plain", status: "approved" },
      ],
      3,
    );
    await writePrd(h, "own", [{}], "something/else");
    await writePrd(h, "from-prd", [{}], "feature/named-by-planner");
    await writePrd(h, "plain", [{}]);
    const want = { own: "feat/own", "from-prd": "feature/named-by-planner", plain: "ralph/plain" };

    const store = await h.runtime.core.store.read();
    if (!store.ok) throw new Error(store.message);
    const api = await apiProjects(h);
    for (const [slug, branch] of Object.entries(want)) {
      const entry = (store.file.projects ?? []).find((candidate) => candidate.name === slug) as ProjectEntry;
      const plan = planRun(entry, h.runtime.config);
      expect(plan.ok && plan.plan.branch, slug).toBe(branch);
      expect(api[slug]?.branch, slug).toBe(branch);
      expect((await say(h, `/status ${slug}`)).text, slug).toContain(`branch \`${branch}\``);
    }
    expect(await cli(h, ["projects", "show", "from-prd"])).toContain("branch: feature/named-by-planner");
  });
});

describe("the /status overview served from the change watcher", () => {
  it("is built once per list and shows every change on the next call", async () => {
    const h = await startHarness({ env: { PLANBOT_ADMINS: "telegram:1" }, watch: true });
    await h.runtime.core.lifecycle.propose({ slug: "alpha", description: "First." });
    const first = await say(h, "/status");
    expect(first.text).toBe("**Projects** (1)\n**alpha** — pending — not planned yet");
    expect(await say(h, "/status")).toEqual(first);
    await h.runtime.core.lifecycle.cancel("alpha");
    expect((await say(h, "/status")).text).toBe("**Projects** (1)\n**alpha** — cancelled");
    await h.runtime.core.lifecycle.propose({ slug: "beta", description: "Second." });
    expect((await say(h, "/status")).text).toBe(
      "**Projects** (2)\n**alpha** — cancelled\n**beta** — pending — not planned yet",
    );
  });
});
