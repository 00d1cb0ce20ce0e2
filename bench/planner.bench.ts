/**
 * The planner turn overhead: one answer through the whole path — bot.handleAnswer on a session in the
 * clarify phase, the session store on disk (pending message before, outcome after), the keyed queue,
 * the reply — with the fake `claude` as PLANNER_COMMAND, against a bare execa spawn of the same fake
 * with the same flags, system prompt and stdin. Medians over the same number of answers, measured
 * alternately so load drift hits both sides alike. Goal: whole path ≤ 1.2 × bare spawn.
 */
import { mkdir } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { execa } from "execa";
import type { Incoming } from "../src/chat/incoming.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { renderPrompt } from "../src/planning/prompt-library.ts";
import { createRuntime } from "../src/runtime/runtime.ts";
import { fakeClaudePath } from "../test/fakes/paths.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import type { BenchResult } from "./bench-result.ts";

const ANSWERS = 24;
const WARMUP = 3;
const SLUG = "bench-turn";
const DESCRIPTION = "A project whose planning turns are timed";

/** Runs the planner bench and returns its result lines. */
export async function benchPlanner(): Promise<BenchResult[]> {
  const root = await makeTempDir("bench-planner-");
  const dataDir = join(root, "data");
  const claudeDir = join(root, "claude");
  await mkdir(claudeDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, CLAUDE_CONFIG_DIR: claudeDir };
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dataDir, PLANNER_COMMAND: fakeClaudePath, PLANNER_TIMEOUT_S: "60", PLANBOT_MEMBERS: "memory:bench" }, root);
  if (!loaded.ok) throw new Error(loaded.message);
  const runtime = createRuntime(loaded.config, silentLogger, { env });
  runtime.outbound.register("memory", { send: async () => ({ ok: true, messageIds: [] }) });
  try {
    const chat: Omit<Incoming, "text"> = { adapter: "memory", channelId: "bench", userId: "bench", userName: "bench" };
    const started = await runtime.bot.handleCommand({ ...chat, text: `/plan ${SLUG} ${DESCRIPTION}` });
    if (!started[0]?.text.includes("Before I design")) throw new Error(`planning did not start: ${started[0]?.text}`);
    const found = await runtime.planning.sessionForSlug(SLUG);
    const session = found.ok ? found.session : undefined;
    if (!session?.cwd) throw new Error("no planning session was stored");
    const cwd = session.cwd;

    // The bare side: the same fake, flags, system prompt, working folder and stdin, on a session of its own
    // in the same state (created once, then resumed like planbot's).
    const systemPrompt = renderPrompt("clarify", { slug: SLUG, description: DESCRIPTION });
    const bareSession = randomUUID();
    const bareArgs = (resume: boolean) => ["-p", "--output-format", "json", "--permission-mode", "plan", "--append-system-prompt", systemPrompt, ...(resume ? ["--resume", bareSession] : ["--session-id", bareSession])];
    const bareSpawn = async (message: string, resume: boolean, expected: string) => {
      const result = await execa(fakeClaudePath, bareArgs(resume), { input: message, cwd, env, reject: false });
      const parsed = JSON.parse(String(result.stdout || "{}")) as { is_error?: boolean; result?: string };
      if (parsed.is_error !== false || !parsed.result?.includes(expected)) throw new Error(`bare spawn failed: ${result.stdout} ${result.stderr}`);
    };
    await bareSpawn(`Let's plan "${SLUG}": ${DESCRIPTION}`, false, "Before I design");

    const wholeAnswer = async (message: string) => {
      const replies = await runtime.bot.handleAnswer({ ...chat, text: message });
      if (!replies[0]?.text.includes(`You answered: "${message}"`)) throw new Error(`answer failed: ${replies[0]?.text}`);
    };

    const whole: number[] = [];
    const bare: number[] = [];
    for (let index = 0; index < WARMUP + ANSWERS; index += 1) {
      const message = `Benchmark answer number ${index}: small shops, Node only`;
      let at = performance.now();
      await wholeAnswer(message);
      const wholeMs = performance.now() - at;
      at = performance.now();
      await bareSpawn(message, true, `You answered: "${message}"`);
      const bareMs = performance.now() - at;
      if (index >= WARMUP) {
        whole.push(wholeMs);
        bare.push(bareMs);
      }
    }
    const wholeMedian = median(whole);
    const bareMedian = median(bare);
    const ratio = wholeMedian / bareMedian;
    return [
      { name: `planner: answer through the whole path (median of ${ANSWERS})`, figures: { ms: wholeMedian, min_ms: Math.min(...whole), max_ms: Math.max(...whole) } },
      { name: `planner: bare spawn of the fake (median of ${ANSWERS})`, figures: { ms: bareMedian, min_ms: Math.min(...bare), max_ms: Math.max(...bare) } },
      {
        name: "planner: turn overhead, whole vs bare",
        figures: { whole_ms: wholeMedian, bare_ms: bareMedian, overhead_ms: wholeMedian - bareMedian },
        ratio: { value: ratio, goal: "≤ 1.2", met: ratio <= 1.2 },
      },
    ];
  } finally {
    await runtime.bot.drain();
    await runtime.stop();
    await removeTempDir(root);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
