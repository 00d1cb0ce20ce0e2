// A run refused because the project's workspace is a clone of another repository (moving that folder is
// the operator's job on the server): /run's reply, the /status card, the failure notice and the progress
// message's ending name the problem and whom to tell, where the CLI (`planbot projects show`) and the
// terminal, the operator's own chat, keep the operator's "move it away". Real git against bare remotes, the
// real executor; notices through the outbound router to the real terminal adapter and a chat's Outbound.
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { execa } from "execa";
import { beforeAll, describe, expect, it, type TestContext } from "vitest";
import { createConsoleAdapter } from "../../src/adapters/console/console-adapter.ts";
import { failureReply } from "../../src/bot/failure-reply.ts";
import { createOutboundRouter } from "../../src/chat/outbound.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { projectCard, projectLine } from "../../src/bot/project-card.ts";
import { formatRecord } from "../../src/cli/projects-output.ts";
import { notificationFor } from "../../src/notify/notification-messages.ts";
import { OutboxItemSchema } from "../../src/notify/notification-state.ts";
import { newOutboxItem } from "../../src/notify/outbox-item.ts";
import { refusalReply } from "../../src/notify/refusal-notices.ts";
import type { ProjectRecord } from "../../src/projects/project-list.ts";
import { finalReply } from "../../src/notify/progress-text.ts";
import { createBareRemote, samplePrd, writePlanningArtifacts, type RemoteFixture } from "../helpers/git-fixtures.ts";
import { createHarness } from "./harness.ts";
import { useHarnessTemp } from "./use-harness-temp.ts";

const temp = useHarnessTemp();

let app: RemoteFixture;
let other: RemoteFixture;
beforeAll(async () => {
  const remotes = await temp.make("operator-run-remotes-");
  app = await createBareRemote(remotes, "app", { ralphScript: true });
  other = await createBareRemote(remotes, "other", { ralphScript: true });
});

/**
 * Sends `reply` as the notifier does — stored in its outbox (`notifications.json`) and read back, then
 * through the outbound router — to a chat and to the real terminal adapter; resolves with what each showed.
 */
async function sendToChatAndTerminal(
  record: ProjectRecord,
  notice: Reply,
): Promise<{ chat: string; terminal: string }> {
  const stored = JSON.parse(
    JSON.stringify(newOutboxItem(record, { adapter: "telegram", channelId: "1" }, notice, new Date())),
  );
  const reply = OutboxItemSchema.parse(stored).reply as Reply;
  const router = createOutboundRouter();
  let chat = "";
  router.register("telegram", {
    async send(_target, sent) {
      chat += sent.text;
      return { ok: true, messageIds: ["1"] };
    },
  });
  const output = new PassThrough();
  let terminal = "";
  output.setEncoding("utf8");
  output.on("data", (chunk: string) => {
    terminal += chunk;
  });
  const ignore = { handle: async () => ({ kind: "ignored" as const, reason: "" }), commandFor: () => undefined };
  const adapter = createConsoleAdapter({ bot: ignore, input: new PassThrough(), output, userName: "alice" });
  router.register("console", adapter.outbound);
  await router.send({ adapter: "telegram", channelId: "1" }, reply);
  await router.send({ adapter: "console", channelId: "terminal" }, reply);
  adapter.close();
  return { chat, terminal };
}

const CHAT_WORDS =
  "The workspace folder of **shop** on the server holds a clone of another repository. If the project's repo is wrong, set it: `/edit shop --repo R`. Otherwise tell planbot's admin: only they can move that folder away on the server.";

