/**
 * The mission tests' world: the fake Discord and the fake Telegram in this process, a bare git remote,
 * and the real `bin/planbot start` as a child process configured to use them (the fake planner as
 * PLANNER_COMMAND, the fake ralph.sh as RALPH_COMMAND). Everything it starts is tracked and killed by
 * {@link World.cleanup}: planbot children with SIGKILL, Ralph's process groups through the stored PIDs.
 */
import { existsSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import type { NotificationState } from "../../src/notify/notification-state.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import type { ProjectRecord } from "../../src/projects/project-list.ts";
import type { ProjectEntry } from "../../src/projects/schemas.ts";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord/index.ts";
import { fakeClaudePath, fakeRalphPath } from "../fakes/paths.ts";
import {
  startFakeTelegram,
  type FakeChat,
  type FakeTelegram,
  type FakeUser,
  type SentMessage,
} from "../fakes/telegram/index.ts";
import { createBareRemote, killGroups, type RemoteFixture } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** The CLI as scripts and people run it in a checkout. */
export const planbotBin = join(repoRoot, "bin", "planbot");

/** In PLANBOT_ADMINS as telegram:1. */
export const admin: FakeUser = { id: 1, first_name: "Ada", username: "ada" };
/** The Telegram group where projects are proposed and planned (no topics: answers are replies to the bot). */
export const planChat: FakeChat = { id: -1001000000021, type: "supergroup", title: "Mission planning" };
/** DISCORD_NOTIFY_CHANNEL_ID. */
export const DISCORD_NOTIFY = "300";
const DISCORD_GENERAL = "100";

/** Variables planbot (or the fakes) read: the children get none of the caller's. */
const OURS =
  /^(PLANBOT_|DISCORD_|TELEGRAM_|DASHBOARD_|PLANNER_|RALPH_|GIT_REMOTE_BASE$|EXECUTE_|LOG_LEVEL$|FAKE_RALPH_|FAKE_CLAUDE_|CLAUDE_FAKE_|CLAUDE_CONFIG_DIR$|MISSION_)/;

/** One `bin/planbot start` child. */
export interface PlanbotProcess {
  pid: number;
  /** Its stderr so far (pino JSON lines). */
  stderr(): string;
  exited(): boolean;
  /** SIGKILL, then waits until the process is gone. */
  kill(): Promise<void>;
}

/** Options of {@link createWorld}. */
export interface WorldOptions {
  /** The repository (under GIT_REMOTE_BASE) the project is proposed with. */
  repo: string;
  /** Extra environment for every planbot child (and so for Ralph). */
  env?: Record<string, string>;
}

/** One mission: fakes, a remote, a data dir and the planbot children. */
export interface World {
  root: string;
  dataDir: string;
  workspaceDir: string;
  remote: RemoteFixture;
  discord: FakeDiscord;
  telegram: FakeTelegram;
  env: NodeJS.ProcessEnv;
  /** Starts `bin/planbot start` and resolves once it logged "planbot started" with both chat adapters up (or without Telegram). */
  startPlanbot(options?: { telegram?: boolean }): Promise<PlanbotProcess>;
  /** A Discord user types `text` in #general and the bot's reply there matches `pattern`; returns the reply's content. */
  discordCommand(text: string, pattern: RegExp): Promise<string>;
  /** Runs `bin/planbot <args>` to the end. */
  cli(args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }>;
  /** `bin/planbot projects show <slug> --json`. */
  show(slug: string): Promise<ProjectRecord>;
  /** The admin types `text` in the planning group (optionally as a reply); returns the message's id. */
  say(text: string, replyToMessageId?: number): number;
  /** Waits for the bot's first message in the planning group after log index `from` matching `pattern`. */
  botSaid(from: number, pattern: RegExp, timeoutMs?: number): Promise<SentMessage>;
  /** Length of the bot's send/edit log in the planning group (a baseline for {@link World.botSaid}). */
  mark(): number;
  /** The admin types a command and waits for the bot's answer matching `pattern`. */
  command(text: string, pattern: RegExp, replyToMessageId?: number): Promise<SentMessage>;
  /** What the planning group received (sent messages, as users read them). */
  telegramTexts(): string[];
  /** What the Discord notify channel received. */
  discordTexts(): string[];
  /** The store's entry for `slug` (read from disk). */
  entry(slug: string): ProjectEntry | undefined;
  /** The notifier's persisted state. */
  notificationState(): NotificationState | undefined;
  /** A diagnostic dump for timeouts: planbot logs, chat texts, store entries. */
  describe(): string;
  cleanup(): Promise<void>;
}

/** Polls `check` every 25 ms until it returns a truthy value; throws naming `what` (and `describe()`) after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
  describe?: () => string,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `\n${describe()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Counts texts matching `pattern`. */
export const count = (texts: string[], pattern: RegExp): number => texts.filter((text) => pattern.test(text)).length;

const temp = createTempDirs();

/** Starts the fakes, makes the bare remote `options.repo` (main with three commits) and the child environment. */
export async function createWorld(options: WorldOptions): Promise<World> {
  const root = await temp.make("mission-");
  const dataDir = join(root, "data");
  const workspaceDir = join(dataDir, "workspace");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const remote = await createBareRemote(root, options.repo);
  const discord = await startFakeDiscord({
    channels: [
      { id: DISCORD_GENERAL, name: "general" },
      { id: DISCORD_NOTIFY, name: "builds" },
    ],
  });
  const telegram = await startFakeTelegram({ longPollMaxMs: 200 });
  telegram.addChat(planChat);

  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OURS.test(name)));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PLANBOT_DATA_DIR: dataDir,
    PLANBOT_ADMINS: `telegram:${admin.id}`,
    PLANBOT_MEMBERS: "",
    TELEGRAM_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    DISCORD_NOTIFY_CHANNEL_ID: DISCORD_NOTIFY,
    DASHBOARD_HOST: "127.0.0.1",
    DASHBOARD_PORT: "0",
    DASHBOARD_TOKEN: "",
    PLANNER_COMMAND: fakeClaudePath,
    PLANNER_TIMEOUT_S: "30",
    CLAUDE_CONFIG_DIR: claudeDir,
    GIT_REMOTE_BASE: remote.base,
    // An absolute ralph.sh outside the workspace is a template: the executor copies it into scripts/ralph/.
    RALPH_COMMAND: `${fakeRalphPath} --tool claude 10`,
    FAKE_RALPH_DELAY_MS: "50",
    LOG_LEVEL: "info",
    ...options.env,
  };

  const children: { process: ResultPromise; handle: PlanbotProcess }[] = [];
  let closed = false;

  const entries = (): ProjectEntry[] => {
    const file = join(dataDir, TASKS_FILE_NAME);
    if (!existsSync(file)) return [];
    try {
      return (JSON.parse(readFileSync(file, "utf8")) as { projects?: ProjectEntry[] }).projects ?? [];
    } catch {
      return []; // Read while renamed over: the next poll sees it.
    }
  };
  const sentLog = () => telegram.sentMessages(planChat.id);
  const telegramTexts = () =>
    sentLog()
      .filter((message) => message.kind === "sent")
      .map((message) => message.plain_text);
  const discordTexts = () => discord.channelMessages(DISCORD_NOTIFY).map((message) => message.content);

  const world: World = {
    root,
    dataDir,
    workspaceDir,
    remote,
    discord,
    telegram,
    env,
    async startPlanbot(options = {}) {
      const child = execa(planbotBin, ["start"], {
        cwd: root,
        env,
        extendEnv: false,
        reject: false,
        stdin: "ignore",
        stdout: "ignore",
        stderr: "pipe",
      });
      let stderr = "";
      let exited = false;
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (chunk: string) => void (stderr += chunk));
      void child.finally(() => void (exited = true));
      const pid = child.pid!;
      const handle: PlanbotProcess = {
        pid,
        stderr: () => stderr,
        exited: () => exited,
        async kill() {
          if (!exited) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              // Gone already.
            }
          }
          await child;
        },
      };
      children.push({ process: child, handle });
      await eventually(
        "planbot start to be up with Telegram and Discord",
        () => {
          if (exited) throw new Error(`planbot start exited early:\n${stderr}`);
          const telegramUp = options.telegram === false || stderr.includes('"msg":"telegram: started"');
          return (
            stderr.includes('"msg":"planbot started"') && telegramUp && stderr.includes('"msg":"discord: started"')
          );
        },
        40_000,
        () => stderr,
      );
      return handle;
    },
    async cli(args) {
      const result = await execa(planbotBin, args, {
        cwd: root,
        env,
        extendEnv: false,
        reject: false,
        stdin: "ignore",
        timeout: 40_000,
      });
      return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    async show(slug) {
      const shown = await world.cli(["projects", "show", slug, "--json"]);
      if (shown.exitCode !== 0)
        throw new Error(`planbot projects show ${slug} exited ${shown.exitCode}: ${shown.stderr}${shown.stdout}`);
      return JSON.parse(shown.stdout) as ProjectRecord;
    },
    async discordCommand(text, pattern) {
      const before = discord.channelMessages(DISCORD_GENERAL).length;
      await discord.sendMessage({ channelId: DISCORD_GENERAL, author: { id: "42", username: "pat" }, content: text });
      const reply = await eventually(
        `Discord to answer ${text}`,
        () =>
          discord
            .channelMessages(DISCORD_GENERAL)
            .slice(before)
            .find((message) => pattern.test(message.content)),
        20_000,
        world.describe,
      );
      return reply.content;
    },
    say(text, replyToMessageId) {
      return telegram.sendMessage({
        chat: planChat,
        from: admin,
        text,
        ...(replyToMessageId !== undefined ? { replyToMessageId } : {}),
      }).message_id;
    },
    mark: () => sentLog().length,
    async botSaid(from, pattern, timeoutMs = 20_000) {
      return eventually(
        `the bot to say ${pattern} in the planning group`,
        () =>
          sentLog()
            .slice(from)
            .find((message) => pattern.test(message.plain_text)),
        timeoutMs,
        world.describe,
      );
    },
    async command(text, pattern, replyToMessageId) {
      const from = world.mark();
      world.say(text, replyToMessageId);
      return world.botSaid(from, pattern);
    },
    telegramTexts,
    discordTexts,
    entry: (slug) => entries().find((entry) => entry.name === slug),
    notificationState() {
      const file = join(dataDir, "notifications.json");
      if (!existsSync(file)) return undefined;
      try {
        return JSON.parse(readFileSync(file, "utf8")) as NotificationState;
      } catch {
        return undefined;
      }
    },
    describe() {
      const logs = children.map(
        ({ handle }, index) =>
          `--- planbot #${index + 1} (pid ${handle.pid}) stderr tail:\n${handle.stderr().split("\n").slice(-25).join("\n")}`,
      );
      return [
        `store: ${JSON.stringify(entries())}`,
        `telegram planning group: ${JSON.stringify(telegramTexts())}`,
        `discord notify channel: ${JSON.stringify(discordTexts())}`,
        ...logs,
      ].join("\n");
    },
    async cleanup() {
      if (closed) return;
      closed = true;
      await Promise.all(children.map(({ handle }) => handle.kill()));
      killGroups(entries().flatMap((entry) => (typeof entry.pid === "number" ? [entry.pid] : [])));
      await telegram.close();
      await discord.close();
    },
  };
  return world;
}

