// `bin/planbot chat` fed by a pipe, as a script feeds it: the replies come in the order of the lines, each
// line handled after the one before it was answered — a slow planner turn included — whether the chat runs
// a planbot of its own or is attached to another one through its socket.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fakeClaudePath } from "../fakes/paths.ts";
import { baseEnv, planbotBin } from "../helpers/planbot-child.ts";
import { waitUntil } from "../helpers/processes.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

/** Quick commands around a planner turn that takes 1.5 s: before the fix, /status and the rest overtook it. */
const SCRIPT = [
  `/p kiln "A kiln firing log"`,
  "/plan kiln",
  "[[fake:slow=1500]] Potters firing stoneware",
  "/status",
  "/whoami",
  "/nope",
  "",
].join("\n");

/** What each line of {@link SCRIPT} answers, in the order of the lines. */
const ANSWERS = [
  "Proposed kiln: A kiln firing log",
  "Planning kiln — phase 1/3: clarify",
  'You answered: "Potters firing stoneware"',
  "Projects (1)",
  "You are ",
  "Unknown command /nope.",
];

function chatEnv(root: string): Record<string, string | undefined> {
  return {
    ...baseEnv,
    PLANBOT_DATA_DIR: join(root, "data"),
    PLANNER_COMMAND: fakeClaudePath,
    CLAUDE_CONFIG_DIR: join(root, "claude-config"),
  };
}

/** Where each answer first appears in `output`; every one must appear exactly once. */
function positionsOf(output: string): number[] {
  return ANSWERS.map((answer) => {
    expect(output.split(answer), `"${answer}" once in:\n${output}`).toHaveLength(2);
    return output.indexOf(answer);
  });
}

function expectInLineOrder(output: string): void {
  const positions = positionsOf(output);
  expect(positions, output).toEqual([...positions].sort((a, b) => a - b));
  // The answer reached the planner because /plan had been answered first, not "Commands start with /".
  expect(output).not.toContain("Commands start with /");
  // Only the replies: a script has no Ctrl-C to press and no use for how long a turn took.
  expect(output).not.toMatch(/… working|\(took \d/);
}

describe("planbot chat with piped input", { timeout: 120_000 }, () => {
  it("standalone, answers the lines in their order, a slow planner turn included", async () => {
    const root = await temp.make("chat-order-");
    const run = await execa(planbotBin, ["chat"], {
      cwd: root,
      env: chatEnv(root),
      extendEnv: false,
      input: SCRIPT,
      reject: false,
      timeout: 90_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expectInLineOrder(String(run.stdout));
  });

  it("attached to another planbot chat, answers the lines in their order too", async () => {
    const root = await temp.make("chat-order-attached-");
    const env = chatEnv(root);
    const owner = execa(planbotBin, ["chat"], { cwd: root, env, extendEnv: false, reject: false, stdin: "pipe" });
    defer(() => killAndWait(owner));
    let ownerOutput = "";
    owner.stdout!.on("data", (chunk: Buffer) => (ownerOutput += chunk.toString("utf8")));
    owner.stdin!.write("/whoami\n");
    // Answering means it reads lines, so it already serves the data dir's socket.
    expect(await waitUntil(() => ownerOutput.includes("You are "), 60_000), ownerOutput).toBe(true);

    const attached = await execa(planbotBin, ["chat"], {
      cwd: root,
      env,
      extendEnv: false,
      input: SCRIPT,
      reject: false,
      timeout: 90_000,
    });
    expect(attached.exitCode, attached.stderr).toBe(0);
    expectInLineOrder(String(attached.stdout));
    owner.stdin!.end();
    expect((await owner).exitCode).toBe(0);
  });

  it("a line that is not UTF-8 is refused with what to do, and the next line is answered", async () => {
    const root = await temp.make("chat-not-utf8-");
    const input = Buffer.concat([
      Buffer.from("/p caf"),
      Buffer.from([0xe9]),
      Buffer.from(" A caf\u00e9 menu\n/p menu A caf\u00e9 menu\n"),
    ]);
    const run = await execa(planbotBin, ["chat"], {
      cwd: root,
      env: chatEnv(root),
      extendEnv: false,
      input,
      reject: false,
      timeout: 90_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = String(run.stdout).split("\n");
    expect(lines[0]).toBe(
      "That line holds bytes that are not UTF-8 text (shown as \uFFFD), so planbot did not act on it. Set the terminal to UTF-8 (e.g. LANG=C.UTF-8) and send it again.",
    );
    expect(lines[1]).toBe("Proposed menu: A caf\u00e9 menu");
    expect(String(run.stdout)).not.toContain("slug");
  });

  it("attached, a stop signal stops its planner turn and leaves quietly: the planbot it was attached to runs on", async () => {
    const root = await temp.make("chat-order-leave-");
    const env = chatEnv(root);
    const started = (label: string) => {
      const child = execa(planbotBin, ["chat"], { cwd: root, env, extendEnv: false, reject: false, stdin: "pipe" });
      defer(() => killAndWait(child));
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      const waitFor = async (text: string) =>
        expect(await waitUntil(() => output.includes(text), 60_000), `${label}:\n${output}`).toBe(true);
      return { child, output: () => output, waitFor };
    };
    const owner = started("owner");
    owner.child.stdin!.write("/whoami\n");
    await owner.waitFor("You are ");

    const attached = started("attached");
    // The next line waits behind a turn that never ends, and must not run after the signal.
    attached.child.stdin!.write(`/plan kiln "A kiln firing log"\n[[fake:hang]] Potters\n/cancel kiln\n`);
    await attached.waitFor("phase 1/3: clarify");
    // The hung turn's planner is running once planbot records it (a piped chat prints no "working" line).
    const planners = join(root, "data", "sessions", "planners");
    const running = () => existsSync(planners) && readdirSync(planners).some((name) => name.endsWith(".json"));
    expect(await waitUntil(running, 60_000), attached.output()).toBe(true);
    attached.child.kill("SIGINT");
    expect((await attached.child).exitCode).toBe(0);
    expect(attached.output()).not.toContain("was attached to stopped");

    owner.child.stdin!.write("/status kiln\n");
    await owner.waitFor("kiln — planning");
    expect(owner.child.exitCode).toBeNull();
    owner.child.stdin!.end();
    expect((await owner.child).exitCode).toBe(0);
  });
});
