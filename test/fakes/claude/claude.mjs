// Fake Claude Code CLI for planbot's cheaper tests (the `claude` file next to
// this one is its launcher; point PLANNER_COMMAND at that, or put the folder on PATH).
//
// The real CLI (2.1.197, a devDependency) is tested in test/real-cli/ against a
// fake Messages API; this fake starts in ~40 ms instead of ~400 ms and keeps
// the real behaviour that matters to planbot, checked against that CLI:
// the flags it accepts (unknown ones fail), --session-id must be a new UUID,
// --resume of a missing conversation fails on stderr with exit 1 and empty
// stdout, the single JSON result object and its error shapes ("Not logged
// in · Please run /login" is exit 1, subtype "success", is_error true), and
// the transcript file layout. It answers the way planbot's planner calls it:
//   claude -p --output-format json --tools Read,Grep,Glob --disallowedTools … \
//          --setting-sources user --strict-mcp-config \
//          --append-system-prompt <text> (--session-id <uuid> | --resume <id>)
// with the user's message on stdin (members' text inside <member-message>
// markers, which the fake unwraps before quoting it back). Replies are deterministic and driven by
// the `PLANBOT-PHASE:` / `PLANBOT-PROJECT:` lines of the system prompt, so a
// test can walk clarify → design → stories → finalize without a network.
//
// Output: one line of JSON on stdout,
//   {type:"result", subtype, is_error, result, session_id, total_cost_usd:0.0123,
//    num_turns (successful turns of the session, this one included),
//    duration_ms, duration_api_ms, usage:{input_tokens, output_tokens}}
// (`--output-format text` prints only the result text.)
//
// Phases (PLANBOT-PHASE) → reply:
//   clarify   1st clarify turn of the session: two numbered questions ending
//             with "?"; later ones: `You answered: "<message>"` + [[PHASE_READY]]
//   design    ## Approach / ## Stack / ## Risks, then [[PHASE_READY]]
//   stories   three numbered user stories, then [[PHASE_READY]]
//   finalize  a commentary line, a ```markdown final-plan.md block, a
//             ```json prd.json block (valid Ralph PRD, 3 stories); no marker
//   correct   only the ```json prd.json block
//   none/unknown  "You said: <message>"
// (<message> is stdin, trimmed, with the [[fake:…]] tokens removed.)
//
// Sessions: --session-id needs a UUID and must be new (else an is_error
// result "Session ID X is already in use", exit 1); --resume X needs a
// session created from the same cwd (else stderr "No conversation found with
// session ID: X", exit 1), as real sessions belong to their project folder.
// Without either, a random session id is used. Unknown options → exit 1.
//
// Directives in the message:
//   [[fake:crash]]          stderr "fatal: simulated crash", exit 3
//   [[fake:hang]]           never answers; spawns `sleep 1000` (pid in
//                           fake-claude/hang-child.pid); default signal handling
//   [[fake:garbage]]        stdout "this is not json", exit 0
//   [[fake:is_error]]       subtype "success", is_error true, result
//                           "API Error: overloaded", exit 0
//   [[fake:error-subtype]]  subtype "error_max_turns", is_error true, no
//                           `result`, errors:[…], exit 1
//   [[fake:long]]           ~4,700 characters (paragraphs, <, &, a ```ts block)
//                           in front of the normal reply (marker kept)
//   [[fake:slow=MS]]        answer after MS ms (adds to FAKE_CLAUDE_DELAY_MS)
//   [[fake:invalid-prd]]    finalize/correct: prd.json without branchName and
//                           with userStories[1].passes = "false"
//   [[fake:not-logged-in]]  the real CLI without credentials: exit 1,
//                           subtype "success", is_error true, result
//                           "Not logged in · Please run /login"
//   [[fake:usage-limit]]    exit 1, is_error true, result "You've hit your
//                           limit · resets 3pm (UTC)"
//   [[fake:usage-limit=S]]  a limit of S seconds from the first such turn
//                           (fake-claude/usage-limit-until): "Claude AI usage
//                           limit reached|<epoch seconds>", answered after it
// None of the failures creates or advances a session: the same message can be
// resent (with the same --session-id on a first turn).
// Environment (CLAUDE_FAKE_* — planbot passes CLAUDE_* variables to its
// planner; the older FAKE_CLAUDE_* names work when the fake is run directly):
// CLAUDE_FAKE_DELAY_MS (delay every answer), CLAUDE_FAKE_INVALID_PRD_ONCE=1
// (the session's first finalize has the invalid prd.json),
// CLAUDE_FAKE_FOUR_BACKTICKS=1 (plan fenced with ```` and holding a ```bash
// block), CLAUDE_FAKE_NOT_LOGGED_IN=1 (every turn is [[fake:not-logged-in]]),
// CLAUDE_FAKE_SLOW_FINALIZE_MS (delay only the final-plan turns).
//
// Everything lives under $CLAUDE_CONFIG_DIR (required, so a test can never
// write into a real ~/.claude):
//   fake-claude/<session>.json   session state (created on the first good turn)
//   fake-claude/calls.jsonl      one {argv, cwd, stdin, at} line per invocation
//   fake-claude/hang-child.pid   pid of the `sleep` child of [[fake:hang]]
//   projects/<cwd, non-alphanumerics → "-">/<session>.jsonl   transcript in the
//     real format; the first turn adds a summary line, an isMeta user line, a
//     tool_use assistant line and a toolUseResult user line (readers skip them)
//
// Only node: built-ins are imported, and child_process lazily, to keep the
// start-up cost close to bare `node`.