/**
 * Writes a Ralph that waits until the file `gate` exists, then becomes the fake ralph.sh in the same
 * process (the PID planbot recorded stays Ralph's, and its command line keeps naming a ralph.sh, so the
 * derived status is running-ralph throughout). Returns the RALPH_COMMAND that runs it: an absolute path
 * outside the workspace, so the executor copies it into `scripts/ralph/` as the workspace's ralph.sh.
 * The fake works on the prd.json next to the path it was started by, so it is started through a
 * symlink in that folder.
 */
export async function gatedRalphCommand(root: string, gate: string): Promise<string> {
  const dir = join(root, "gated-ralph");
  await mkdir(dir, { recursive: true });
  const script = join(dir, "ralph.sh");
  const body = [
    "#!/usr/bin/env bash",
    "# Mission-test Ralph: holds until the test opens the gate, then runs the fake ralph.sh from this folder as its",
    "# child, not through exec: planbot recognises the PID it recorded by RALPH_COMMAND's script name (ralph.sh).",
    "set -euo pipefail",
    'here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    `while [[ ! -e ${shellQuote(gate)} ]]; do sleep 0.05; done`,
    `ln -sfn ${shellQuote(fakeRalphPath)} "$here/fake-ralph.sh"`,
    '"$here/fake-ralph.sh" "$@"',
    "",
  ].join("\n");
  await writeFile(script, body);
  await chmod(script, 0o755);
  await copyFile(join(dirname(fakeRalphPath), "CLAUDE.md"), join(dir, "CLAUDE.md"));
  return `${script} --tool claude 10`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Removes every world's temp folder (call after the worlds' cleanup). */
export function removeTempDirs(): Promise<void> {
  return temp.cleanup();
}
