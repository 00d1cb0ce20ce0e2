// Proves the fake `claude` and fake `ralph.sh` behave as their headers say,
// so that planner/executor tests built on them test planbot, not the fakes.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa, type Options, type Result } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { fakeClaudePath, fakeRalphPath } from "./fakes/paths.ts";

const READY = "[[PHASE_READY]]";

// ─── helpers ─────────────────────────────────────────────────────────────

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A fresh temp folder (real path, so it matches the child's process.cwd()). */
async function tmpDir(prefix = "planbot-fakes-"): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Kill a leftover pid (best effort) when a test ends, whatever happened. */
function killLater(pid: number | undefined): void {
  if (!pid) return;
  cleanups.push(() => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  });
}

/** True once pid no longer runs (gone, or a zombie nobody has reaped yet). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface ClaudeEnv {
  /** CLAUDE_CONFIG_DIR */
  config: string;
  /** cwd of the fake (the "workspace") */
  cwd: string;
}

async function claudeEnv(): Promise<ClaudeEnv> {
  const root = await tmpDir();
  const env = { config: path.join(root, "config"), cwd: path.join(root, "ws") };
  await fs.mkdir(env.cwd, { recursive: true });
  return env;
}

function systemPrompt(phase: string | null, slug = "demo"): string {
  return [
    "You are planbot's planner.",
    ...(phase ? [`PLANBOT-PHASE: ${phase}`] : []),
    `PLANBOT-PROJECT: ${slug}`,
    "Be brief.",
  ].join("\n");
}

/** planbot's argv: new session or resume. */
function plannerArgs(phase: string | null, session: { id: string } | { resume: string }): string[] {
  return [
    "-p",
    "--output-format",
    "json",
    "--permission-mode",
    "plan",
    "--append-system-prompt",
    systemPrompt(phase),
    ...("id" in session ? ["--session-id", session.id] : ["--resume", session.resume]),
  ];
}

function runClaude(e: ClaudeEnv, args: string[], input: string, extra: Options = {}) {
  return execa(fakeClaudePath, args, {
    cwd: e.cwd,
    input,
    reject: false,
    timeout: 10_000,
    ...extra,
    env: { CLAUDE_CONFIG_DIR: e.config, ...(extra.env ?? {}) },
  });
}

interface ResultJson {
  type: string;
  subtype: string;
  is_error: boolean;
  result?: string;
  errors?: string[];
  session_id: string;
  total_cost_usd: number;
  num_turns: number;
  duration_ms: number;
  duration_api_ms: number;
  usage: { input_tokens: number; output_tokens: number };
}

function json(r: Result): ResultJson {
  return JSON.parse(String(r.stdout)) as ResultJson;
}

/** A successful turn's reply text (asserts the envelope on the way). */
async function turn(
  e: ClaudeEnv,
  phase: string | null,
  session: { id: string } | { resume: string },
  input: string,
  extra: Options = {},
) {
  const r = await runClaude(e, plannerArgs(phase, session), input, extra);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  const out = json(r);
  expect(out).toMatchObject({ type: "result", subtype: "success", is_error: false, total_cost_usd: 0.0123 });
  expect(typeof out.result).toBe("string");
  return { text: out.result!, out };
}

/**
 * Fenced blocks whose opening line is "<fence><lang> <name>", closed by a line
 * made only of at least as many backticks (CommonMark), so a ``` inside a
 * ```` block does not end it.
 */
function fencedBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\w+) (\S+)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const end = lines.findIndex((l, j) => j > i && /^`{3,}\s*$/.test(l) && l.trim().length >= fence.length);
    if (end < 0) throw new Error(`unclosed block ${open[3]}`);
    blocks.set(open[3]!, lines.slice(i + 1, end).join("\n"));
    i = end;
  }
  return blocks;
}

function expectValidPrd(prd: any, slug: string): void {
  expect(prd).toMatchObject({ project: slug, branchName: `ralph/${slug}` });
  expect(typeof prd.description).toBe("string");
  expect(prd.userStories.map((s: any) => s.id)).toEqual(["US-001", "US-002", "US-003"]);
  prd.userStories.forEach((s: any, i: number) => {
    expect(s).toMatchObject({ priority: i + 1, passes: false, notes: "" });
    expect(typeof s.title).toBe("string");
    expect(typeof s.description).toBe("string");
    expect(s.acceptanceCriteria.length).toBeGreaterThan(0);
  });
}

const encode = (cwd: string) => cwd.replace(/[^a-zA-Z0-9]/g, "-");

async function readJsonl(file: string): Promise<any[]> {
  return (await fs.readFile(file, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

// ─── fake claude ─────────────────────────────────────────────────────────

describe("fake claude", () => {
  it("walks clarify → design → stories → finalize with markers and a valid prd.json", async () => {
    const e = await claudeEnv();
    const id = randomUUID();

    const q = await turn(e, "clarify", { id }, "I want a todo app for my family");
    expect(q.out.session_id).toBe(id);
    expect(q.out.num_turns).toBe(1);
    expect(q.out.usage.input_tokens).toBeGreaterThan(0);
    expect(q.out.usage.output_tokens).toBeGreaterThan(0);
    expect(q.out.duration_ms).toBeGreaterThanOrEqual(0);
    expect(q.out.duration_api_ms).toBeGreaterThanOrEqual(0);
    expect(q.text).toMatch(/^1\. .+\?$/m);
    expect(q.text).toMatch(/^2\. .+\?$/m);
    expect(q.text.endsWith("?")).toBe(true);
    expect(q.text).not.toContain(READY);

    const a = await turn(e, "clarify", { resume: id }, "Just the four of us, hosted on a Pi");
    expect(a.out.session_id).toBe(id);
    expect(a.out.num_turns).toBe(2);
    expect(a.text).toContain('"Just the four of us, hosted on a Pi"');
    expect(a.text.split("\n").at(-1)).toBe(READY);

    const d = await turn(e, "design", { resume: id }, "go on");
    for (const h of ["## Approach", "## Stack", "## Risks"]) expect(d.text).toContain(h);
    expect(d.text.split("\n").at(-1)).toBe(READY);

    const s = await turn(e, "stories", { resume: id }, "next");
    const numbered = s.text.split("\n").filter((l) => /^\d+\. /.test(l));
    expect(numbered.map((l) => l.slice(0, 3))).toEqual(["1. ", "2. ", "3. "]);
    expect(s.text.split("\n").at(-1)).toBe(READY);

    const f = await turn(e, "finalize", { resume: id }, "/done");
    expect(f.out.num_turns).toBe(5);
    expect(f.text).not.toContain(READY);
    const firstLine = f.text.split("\n")[0]!;
    expect(firstLine).not.toMatch(/^`/); // commentary before the blocks
    expect(f.text).toContain("```markdown final-plan.md\n# Plan for demo\n");
    const blocks = fencedBlocks(f.text);
    expect([...blocks.keys()]).toEqual(["final-plan.md", "prd.json"]);
    expect(blocks.get("final-plan.md")!.startsWith("# Plan for demo")).toBe(true);
    expect(blocks.get("final-plan.md")).not.toContain("```"); // default: no inner fence
    expect(f.text.trimEnd().endsWith("```")).toBe(true);
    expectValidPrd(JSON.parse(blocks.get("prd.json")!), "demo");
  });

  it("FAKE_CLAUDE_FOUR_BACKTICKS=1 wraps the plan in ```` with a ```bash block inside", async () => {
    const e = await claudeEnv();
    const { text } = await turn(e, "finalize", { id: randomUUID() }, "/done", {
      env: { FAKE_CLAUDE_FOUR_BACKTICKS: "1" },
    });
    expect(text).toContain("````markdown final-plan.md\n# Plan for demo\n");
    const plan = fencedBlocks(text).get("final-plan.md")!;
    expect(plan).toContain("```bash\nnpm ci && npm test\n```");
    expect(plan).toContain("## Verification");
    // A naive parser that stops at the first ``` cuts the plan short:
    const naive = /````markdown final-plan\.md\n([\s\S]*?)\n```/.exec(text)![1]!;
    expect(naive.length).toBeLessThan(plan.length);
    expectValidPrd(JSON.parse(fencedBlocks(text).get("prd.json")!), "demo");
  });

  it("echoes without a PLANBOT-PHASE line and asks again in a new session", async () => {
    const e = await claudeEnv();
    const { text } = await turn(e, null, { id: randomUUID() }, "hello there");
    expect(text).toBe("You said: hello there");
    const asText = await runClaude(e, ["-p", "--output-format", "text", "--session-id", randomUUID()], "plain\n");
    expect(asText.stdout).toBe("You said: plain");
    // clarify questions are per session: a new session asks again
    const q = await turn(e, "clarify", { id: randomUUID() }, "a new idea");
    expect(q.text).not.toContain(READY);
  });

  it("enforces session rules: in-use id, unknown resume, other cwd, bad uuid", async () => {
    const e = await claudeEnv();
    const id = randomUUID();
    await turn(e, null, { id }, "first");

    const again = await runClaude(e, plannerArgs(null, { id }), "second");
    expect(again.exitCode).toBe(1);
    expect(json(again)).toMatchObject({
      type: "result",
      subtype: "error_during_execution",
      is_error: true,
      result: `Session ID ${id} is already in use`,
      session_id: id,
    });

    const unknown = randomUUID();
    const r = await runClaude(e, plannerArgs(null, { resume: unknown }), "hi");
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toBe(`No conversation found with session ID: ${unknown}`);
    expect(r.stdout).toBe("");

    // sessions belong to the folder they were created in, like the real CLI
    const other = path.join(e.cwd, "sub");
    await fs.mkdir(other);
    const elsewhere = await runClaude(e, plannerArgs(null, { resume: id }), "hi", { cwd: other });
    expect(elsewhere.exitCode).toBe(1);
    expect(String(elsewhere.stderr)).toBe(`No conversation found with session ID: ${id}`);

    const bad = await runClaude(e, plannerArgs(null, { id: "not-a-uuid" }), "hi");
    expect(bad.exitCode).toBe(1);
    expect(String(bad.stderr)).toContain("Invalid session ID");

    const both = await runClaude(e, [...plannerArgs(null, { id: randomUUID() }), "--resume", id], "hi");
    expect(both.exitCode).toBe(1);

    // resuming from the right folder still works after all that
    const ok = await turn(e, null, { resume: id }, "third");
    expect(ok.text).toBe("You said: third");
    expect(ok.out.num_turns).toBe(2);
  });

  it("rejects unknown options and empty input; answers --version without stdin", async () => {
    const e = await claudeEnv();
    const unknownOpt = await runClaude(e, [...plannerArgs(null, { id: randomUUID() }), "--no-such-flag"], "hi");
    expect(unknownOpt.exitCode).toBe(1);
    expect(String(unknownOpt.stderr)).toContain("unknown option '--no-such-flag'");

    const empty = await runClaude(e, plannerArgs(null, { id: randomUUID() }), "  \n");
    expect(empty.exitCode).toBe(1);
    expect(String(empty.stderr)).toContain("Input must be provided");

    const v = await execa(fakeClaudePath, ["--version"], { env: { CLAUDE_CONFIG_DIR: e.config }, timeout: 5000 });
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+ \(Claude Code\)$/);

    const noConfig = await execa(fakeClaudePath, ["-p"], {
      input: "hi",
      reject: false,
      env: { CLAUDE_CONFIG_DIR: "" },
      timeout: 5000,
    });
    expect(noConfig.exitCode).toBe(2);
    expect(String(noConfig.stderr)).toContain("CLAUDE_CONFIG_DIR");
  });

  it("writes the transcript in the real format, with lines readers must skip", async () => {
    const e = await claudeEnv();
    const id = randomUUID();
    const r1 = await turn(e, "clarify", { id }, "first message\n");
    const r2 = await turn(e, "clarify", { resume: id }, "second message");

    const file = path.join(e.config, "projects", encode(e.cwd), `${id}.jsonl`);
    const lines = await readJsonl(file);
    expect(lines.map((l) => l.type)).toEqual([
      "summary",
      "user",
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
      "assistant",
    ]);

    const [summary, meta, user1, toolUse, toolResult, reply1, user2, reply2] = lines;
    expect(summary.summary).toBeTypeOf("string");
    expect(meta.isMeta).toBe(true);
    expect(user1.message).toEqual({ role: "user", content: "first message\n" });
    expect(toolUse.message.role).toBe("assistant");
    expect(toolUse.message.content[0].type).toBe("tool_use");
    expect(toolResult.toolUseResult).toBeDefined();
    expect(toolResult.message.content[0]).toMatchObject({
      type: "tool_result",
      tool_use_id: toolUse.message.content[0].id,
    });
    expect(reply1.message).toMatchObject({ role: "assistant", content: [{ type: "text", text: r1.text }] });
    expect(user2.message).toEqual({ role: "user", content: "second message" });
    expect(reply2.message.content).toEqual([{ type: "text", text: r2.text }]);

    // common fields and an unbroken parentUuid chain
    const chain = lines.slice(1);
    chain.forEach((l, i) => {
      expect(l).toMatchObject({ sessionId: id, cwd: e.cwd });
      expect(l.uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(l.timestamp))).toBe(false);
      expect(l.parentUuid).toBe(i === 0 ? null : chain[i - 1].uuid);
    });

    // what a correct reader keeps: real user text and assistant text only
    const kept = lines
      .filter((l) => (l.type === "user" || l.type === "assistant") && !l.isMeta && !l.toolUseResult)
      .map((l) =>
        typeof l.message.content === "string"
          ? l.message.content
          : l.message.content
              .filter((b: any) => b.type === "text")
              .map((b: any) => b.text)
              .join(""),
      )
      .filter(Boolean);
    expect(kept).toEqual(["first message\n", r1.text, "second message", r2.text]);
  });

  it("logs every invocation, failed ones included, to calls.jsonl", async () => {
    const e = await claudeEnv();
    const id = randomUUID();
    await turn(e, "design", { id }, "msg one");
    await runClaude(e, plannerArgs("design", { resume: id }), "boom [[fake:crash]]");
    const calls = await readJsonl(path.join(e.config, "fake-claude", "calls.jsonl"));
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ argv: plannerArgs("design", { id }), cwd: e.cwd, stdin: "msg one" });
    expect(calls[1]).toMatchObject({ argv: plannerArgs("design", { resume: id }), stdin: "boom [[fake:crash]]" });
    expect(Number.isNaN(Date.parse(calls[1].at))).toBe(false);
  });

  it("[[fake:crash]] exits 3 with stderr and leaves the session untouched", async () => {
    const e = await claudeEnv();
    const id = randomUUID();
    const r = await runClaude(e, plannerArgs("clarify", { id }), "idea [[fake:crash]]");
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toBe("fatal: simulated crash");
    expect(r.stdout).toBe("");
    expect(existsSync(path.join(e.config, "fake-claude", `${id}.json`))).toBe(false);
    expect(existsSync(path.join(e.config, "projects", encode(e.cwd), `${id}.jsonl`))).toBe(false);
    // the same first message can be resent with the same --session-id
    const q = await turn(e, "clarify", { id }, "idea");
    expect(q.text).not.toContain(READY); // still the first clarify turn

    const r2 = await runClaude(e, plannerArgs("clarify", { resume: id }), "answers [[fake:crash]]");
    expect(r2.exitCode).toBe(3);
    const a = await turn(e, "clarify", { resume: id }, "answers");
    expect(a.out.num_turns).toBe(2);
    expect(a.text.endsWith(READY)).toBe(true);
  });

  it("[[fake:garbage]] prints non-JSON with exit 0 and does not advance the session", async () => {
    const e = await claudeEnv();
    const id = randomUUID();
    await turn(e, "clarify", { id }, "idea");
    const r = await runClaude(e, plannerArgs("clarify", { resume: id }), "answers [[fake:garbage]]");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("this is not json");
    expect(() => JSON.parse(String(r.stdout))).toThrow();
    const lines = await readJsonl(path.join(e.config, "projects", encode(e.cwd), `${id}.jsonl`));
    expect(lines.filter((l) => l.type === "assistant" && l.message.content[0].type === "text")).toHaveLength(1);
    const a = await turn(e, "clarify", { resume: id }, "answers");
    expect(a.out.num_turns).toBe(2);
  });

  it("[[fake:is_error]] is a success subtype with is_error true (exit 0)", async () => {
    const e = await claudeEnv();
    const id = randomUUID();
    const r = await runClaude(e, plannerArgs("design", { id }), "[[fake:is_error]] hi");
    expect(r.exitCode).toBe(0);
    expect(json(r)).toMatchObject({
      type: "result",
      subtype: "success",
      is_error: true,
      result: "API Error: overloaded",
      session_id: id,
    });
    expect(existsSync(path.join(e.config, "fake-claude", `${id}.json`))).toBe(false);
  });

  it("[[fake:error-subtype]] reports error_max_turns without a result (exit 1)", async () => {
    const e = await claudeEnv();
    const r = await runClaude(e, plannerArgs("design", { id: randomUUID() }), "[[fake:error-subtype]]");
    expect(r.exitCode).toBe(1);
    const out = json(r);
    expect(out).toMatchObject({ type: "result", subtype: "error_max_turns", is_error: true });
    expect(out.result).toBeUndefined();
    expect(out.errors?.length).toBe(1);
  });

  it("[[fake:long]] gives ~5,000 characters with <, & and a ts block, keeping the phase marker", async () => {
    const e = await claudeEnv();
    const d = await turn(e, "design", { id: randomUUID() }, "[[fake:long]] tell me everything");
    expect(d.text.length).toBeGreaterThan(4500);
    expect(d.text.length).toBeLessThan(5500);
    expect(d.text.split("\n\n").length).toBeGreaterThan(5);
    expect(d.text).toContain("<");
    expect(d.text).toContain("&");
    expect(d.text).toMatch(/```ts\n[\s\S]+?\n```/);
    expect(d.text.split("\n").at(-1)).toBe(READY);

    const plain = await turn(e, null, { id: randomUUID() }, "[[fake:long]] hi");
    expect(plain.text.length).toBeGreaterThan(4500);
    expect(plain.text.endsWith("You said: hi")).toBe(true);
    expect(plain.text).not.toContain(READY);

    // a first clarify turn stays a question turn
    const q = await turn(e, "clarify", { id: randomUUID() }, "[[fake:long]] idea");
    expect(q.text.length).toBeGreaterThan(4500);
    expect(q.text.endsWith("?")).toBe(true);

    const f = await turn(e, "finalize", { id: randomUUID() }, "[[fake:long]] /done");
    expect(f.text.length).toBeGreaterThan(5000);
    expectValidPrd(JSON.parse(fencedBlocks(f.text).get("prd.json")!), "demo");
  });

  it("[[fake:slow=MS]] and FAKE_CLAUDE_DELAY_MS delay the answer", async () => {
    const e = await claudeEnv();
    let t = Date.now();
    await turn(e, null, { id: randomUUID() }, "[[fake:slow=400]] hi");
    expect(Date.now() - t).toBeGreaterThanOrEqual(400);
    t = Date.now();
    await turn(e, null, { id: randomUUID() }, "hi", { env: { FAKE_CLAUDE_DELAY_MS: "300" } });
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
  });

  it("[[fake:invalid-prd]] drops branchName and makes one passes a string", async () => {
    const e = await claudeEnv();
    const { text } = await turn(e, "finalize", { id: randomUUID() }, "[[fake:invalid-prd]] /done");
    const prd = JSON.parse(fencedBlocks(text).get("prd.json")!);
    expect(prd).not.toHaveProperty("branchName");
    expect(prd.userStories.filter((s: any) => typeof s.passes !== "boolean")).toHaveLength(1);
    expect(prd.userStories[1].passes).toBe("false");
  });

  it("FAKE_CLAUDE_INVALID_PRD_ONCE=1: first finalize invalid, correct returns only a valid block", async () => {
    const e = await claudeEnv();
    const id = randomUUID();
    const env = { FAKE_CLAUDE_INVALID_PRD_ONCE: "1" };
    const f = await turn(e, "finalize", { id }, "/done", { env });
    const bad = JSON.parse(fencedBlocks(f.text).get("prd.json")!);
    expect(bad.branchName).toBeUndefined();
    expect(fencedBlocks(f.text).get("final-plan.md")).toContain("# Plan for demo");

    const c = await turn(
      e,
      "correct",
      { resume: id },
      "prd.json: userStories[1].passes: expected boolean, received string",
      { env },
    );
    expect(c.text.startsWith("```json prd.json\n")).toBe(true);
    expect(c.text.endsWith("\n```")).toBe(true);
    expect([...fencedBlocks(c.text).keys()]).toEqual(["prd.json"]);
    expectValidPrd(JSON.parse(fencedBlocks(c.text).get("prd.json")!), "demo");

    // only once per session
    const again = await turn(e, "finalize", { resume: id }, "/done", { env });
    expectValidPrd(JSON.parse(fencedBlocks(again.text).get("prd.json")!), "demo");
  });

  it("[[fake:hang]] is ended by an execa timeout; its sleep child survives until the group is killed", async () => {
    const e = await claudeEnv();
    const pidFile = path.join(e.config, "fake-claude", "hang-child.pid");
    const sub = runClaude(e, plannerArgs("design", { id: randomUUID() }), "[[fake:hang]]", {
      timeout: 1000,
      forceKillAfterDelay: 500,
      detached: true,
    });
    killLater(sub.pid);
    const r = await sub;
    expect(r.timedOut).toBe(true);
    expect(r.isTerminated).toBe(true);
    expect(r.signal).toBe("SIGTERM");
    expect(r.stdout).toBe("");

    const child = Number(await fs.readFile(pidFile, "utf8"));
    killLater(child);
    // execa killed only the fake's pid: the child is still there (the leak
    // planbot must avoid by killing the process group)...
    expect(isDead(child)).toBe(false);
    // ...and the group (pgid = the fake's pid, thanks to detached) takes it down.
    process.kill(-sub.pid!, "SIGTERM");
    await waitFor("the hang child to die", () => isDead(child));
  });

  it("[[fake:hang]] started detached dies with its child when the group gets SIGTERM", async () => {
    const e = await claudeEnv();
    const pidFile = path.join(e.config, "fake-claude", "hang-child.pid");
    const sub = runClaude(e, plannerArgs(null, { id: randomUUID() }), "[[fake:hang]]", { detached: true });
    killLater(sub.pid);
    const child = await waitFor("hang-child.pid", () => existsSync(pidFile) && Number(readFileSync(pidFile, "utf8")));
    killLater(child);
    await new Promise((r) => setTimeout(r, 200)); // still no answer
    expect(sub.exitCode).toBeNull();
    process.kill(-sub.pid!, "SIGTERM");
    const r = await sub;
    expect(r.signal).toBe("SIGTERM");
    expect(r.stdout).toBe("");
    await waitFor("the hang child to die", () => isDead(child));
  });
});

