/**
 * The real Claude Code CLI (the pinned devDependency) as planbot's planner, talking to the fake
 * Messages API on 127.0.0.1: a temp HOME and CLAUDE_CONFIG_DIR, a dummy API key, no autoupdater, no
 * nonessential traffic. planbot's own tokens are in the environment planbot runs with, so tests can
 * check that none of them reaches the planner or the API. The project's repository is a real bare git
 * repository under GIT_REMOTE_BASE.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Incoming } from "../../src/chat/incoming.ts";
import type { Reply } from "../../src/chat/reply.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { startFakeMessagesApi, type FakeMessagesApi, type ReplyScript } from "../fakes/messages-api/server.ts";
import { plannerScript } from "../fakes/messages-api/planner-script.ts";
import { createBareRemote, type RemoteFixture } from "../helpers/git-fixtures.ts";
import type { TempDirs } from "../helpers/temp-dir.ts";
import { realClaudePath } from "./claude-binary.ts";

/** What a real-CLI test works with. */
export interface RealCliWorld {
  root: string;
  dataDir: string;
  workspaceDir: string;
  claudeDir: string;
  api: FakeMessagesApi;
  remote: RemoteFixture;
  /** planbot's secrets, present in the environment planbot runs with. */
  secrets: Record<"DASHBOARD_TOKEN" | "DISCORD_TOKEN" | "TELEGRAM_TOKEN", string>;
  env: NodeJS.ProcessEnv;
  runtime: Runtime;
  /** Replies mirrored to chats through Outbound. */
  outbox: { channelId: string; reply: Reply }[];
  incoming(channelId: string, text: string, userName?: string): Incoming;
  /** Stops the runtime and starts a new one on the same folders (a planbot restart). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link realCliWorld}. */
export interface RealCliOptions {
  script?: ReplyScript;
  /** Leave ANTHROPIC_API_KEY out: the CLI is "not logged in". */
  loggedOut?: boolean;
  repo?: string;
}

/** Sets up the world in a fresh temp folder of `temp`. */
export async function realCliWorld(temp: TempDirs, options: RealCliOptions = {}): Promise<RealCliWorld> {
  const root = await temp.make("real-cli-");
  const dataDir = join(root, "data");
  const home = join(root, "home");
  const claudeDir = join(home, ".claude");
  await mkdir(claudeDir, { recursive: true });
  const api = await startFakeMessagesApi(options.script ?? plannerScript);
  const remote = await createBareRemote(root, options.repo ?? "shop");
  const secret = (name: string) => `${name}-${randomBytes(12).toString("hex")}`;
  const secrets = { DASHBOARD_TOKEN: secret("dash"), DISCORD_TOKEN: secret("disc"), TELEGRAM_TOKEN: secret("tele") };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: claudeDir,
    ANTHROPIC_BASE_URL: api.url,
    ...(options.loggedOut ? {} : { ANTHROPIC_API_KEY: "sk-ant-test-dummy" }),
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    ...secrets,
  };
  const loaded = loadConfig(
    {
      PLANBOT_DATA_DIR: dataDir,
      PLANNER_COMMAND: realClaudePath(),
      PLANNER_TIMEOUT_S: "120",
      GIT_REMOTE_BASE: remote.base,
    },
    root,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const outbox: RealCliWorld["outbox"] = [];
  const build = () => {
    const runtime = createRuntime(loaded.config, silentLogger, { env });
    runtime.outbound.register("memory", {
      async send(target, reply) {
        outbox.push({ channelId: target.channelId, reply });
        return { ok: true, messageIds: [] };
      },
    });
    return runtime;
  };
  let runtime = build();
  let running = true;
  const world: RealCliWorld = {
    root,
    dataDir,
    workspaceDir: loaded.config.workspaceDir,
    claudeDir,
    api,
    remote,
    secrets,
    env,
    get runtime() {
      return runtime;
    },
    outbox,
    incoming: (channelId, text, userName = "ana") => ({
      adapter: "memory",
      channelId,
      userId: `u-${userName}`,
      userName,
      text,
    }),
    async restart() {
      await runtime.stop();
      runtime = build();
    },
    async stop() {
      if (!running) return;
      running = false;
      await runtime.stop();
      await api.close();
    },
  };
  return world;
}
