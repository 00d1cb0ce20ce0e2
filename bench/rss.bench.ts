/**
 * Resident memory of `bin/planbot start` (the compiled dist/) with every adapter up: Telegram and Discord
 * connected to the offline fakes (test/fakes), the dashboard on 127.0.0.1, the change watcher over 50
 * projects. After start-up it answers a `/status` on Telegram, settles for a second, and its VmRSS is
 * sampled for two seconds from /proc/<pid>/status (the median counts; the highest sample and VmHWM, the
 * peak since start-up, are printed beside it). Goal: ≤ 120 MB. For reference: a bare node that only
 * imports discord.js and grammy (no flags).
 *
 * Run alone with `node --import tsx bench/rss.bench.ts`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { systemClock } from "../src/projects/clock.ts";
import { createLifecycle } from "../src/projects/lifecycle.ts";
import { createProjectStore } from "../src/projects/project-store.ts";
import { startFakeDiscord } from "../test/fakes/discord/index.ts";
import { fakeClaudePath } from "../test/fakes/paths.ts";
import { startFakeTelegram } from "../test/fakes/telegram/index.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import { printResults, type BenchResult } from "./bench-result.ts";
import { cleanEnv } from "./child-cpu.ts";
import { ensureDistBuilt } from "./dist-build.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const PROJECTS = 50;
const ADMIN = { id: 1, first_name: "Ada", username: "ada" };
const CHAT = { id: -1001000000042, type: "supergroup" as const, title: "RSS bench" };
const GOAL_MB = 120;

/** Runs the RSS bench and returns its result lines. */
export async function benchRss(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (ensureDistBuilt(repoRoot)) results.push({ name: "rss: dist/ was older than src/, rebuilt first", figures: {} });
  const root = await makeTempDir("bench-rss-");
  const discord = await startFakeDiscord({
    channels: [
      { id: "100", name: "general" },
      { id: "300", name: "builds" },
    ],
  });
  const telegram = await startFakeTelegram({ longPollMaxMs: 200 });
  telegram.addChat(CHAT);
  try {
    const dataDir = join(root, "data");
    const store = createProjectStore({ dataDir, clock: systemClock });
    const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
    for (let index = 0; index < PROJECTS; index += 1) {
      const proposed = await lifecycle.propose({ slug: `rss-${index}`, description: `RSS bench project ${index}` });
      if (!proposed.ok) throw new Error(proposed.message);
    }
    const env = cleanEnv({
      PLANBOT_DATA_DIR: dataDir,
      PLANBOT_ADMINS: `telegram:${ADMIN.id}`,
      TELEGRAM_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      DISCORD_NOTIFY_CHANNEL_ID: "300",
      DASHBOARD_HOST: "127.0.0.1",
      DASHBOARD_PORT: "0",
      PLANNER_COMMAND: fakeClaudePath,
      CLAUDE_CONFIG_DIR: join(root, "claude"),
      LOG_LEVEL: "info",
    });
    // Run as a user runs it (and as `npm start` does): the executable, so its shebang's node flags apply.
    const planbot = await sampleRss(join(repoRoot, "bin", "planbot"), ["start"], env, async (stderr) => {
      await until(
        () =>
          ["planbot started", "telegram: started", "discord: started", "dashboard: started"].every((line) =>
            stderr().includes(`"msg":"${line}"`),
          ),
        60_000,
        stderr,
      );
      const before = telegram.sentMessages(CHAT.id).length;
      telegram.sendMessage({ chat: CHAT, from: ADMIN, text: "/status" });
      await until(
        () =>
          telegram
            .sentMessages(CHAT.id)
            .slice(before)
            .some((message) => /Projects/.test(message.plain_text)),
        30_000,
        stderr,
      );
    });
    const bare = await sampleRss(
      process.execPath,
      ["--input-type=module", "-e", "import 'discord.js'; import 'grammy'; setInterval(() => {}, 1000);"],
      cleanEnv(),
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      },
    );
    results.push(
      {
        name: "rss: planbot start, Telegram + Discord (fakes) + dashboard up",
        figures: { rss_mb: planbot.rssMb, max_sample_mb: planbot.maxMb, peak_since_start_mb: planbot.peakMb },
      },
      {
        name: "rss: bare node importing discord.js and grammy (reference)",
        figures: { rss_mb: bare.rssMb, max_sample_mb: bare.maxMb, peak_since_start_mb: bare.peakMb },
      },
      {
        name: "rss: planbot start vs goal",
        figures: { rss_mb: planbot.rssMb, goal_mb: GOAL_MB },
        ratio: { value: planbot.rssMb / GOAL_MB, goal: `≤ 1 (≤ ${GOAL_MB} MB)`, met: planbot.rssMb <= GOAL_MB },
      },
    );
    return results;
  } finally {
    await telegram.close();
    await discord.close();
    await removeTempDir(root);
  }
}

/**
 * Starts `command`, waits for `ready`, lets it settle for a second, samples VmRSS every 100 ms for 2 s
 * (median, and the highest sample), reads VmHWM (the peak since start, start-up included), then stops it.
 */
async function sampleRss(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (stderr: () => string) => Promise<void>,
) {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => void (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await ready(() => stderr);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const samples: number[] = [];
    for (let sample = 0; sample < 20; sample += 1) {
      samples.push(statusKb(child.pid!, "VmRSS") / 1024);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    samples.sort((a, b) => a - b);
    return {
      rssMb: samples[samples.length >> 1]!,
      maxMb: samples.at(-1)!,
      peakMb: statusKb(child.pid!, "VmHWM") / 1024,
    };
  } finally {
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  }
}

function statusKb(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

async function until(check: () => boolean, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(
        `planbot start did not get ready in ${timeoutMs} ms:\n${stderr().split("\n").slice(-20).join("\n")}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResults(await benchRss());
}