// ─── fake ralph.sh ───────────────────────────────────────────────────────

const story = (id: string, priority: number) => ({
  id,
  title: `Title ${id}`,
  description: `Do ${id}`,
  acceptanceCriteria: ["it works"],
  priority,
  passes: false,
  notes: "",
});

/** A git workspace with scripts/ralph/{ralph.sh,prd.json}; stories deliberately out of priority order. */
async function ralphWorkspace(opts: { link?: boolean; mode?: string } = {}) {
  const ws = await tmpDir("planbot-ralph-");
  const dir = path.join(ws, "scripts", "ralph");
  await fs.mkdir(dir, { recursive: true });
  const script = path.join(dir, "ralph.sh");
  if (opts.link) await fs.symlink(fakeRalphPath, script);
  else await fs.copyFile(fakeRalphPath, script);
  const prdFile = path.join(dir, "prd.json");
  await fs.writeFile(
    prdFile,
    JSON.stringify(
      {
        project: "demo",
        branchName: "ralph/demo",
        description: "d",
        custom: "keep me",
        userStories: [story("US-002", 2), story("US-001", 1), { ...story("US-003", 3), extra: 42 }],
      },
      null,
      2,
    ),
  );
  if (opts.mode) await fs.writeFile(path.join(dir, ".fake-mode"), opts.mode + "\n");
  await fs.copyFile(path.join(path.dirname(fakeRalphPath), "CLAUDE.md"), path.join(dir, "CLAUDE.md"));
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd: ws });
  await git("init", "-q");
  await git("add", "-A");
  await git("commit", "-q", "-m", "init");
  const prd = async () => JSON.parse(await fs.readFile(prdFile, "utf8"));
  const byId = async () => Object.fromEntries(((await prd()).userStories as any[]).map((s) => [s.id, s]));
  const logs = async () =>
    existsSync(path.join(dir, "logs")) ? (await fs.readdir(path.join(dir, "logs"))).sort() : [];
  const run = (args: string[], env: Record<string, string> = {}, extra: Options = {}) =>
    // Like planbot, give the fake a real pipe (a FIFO) as stdout and stderr: its `tee /dev/stderr` cannot
    // open Node's stdio, which are sockets. The script is exec'd, so the PID is still ralph.sh's.
    execa(
      "bash",
      [
        "-c",
        'f="$(mktemp -u)"; mkfifo "$f"; cat "$f" & exec 3>"$f"; rm "$f"; exec "$0" "$@" >&3 2>&3 3>&-',
        script,
        ...args,
      ],
      {
        cwd: ws,
        reject: false,
        timeout: 20_000,
        all: true,
        env: { FAKE_RALPH_DELAY_MS: "10", FAKE_RALPH_UID: "1000", ...env },
        ...extra,
      },
    );
  return { ws, dir, script, prd, byId, logs, run, git };
}

