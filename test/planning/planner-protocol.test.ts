/**
 * The planner's edges, without the bot: the CLI backend against the fake `claude` (argv, stdin, every
 * failure mode, the timeout killing the process tree), the planner protocol's parser (ready marker,
 * final blocks, prd.json validation), transcript reading and the per-session queue.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, it } from "vitest";
import { createClaudeCliPlanner } from "../../src/planning/claude-cli-planner.ts";
import { validatePrd } from "../../src/planning/finalize-step.ts";
import { createKeyedQueue } from "../../src/planning/keyed-queue.ts";
import type { PlannerTurn } from "../../src/planning/planner-backend.ts";
import { renderPrompt } from "../../src/planning/prompt-library.ts";
import { extractFinalBlocks, PHASE_READY_MARKER, readPhaseMarker } from "../../src/planning/protocol.ts";
import {
  cliProjectFolder,
  readCliTranscript as readTranscript,
  transcriptPath,
} from "../../src/planning/transcript.ts";
import { PrdSchema } from "../../src/projects/schemas.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { alive, waitUntil } from "../helpers/processes.ts";

const temp = createTempDirs();
// Tests run concurrently: remove the folders once all of them are done.
afterAll(() => temp.cleanup());

interface Call {
  argv: string[];
  cwd: string;
  stdin: string;
}

/** A folder for the planner to run in and a CLAUDE_CONFIG_DIR for the fake. */
async function sandbox() {
  const root = await temp.make("planner-");
  const cwd = join(root, "work");
  const claudeDir = join(root, "claude");
  await mkdir(cwd, { recursive: true });
  await mkdir(claudeDir, { recursive: true });
  const env = { ...process.env, CLAUDE_CONFIG_DIR: claudeDir };
  const calls = async (): Promise<Call[]> => {
    const file = join(claudeDir, "fake-claude", "calls.jsonl");
    if (!existsSync(file)) return [];
    return (await readFile(file, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  };
  return { root, cwd, claudeDir, env, calls };
}

function turn(cwd: string, overrides: Partial<PlannerTurn> = {}): PlannerTurn {
  return {
    sessionId: randomUUID(),
    resume: false,
    systemPrompt: renderPrompt("clarify", { slug: "demo", description: "A demo project" }),
    message: "Let's plan demo",
    cwd,
    ...overrides,
  };
}

/** Runs the fake once in the finalize phase and returns its result text. */
async function fakeFinalize(env: NodeJS.ProcessEnv, cwd: string, message = "Write the final plan and prd.json now.") {
  const result = await execa(
    fakeClaudePath,
    [
      "-p",
      "--output-format",
      "json",
      "--permission-mode",
      "plan",
      "--append-system-prompt",
      renderPrompt("finalize", { slug: "demo", description: "A demo", branch: "ralph/demo" }),
      "--session-id",
      randomUUID(),
    ],
    { input: message, cwd, env },
  );
  return (JSON.parse(result.stdout) as { result: string }).result;
}

describe.concurrent("claude CLI planner backend", () => {
  it("passes the documented flags as an argument array, the message on stdin, and resumes with the same id", async ({
    expect,
  }) => {
    const box = await sandbox();
    const planner = createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env: box.env });
    const sessionId = randomUUID();
    // Shell metacharacters must arrive verbatim: no shell is involved.
    const tricky = `It's "quoted" $(touch ${join(box.root, "pwned")}) \`id\` ; | & > <`;
    const first = await planner.run(
      turn(box.cwd, {
        sessionId,
        message: tricky,
        systemPrompt: `${renderPrompt("clarify", { slug: "demo", description: "d" })}\n$HOME "x" 'y'`,
      }),
    );
    expect(first).toMatchObject({ ok: true, sessionId, costUsd: 0.0123 });
    const second = await planner.run(turn(box.cwd, { sessionId, resume: true, message: "Second answer" }));
    expect(second.ok && second.text).toContain('You answered: "Second answer"');
    const calls = await box.calls();
    expect(calls).toHaveLength(2);
    const [one, two] = calls as [Call, Call];
    expect(one.argv.slice(0, 5)).toEqual(["-p", "--output-format", "json", "--tools", "Read,Grep,Glob"]);
    expect(one.argv).not.toContain("--permission-mode");
    expect(one.argv).toContain("--strict-mcp-config");
    expect(one.argv[one.argv.indexOf("--setting-sources") + 1]).toBe("user");
    expect(one.argv).toContain("--append-system-prompt");
    expect(one.argv.slice(-2)).toEqual(["--session-id", sessionId]);
    expect(one.argv).not.toContain("--resume");
    expect(one.argv[one.argv.indexOf("--append-system-prompt") + 1]).toMatch(/\$HOME "x" 'y'$/);
    expect(one.stdin).toBe(tricky);
    expect(one.cwd).toBe(box.cwd);
    expect(existsSync(join(box.root, "pwned"))).toBe(false);
    expect(two.argv.slice(-2)).toEqual(["--resume", sessionId]);
    expect(two.argv).not.toContain("--session-id");
    expect(two.stdin).toBe("Second answer");
  });

  it("reports a crash with its exit code and stderr", async ({ expect }) => {
    const box = await sandbox();
    const result = await createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env: box.env }).run(
      turn(box.cwd, { message: "[[fake:crash]] hi" }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("planner_failed");
    expect(result.details?.reason).toBe("crash");
    expect(result.message).toContain("exit code 3");
    expect(result.message).toContain("simulated crash");
    expect(result.message).toMatch(/send it again/i);
  });

  it("reports unparsable output", async ({ expect }) => {
    const box = await sandbox();
    const result = await createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env: box.env }).run(
      turn(box.cwd, { message: "[[fake:garbage]] hi" }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details?.reason).toBe("unparsable");
    expect(result.message).toContain("this is not json");
    expect(result.message).toMatch(/could not be read/);
  });

  it("treats is_error as a failure even when the subtype says success", async ({ expect }) => {
    const box = await sandbox();
    const result = await createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env: box.env }).run(
      turn(box.cwd, { message: "[[fake:is_error]] hi" }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details?.reason).toBe("is_error");
    expect(result.message).toContain("API Error: overloaded");
  });

  it("reports an error subtype as such, with the reason the CLI gave", async ({ expect }) => {
    // The CLI's error results have no `result` text: the subtype and its `errors` list are all the user
    // can be told. "The planner reported an error: no details" tells them nothing.
    const box = await sandbox();
    const result = await createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env: box.env }).run(
      turn(box.cwd, { message: "[[fake:error-subtype]] hi" }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("planner_failed");
    expect(result.details?.reason).toBe("subtype");
    expect(result.message).toMatch(/error_max_turns|maximum number of turns/i);
    expect(result.message).not.toMatch(/no details/);
  });

  it("says how to install the CLI or set PLANNER_COMMAND when the executable is missing", async ({ expect }) => {
    const box = await sandbox();
    const result = await createClaudeCliPlanner({
      command: "/nonexistent/claude",
      timeoutMs: 20_000,
      env: box.env,
    }).run(turn(box.cwd));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details?.reason).toBe("missing");
    expect(result.message).toContain("/nonexistent/claude");
    expect(result.message).toContain("PLANNER_COMMAND");
    expect(result.message).toMatch(/npm install -g @anthropic-ai\/claude-code/);
  });

  it("times out a hanging planner and kills its whole process tree", async ({ expect }) => {
    const box = await sandbox();
    const planner = createClaudeCliPlanner({
      command: fakeClaudePath,
      timeoutMs: 1500,
      env: box.env,
      killGraceMs: 300,
    });
    const started = Date.now();
    const result = await planner.run(turn(box.cwd, { message: "[[fake:hang]] hi" }));
    const elapsed = Date.now() - started;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details?.reason).toBe("timeout");
    expect(result.message).toMatch(/did not answer within 2 s/);
    expect(result.message).toContain("PLANNER_TIMEOUT_S");
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(5000);
    const pidFile = join(box.claudeDir, "fake-claude", "hang-child.pid");
    const childPid = Number(await readFile(pidFile, "utf8"));
    expect(childPid).toBeGreaterThan(0);
    const gone = await waitUntil(() => !alive(childPid), 3000);
    if (!gone) process.kill(childPid, "SIGKILL");
    expect(gone).toBe(true);
  });
});