import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";

const started = Date.now();
/** A setting of the fake: CLAUDE_FAKE_<NAME>, or the older FAKE_CLAUDE_<NAME>. */
const setting = (name) => process.env[`CLAUDE_FAKE_${name}`] ?? process.env[`FAKE_CLAUDE_${name}`];
const VERSION = "2.0.0 (Claude Code)"; // shape of the real `claude --version`
const READY = "[[PHASE_READY]]";
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ─── small helpers ───────────────────────────────────────────────────────

/** Print to stderr and exit: the CLI's own usage errors look like this. */
function die(message, code = 1) {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(code);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Write a file atomically (temp + rename) so a killed turn never leaves half a state file. */
function writeAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function readStdin() {
  // A TTY means nobody piped a prompt in; the real CLI then complains (below).
  if (process.stdin.isTTY) return Promise.resolve("");
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

// ─── arguments ───────────────────────────────────────────────────────────

// Options that take a value, and boolean flags. Anything else is rejected like
// the real CLI does ("error: unknown option"), so a typo in planbot's argv
// fails loudly in tests instead of being silently ignored.
const VALUE_OPTS = new Set([
  "--output-format",
  "--permission-mode",
  "--append-system-prompt",
  "--system-prompt",
  "--session-id",
  "--resume",
  "-r",
  "--model",
  "--max-turns",
  "--allowedTools",
  "--allowed-tools",
  "--disallowedTools",
  "--disallowed-tools",
  "--add-dir",
  "--tools",
  "--setting-sources",
]);
const BOOL_OPTS = new Set([
  "-p",
  "--print",
  "--verbose",
  "--dangerously-skip-permissions",
  "--strict-mcp-config",
  "--fork-session",
]);

function parseArgs(argv) {
  const opts = { print: false, outputFormat: "text", positional: [] };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (BOOL_OPTS.has(arg)) {
      if (arg === "-p" || arg === "--print") opts.print = true;
      continue;
    }
    if (VALUE_OPTS.has(arg)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) die(`error: option '${arg} <value>' argument missing`);
        value = argv[++i];
      }
      const key = arg === "-r" ? "--resume" : arg;
      opts[key] = value;
      continue;
    }
    if (arg === "--") {
      opts.positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("-")) die(`error: unknown option '${argv[i]}'`);
    opts.positional.push(arg);
  }
  if (opts["--output-format"]) opts.outputFormat = opts["--output-format"];
  return opts;
}

// ─── replies (the planner protocol of DESIGN.md) ─────────────────────────

