// What `planbot start` says as it comes up — with no chat platform configured, with a store it cannot read —
// through the real `bin/planbot`: the terminal and the dashboard run, and no line says otherwise.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { baseEnv, planbotBin } from "../helpers/planbot-child.ts";
import { waitUntil } from "../helpers/processes.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

describe("planbot start without Discord or Telegram", { timeout: 120_000 }, () => {
  it("says the terminal and the dashboard run and how to add a chat platform, not that only the dashboard runs", async () => {
    const root = await temp.make("start-lines-");
    const child = execa(planbotBin, ["start"], {
      cwd: root,
      env: { ...baseEnv, PLANBOT_DATA_DIR: join(root, "data"), DASHBOARD_PORT: "0", LOG_FORMAT: "pretty" },
      extendEnv: false,
      reject: false,
    });
    defer(() => killAndWait(child));
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

describe("planbot start with a project store it cannot read", { timeout: 120_000 }, () => {
  it("logs it once with the file and the fix, which the dashboard's banner points its readers to, and logs the fix", async () => {
    const root = await temp.make("start-store-");
    const dataDir = join(root, "data");
    const store = join(dataDir, TASKS_FILE_NAME);
    await mkdir(dataDir, { recursive: true });
    await writeFile(store, "{ broken");
    const child = execa(planbotBin, ["start"], {
      cwd: root,
      env: { ...baseEnv, PLANBOT_DATA_DIR: dataDir, DASHBOARD_PORT: "0" },
      extendEnv: false,
      reject: false,
    });
    defer(() => killAndWait(child));
    let logged = "";
    child.stderr!.on("data", (chunk: Buffer) => (logged += chunk.toString("utf8")));
    const lines = () =>
      logged
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(await waitUntil(() => logged.includes("planbot started"), 60_000), logged).toBe(true);
    const broken = lines().filter(
      (line) => line.msg === "the project store cannot be read; nothing can change a project until it is fixed",
    );
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ level: "warn", code: "store_corrupt", file: store });
    expect(broken[0]!.reason).toContain(`${store} cannot be read: not valid JSON`);
    expect(broken[0]!.reason).toContain("fix or move the file, then retry.");

    await rm(store);
    expect(await waitUntil(() => logged.includes("the project store is readable again"), 30_000), logged).toBe(true);
    child.kill("SIGTERM");
    await child;
  });
});