describe("planner protocol", () => {
  it("strips the ready marker on its own last line, or glued to the end of it", ({ expect }) => {
    expect(readPhaseMarker(`Summary:\n- a\n- b\n${PHASE_READY_MARKER}`)).toEqual({
      text: "Summary:\n- a\n- b",
      ready: true,
    });
    expect(readPhaseMarker(`Done.\n\n  ${PHASE_READY_MARKER}  \n\n`)).toEqual({ text: "Done.", ready: true });
    expect(readPhaseMarker(`All set. ${PHASE_READY_MARKER}`)).toEqual({ text: "All set.", ready: true });
    // A marker line in the middle is never shown either (only the last line decides readiness).
    expect(readPhaseMarker(`Part one.\n${PHASE_READY_MARKER}\nOne more question?`)).toEqual({
      text: "Part one.\nOne more question?",
      ready: false,
    });
  });

  it("leaves a reply without a trailing marker alone", ({ expect }) => {
    expect(readPhaseMarker("1. Who uses it?\n2. Which stack?\n")).toEqual({
      text: "1. Who uses it?\n2. Which stack?",
      ready: false,
    });
    const quoted = `I will end with ${PHASE_READY_MARKER} when ready.\nFirst: who uses it?`;
    expect(readPhaseMarker(quoted)).toEqual({ text: quoted, ready: false });
  });

  it("reads the fake's 4-backtick plan with an inner ```bash block, and its prd.json", async ({ expect }) => {
    const box = await sandbox();
    const text = await fakeFinalize({ ...box.env, CLAUDE_FAKE_FOUR_BACKTICKS: "1" }, box.cwd);
    expect(text).toContain("````markdown final-plan.md");
    const blocks = extractFinalBlocks(text);
    expect(blocks.plan).toMatch(/^# Plan for demo\n/);
    expect(blocks.plan).toContain("## Verification\nRun the checks:\n\n```bash\nnpm ci && npm test\n```");
    expect(blocks.plan!.endsWith("```")).toBe(true);
    expect(blocks.plan).not.toContain("````");
    expect(blocks.plan).not.toContain("prd.json");
    expect(PrdSchema.safeParse(JSON.parse(blocks.prdJson!)).success).toBe(true);
    expect(blocks.commentary).toBe("Here is the final plan for demo and the Ralph PRD.");
  });

  it("reads the fake's plain 3-backtick plan", async ({ expect }) => {
    const box = await sandbox();
    const blocks = extractFinalBlocks(await fakeFinalize(box.env, box.cwd));
    expect(blocks.plan).toMatch(
      /^# Plan for demo\n[\s\S]*## Verification\nRun `npm ci && npm test`; every story lists its own acceptance criteria\.$/,
    );
    const checked = validatePrd(blocks.prdJson);
    expect(checked.ok && checked.prd.userStories.map((story) => story.id)).toEqual(["US-001", "US-002", "US-003"]);
  });

  it("keeps inner fenced blocks of a 3-backtick plan when they open with a language", ({ expect }) => {
    const text = [
      "Intro for the owner.",
      "```markdown final-plan.md",
      "# Plan",
      "```sh",
      "make test",
      "```",
      "The end.",
      "```",
      "Between the blocks.",
      "~~~json prd.json",
      '{"project":"x","branchName":"ralph/x","description":"d","userStories":[{"id":"US-001","title":"t","description":"d","acceptanceCriteria":["a"],"priority":1,"passes":false,"notes":""}]}',
      "~~~",
      "Outro.",
    ].join("\n");
    const blocks = extractFinalBlocks(text);
    expect(blocks.plan).toBe("# Plan\n```sh\nmake test\n```\nThe end.");
    expect(validatePrd(blocks.prdJson).ok).toBe(true);
    expect(blocks.commentary).toBe("Intro for the owner.\nBetween the blocks.\nOutro.");
  });

  it("quotes the schema problems of an invalid prd.json, and says when the block is missing", async ({ expect }) => {
    const box = await sandbox();
    const blocks = extractFinalBlocks(await fakeFinalize(box.env, box.cwd, "Write it [[fake:invalid-prd]]"));
    expect(blocks.plan).toBeTruthy();
    const checked = validatePrd(blocks.prdJson);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problem).toContain("branchName");
    expect(checked.problem).toContain("userStories.1.passes");
    const missing = validatePrd(extractFinalBlocks("No blocks at all, sorry.").prdJson);
    expect(missing.ok === false && missing.problem).toContain("```json prd.json");
    const broken = validatePrd("{ not json");
    expect(broken.ok === false && broken.problem).toMatch(/not valid JSON/);
  });
});

