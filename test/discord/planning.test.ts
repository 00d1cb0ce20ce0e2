// Planning over Discord with the fake planner: /plan opens a thread, every message there is an answer,
// /next walks the phases, /done writes the plan and approves; DMs and /replan's confirmation button too.
import { writePlanningArtifacts } from "../helpers/git-fixtures.ts";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { workspacePaths } from "../../src/projects/workspace.ts";
import {
  admin,
  answered,
  buttonCommands,
  buttonIds,
  choiceOf,
  closeAll,
  createdThread,
  eventually,
  GENERAL,
  member,
  messagesMatching,
  startHarness,
  storedProject,
  transcriptBodies,
  type Harness,
} from "./harness.ts";

afterEach(closeAll);

/** Sends a message in a thread and waits for the bot's reply to it (the first chunk carries the reference). */
async function say(h: Harness, channelId: string, content: string, pattern: RegExp) {
  const sent = await h.fake.sendMessage({ channelId, author: member, content });
  return eventually(
    () =>
      h.fake
        .channelMessages(channelId)
        .find(
          (m) =>
            (m.message_reference as { message_id?: string } | undefined)?.message_id === sent.id &&
            pattern.test(m.content),
        ),
    `the reply to "${content}"`,
    20_000,
  );
}

// Planner turns are child processes; on a loaded machine a whole session takes a while.
describe("discord adapter: planning", { timeout: 60_000 }, () => {
  it("runs a whole planning session in a thread: /plan, answers, /next (typed, button, slash), /done", async () => {
    const h = await startHarness();
    await h.runtime.core.lifecycle.propose({ slug: "thread-app", description: "An app planned in a thread" });

    const plan = await h.fake.slashCommand({
      name: "plan",
      options: [{ name: "slug", type: 3, value: "thread-app" }],
      user: member,
      channelId: GENERAL,
    });
    const thread = await createdThread(h.fake);
    expect(thread.name).toBe("plan: thread-app");
    await answered(h.fake, plan.id, "the pointer to the thread");
    const calls = transcriptBodies(h.fake, plan.id);
    expect(calls[0]?.body).toMatchObject({ type: 5 });
    expect(calls.at(-1)?.body.content).toBe(`Planning **thread-app** in <#${thread.id}>: answer the planner there.`);
    // The first planner turn is posted in the thread: the clarify questions.
    const opening = await eventually(
      () => messagesMatching(h.fake, thread.id, /Planning \*\*thread-app\*\*/)[0],
      "the first planner reply",
    );
    expect(opening.content).toMatch(/\?/);
    expect(await h.runtime.bot.hasSession({ adapter: "discord", channelId: thread.id })).toBe(true);
    expect(await h.runtime.bot.hasSession({ adapter: "discord", channelId: GENERAL })).toBe(false);
    expect((await storedProject(h.dataDir, "thread-app"))?.status).toBe("planning");

    // Plain messages in the thread are answers, handled in arrival order even when the first is slower;
    // typing shows while the planner works.
    const slow = await h.fake.sendMessage({
      channelId: thread.id,
      author: member,
      content: "Web only [[fake:slow=300]]",
    });
    const quick = await h.fake.sendMessage({ channelId: thread.id, author: member, content: "For two users" });
    const referenced = () =>
      h.fake
        .channelMessages(thread.id)
        .map((m) => (m.message_reference as { message_id?: string } | undefined)?.message_id)
        .filter(Boolean);
    await eventually(() => referenced().includes(quick.id), "both answers", 20_000);
    expect(referenced()).toEqual([slow.id, quick.id]);
    const answer = h.fake.channelMessages(thread.id).at(-1)!;
    expect(answer.content).toMatch(/You answered: "For two users"/);
    expect(buttonCommands(answer)).toEqual(["/next", "/keep-talking"]);
    expect(h.fake.requests.some((r) => r.method === "POST" && r.path === `/channels/${thread.id}/typing`)).toBe(true);

    // /next typed in the thread moves to design.
    const design = await say(h, thread.id, "/next", /design/);
    expect(buttonCommands(design)).toEqual(["/next", "/keep-talking"]);
    expect(choiceOf(design)).not.toBe(choiceOf(answer));

    // The "Next phase" button moves to stories: the press answers by marking the message chosen (buttons
    // removed), and the slow command's reply follows up.
    const click = await h.fake.clickButton({
      customId: buttonIds(design)[0]!,
      user: member,
      channelId: thread.id,
      messageId: design.id,
    });
    await answered(h.fake, click.id, "the stories phase");
    const clickCalls = transcriptBodies(h.fake, click.id);
    expect(clickCalls[0]?.body).toMatchObject({ type: 7, data: { components: [] } });
    expect(String((clickCalls[0]?.body.data as { content?: string } | undefined)?.content)).toMatch(
      /\n\nChosen: Next phase, by mel at \d\d:\d\d UTC\.$/,
    );
    expect(String(clickCalls.at(-1)?.body.content)).toMatch(/stories/);

    // Slash /next in the thread writes the final plan.
    const final = await h.fake.slashCommand({ name: "next", user: member, channelId: thread.id });
    await answered(h.fake, final.id, "the final plan");
    const finalBody = transcriptBodies(h.fake, final.id).at(-1)!.body as { content: string; components: unknown[] };
    expect(finalBody.content).toMatch(/Wrote `final-plan.md` and `prd.json`/);
    expect(buttonCommands(finalBody)).toEqual(["/done", "/keep-talking"]);

    // The approval delivers the final plan: summary, the document attached, Run now · Re-plan · Cancel.
    const approved = await say(h, thread.id, "/done", /Approved \*\*thread-app\*\*/);
    expect(buttonCommands(approved)).toEqual(["/run thread-app", "/replan thread-app", "/cancel thread-app"]);
    expect(approved.content).toMatch(/\*\*Goal:\*\* /);
    expect(approved.content).toMatch(/\*\*Stories \(3\):\*\*\n- `US-001` /);
    const paths = workspacePaths(h.runtime.config.workspaceDir, "thread-app");
    const attachments = approved.attachments as { filename: string; text: string }[];
    expect(attachments.map((a) => a.filename)).toEqual(["final-plan.md"]);
    expect(attachments[0]!.text).toBe(readFileSync(paths.finalPlan, "utf8"));
    expect(existsSync(paths.finalPlan) && existsSync(paths.prd)).toBe(true);
    expect(await storedProject(h.dataDir, "thread-app")).toMatchObject({
      status: "approved",
      final_plan_path: paths.finalPlan,
    });
    expect(await h.runtime.bot.hasSession({ adapter: "discord", channelId: thread.id })).toBe(false);
  });

  it("refuses to re-plan an approved project without confirmation, and re-plans with the confirm button", async () => {
    const h = await startHarness();
    await h.runtime.core.lifecycle.propose({ slug: "done-app", description: "Already agreed" });
    // Planned, then approved: re-planning would replace that plan.
    await writePlanningArtifacts(h.runtime.config.workspaceDir, "done-app");
    await h.runtime.core.lifecycle.approve("done-app");

    const replan = await h.fake.slashCommand({
      name: "replan",
      options: [{ name: "slug", type: 3, value: "done-app" }],
      user: admin,
      channelId: GENERAL,
    });
    await answered(h.fake, replan.id, "the refusal");
    const refusal = transcriptBodies(h.fake, replan.id).at(-1)!;
    const data = refusal.body as { content: string; flags: number; components: unknown[] };
    expect(data.content).toMatch(/already approved/);
    expect(data.flags & 64).toBe(64);
    expect(buttonIds(data)).toEqual(["/replan done-app --force"]);
    expect((await storedProject(h.dataDir, "done-app"))?.status).toBe("approved");
    // The thread opened for it is not left behind (archived and locked when it cannot be deleted).
    const unused = await createdThread(h.fake);
    await eventually(
      () =>
        h.fake.requests.find(
          (r) =>
            r.method === "PATCH" &&
            r.path === `/channels/${unused.id}` &&
            (r.body as { archived?: boolean }).archived === true,
        ),
      "the unused thread archived",
    );

    const ephemeral = h.fake.channelMessages(GENERAL).find((m) => buttonIds(m).includes("/replan done-app --force"))!;
    // A member may not force it: refused, and no thread is opened for a command that cannot run.
    const memberClick = await h.fake.clickButton({
      customId: "/replan done-app --force",
      user: member,
      channelId: GENERAL,
      messageId: ephemeral.id,
    });
    await answered(h.fake, memberClick.id);
    expect(String(transcriptBodies(h.fake, memberClick.id).at(-1)!.body.content)).toMatch(
      /--force needs the admin role/,
    );
    expect(h.fake.requests.filter((r) => r.path === `/channels/${GENERAL}/threads`)).toHaveLength(1);

    const confirm = await h.fake.clickButton({
      customId: "/replan done-app --force",
      user: admin,
      channelId: GENERAL,
      messageId: ephemeral.id,
    });
    const thread = await createdThread(h.fake, GENERAL, 1);
    await answered(h.fake, confirm.id, "the re-plan pointer");
    expect(String(transcriptBodies(h.fake, confirm.id).at(-1)!.body.content)).toContain(`<#${thread.id}>`);
    await eventually(
      () => messagesMatching(h.fake, thread.id, /Planning \*\*done-app\*\*/)[0],
      "the re-plan's first planner reply",
    );
    expect((await storedProject(h.dataDir, "done-app"))?.status).toBe("planning");
  });

  it("plans in a DM without a thread (long replies chunked), and mirrors a thread's planner replies to a DM that joined with /continue", async () => {
    const h = await startHarness();
    const dm = h.fake.dmChannel(member.id);
    await say(h, dm, "/plan dm-app An app planned privately", /Planning \*\*dm-app\*\*/);
    expect(h.fake.requests.some((r) => r.path.endsWith("/threads"))).toBe(false);

    // Every message in a DM with a session is an answer; a long planner reply arrives in chunks ≤ 2000.
    const before = h.fake.channelMessages(dm).length;
    const long = await h.fake.sendMessage({
      channelId: dm,
      author: member,
      content: "Only for me, tell me everything [[fake:long]]",
    });
    await eventually(
      () =>
        h.fake
          .channelMessages(dm)
          .slice(before)
          .some((m) => /Phase ready/.test(m.content)),
      "the end of the long reply",
      20_000,
    );
    const chunks = h.fake.channelMessages(dm).slice(before);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks[0]?.message_reference).toMatchObject({ message_id: long.id });
    for (const chunk of chunks) expect([...chunk.content].length).toBeLessThanOrEqual(2000);
    expect(chunks.map((c) => c.content).join("").length).toBeGreaterThan(4000);
    expect(chunks.map((c) => c.content).join("")).toMatch(/You answered/);
    expect(buttonCommands(chunks.at(-1))).toEqual(["/next", "/keep-talking"]);
    expect(chunks.slice(0, -1).every((c) => c.components.length === 0)).toBe(true);
    expect(h.fake.requests.filter((r) => r.status === 400)).toEqual([]);

    await h.fake.sendMessage({ channelId: GENERAL, author: admin, content: "/plan shared-app A shared app" });
    const thread = await createdThread(h.fake);
    const pointer = await eventually(
      () => messagesMatching(h.fake, GENERAL, /Planning \*\*shared-app\*\* in/)[0],
      "the pointer reply",
    );
    expect(pointer.content).toContain(`<#${thread.id}>`);
    await eventually(
      () => messagesMatching(h.fake, thread.id, /Planning \*\*shared-app\*\*/)[0],
      "the thread's first reply",
    );
    const adminDm = h.fake.dmChannel(admin.id);
    const joined = await h.fake.sendMessage({ channelId: adminDm, author: admin, content: "/continue shared-app" });
    await eventually(
      () =>
        h.fake
          .channelMessages(adminDm)
          .find((m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === joined.id),
      "the /continue reply",
    );
    // A DM already planning dm-app stays with it; the admin's DM follows shared-app.
    await say(h, thread.id, "Mirrored answer", /You answered/);
    const mirrored = await eventually(
      () => messagesMatching(h.fake, adminDm, /\*\*mel\*\* \(Discord\): Mirrored answer/)[0],
      "the mirrored reply in the DM",
    );
    expect(mirrored.content).toMatch(/You answered/);
  });
});
