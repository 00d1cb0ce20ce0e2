/**
 * A real restart: `bin/planbot chat` is killed while the planner answers, then started again on the same
 * data folder. The message that was in flight must not be lost silently: the restarted chat says so
 * before anything else, the message can be resent, and it continues the same Claude session.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { afterEach, describe, it } from "vitest";
import type { SessionsFile } from "../../src/planning/session-store.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const planbot = fileURLToPath(new URL("../../bin/planbot", import.meta.url));
const temp = createTempDirs();
const started: ResultPromise[] = [];
const orphanGroups: number[] = [];

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.pid !== undefined) child.kill("SIGKILL");
    await child.catch(() => undefined);
  }
  for (const group of orphanGroups.splice(0)) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await temp.cleanup();
});

interface Call {
  argv: string[];
  stdin: string;
}

/** Children of a process whose command line mentions `needle`, from /proc. */
function childrenOf(pid: number, needle: string): number[] {
  const children: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && readFileSync(`/proc/${name}/cmdline`, "utf8").includes(needle))
        children.push(Number(name));
    } catch {
      // Exited meanwhile.
    }
  }
  return children;
}

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function flag(call: Call, name: string): string | undefined {
  const at = call.argv.indexOf(name);
  return at === -1 ? undefined : call.argv[at + 1];
}

// Two start-ups of the CLI through tsx, a few seconds each on a loaded machine.
describe("planbot chat killed mid-turn", { timeout: 60_000 }, () => {
  it("reports the lost message after the restart, and the resent message continues the same Claude session", async ({
    expect,
  }) => {
    const root = await temp.make("chat-restart-");
    const dataDir = join(root, "data");
    const claudeDir = join(root, "claude");
    await mkdir(claudeDir, { recursive: true });
    const env = {
      PLANBOT_DATA_DIR: dataDir,
      PLANNER_COMMAND: fakeClaudePath,
      CLAUDE_CONFIG_DIR: claudeDir,
      PLANNER_TIMEOUT_S: "30",
    };
    const callsFile = join(claudeDir, "fake-claude", "calls.jsonl");
    const calls = (): Call[] =>
      existsSync(callsFile)
        ? readFileSync(callsFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Call)
        : [];
    const sessions = async () =>
      JSON.parse(await readFile(join(dataDir, "sessions", "planning.json"), "utf8")) as SessionsFile;

    // First process: start planning, then send an answer the planner takes 5 s over, and kill it meanwhile.
    const first = execa(planbot, ["chat"], { cwd: root, env, stdin: "pipe", reject: false });
    started.push(first);
    let out = "";
    first.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    first.stdin!.write("/plan doomed A project whose turn dies\n");
    await waitFor("the first planner reply", () => out.includes("Before I design doomed"));
    first.stdin!.write("The answer that dies [[fake:slow=60000]]\n");
    await waitFor("the planner to receive the answer", () =>
      calls().some((call) => call.stdin.includes("The answer that dies")),
    );
    const planner = await waitFor("the planner process", () => childrenOf(first.pid!, fakeClaudePath)[0]);
    orphanGroups.push(planner);
    // The planner's record (pid + start time) is on disk while it runs.
    expect(existsSync(join(dataDir, "sessions", "planners", `${planner}.json`))).toBe(true);
    first.kill("SIGKILL");
    await first;
    // The planner runs in its own process group and outlives the killed planbot…
    const gone = () =>
      !existsSync(`/proc/${planner}`) || readFileSync(`/proc/${planner}/stat`, "utf8").includes(") Z ");
    expect(gone()).toBe(false);
    const stored = (await sessions())["console:terminal"];
    expect(stored?.pending_message?.text).toBe("The answer that dies [[fake:slow=60000]]");
    expect(out).not.toContain("You answered");

    // Second process on the same folders.
    const second = execa(planbot, ["chat"], {
      cwd: root,
      env,
      input: "/status doomed\nThe answer that dies\n",
      reject: false,
      timeout: 40_000,
    });
    started.push(second);
    const result = await second;
    expect(result.exitCode).toBe(0);
    // …until the next planbot stops it before resuming the session.
    await waitFor("the leftover planner to be stopped", gone, 5000);
    expect(existsSync(join(dataDir, "sessions", "planners", `${planner}.json`))).toBe(false);
    const printed = String(result.stdout);
    // Told before anything else: the notice comes ahead of the /status card.
    const notice = printed.indexOf("The answer that dies");
    const card = printed.indexOf("doomed — planning");
    expect(card).toBeGreaterThanOrEqual(0);
    expect(notice).toBeGreaterThanOrEqual(0);
    expect(notice).toBeLessThan(card);
    expect(printed).toContain('You answered: "The answer that dies"');

    const all = calls();
    expect(all.map((call) => call.stdin)).toEqual([
      expect.stringContaining("A project whose turn dies"),
      expect.stringMatching(
        /^<member-message from="[^"]*" via="console">\nThe answer that dies \[\[fake:slow=60000\]\]\n<\/member-message>$/,
      ),
      expect.stringMatching(/^<member-message from="[^"]*" via="console">\nThe answer that dies\n<\/member-message>$/),
    ]);
    const id = flag(all[0]!, "--session-id");
    expect(flag(all[1]!, "--resume")).toBe(id);
    expect(flag(all[2]!, "--resume")).toBe(id);
    expect((await sessions())["console:terminal"]).toMatchObject({ pending_message: null, session_id: id, turns: 2 });
  });
});