describe("transcript", () => {
  it("keeps only user and assistant text from the CLI's JSONL", async ({ expect }) => {
    const box = await sandbox();
    const env = { CLAUDE_CONFIG_DIR: box.claudeDir };
    const sessionId = randomUUID();
    const file = transcriptPath("/home/me/my project.v2", sessionId, env);
    expect(file).toBe(join(box.claudeDir, "projects", "-home-me-my-project-v2", `${sessionId}.jsonl`));
    const lines = [
      { type: "summary", summary: "Planning", leafUuid: "x" },
      {
        type: "user",
        isMeta: true,
        message: { role: "user", content: "<local-command-caveat>caveat</local-command-caveat>" },
      },
      { type: "user", message: { role: "user", content: "We need a shop." } },
      {
        type: "assistant",
        message: {
          role: "assistant",
          content: [
            { type: "text", text: "Who buys?" },
            { type: "tool_use", id: "t1", name: "Read", input: {} },
          ],
        },
      },
      {
        type: "user",
        message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "secret file" }] },
        toolUseResult: "secret file",
      },
      {
        type: "assistant",
        message: { role: "assistant", content: [{ type: "tool_use", id: "t2", name: "Grep", input: {} }] },
      },
      {
        type: "user",
        message: {
          role: "user",
          content: [
            { type: "text", text: "Potters." },
            { type: "text", text: "Mostly." },
          ],
        },
      },
      {
        type: "user",
        message: {
          role: "user",
          content: "<command-name>/plan</command-name><command-args>shop please</command-args>",
        },
      },
      {
        type: "user",
        message: { role: "user", content: "[EXTERNAL CONTENT]\nfrom the dashboard\n[END EXTERNAL CONTENT]" },
      },
      { type: "system", content: "compacted" },
      {
        type: "assistant",
        message: {
          role: "assistant",
          model: "<synthetic>",
          content: [{ type: "text", text: "No response requested." }],
        },
        isApiErrorMessage: false,
      },
      {
        type: "assistant",
        message: { role: "assistant", content: [{ type: "text", text: "No response requested." }] },
      },
      { type: "assistant", message: { role: "assistant", content: `Thanks.\n${PHASE_READY_MARKER}` } },
    ];
    await mkdir(dirname(file!), { recursive: true });
    await writeFile(file!, `${lines.map((line) => JSON.stringify(line)).join("\n")}\nnot json at all\n\n`);
    expect(await readTranscript("/home/me/my project.v2", sessionId, env)).toEqual([
      { role: "user", text: "We need a shop." },
      { role: "assistant", text: "Who buys?" },
      { role: "user", text: "Potters.\n\nMostly." },
      { role: "user", text: "shop please" },
      { role: "user", text: "from the dashboard" },
      { role: "assistant", text: "Thanks." },
    ]);
    expect(await readTranscript("/home/me/elsewhere", sessionId, env)).toEqual([]);
    // Not a UUID: never a path.
    expect(transcriptPath("/home/me", "../../etc/passwd", env)).toBeUndefined();
    expect(await readTranscript("/home/me", "--help", env)).toEqual([]);
    // Past 200 characters the CLI cuts the folder name and appends a hash.
    const long = `/srv/${"a".repeat(300)}`;
    expect(cliProjectFolder(long)).toMatch(/^-srv-a{195}-[0-9a-f]{8}$/);
  });

  it("reads what the fake CLI wrote, skipping its meta and tool lines", async ({ expect }) => {
    const box = await sandbox();
    const planner = createClaudeCliPlanner({ command: fakeClaudePath, timeoutMs: 20_000, env: box.env });
    const sessionId = randomUUID();
    expect((await planner.run(turn(box.cwd, { sessionId, message: "First message" }))).ok).toBe(true);
    expect((await planner.run(turn(box.cwd, { sessionId, resume: true, message: "Second message" }))).ok).toBe(true);
    const raw = await readFile(transcriptPath(box.cwd, sessionId, box.env)!, "utf8");
    expect(raw).toContain("toolUseResult");
    expect(raw).toContain('"isMeta":true');
    const history = await readTranscript(box.cwd, sessionId, box.env);
    expect(history.map((entry) => entry.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(history[0]!.text).toBe("First message");
    expect(history.some((entry) => entry.text.includes(PHASE_READY_MARKER))).toBe(false);
    expect(history[1]!.text).toMatch(/^Before I design demo/);
    expect(history[2]!.text).toBe("Second message");
    expect(history[3]!.text).toContain('You answered: "Second message"');
    expect(history.some((entry) => /caveat|File does not exist/.test(entry.text))).toBe(false);
  });
});