describe("a workspace cloned from another repository", { timeout: 120_000 }, () => {
  it("reads as the problem and whom to tell in every chat surface, and as the operator's advice in the CLI", async (context: TestContext) => {
    const root = await temp.make("operator-run-");
    const h = await createHarness(temp, { root, gitRemoteBase: app.base });
    context.onTestFinished(() => h.cleanup());
    await execa("git", ["clone", "--quiet", other.path, join(h.config.workspaceDir, "shop")]);
    await writePlanningArtifacts(h.config.workspaceDir, "shop", { prd: samplePrd("shop", 1) });
    await h.approve("shop", { repo: "app" });

    const result = await h.executor().runNow("shop");
    if (result.ok) throw new Error("expected the run to be refused");
    expect(result.message).toContain("move it away or fix the project's repo");
    expect(result.details).toMatchObject({
      slug: "shop",
      operator: "workspace_other_repo",
      next: "edit",
      field: "repo",
    });
    expect(failureReply(result).text).toBe(CHAT_WORDS);
    // The terminal's reader is the operator: the failure's own advice, and /edit in case the repo is wrong.
    expect(failureReply(result, { operator: true }).text).toBe(
      `${result.message} To set the repo instead: \`/edit shop --repo R\`.`,
    );
    expect(await h.status("shop")).toBe("failed");

    // Later, from the stored error.
    const got = await h.lister.get("shop");
    const record = got.ok ? got.record : undefined;
    if (!record) throw new Error("expected the project's record");
    expect(record.error_operator).toBe("workspace_other_repo");
    expect(projectCard(record)).toContain(`Error: ${CHAT_WORDS}`);
    const notice = notificationFor(record, "approved", { workspaceDir: h.config.workspaceDir, now: new Date() });
    expect(notice?.reply.text).toContain(`failed`);
    expect(notice?.reply.text).toContain(CHAT_WORDS);
    const ending = finalReply("shop", undefined, record, new Date());
    expect(ending.text).toContain(
      "finished: failed — The workspace folder of **shop** on the server holds a clone of another repository.",
    );
    for (const text of [projectCard(record), notice?.reply.text ?? "", ending.text])
      expect(text).not.toContain("move it away");
    expect(formatRecord(record)).toContain("move it away or fix the project's repo");

    // The operator at the terminal reads the stored error itself, in the card and in the notice.
    const operatorCard = projectCard(record, { operator: true });
    expect(operatorCard).toContain("move it away or fix the project's repo");
    expect(operatorCard).toContain("To set the repo: `/edit shop --repo R`.");
    expect(operatorCard).not.toContain("tell planbot's admin");
    const shown = await sendToChatAndTerminal(record, notice!.reply);
    expect(shown.chat).toContain(CHAT_WORDS);
    expect(shown.terminal).toContain("move it away or fix the project's repo");
    expect(shown.terminal).toContain("To set the repo: /edit shop --repo R.");
    expect(shown.terminal).not.toContain("tell planbot's admin");

    // Another error later (stored by another tool here) is not the operator's: its own words show again.
    await h.lifecycle.update("shop", (entry) => {
      entry.error = "ralph exited 1";
    });
    const after = await h.lister.get("shop");
    expect(after.ok && after.record?.error_operator).toBeNull();
  });
});

describe("a machine without jq", { timeout: 120_000 }, () => {
  it("refuses the run; chats say what is missing on the server and to tell the admin, the CLI says to install it", async (context: TestContext) => {
    const root = await temp.make("operator-jq-");
    const h = await createHarness(temp, { root, gitRemoteBase: app.base });
    context.onTestFinished(() => h.cleanup());
    await writePlanningArtifacts(h.config.workspaceDir, "todo");
    await h.approve("todo", { repo: "app" });
    const empty = await temp.make("operator-no-jq-");

    const result = await h.executor({ env: { ...process.env, PATH: empty } }).runNow("todo");
    if (result.ok) throw new Error("expected the run to be refused");
    expect(result.message).toContain(
      "Fix: install jq (apt-get install jq, brew install jq) for the user running planbot",
    );
    const replied = failureReply(result).text;
    expect(replied).toBe(
      "Ralph was not started: a tool it needs (jq) is not installed on the server. Please tell planbot's admin: it can only be fixed on the server planbot runs on. `/status todo` shows where things stand.",
    );

    const got = await h.lister.get("todo");
    const record = got.ok ? got.record : undefined;
    if (!record?.run_refusal) throw new Error("expected the refusal to be stored");
    // The card reads when as people say it: 12 minutes after the refusal, "12 min ago".
    const card = projectCard(record, { now: new Date(Date.parse(record.run_refusal.at) + 12 * 60_000) });
    expect(card).toContain(
      `Not started (12 min ago): a tool it needs (jq) is not installed on the server. Please tell planbot's admin`,
    );
    const notice = refusalReply(record).text;
    expect(notice).toContain(
      "**todo**: Ralph was not started: a tool it needs (jq) is not installed on the server.\nNothing ran: the project stays approved. Please tell planbot's admin",
    );
    // The /status overview's line uses the card's words; the operator's keeps the refusal's own reason.
    const line = projectLine(record);
    expect(line).toBe(
      "**todo** — approved — not started, needs a fix: a tool it needs (jq) is not installed on the server · 0/2 stories",
    );
    expect(projectLine(record, true)).toContain(": jq is not on PATH");
    for (const text of [replied, card, notice, line]) expect(text).not.toMatch(/apt-get|PATH|install jq/);
    expect(formatRecord(record)).toContain("install jq (apt-get install jq, brew install jq)");

    // The operator, at the terminal, reads the preflight's fix in the reply, the card and the notice.
    const fix = "install jq (apt-get install jq, brew install jq)";
    expect(failureReply(result, { operator: true }).text).toContain(fix);
    expect(projectCard(record, { operator: true })).toContain(`Fix: ${fix}`);
    const shown = await sendToChatAndTerminal(record, refusalReply(record));
    expect(shown.chat).toBe(notice);
    expect(shown.terminal).toContain(fix);
    expect(shown.terminal).toContain(
      "Nothing ran: the project stays approved. Fix that, then run it again with /run todo.",
    );
    for (const text of [
      failureReply(result, { operator: true }).text,
      projectCard(record, { operator: true }),
      shown.terminal,
    ])
      expect(text).not.toContain("tell planbot's admin");
  });
});
