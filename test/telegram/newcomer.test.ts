// What a newcomer gets wrong in Telegram, through the real grammY bot against the fake Bot API with the
// fake planner: each reply must name what was wrong and what to do instead of staying silent.
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GROUP_ANSWER_HINT } from "../../src/adapters/telegram/group-answers.ts";
import { LOG_TAIL_MARKER } from "../../src/execute/outcome.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import {
  admin,
  adminChat,
  forum,
  group,
  guest,
  member,
  memberChat,
  startHarness,
  type TelegramHarness,
} from "./harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("telegram: a newcomer's mistakes", () => {
  it("in a plain group, /plan and /continue say that answers are replies (Telegram shows the bot nothing else)", async () => {
    h = await startHarness();
    const plan = await h.say({ chat: group, from: member, text: "/plan grp-app A group app" });
    expect(plan.reply.plain_text).toMatch(/^Planning grp-app/);
    // /stop ends the planning, it does not cancel the project (/cancel does): the opening says "ends", not "cancels".
    expect(plan.reply.plain_text).toContain("/next moves on, /stop ends planning.");
    expect(plan.reply.plain_text).toContain(GROUP_ANSWER_HINT);
    // The hint is true: a plain message is not an answer, a reply to the bot's message is.
    h.fake.sendMessage({ chat: group, from: member, text: "Just typed, not a reply" });
    const answer = await h.say({
      chat: group,
      from: member,
      text: "Shoppers; any stack",
      replyToMessageId: plan.reply.message_id,
    });
    expect(answer.reply.plain_text).toContain('You answered: "Shoppers; any stack"');
    expect((await h.plannerCalls()).some((call) => call.stdin.includes("Just typed"))).toBe(false);

    // Where every message is an answer (a private chat, a forum topic) the hint would be wrong: none.
    const joined = await h.say({ chat: adminChat, from: admin, text: "/continue grp-app" });
    expect(joined.reply.plain_text).toMatch(/now follows the planning of grp-app/);
    expect(joined.reply.plain_text).not.toContain(GROUP_ANSWER_HINT);
    const topic = h.fake.createForumTopic(forum, "planning").threadId;
    const inTopic = await h.say({ chat: forum, from: member, text: "/plan topic-app A topic app", threadId: topic });
    expect(inTopic.reply.plain_text).toMatch(/^Planning topic-app/);
    expect(inTopic.reply.plain_text).not.toContain(GROUP_ANSWER_HINT);

    // A refusal is not a session: no hint on it.
    const refused = await h.say({ chat: group, from: member, text: "/continue nobody-app" });
    expect(refused.reply.plain_text).toMatch(/Nobody is planning nobody-app/);
    expect(refused.reply.plain_text).not.toContain(GROUP_ANSWER_HINT);
  });

  it("a misspelt or unknown command names the command meant; /stop with a slug says how to stop a run", async () => {
    h = await startHarness();
    const typo = await h.say({ chat: adminChat, from: admin, text: "/stauts" });
    expect(typo.reply.plain_text).toBe(
      "Unknown command /stauts. Did you mean /status? Send /help to see what planbot understands.",
    );
    const retry = await h.say({ chat: adminChat, from: admin, text: "/retry shop-app" });
    expect(retry.reply.plain_text).toMatch(
      /^Unknown command \/retry\. \/run <slug> retries a failed or blocked project\./,
    );
    const capital = await h.say({ chat: adminChat, from: admin, text: "/Aprove shop-app" });
    expect(capital.reply.plain_text).toMatch(/Did you mean \/approve\?/);
    // Too far from any command (or too short to guess from): no guess, only /help.
    for (const text of ["/weather Berlin", "/x"]) {
      const { reply } = await h.say({ chat: adminChat, from: admin, text });
      expect(reply.plain_text).toMatch(/^Unknown command \/\w+\. Send \/help/);
    }

    const stop = await h.say({ chat: adminChat, from: admin, text: "/stop shop-app" });
    expect(stop.reply.plain_text).toContain('/stop does not take "shop-app".');
    expect(stop.reply.plain_text).toContain("To stop Ralph's run of a project, send /cancel <slug>.");
    const next = await h.say({ chat: adminChat, from: admin, text: "/next shop-app" });
    expect(next.reply.plain_text).toMatch(/\/next moves this chat's planning session on and takes no slug/);
  });

  it("flags typed on a phone (— or – for --) are flags; other dashes stay in the description", async () => {
    h = await startHarness();
    const { reply } = await h.say({
      chat: adminChat,
      from: admin,
      text: "/p phone-app A list — shared with family —repo lists –branch=feat/share",
    });
    expect(reply.plain_text).toContain("Proposed phone-app: A list — shared with family");
    expect(await h.project("phone-app")).toMatchObject({
      description: "A list — shared with family",
      repo: "lists",
      branch: "feat/share",
    });
    // A dashed word that is not one of the command's flags stays text.
    const unknown = await h.say({ chat: adminChat, from: admin, text: "/p other-app A thing —force" });
    expect(unknown.reply.plain_text).toContain("Proposed other-app: A thing —force");
  });

  it("a status command that changes nothing says so, and /stop names the status the project really keeps", async () => {
    h = await startHarness();
    await h.say({ chat: adminChat, from: admin, text: "/p twice-app Pressed twice" });
    const unapprove = await h.say({ chat: adminChat, from: admin, text: "/unapprove twice-app" });
    expect(unapprove.reply.plain_text).toBe(
      "twice-app was not approved (it is pending), so there was nothing to take back. /approve twice-app approves it.",
    );
    await h.say({ chat: adminChat, from: admin, text: "/cancel twice-app" });
    const again = await h.say({ chat: adminChat, from: admin, text: "/cancel twice-app" });
    expect(again.reply.plain_text).toBe(
      "twice-app was already cancelled; nothing changed. /replan twice-app plans it again.",
    );
    expect((await h.project("twice-app"))?.status).toBe("cancelled");

    // Approved from another chat while this one plans it: /stop ends the session but the project stays approved.
    await h.say({ chat: adminChat, from: admin, text: "/plan stop-app A plan stopped late" });
    await h.say({ chat: memberChat, from: admin, text: "/approve stop-app" });
    const stop = await h.say({ chat: adminChat, from: admin, text: "/stop" });
    expect(stop.reply.plain_text).toBe("Stopped planning stop-app; it stays approved. /status stop-app shows it.");
    expect((await h.project("stop-app"))?.status).toBe("approved");
  });

  it("/status of a failed run shows the reason and the last lines of Ralph's log, not the log's first lines", async () => {
    h = await startHarness();
    await h.say({ chat: adminChat, from: admin, text: "/p failed-app A run that failed" });
    const preamble = `planbot: fetched the remote, created branch ralph/failed-app; ${"sandbox note ".repeat(40)}`;
    const log = [preamble, "Starting Ralph - Tool: claude", ...Array.from({ length: 30 }, (_, i) => `step ${i}`)];
    log.push("error: tests failed for US-002", "fake-agent: stop");
    await editEntry(h, "failed-app", {
      status: "failed",
      error: `failed stories: US-002; exit code 1${LOG_TAIL_MARKER}${log.join("\n")}`,
    });

    const { reply } = await h.say({ chat: adminChat, from: admin, text: "/status failed-app" });
    expect(reply.plain_text).toContain("Error: failed stories: US-002; exit code 1\nLast lines of Ralph's output:\n");
    expect(reply.plain_text).toMatch(/step 29\nerror: tests failed for US-002\nfake-agent: stop/);
    expect(reply.plain_text).not.toContain("sandbox note");
  });

  it("/run of a project that is already running says where to see it and how to stop it", async () => {
    h = await startHarness();
    await h.say({ chat: adminChat, from: admin, text: "/p busy-app A run in progress" });
    // Something else (another planbot, a manual run) holds the project: its recorded PID is alive.
    const other = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      await editEntry(h, "busy-app", { status: "approved", pid: other.pid });
      const { reply } = await h.say({ chat: adminChat, from: admin, text: "/run busy-app" });
      expect(reply.plain_text).toBe(
        `"busy-app" is already running (PID ${other.pid}). /status busy-app shows its progress; /cancel busy-app stops it.`,
      );
      expect(reply.reply_markup?.inline_keyboard).toEqual([[{ text: "Status", callback_data: "/status busy-app" }]]);
    } finally {
      other.kill("SIGKILL");
    }
  });

  it("/status and /stop typed while the planner thinks are answered first, and /stop stops that turn", {
    timeout: 90_000,
  }, async () => {
    h = await startHarness({ env: { PLANNER_TIMEOUT_S: "60" } });
    // With nothing waiting, commands keep their order: /plan right after /p finds the project.
    h.fake.sendMessage({ chat: adminChat, from: admin, text: "/p slow-app A slow app" });
    h.fake.sendMessage({ chat: adminChat, from: admin, text: "/plan slow-app" });
    const [proposed, plan] = await h.nextSent(adminChat.id, 0, 2);
    expect(proposed!.plain_text).toMatch(/^Proposed slow-app/);
    expect(plan!.plain_text).toMatch(/^Planning slow-app/);

    const before = 2;
    h.fake.sendMessage({ chat: adminChat, from: admin, text: "[[fake:slow=40000]] a long answer" });
    // Once the planner has the answer, the two commands arrive behind its turn.
    for (let tries = 0; !(await h.plannerCalls()).some((call) => call.stdin.includes("a long answer")); tries++) {
      if (tries > 500) throw new Error("the planner never got the answer");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    h.fake.sendMessage({ chat: adminChat, from: admin, text: "/status" });
    h.fake.sendMessage({ chat: adminChat, from: admin, text: "/stop" });
    const [status, ...ends] = await h.nextSent(adminChat.id, before, 3, 60_000);
    expect(status!.plain_text).toBe("Projects (1)\nslow-app — planning");
    // The /stop reply and the stopped turn's notice race each other; both come, the planner's answer never.
    expect(ends.map((m) => m.plain_text).sort()).toEqual([
      expect.stringMatching(/^Planning was stopped while the planner was answering; its answer was discarded/),
      expect.stringMatching(/^Stopped planning slow-app; it is pending again/),
    ]);
    expect((await h.project("slow-app"))?.status).toBe("pending");
  });

  it("/help <command> explains one command, and says when the asker's role may not run it", async () => {
    h = await startHarness();
    const run = await h.say({ chat: adminChat, from: admin, text: "/help run" });
    expect(run.reply.plain_text).toBe(
      "/run <slug> — run an approved project through Ralph now (retries a failed or blocked one)\n• slug: the project's slug",
    );
    const replan = await h.say({ chat: memberChat, from: member, text: "/help /replan" });
    expect(replan.reply.plain_text).toContain("/replan <slug> [--force] — plan a project again");
    expect(replan.reply.plain_text).toContain("--force: re-plan even if approved, running or complete (admins)");
    const propose = await h.say({ chat: memberChat, from: member, text: "/help propose" });
    expect(propose.reply.plain_text).toMatch(
      /^\/p <slug> <description…> \[--repo R\] \[--branch B\] \[--base M\] — propose/,
    );
    expect(propose.reply.plain_text).toContain("Also typed as /propose.");
    const notAllowed = await h.say({ chat: memberChat, from: member, text: "/help cancel" });
    expect(notAllowed.reply.plain_text).toContain("It needs the admin role; /whoami shows your id for the config.");
    const typo = await h.say({ chat: adminChat, from: admin, text: "/help retry" });
    expect(typo.reply.plain_text).toMatch(
      /^Unknown command \/retry\. \/run <slug> retries a failed or blocked project\./,
    );
  });

  it("a description over the limit is refused with what to do instead, and nothing is stored", async () => {
    h = await startHarness();
    const long = "A shop that sells mugs. ".repeat(100).trim();
    const { reply } = await h.say({ chat: adminChat, from: admin, text: `/p mug-shop ${long}` });
    expect(reply.plain_text).toBe(
      `description is ${long.length} characters long; the limit is 2000. Keep it to a summary: the details can go to the planner while planning.`,
    );
    expect(await h.project("mug-shop")).toBeUndefined();
  });

  it("an edited message is answered (send it again), never run; group talk can be edited in peace", async () => {
    h = await startHarness();
    const typo = await h.say({ chat: adminChat, from: admin, text: "/stauts" });
    expect(typo.reply.plain_text).toMatch(/Did you mean \/status\?/);
    const before = h.fake.sentMessages(adminChat.id).filter((m) => m.kind === "sent").length;
    h.fake.editMessage(adminChat, typo.message.message_id, "/status");
    const [edited] = await h.nextSent(adminChat.id, before);
    expect(edited!.plain_text).toBe(
      "planbot does not act on edited messages: send the corrected line as a new message (/help lists the commands).",
    );
    expect(edited!.reply_parameters).toMatchObject({ message_id: typo.message.message_id });

    // In a group: an edit of ordinary talk gets nothing, an edit into one of planbot's commands gets the hint.
    const talk = h.fake.sendMessage({ chat: group, from: member, text: "lunch at 12?" });
    h.fake.editMessage(group, talk.message_id, "lunch at 1?");
    const command = h.fake.sendMessage({ chat: group, from: member, text: "/stats" });
    h.fake.editMessage(group, command.message_id, "/status");
    const [hint] = await h.nextSent(group.id, 0);
    expect(hint!.reply_parameters).toMatchObject({ message_id: command.message_id });
    expect(h.fake.sentMessages(group.id).filter((m) => m.kind === "sent")).toHaveLength(1);
  });

  it("a guest who just writes is told who planbot works for and the id to give an admin, not to /plan", async () => {
    h = await startHarness();
    const guestChat = { id: guest.id, type: "private" as const };
    const { reply } = await h.say({ chat: guestChat, from: guest, text: "hello, can you build me an app?" });
    expect(reply.plain_text).toBe(
      "planbot works for the people on its member and admin lists, and you are not on them yet. An admin can add telegram:3 to PLANBOT_MEMBERS; /help shows what you can use meanwhile.",
    );
    // A member still gets the usual hint.
    const hint = await h.say({ chat: memberChat, from: member, text: "hello" });
    expect(hint.reply.plain_text).toMatch(/^Commands start with \/\. Send \/help/);
  });
});

/** Changes one stored entry the way another tool would: by rewriting approved-tasks.json. */
async function editEntry(harness: TelegramHarness, slug: string, fields: Record<string, unknown>): Promise<void> {
  const file = join(harness.dataDir, TASKS_FILE_NAME);
  const tasks = JSON.parse(await readFile(file, "utf8")) as { projects: Record<string, unknown>[] };
  Object.assign(tasks.projects.find((entry) => entry.name === slug)!, fields);
  await writeFile(file, JSON.stringify(tasks));
}