describe("fake ralph.sh", () => {
  it("complete mode: highest priority first, all pass, COMPLETE, exit 0, commits with FAKE_RALPH_COMMIT=1", async () => {
    const w = await ralphWorkspace();
    const r = await w.run(["--tool", "claude", "10"], { FAKE_RALPH_MODE: "complete", FAKE_RALPH_COMMIT: "1" });
    expect(r.exitCode, String(r.all)).toBe(0);
    const out = String(r.all);
    expect(out).toContain("<promise>COMPLETE</promise>");
    const order = [...out.matchAll(/working on (US-\d+)/g)].map((m) => m[1]);
    expect(order).toEqual(["US-001", "US-002", "US-003"]);
    expect(out).toMatch(/Ralph Iteration 1 of 10 \(claude\)/);

    const prd = await w.prd();
    expect(prd.userStories.every((s: any) => s.passes === true)).toBe(true);
    expect(prd.custom).toBe("keep me"); // unknown fields survive
    expect(prd.userStories[2].extra).toBe(42);
    expect(await w.logs()).toEqual(["iteration-1.log", "iteration-2.log", "iteration-3.log"]);
    expect(await fs.readFile(path.join(w.dir, "logs", "iteration-2.log"), "utf8")).toContain("US-002");

    const log = await w.git("log", "--format=%s");
    expect(log.stdout.split("\n")).toEqual(["US-003", "US-002", "US-001", "init"]);
  });

  it("stops at max iterations with exit 1 (and runs fine through a symlink)", async () => {
    const w = await ralphWorkspace({ link: true });
    const r = await w.run(["--tool", "claude", "2"]);
    expect(r.exitCode).toBe(1);
    expect(String(r.all)).toContain("reached max iterations (2)");
    expect(String(r.all)).not.toContain("<promise>COMPLETE</promise>");
    const s = await w.byId();
    expect([s["US-001"].passes, s["US-002"].passes, s["US-003"].passes]).toEqual([true, true, false]);
    expect(await w.logs()).toEqual(["iteration-1.log", "iteration-2.log"]);
    // no commits without FAKE_RALPH_COMMIT
    expect((await w.git("log", "--format=%s")).stdout).toBe("init");
  });

  it("fail mode: iteration 2 marks its story failed, stderr, exit 1", async () => {
    const w = await ralphWorkspace();
    const r = await w.run(["--tool", "claude", "10"], { FAKE_RALPH_MODE: "fail" });
    expect(r.exitCode).toBe(1);
    expect(String(r.all)).toContain("error: tests failed for US-002");
    const s = await w.byId();
    expect(s["US-001"]).toMatchObject({ passes: true });
    expect(s["US-002"]).toMatchObject({ passes: false, failed: true });
    expect(s["US-003"]).toEqual({ ...story("US-003", 3), extra: 42 });
    expect(await w.logs()).toEqual(["iteration-1.log", "iteration-2.log"]);
  });

  it("block mode from scripts/ralph/.fake-mode (wins over the env): remaining stories blocked, exit 1", async () => {
    const w = await ralphWorkspace({ mode: "block" });
    const r = await w.run(["--tool", "claude", "10"], { FAKE_RALPH_MODE: "complete" });
    expect(r.exitCode).toBe(1);
    expect(String(r.all)).toContain("blocked: US-002 US-003");
    const s = await w.byId();
    expect(s["US-001"]).toMatchObject({ passes: true });
    expect(s["US-001"].blocked).toBeUndefined();
    expect(s["US-002"]).toMatchObject({ passes: false, blocked: true });
    expect(s["US-003"]).toMatchObject({ passes: false, blocked: true });
  });

  it("hang mode: hangs after iteration 1 as ralph.sh in /proc cmdline; SIGTERM to the group ends it", async () => {
    const w = await ralphWorkspace();
    const sub = w.run(["--tool", "claude", "10"], { FAKE_RALPH_MODE: "hang" }, { detached: true });
    killLater(sub.pid);
    const pid = sub.pid!;
    let out = "";
    sub.all!.on("data", (d) => (out += d));
    await waitFor("the hang", () => out.includes("hanging"));
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain("ralph.sh");
    expect((await w.byId())["US-001"].passes).toBe(true);
    await new Promise((r) => setTimeout(r, 150));
    expect(sub.exitCode).toBeNull(); // still running
    expect(await w.logs()).toEqual(["iteration-1.log"]);

    process.kill(-pid, "SIGTERM");
    const r = await sub;
    expect(r.signal).toBe("SIGTERM");
    const s = await w.byId();
    expect([s["US-002"].passes, s["US-003"].passes]).toEqual([false, false]);
  });

  it("unknown mode is a usage error", async () => {
    const w = await ralphWorkspace({ mode: "sideways" });
    const r = await w.run(["10"]);
    expect(r.exitCode).toBe(2);
    expect(String(r.all)).toContain("unknown mode 'sideways'");
    expect(await w.logs()).toEqual([]);
  });
});
