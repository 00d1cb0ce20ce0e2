/**
 * `planbot chat` attached to a running `bin/planbot start` of the same data dir (through its socket),
 * end to end with the fake Telegram, Discord, planner and Ralph: a session started in Telegram is
 * continued from the terminal and its planner reply reaches the Telegram group; a piped /status waits for
 * the slow planner turn before it; interrupting the terminal during a turn leaves no planner process; the plan is
 * finished and /run from the terminal (whose card, the operator's, names the plan by its whole path), and
 * the completion notice appears in the terminal.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { createWorld, eventually, planbotBin, removeTempDirs, type World } from "./world.ts";

const worlds: World[] = [];
const terminals: ResultPromise[] = [];
afterEach(async () => {
  for (const terminal of terminals.splice(0)) {
    terminal.kill("SIGKILL");
    await terminal.catch(() => undefined);
  }
  for (const world of worlds.splice(0)) await world.cleanup();
  await removeTempDirs();
});

/** A `planbot chat` child with piped stdin: `type` sends a line, `next` waits for output after a mark. */
function openTerminal(w: World) {
  const child = execa(planbotBin, ["chat"], {
    cwd: w.root,
    env: w.env,
    extendEnv: false,
    reject: false,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  terminals.push(child);
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => void (out += chunk));
  return {
    child,
    output: () => out,
    mark: () => out.length,
    type: (line: string) => child.stdin!.write(`${line}\n`),
    next: (from: number, pattern: RegExp, timeoutMs = 20_000) =>
      eventually(
        `the terminal to print ${pattern}`,
        () => pattern.exec(out.slice(from)),
        timeoutMs,
        () => `terminal:\n${out}\n${w.describe()}`,
      ),
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("planbot chat attached to planbot start", { timeout: 120_000 }, () => {
  it("continues a Telegram session from the terminal, answers piped lines in order, stops the planner on interrupt, and hears the completion", async () => {
    const w = await createWorld({ repo: "team/kiln", env: { FAKE_RALPH_COMMIT: "1" } });
    worlds.push(w);
    await w.startPlanbot();
    await w.command(`/p kiln "A kiln firing log" --repo team/kiln --branch feat/x --base main`, /Proposed kiln/);
    await w.command("/plan kiln", /Planning kiln — phase 1\/3: clarify/);

    // Every attached terminal is the operator's: only the data folder's owner may open the socket.
    expect(statSync(join(w.dataDir, "planbot.sock")).mode & 0o777).toBe(0o600);
    const terminal = openTerminal(w);
    let at = terminal.mark();
    terminal.type("/continue kiln");
    await terminal.next(at, /now follows the planning of kiln/);

    // An answer typed in the terminal reaches the planner, and its reply reaches the Telegram group too.
    const telegramFrom = w.mark();
    at = terminal.mark();
    terminal.type("Potters firing stoneware");
    await terminal.next(at, /You answered: "Potters firing stoneware"/);
    await w.botSaid(telegramFrom, /You answered: "Potters firing stoneware"/);

    // Piped lines are answered in their order: /status waits for the slow planner turn before it (at a
    // prompt it would not; test/cli/chat-terminal.test.ts types the same on a terminal).
    at = terminal.mark();
    terminal.type("[[fake:slow=1500]] and glaze notes");
    terminal.type("/status");
    await terminal.next(at, /Projects \(1\)/);
    const printed = terminal.output().slice(at);
    expect(printed.indexOf('You answered: "and glaze notes"'), printed).toBeGreaterThan(-1);
    expect(printed.indexOf('You answered: "and glaze notes"')).toBeLessThan(printed.indexOf("Projects (1)"));

    // The terminal goes away during a turn: the planner (and what it started) is stopped.
    const hangPid = join(w.env.CLAUDE_CONFIG_DIR!, "fake-claude", "hang-child.pid");
    terminal.type("[[fake:hang]] are you there?");
    const sleeper = await eventually("the hung planner to start", () => {
      try {
        return Number(readFileSync(hangPid, "utf8"));
      } catch {
        return 0;
      }
    });
    expect(alive(sleeper)).toBe(true);
    terminal.child.kill("SIGINT");
    await terminal.child;
    await eventually("the planner turn to be stopped", () => !alive(sleeper), 15_000);

    // A new terminal finishes the plan and runs it; the completion notice reaches it.
    const second = openTerminal(w);
    at = second.mark();
    second.type("/next");
    await second.next(at, /kiln — phase 2\/3: design/);
    second.type("/next");
    await second.next(at, /kiln — phase 3\/3: stories/);
    second.type("/next");
    await second.next(at, /Wrote final-plan\.md and prd\.json/, 30_000);
    second.type("/done");
    await second.next(at, /Approved kiln with its plan/);
    // The attached terminal is the operator's (a 0600 socket): its card names the plan document by its
    // whole path, where the Telegram group's names it inside the workspace.
    const plan = join(w.workspaceDir, "kiln", "scripts", "ralph", "final-plan.md");
    at = second.mark();
    second.type("/status kiln");
    expect((await second.next(at, /Plan: .*/))[0]).toBe(`Plan: ${plan}`);
    const group = (await w.command("/status kiln", /Plan: /)).plain_text;
    expect(group).toContain("Plan: scripts/ralph/final-plan.md in its workspace");
    expect(group).not.toContain(w.root);
    at = second.mark();
    second.type("/run kiln");
    await second.next(at, /kiln is complete: 3\/3 stories pass on branch `?feat\/x/, 60_000);
    second.child.stdin!.end();
    expect((await second.child).exitCode).toBe(0);
  });

  it("a standalone planbot chat serves the data dir: planbot start is refused and a second terminal attaches to it", async () => {
    const w = await createWorld({ repo: "team/kiln" });
    worlds.push(w);
    const owner = openTerminal(w);
    let at = owner.mark();
    owner.type('/p kiln "A kiln firing log" --repo team/kiln');
    await owner.next(at, /Proposed kiln/);

    const start = await execa(planbotBin, ["start"], {
      cwd: w.root,
      env: { ...w.env, TELEGRAM_TOKEN: "", DISCORD_TOKEN: "" },
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    expect(start.exitCode).toBe(1);
    expect(start.stderr).toMatch(/another planbot already serves this data dir/);

    const second = openTerminal(w);
    at = second.mark();
    second.type("/status kiln");
    // Had it started a planbot of its own, it would have been refused the socket and exited with an error.
    await second.next(at, /kiln/);
    second.type("/cancel kiln");
    await second.next(at, /Cancelled kiln/);
    second.child.stdin!.end();
    expect((await second.child).exitCode).toBe(0);

    // The second terminal's line ran in the owner's process, which still runs and answers.
    expect(w.entry("kiln")?.status).toBe("cancelled");
    at = owner.mark();
    owner.type("/status kiln");
    await owner.next(at, /kiln/);
    owner.child.stdin!.end();
    expect((await owner.child).exitCode).toBe(0);
  });
});
