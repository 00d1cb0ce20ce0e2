import { afterAll, it } from "vitest";
import { writeFileSync } from "node:fs";
import { createWorld, removeTempDirs, type World } from "./world.ts";

let w: World;
const out: string[] = [];
afterAll(async () => { await w?.cleanup(); await removeTempDirs(); writeFileSync("/tmp/chatqa/mission.txt", out.join("\n")); });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("explore", async () => {
  w = await createWorld({ repo: "team/shop", env: { FAKE_RALPH_MODE: "fail", FAKE_RALPH_DELAY_MS: "1500" } });
  await w.startPlanbot();
  let mark = w.mark();
  const step = async (text: string, ms = 2500, reply?: number) => {
    out.push(`>>> ${text}`);
    w.say(text, reply);
    await wait(ms);
    const texts = w.telegramTexts();
    for (const t of texts.slice(mark)) out.push(`  <<< ${JSON.stringify(t.slice(0, 900))}`);
    mark = texts.length;
  };
  mark = w.telegramTexts().length;
  await step('/p shop "A tiny shop" --repo team/shop');
  await step("/plan shop", 4000);
  await step("/next", 3000);
  await step("/next", 3000);
  await step("/next", 3000);
  await step("/done", 3000);
  await step("/run shop", 1500);
  await step("/status shop", 1000);
  await step("/run shop", 1000);
  await step("/edit shop --branch feat/y", 1000);
  await step("/plan shop", 1000);
  await step("/approve shop", 1000);
  await step("/status", 12000);
  await step("/status shop", 1500);
  await step("/retry shop", 1000);
  await step("/run shop", 3000);
  await step("/cancel shop", 3000);
  await step("/status shop", 1500);
  out.push("DISCORD:");
  for (const t of w.discordTexts()) out.push(`  ${JSON.stringify(t.slice(0, 600))}`);
}, 200_000);
