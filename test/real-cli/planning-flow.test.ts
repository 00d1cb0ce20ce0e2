/**
 * planbot's planning service with the REAL Claude Code CLI 2.1.197 as its planner, against the fake
 * Messages API: the whole flow, resuming (also across a planbot restart), a deleted CLI transcript and
 * a CLI that is not logged in — with assertions on every request the CLI sent to the model.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, it, type ExpectStatic } from "vitest";
import { PrdSchema } from "../../src/projects/schemas.ts";
import { findProject } from "../../src/projects/project-store.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { contentText, requestText, systemText, type RecordedRequest } from "../fakes/messages-api/server.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { realCliWorld, type RealCliWorld } from "./harness.ts";

const temp = createTempDirs();
const worlds: RealCliWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((world) => world.stop()));
  await temp.cleanup();
});

async function world(options: Parameters<typeof realCliWorld>[1] = {}) {
  const made = await realCliWorld(temp, options);
  worlds.push(made);
  return made;
}

const WRITE_OR_EXEC = ["Write", "Edit", "MultiEdit", "Bash", "NotebookEdit", "Agent", "Task", "WebFetch", "WebSearch"];

/** What every request the CLI made must satisfy, whatever the phase. */
function expectSafeRequests(expect: ExpectStatic, w: RealCliWorld, requests: RecordedRequest[], workspace: string) {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    const body = request.body!;
    // No plan-mode takeover.
    expect(requestText(body)).not.toContain("Plan mode is active");
    // Only read-only tools offered.
    const tools = (body.tools ?? []).map((tool) => tool.name);
    expect(tools.filter((name) => WRITE_OR_EXEC.includes(name))).toEqual([]);
    expect(tools.every((name) => ["Read", "Grep", "Glob"].includes(name))).toBe(true);
    // Grounded: the working directory is the project's workspace, which holds the repository.
    expect(systemText(body)).toContain(`Primary working directory: ${workspace}`);
  }
  // No planbot token anywhere in what the CLI sent (bodies and headers).
  for (const request of w.api.requests) {
    const everything = `${request.raw}\n${JSON.stringify(request.headers)}`;
    for (const value of Object.values(w.secrets)) expect(everything).not.toContain(value);
  }
}