describe("keyed queue", () => {
  it("runs one job at a time per key, in order, and at most `limit` keys at once", async ({ expect }) => {
    const queue = createKeyedQueue(2);
    const log: string[] = [];
    let active = 0;
    let peak = 0;
    const job = (name: string, ms: number) => async () => {
      active += 1;
      peak = Math.max(peak, active);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
      active -= 1;
      return name;
    };
    const results = await Promise.all([
      queue.run("a", job("a1", 30)),
      queue.run("a", job("a2", 5)),
      queue.run("b", job("b1", 10)),
      queue.run("c", job("c1", 10)),
      queue.run("a", job("a3", 5)),
    ]);
    expect(results).toEqual(["a1", "a2", "b1", "c1", "a3"]);
    expect(peak).toBe(2);
    const order = (name: string) => log.indexOf(`start ${name}`);
    expect(order("a1")).toBeLessThan(order("a2"));
    expect(order("a2")).toBeLessThan(order("a3"));
    expect(log.indexOf("end a1")).toBeLessThan(order("a2"));
    expect(log.indexOf("end a2")).toBeLessThan(order("a3"));
    expect(queue.depth("a")).toBe(0);
  });

  it("keeps going after a failed job", async ({ expect }) => {
    const queue = createKeyedQueue(1);
    const failed = queue.run("k", async () => {
      throw new Error("boom");
    });
    const next = queue.run("k", async () => "after");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("after");
  });
});
