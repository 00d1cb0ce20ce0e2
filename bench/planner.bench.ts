/**
 * The planner turn overhead with the REAL Claude Code CLI (the pinned devDependency) against the fake
 * Messages API on 127.0.0.1: one answer through the whole path — bot.handleAnswer on a session in the
 * clarify phase, the session store on disk (pending message before, outcome after), planbot's
 * conversation record, the keyed queue, the reply — against a bare execa call of the same CLI with the
 * same arguments, environment, working folder and stdin on a conversation of its own. Medians over the
 * same number of answers, measured alternately so load drift hits both sides alike. Goal: ≤ 1.1 × bare.
 *
 * The overhead is the median of each answer's own difference (planbot's call minus the bare call made right
 * before or after it), not the difference of the two medians: a pair's two calls run back to back, so a
 * slow spell of the VM lands on both and cancels out. With two independent medians of 8 calls, one quiet
 * afternoon printed ratios from 0.94 to 1.14 for the same code.
 */
import { mkdir } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { execa } from "execa";
import type { Incoming } from "../src/chat/incoming.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { plannerArgs } from "../src/planning/claude-cli-planner.ts";
import { memberBlock } from "../src/planning/member-message.ts";
import { plannerEnv } from "../src/planning/planner-env.ts";
import { renderPrompt } from "../src/planning/prompt-library.ts";
import { createRuntime } from "../src/runtime/runtime.ts";
import { plannerScript } from "../test/fakes/messages-api/planner-script.ts";
import { startFakeMessagesApi } from "../test/fakes/messages-api/server.ts";
import { realClaudePath } from "../test/real-cli/claude-binary.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import type { BenchResult } from "./bench-result.ts";

const ANSWERS = Number(process.env.BENCH_FULL === "1" ? 20 : 12);
const WARMUP = 1;
const SLUG = "bench-turn";
const DESCRIPTION = "A project whose planning turns are timed";

/** Runs the planner bench and returns its result lines. */
export async function benchPlanner(): Promise<BenchResult[]> {
  const root = await makeTempDir("bench-planner-");
  const api = await startFakeMessagesApi(plannerScript);
  const dataDir = join(root, "data");
  const home = join(root, "home");
  await mkdir(join(home, ".claude"), { recursive: true });
  const claude = realClaudePath();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: "sk-ant-bench-dummy",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  };
  const loaded = loadConfig(
    { PLANBOT_DATA_DIR: dataDir, PLANNER_COMMAND: claude, PLANNER_TIMEOUT_S: "120", PLANBOT_MEMBERS: "memory:bench" },
    root,
  );
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, { env });
  runtime.outbound.register("memory", { send: async () => ({ ok: true, messageIds: [] }) });
  try {
    const chat: Omit<Incoming, "text"> = { adapter: "memory", channelId: "bench", userId: "bench", userName: "bench" };
    const started = await runtime.bot.handleCommand({ ...chat, text: `/plan ${SLUG} ${DESCRIPTION}` });
    if (!started[0]?.text.includes("Who will use")) throw new Error(`planning did not start: ${started[0]?.text}`);
    const found = await runtime.planning.sessionForSlug(SLUG);
    const cwd = found.ok ? found.session?.cwd : undefined;
    if (!cwd) throw new Error("no planning session was stored");

    // The bare side: the same CLI, arguments, environment, folder and stdin, on a conversation of its own.
    const systemPrompt = renderPrompt("clarify", { slug: SLUG, workspace: cwd });
    const bareSession = randomUUID();
    const bareEnv = { ...plannerEnv(env), DISABLE_AUTOUPDATER: "1" };
    const bareCall = async (message: string, resume: boolean, expected: string) => {
      const result = await execa(claude, plannerArgs({ sessionId: bareSession, resume, systemPrompt }), {
        input: message,
        cwd,
        env: bareEnv,
        extendEnv: false,
        reject: false,
        detached: true,
      });
      const parsed = JSON.parse(String(result.stdout || "{}")) as { is_error?: boolean; result?: string };
      if (parsed.is_error !== false || !parsed.result?.includes(expected))
        throw new Error(`bare call failed: ${result.stdout} ${result.stderr}`);
    };
    await bareCall(memberBlock(DESCRIPTION, { user: "bench", adapter: "memory" }), false, "Who will use");

    const wholeAnswer = async (message: string) => {
      const replies = await runtime.bot.handleAnswer({ ...chat, text: message });
      if (!replies[0]?.text.includes(`You answered: "${message}"`))
        throw new Error(`answer failed: ${replies[0]?.text}`);
    };

    const whole: number[] = [];
    const bare: number[] = [];
    for (let index = 0; index < WARMUP + ANSWERS; index += 1) {
      const message = `Benchmark answer number ${index}: small shops, Node only`;
      const runWhole = async () => {
        const at = performance.now();
        await wholeAnswer(message);
        return performance.now() - at;
      };
      const runBare = async () => {
        const at = performance.now();
        await bareCall(memberBlock(message, { user: "bench", adapter: "memory" }), true, `You answered: "${message}"`);
        return performance.now() - at;
      };
      // Alternate which side goes first, so neither always runs on a warmer machine.
      let wholeMs: number;
      let bareMs: number;
      if (index % 2 === 0) {
        wholeMs = await runWhole();
        bareMs = await runBare();
      } else {
        bareMs = await runBare();
        wholeMs = await runWhole();
      }
      if (index >= WARMUP) {
        whole.push(wholeMs);
        bare.push(bareMs);
      }
    }
    const wholeMedian = median(whole);
    const bareMedian = median(bare);
    const overheadMs = median(whole.map((ms, index) => ms - bare[index]!));
    const ratio = (bareMedian + overheadMs) / bareMedian;
    return [
      {
        name: `planner: answer through planbot, real CLI (median of ${ANSWERS})`,
        figures: { ms: wholeMedian, min_ms: Math.min(...whole), max_ms: Math.max(...whole) },
      },
      {
        name: `planner: bare real CLI call (median of ${ANSWERS})`,
        figures: { ms: bareMedian, min_ms: Math.min(...bare), max_ms: Math.max(...bare) },
      },
      {
        name: "planner: turn overhead, planbot vs bare CLI",
        figures: { overhead_ms: overheadMs, bare_ms: bareMedian, medians_ratio: wholeMedian / bareMedian },
        ratio: { value: ratio, goal: "≤ 1.1", met: ratio <= 1.1 },
      },
    ];
  } finally {
    await runtime.bot.drain();
    await runtime.stop();
    await api.close();
    await removeTempDir(root);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
