// What `planbot start` says as it comes up with no chat platform configured, through the real
// `bin/planbot`: the terminal and the dashboard run, and no line says otherwise.
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { baseEnv, planbotBin } from "../helpers/planbot-child.ts";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const children: ResultPromise[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill("SIGKILL");
    await child.catch(() => undefined);
  }
  await temp.cleanup();
});

describe("planbot start without Discord or Telegram", { timeout: 120_000 }, () => {
  it("says the terminal and the dashboard run and how to add a chat platform, not that only the dashboard runs", async () => {
    const root = await temp.make("start-lines-");
    const child = execa(planbotBin, ["start"], {
      cwd: root,
      env: { ...baseEnv, PLANBOT_DATA_DIR: join(root, "data"), DASHBOARD_PORT: "0", LOG_FORMAT: "pretty" },
      extendEnv: false,
      reject: false,
    });
    children.push(child);
    let printed = "";
    child.stdout!.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    expect(await waitUntil(() => printed.includes("planbot started"), 60_000), printed).toBe(true);
    child.kill("SIGTERM");
    await child;

    expect(printed).toContain("terminal: started");
    expect(printed).toContain(
      "no Discord or Telegram chat is configured: chat in the terminal (planbot chat attaches here) or on the dashboard. Set DISCORD_TOKEN or TELEGRAM_TOKEN to chat there too.",
    );
    expect(printed).not.toContain("only the dashboard runs");
  });
});
