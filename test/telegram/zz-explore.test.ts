import { afterAll, it } from "vitest";
import { writeFileSync } from "node:fs";
import { admin, adminChat, forum, group, guest, member, memberChat, startHarness, type TelegramHarness } from "./harness.ts";
import type { FakeChat } from "../fakes/telegram/index.ts";

let h: TelegramHarness;
const out: string[] = [];
afterAll(async () => { await h?.close(); writeFileSync("/tmp/chatqa/tg.txt", out.join("\n")); });

async function say(text: string, opts: { from?: typeof admin; chat?: FakeChat; reply?: number; thread?: number } = {}) {
  const chat = opts.chat ?? adminChat;
  try {
    const r = await h.say({ chat, from: opts.from ?? admin, text, replyToMessageId: opts.reply, threadId: opts.thread }, 20000);
    out.push(`>>> ${text.slice(0, 200)}\n<<< (${r.reply.plain_text.length}) ${r.reply.plain_text.slice(0, 800)}\n    buttons: ${JSON.stringify(r.reply.reply_markup?.inline_keyboard ?? null)}`);
    return r;
  } catch (e) { out.push(`>>> ${text.slice(0,200)}\n!!! ${(e as Error).message.slice(0, 500)}`); return undefined; }
}

it("explore", async () => {
  h = await startHarness(); await h.runtime.watcher.start();
  await say("/plan cx-app A thing");
  await say("/cancel cx-app", { chat: memberChat, from: admin });
  await say("/status cx-app", { chat: memberChat, from: admin });
  await say("more answer");
  await say("/status cx-app");
  await say("/next");
  await say("/next");
  await say("/next");
  await say("/done");
  await say("/status cx-app");
  await say("/plan un-app A thing");
  await say("/unapprove un-app", { chat: memberChat, from: admin });
  await say("/approve un-app", { chat: memberChat, from: admin });
  await say("/status un-app", { chat: memberChat, from: admin });
  await say("/stop");
  await say("/status un-app", { chat: memberChat, from: admin });
  await say("/approve un-app", { chat: memberChat, from: admin });
  await say("/approve un-app", { chat: memberChat, from: admin });
  await say("/unapprove un-app", { chat: memberChat, from: admin });
  await say("/unapprove un-app", { chat: memberChat, from: admin });
  await say("/cancel un-app", { chat: memberChat, from: admin });
  await say("/unapprove un-app", { chat: memberChat, from: admin });
  await say("/run un-app", { chat: memberChat, from: admin });
}, 300_000);