const STORIES = (slug) => [
  {
    id: "US-001",
    title: `Scaffold the ${slug} project`,
    description: `As a developer, I want a runnable ${slug} skeleton so that later stories have somewhere to land.`,
    acceptanceCriteria: ["npm test runs and passes", "README explains how to start it", "Typecheck passes"],
    priority: 1,
    passes: false,
    notes: "",
  },
  {
    id: "US-002",
    title: `Core ${slug} workflow`,
    description: `As a user, I want the main ${slug} workflow so that I get the value the project promises.`,
    acceptanceCriteria: ["The workflow works end to end", "Errors are reported clearly", "Typecheck passes"],
    priority: 2,
    passes: false,
    notes: "",
  },
  {
    id: "US-003",
    title: `Status report for ${slug}`,
    description: `As an operator, I want a status command so that I can see what ${slug} is doing.`,
    acceptanceCriteria: ["`status` prints the current state", "Exit code is 0 when healthy", "Typecheck passes"],
    priority: 3,
    passes: false,
    notes: "",
  },
];

/** A valid Ralph prd.json (or, when `invalid`, one missing branchName and with a string `passes`). */
function prd(slug, invalid) {
  const doc = {
    project: slug,
    branchName: `ralph/${slug}`,
    description: `Ralph PRD for ${slug}, produced by the planning conversation.`,
    userStories: STORIES(slug),
  };
  if (invalid) {
    delete doc.branchName;
    doc.userStories[1].passes = "false"; // a string, not a boolean: schema error
  }
  return "```json prd.json\n" + JSON.stringify(doc, null, 2) + "\n```";
}

/**
 * The final-plan.md block. Default: 3-backtick fence and NO fence inside the
 * plan (the common, easy case). FAKE_CLAUDE_FOUR_BACKTICKS=1: the outer fence
 * is 4 backticks and the plan contains a ```bash block, which is what a real
 * model does when its plan quotes commands; a parser must close the block at
 * the 4-backtick line, not at the inner 3-backtick one (CommonMark rule: a
 * closing fence is at least as long as the opening one).
 */
function planBlock(slug) {
  const four = setting("FOUR_BACKTICKS") === "1";
  const lines = [
    `# Plan for ${slug}`,
    "",
    "## Goal",
    `Deliver a first working version of ${slug} in three small stories.`,
    "",
    "## Approach",
    "TypeScript on Node 20, tests with vitest, one module per concern.",
    "",
    "## Stories",
    ...STORIES(slug).map((s) => `- ${s.id}: ${s.title}`),
    "",
    "## Verification",
  ];
  if (four) lines.push("Run the checks:", "", "```bash", "npm ci && npm test", "```");
  else lines.push("Run `npm ci && npm test`; every story lists its own acceptance criteria.");
  const fence = four ? "````" : "```";
  return `${fence}markdown final-plan.md\n${lines.join("\n")}\n${fence}`;
}

/** About 4,700 characters, several paragraphs, HTML-special characters and a ```ts block. */
function longText(slug) {
  const paras = [
    `This is a deliberately long answer about ${slug}, used to test chunking & escaping of replies that exceed one chat message.`,
    "Characters that need escaping in HTML: a < b, c > d, and Tom & Jerry; in MarkdownV2: _ * [ ] ( ) ~ ` # + - = | { } . !",
    "```ts\nexport function clamp(n: number, lo: number, hi: number): number {\n  return n < lo ? lo : n > hi ? hi : n; // a < b && b > c\n}\n```",
  ];
  const filler =
    `Paragraph about ${slug}: the planner explains trade-offs at length, compares options A & B, ` +
    "notes that latency < 200 ms matters, and repeats itself so that the reply grows past the limits of a single message.";
  let n = 1;
  while (paras.join("\n\n").length < 4700) paras.push(`${n++}. ${filler}`);
  return paras.join("\n\n");
}

/**
 * The reply for one turn. Returns the text and the state changes to persist
 * (applied only when the turn succeeds).
 */