describe.concurrent("planning with the real Claude Code CLI", { timeout: 180_000 }, () => {
  it("walks clarify → design → stories → final plan and approval, read-only, grounded in the repository", async ({
    expect,
  }) => {
    const w = await world();
    const planning = w.runtime.planning;
    const paths = workspacePaths(w.workspaceDir, "shop");

    const started = await planning.start({
      incoming: w.incoming("room", "/plan shop"),
      slug: "shop",
      description: "A shop for hand-made mugs",
      force: false,
    });
    expect(started.ok && started.reply.text).toContain("I read src/app.txt (app v2)");
    // The workspace is a checkout of the base branch of the project's repository.
    expect(readFileSync(join(paths.root, "src", "app.txt"), "utf8")).toBe("app v2\n");
    expect(existsSync(join(paths.root, ".git"))).toBe(true);

    // While a turn runs, the CLI's environment holds none of planbot's tokens.
    let environ = "";
    w.api.setScript(async (body) => {
      const folder = join(w.dataDir, "sessions", "planners");
      for (const name of existsSync(folder) ? readdirSync(folder) : []) {
        try {
          environ += readFileSync(`/proc/${name.replace(".json", "")}/environ`, "utf8");
        } catch {
          // Ended meanwhile.
        }
      }
      const { plannerScript } = await import("../fakes/messages-api/planner-script.ts");
      return plannerScript(body);
    });
    const answered = await planning.answer({ incoming: w.incoming("room", "Potters; Node only") });
    expect(answered.ok && answered.reply.text).toContain('You answered: "Potters; Node only"');
    expect(environ).toContain("ANTHROPIC_BASE_URL=");
    for (const value of Object.values(w.secrets)) expect(environ).not.toContain(value);

    const design = await planning.next({ incoming: w.incoming("room", "/next") });
    expect(design.ok && design.reply.text).toContain("Design for shop.");
    const storiesReply = await planning.next({ incoming: w.incoming("room", "/next") });
    expect(storiesReply.ok && storiesReply.reply.text).toContain("User stories for shop");
    const written = await planning.next({ incoming: w.incoming("room", "/next") });
    expect(written.ok && written.reply.text).toContain("Wrote `final-plan.md` and `prd.json` (3 stories)");
    const done = await planning.done({ incoming: w.incoming("room", "/done") });
    expect(done.ok && done.reply.text).toContain("Approved **shop**");

    const prd = PrdSchema.parse(JSON.parse(await readFile(paths.prd, "utf8")));
    expect(prd.userStories).toHaveLength(3);
    expect(await readFile(paths.finalPlan, "utf8")).toContain("# Plan for shop");
    const store = await w.runtime.core.store.read();
    expect(store.ok && findProject(store.file, "shop")?.status).toBe("approved");

    // Every request: no plan mode, read-only tools, no tokens, the workspace as working directory.
    const requests = w.api.messageRequests();
    expectSafeRequests(expect, w, requests, paths.root);
    // The member's text reached the model only inside the user message, delimited.
    const withAnswer = requests.find((request) => requestText(request.body!).includes("Potters; Node only"))!;
    expect(systemText(withAnswer.body!)).not.toContain("Potters; Node only");
    expect(systemText(withAnswer.body!)).not.toContain("hand-made mugs");
    expect(contentText(withAnswer.body!.messages!.at(-1)!.content)).toContain(
      'via="memory">\nPotters; Node only\n</member-message>',
    );
    // The Read tool really ran in the workspace: its result went back to the model.
    expect(
      requests.some((request) =>
        request.body!.messages!.some(
          (message) =>
            typeof message.content !== "string" &&
            message.content.some((block) => block.type === "tool_result") &&
            contentText(message.content).includes("app v2"),
        ),
      ),
    ).toBe(true);

    // planbot's record of the conversation: who, where, which phase; no markers, no synthetic entries.
    const history = await planning.transcript("shop");
    expect(history.map((entry) => [entry.role, entry.phase])).toEqual([
      ["user", "clarify"],
      ["assistant", "clarify"],
      ["user", "clarify"],
      ["assistant", "clarify"],
      ["user", "design"],
      ["assistant", "design"],
      ["user", "stories"],
      ["assistant", "stories"],
      ["user", "finalize"],
      ["assistant", "finalize"],
    ]);
    expect(history[2]).toMatchObject({ role: "user", text: "Potters; Node only", user: "ana", adapter: "memory" });
    expect(history.some((entry) => /\[\[PHASE_READY\]\]|No response requested\./.test(entry.text))).toBe(false);
  });

  it("resumes the same CLI conversation on every turn, also after a planbot restart", async ({ expect }) => {
    const w = await world();
    const planning = () => w.runtime.planning;
    expect(
      (
        await planning().start({
          incoming: w.incoming("r2", "/plan shop"),
          slug: "shop",
          description: "Mugs",
          force: false,
        })
      ).ok,
    ).toBe(true);
    await w.restart();
    const answered = await planning().answer({ incoming: w.incoming("r2", "Makers and their customers") });
    expect(answered.ok && answered.reply.text).toContain('You answered: "Makers and their customers"');
    // The CLI resumed: the model saw the earlier turn (the first message and the tool call) again.
    const last = w.api.messageRequests().at(-1)!.body!;
    expect(requestText(last)).toContain("Mugs");
    expect(requestText(last)).toContain("app v2");
    const found = await planning().sessionForSlug("shop");
    expect(found.ok && found.session?.turns).toBe(2);
    expect(w.outbox).toEqual([]);
  });

  it("carries on from planbot's record when the CLI's transcript is deleted, telling the chats once", async ({
    expect,
  }) => {
    const w = await world();
    const planning = w.runtime.planning;
    expect(
      (
        await planning.start({
          incoming: w.incoming("r3", "/plan shop"),
          slug: "shop",
          description: "Mugs for potters",
          force: false,
        })
      ).ok,
    ).toBe(true);
    expect((await planning.answer({ incoming: w.incoming("r3", "Potters only") })).ok).toBe(true);
    const before = await planning.sessionForSlug("shop");
    const oldId = before.ok ? before.session!.session_id : "";
    await rm(join(w.claudeDir, "projects"), { recursive: true, force: true });

    const answered = await planning.answer({ incoming: w.incoming("r3", "Also a gift card") });
    expect(answered.ok && answered.reply.text).toContain('You answered: "Also a gift card"');
    const after = await planning.sessionForSlug("shop");
    expect(after.ok && after.session!.session_id).not.toBe(oldId);
    // The new CLI session was seeded with the recorded conversation and the phase.
    const seeded = w.api.messageRequests().at(-1)!.body!;
    expect(requestText(seeded)).toContain("Potters only");
    expect(requestText(seeded)).toContain("We are in the clarify phase");
    expect(w.outbox.filter((sent) => sent.reply.text.includes("lost its earlier conversation"))).toHaveLength(1);

    // The next turn resumes the new session normally, and nobody is told again.
    expect((await planning.answer({ incoming: w.incoming("r3", "That is all") })).ok).toBe(true);
    expect(w.outbox.filter((sent) => sent.reply.text.includes("lost its earlier conversation"))).toHaveLength(1);
    expect(
      (await planning.transcript("shop")).filter((entry) => entry.role === "user").map((entry) => entry.text),
    ).toEqual(["Mugs for potters", "Potters only", "Also a gift card", "That is all"]);
  });

  it("not logged in: a clear message naming where to fix it, the project stays pending, the API is never called", async ({
    expect,
  }) => {
    const w = await world({ loggedOut: true });
    const started = await w.runtime.planning.start({
      incoming: w.incoming("r4", "/plan shop"),
      slug: "shop",
      description: "Mugs",
      force: false,
    });
    expect(started.ok).toBe(false);
    if (started.ok) return;
    expect(started.details?.reason).toBe("auth");
    expect(started.details?.start_failed).toBe(true);
    expect(started.message).toContain("Not logged in");
    expect(started.message).toContain("ANTHROPIC_API_KEY");
    expect(started.message).toContain("pending again");
    const store = await w.runtime.core.store.read();
    expect(store.ok && findProject(store.file, "shop")?.status).toBe("pending");
    expect(await w.runtime.planning.hasSession({ adapter: "memory", channelId: "r4" })).toBe(false);
    expect(w.api.messageRequests()).toEqual([]);
  });
});