function reply({ phase, slug, userText, state, directives }) {
  const update = {};
  let text;
  let ready = false;
  switch (phase) {
    case "clarify":
      if (!state.clarify_turns) {
        text =
          `Before I design ${slug}, I need two answers:\n\n` +
          `1. Who will use ${slug}, and what is the one thing they must be able to do?\n` +
          "2. Are there constraints on the stack, hosting or deadlines I should respect?";
      } else {
        text =
          `Thanks. Here is what I understood for ${slug}:\n\n` +
          `You answered: "${userText}"\n\n` +
          "That answers my questions; I am ready to move on to the design.";
        ready = true;
      }
      update.clarify_turns = (state.clarify_turns || 0) + 1;
      break;
    case "design":
      text = [
        `Design for ${slug}.`,
        "",
        "## Approach",
        `A small command-line service; ${slug} keeps its state in a JSON file.`,
        "",
        "## Stack",
        "- TypeScript on Node 20",
        "- vitest for tests",
        "",
        "## Risks",
        "- Scope creep: keep the first version to three stories.",
      ].join("\n");
      ready = true;
      break;
    case "stories":
      text = [
        `User stories for ${slug}:`,
        "",
        ...STORIES(slug).map((s, i) => `${i + 1}. ${s.id} — ${s.title}: ${s.description}`),
      ].join("\n");
      ready = true;
      break;
    case "finalize": {
      let invalid = directives.has("invalid-prd");
      if (setting("INVALID_PRD_ONCE") === "1" && !state.invalid_prd_served) {
        invalid = true;
        update.invalid_prd_served = true;
      }
      text =
        `Here is the final plan for ${slug} and the Ralph PRD.\n\n` + planBlock(slug) + "\n\n" + prd(slug, invalid);
      break;
    }
    case "correct":
      text = prd(slug, directives.has("invalid-prd"));
      break;
    default: // no (or an unknown) PLANBOT-PHASE line: a plain echo
      text = `You said: ${userText}`;
  }
  // [[fake:long]] puts ~4,700 characters in front of the normal reply, so the
  // turn keeps its meaning (questions, blocks, marker) and is ~5,000+ long.
  if (directives.has("long")) text = longText(slug) + "\n\n" + text;
  if (ready) text += "\n" + READY;
  return { text, update };
}

// ─── transcript (format of PLATFORM-NOTES "Claude Code CLI") ─────────────

function transcriptLines({ sessionId, cwd, parentUuid, firstTurn, userText, replyText }) {
  const lines = [];
  let parent = parentUuid ?? null;
  const base = () => ({
    parentUuid: parent,
    isSidechain: false,
    userType: "external",
    cwd,
    sessionId,
    version: "2.0.0",
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
  });
  const push = (obj) => {
    lines.push(obj);
    parent = obj.uuid;
  };
  if (firstTurn) {
    // Readers must skip all of these; they exist in real transcripts.
    lines.push({ type: "summary", summary: "Planning conversation", leafUuid: randomUUID() });
    push({
      type: "user",
      ...base(),
      isMeta: true,
      message: {
        role: "user",
        content: "<local-command-caveat>Caveat: injected by the CLI, not typed by the user.</local-command-caveat>",
      },
    });
  }
  push({ type: "user", ...base(), message: { role: "user", content: userText } });
  if (firstTurn) {
    const toolId = "toolu_fake_" + randomUUID().replace(/-/g, "").slice(0, 20);
    push({
      type: "assistant",
      ...base(),
      message: {
        id: "msg_fake_tool",
        type: "message",
        role: "assistant",
        model: "fake-claude",
        content: [{ type: "tool_use", id: toolId, name: "Read", input: { file_path: path.join(cwd, "README.md") } }],
      },
    });
    push({
      type: "user",
      ...base(),
      message: {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: toolId, content: "File does not exist." }],
      },
      toolUseResult: "Error: File does not exist.",
    });
  }
  push({
    type: "assistant",
    ...base(),
    message: {
      id: "msg_fake_" + randomUUID().slice(0, 8),
      type: "message",
      role: "assistant",
      model: "fake-claude",
      content: [{ type: "text", text: replyText }],
    },
  });
  return { lines, last: parent };
}

// ─── main ────────────────────────────────────────────────────────────────

async function main() {
  const argv = process.argv.slice(2);
  const configDir = process.env.CLAUDE_CONFIG_DIR;
  if (!configDir) die("fake claude: CLAUDE_CONFIG_DIR must be set (refusing to touch ~/.claude)", 2);
  const fakeDir = path.join(configDir, "fake-claude");
  fs.mkdirSync(fakeDir, { recursive: true });
  const cwd = process.cwd();

  // --version needs no stdin (doctor-style checks call it without input).
  if (argv.includes("--version") || argv.includes("-v")) {
    process.stdout.write(VERSION + "\n");
    return;
  }
  // `claude auth status`: JSON, exit 1 when not logged in (like the real CLI).
  if (argv[0] === "auth" && argv[1] === "status") {
    const out =
      setting("NOT_LOGGED_IN") === "1"
        ? { loggedIn: false, authMethod: "none", apiProvider: "firstParty" }
        : { loggedIn: true, authMethod: "api_key", apiProvider: "firstParty", apiKeySource: "ANTHROPIC_API_KEY" };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    process.exitCode = out.loggedIn ? 0 : 1;
    return;
  }
  const stdin = await readStdin();
  // Logged before anything can fail, so tests can assert on failed calls too.
  fs.appendFileSync(
    path.join(fakeDir, "calls.jsonl"),
    JSON.stringify({ argv, cwd, stdin, at: new Date().toISOString() }) + "\n",
  );
  const opts = parseArgs(argv); // may exit on an unknown option

  if (!opts.print) die("fake claude: only print mode (-p) is supported", 2);
  if (!["json", "text"].includes(opts.outputFormat)) {
    die(`fake claude: --output-format ${opts.outputFormat} is not supported (json|text)`, 2);
  }
  const prompt = opts.positional.length ? opts.positional.join(" ") : stdin;
  if (!prompt.trim()) {
    die("Error: Input must be provided either through stdin or as a prompt argument when using --print");
  }

  // Directives: [[fake:NAME]] or [[fake:slow=MS]].
  const directives = new Set();
  let slowMs = 0;
  let limitSeconds;
  for (const m of prompt.matchAll(/\[\[fake:([a-z_-]+)(?:=(\d+))?\]\]/g)) {
    directives.add(m[1]);
    if (m[1] === "slow") slowMs = Number(m[2] ?? 0);
    if (m[1] === "usage-limit" && m[2] !== undefined) limitSeconds = Number(m[2]);
  }
  // The text we quote back: the message without directive tokens.
  const userText = prompt
    .replace(/\[\[fake:[^\]]*\]\]/g, "")
    .replace(/<member-message[^>]*>\n?/g, "")
    .replace(/\n?<\/member-message>/g, "")
    .trim();

  // ── session resolution (same checks and messages as the real CLI) ──
  const wantNew = opts["--session-id"];
  const wantResume = opts["--resume"];
  if (wantNew && wantResume) {
    die("Error: --session-id can only be used with --continue or --resume if --fork-session is also specified.");
  }
  if (wantNew && !UUID_RE.test(wantNew)) die("Error: Invalid session ID. Must be a valid UUID.");
  const sessionId = wantNew ?? wantResume ?? randomUUID();
  // A resume id that could escape the folder can never name a session.
  const stateFile = /^[A-Za-z0-9_-]+$/.test(sessionId) ? path.join(fakeDir, `${sessionId}.json`) : null;
  let state = null;
  if (stateFile && fs.existsSync(stateFile)) state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
  // Real sessions belong to the project folder (cwd) they were created in:
  // resuming from another folder does not find them. planbot must keep cwd stable.
  if (wantResume && (!state || state.cwd !== cwd)) die(`No conversation found with session ID: ${wantResume}`);

  const resultBase = (subtype, isError) => ({
    type: "result",
    subtype,
    is_error: isError,
    session_id: sessionId,
    total_cost_usd: 0.0123,
    num_turns: (state?.turns ?? 0) + 1,
    duration_ms: Date.now() - started,
    duration_api_ms: Math.max(0, Date.now() - started - 5),
    usage: { input_tokens: Math.ceil(prompt.length / 4), output_tokens: 0 },
  });
  const emit = (obj, code) => {
    process.stdout.write((opts.outputFormat === "json" ? JSON.stringify(obj) : String(obj.result ?? "")) + "\n");
    process.exitCode = code;
  };

  if (wantNew && state) {
    emit({ ...resultBase("error_during_execution", true), result: `Session ID ${wantNew} is already in use` }, 1);
    return;
  }

  // ── failure directives: none of them creates or advances the session ──
  if (directives.has("hang")) {
    // A child in our process group: a caller that kills only our pid leaks it;
    // killing the group (-pid) takes it down too. Tests check both.
    const { spawn } = await import("node:child_process");
    const child = spawn("sleep", ["1000"], { stdio: "ignore" });
    fs.writeFileSync(path.join(fakeDir, "hang-child.pid"), String(child.pid));
    setInterval(() => {}, 1 << 30); // never answer; default SIGTERM/SIGKILL handling ends us
    return;
  }
  const askedPhase = /^PLANBOT-PHASE:[ \t]*(\S+)/m.exec(opts["--append-system-prompt"] ?? "")?.[1];
  const delay =
    Number(setting("DELAY_MS") || 0) +
    slowMs +
    (askedPhase === "finalize" ? Number(setting("SLOW_FINALIZE_MS") || 0) : 0);
  if (delay > 0) await sleep(delay);
  if (directives.has("crash")) die("fatal: simulated crash", 3);
  if (directives.has("garbage")) {
    process.stdout.write("this is not json\n");
    return;
  }
  if (directives.has("not-logged-in") || setting("NOT_LOGGED_IN") === "1") {
    emit({ ...resultBase("success", true), result: "Not logged in · Please run /login", total_cost_usd: 0 }, 1);
    return;
  }
  if (directives.has("usage-limit") && limitSeconds === undefined) {
    emit({ ...resultBase("success", true), result: "You've hit your limit · resets 3pm (UTC)", total_cost_usd: 0 }, 1);
    return;
  }
  if (limitSeconds !== undefined) {
    // The limit starts at the first such message and lasts limitSeconds; after it, the turn is answered.
    const untilFile = path.join(fakeDir, "usage-limit-until");
    if (!fs.existsSync(untilFile)) fs.writeFileSync(untilFile, String(Date.now() + limitSeconds * 1000));
    const until = Number(fs.readFileSync(untilFile, "utf8"));
    if (Date.now() < until) {
      emit(
        {
          ...resultBase("success", true),
          result: `Claude AI usage limit reached|${Math.ceil(until / 1000)}`,
          total_cost_usd: 0,
        },
        1,
      );
      return;
    }
  }
  if (directives.has("is_error")) {
    // subtype "success" but is_error true, exit 0: only is_error says it failed.
    emit({ ...resultBase("success", true), result: "API Error: overloaded" }, 0);
    return;
  }
  if (directives.has("error-subtype")) {
    // Like the real error results: no `result` field, an `errors` list, exit 1.
    emit({ ...resultBase("error_max_turns", true), errors: ["Reached maximum number of turns (1)"] }, 1);
    return;
  }

  // ── a normal turn ──
  const system = opts["--append-system-prompt"] ?? opts["--system-prompt"] ?? "";
  const phase = /^PLANBOT-PHASE:[ \t]*(\S+)[ \t]*$/m.exec(system)?.[1]?.toLowerCase() ?? null;
  const slug = /^PLANBOT-PROJECT:[ \t]*(\S+)[ \t]*$/m.exec(system)?.[1] ?? "unnamed-project";
  const cur = state ?? { session_id: sessionId, cwd, created_at: new Date().toISOString(), turns: 0 };
  const { text, update } = reply({ phase, slug, userText, state: cur, directives });

  const { lines, last } = transcriptLines({
    sessionId,
    cwd,
    parentUuid: cur.last_uuid,
    firstTurn: !state,
    userText: prompt,
    replyText: text,
  });
  const projectDir = path.join(configDir, "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
  fs.mkdirSync(projectDir, { recursive: true });
  fs.appendFileSync(path.join(projectDir, `${sessionId}.jsonl`), lines.map((l) => JSON.stringify(l) + "\n").join(""));
  if (stateFile) {
    writeAtomic(
      stateFile,
      JSON.stringify(
        { ...cur, ...update, turns: cur.turns + 1, last_uuid: last, updated_at: new Date().toISOString() },
        null,
        2,
      ),
    );
  }

  const out = { ...resultBase("success", false), result: text };
  out.usage.output_tokens = Math.ceil(text.length / 4);
  emit(out, 0);
}

main().catch((err) => die(`fake claude: ${err?.stack ?? err}`, 1));
