// `planbot chat` in a real terminal, as a newcomer meets it: the launcher runs on a pseudo-terminal from
// util-linux's `script` (line editing on, so Ctrl-C is a keypress the line editor reports, not a signal),
// and the keys are typed into it one message at a time.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { fakeClaudePath } from "../fakes/paths.ts";
import { baseEnv, planbotBin } from "../helpers/planbot-child.ts";
import { onPseudoTerminal } from "../helpers/pseudo-terminal.ts";
import { waitUntil } from "../helpers/processes.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

/**
 * A newcomer's terminal environment: the caller's without the variables that decide Node's `hasColors()` for
 * it — `CI` (set by CI runs, it makes Node answer "no colours" on any terminal), `NO_COLOR`, `FORCE_COLOR`,
 * `NODE_DISABLE_COLORS` — so each test sets the colour choice it is about.
 */
const terminalEnv = Object.fromEntries(
  Object.entries(baseEnv).filter(([name]) => !["CI", "NO_COLOR", "FORCE_COLOR", "NODE_DISABLE_COLORS"].includes(name)),
);

const CTRL_C = "\u0003";
const CTRL_D = "\u0004";

/**
 * A piped `bin/planbot chat` on `root`'s data dir (the first owns it, later ones attach), sent `line`; resolves
 * once it has said `answered` (what it says so far is `said()`). `env` adds to its environment.
 */
async function startPipedChat(root: string, line: string, answered: RegExp, env: Record<string, string> = {}) {
  const child = execa(planbotBin, ["chat"], {
    cwd: root,
    env: { ...terminalEnv, PLANBOT_DATA_DIR: join(root, "data"), ...env },
    extendEnv: false,
    reject: false,
    stdin: "pipe",
  });
  defer(() => killAndWait(child));
  let said = "";
  child.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString("utf8")));
  child.stdin!.write(`${line}\n`);
  expect(await waitUntil(() => answered.test(said), 60_000), said).toBe(true);
  return { child, said: () => said };
}

/**
 * `bin/planbot chat` on a pseudo-terminal over `root`'s data dir: `keys` types, `next` waits for output.
 * `env` adds to the terminal's environment (TERM=dumb unless it says otherwise).
 */
async function openChat(root?: string, env: Record<string, string> = {}) {
  root ??= await temp.make("chat-terminal-");
  const child = execa("script", onPseudoTerminal("chat"), {
    cwd: root,
    env: { ...terminalEnv, PLANBOT_DATA_DIR: join(root, "data"), TERM: "dumb", ...env },
    extendEnv: false,
    reject: false,
    timeout: 90_000,
    stdin: "pipe",
  });
  defer(() => killAndWait(child));
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const chat = {
    child,
    mark: () => output.length,
    since: (from: number) => output.slice(from),
    keys: (text: string) => child.stdin!.write(text),
    async next(from: number, pattern: RegExp) {
      const seen = await waitUntil(() => pattern.test(output.slice(from)) || child.exitCode !== null, 60_000);
      expect(seen && pattern.test(output.slice(from)), `the chat printed no ${pattern}:\n${output}`).toBe(true);
    },
  };
  // Keys typed before the prompt would meet a terminal not yet in raw mode.
  await chat.next(0, /planbot> /);
  return chat;
}

describe("planbot chat in a terminal", { timeout: 120_000 }, () => {
  it("asks for a second Ctrl-C before quitting when nothing runs, keeps going after a line, and Ctrl-D quits", async () => {
    const chat = await openChat();
    let at = chat.mark();
    chat.keys(CTRL_C);
    await chat.next(at, /Nothing is running\. Ctrl-C again or Ctrl-D quits\./);

    // A line in between starts over: the next Ctrl-C asks again instead of quitting.
    at = chat.mark();
    chat.keys("/status\r");
    await chat.next(at, /No projects yet/i);
    at = chat.mark();
    chat.keys(CTRL_C);
    await chat.next(at, /Ctrl-C again or Ctrl-D quits/);
    expect(chat.child.exitCode).toBeNull();

    chat.keys(CTRL_C);
    expect((await chat.child).exitCode).toBe(0);

    const again = await openChat();
    again.keys(CTRL_D);
    expect((await again.child).exitCode).toBe(0);
  });

  it("Ctrl-C drops a half-typed line, as a shell does, instead of gluing it to the next line typed", async () => {
    const chat = await openChat();
    let at = chat.mark();
    chat.keys(`/p half-typed${CTRL_C}`);
    chat.keys("/whoami\r");
    await chat.next(at, /role: admin/);
    // The dropped words never reached planbot: /whoami was read alone, not as "/p half-typed/whoami".
    expect(chat.since(at)).not.toContain("/p needs a description");

    // Dropping a line is not the first of the two Ctrl-Cs that quit: after it, Ctrl-C asks again.
    at = chat.mark();
    chat.keys(CTRL_C);
    await chat.next(at, /Ctrl-C again or Ctrl-D quits/);
    chat.keys(`abc${CTRL_C}`);
    at = chat.mark();
    chat.keys(CTRL_C);
    await chat.next(at, /Ctrl-C again or Ctrl-D quits/);
    expect(chat.child.exitCode).toBeNull();
    chat.keys(CTRL_C);
    expect((await chat.child).exitCode).toBe(0);
  });

  it("a chat attached to another planbot chat says what stopped and what to do when that one quits", async () => {
    const root = await temp.make("chat-attached-");
    const owner = await startPipedChat(root, "/p kiln A kiln firing log", /Proposed kiln/);
    const attached = await startPipedChat(root, "/status", /kiln/);

    owner.child.stdin!.end();
    expect((await owner.child).exitCode).toBe(0);
    const { exitCode } = await attached.child;
    expect(exitCode).toBe(1);
    expect(attached.said()).toContain(
      "The planbot this chat was attached to stopped (the planbot start or the first planbot chat on this data dir quit), so this chat is closed. Run planbot chat again to go on.",
    );
  });

  it("attached to another planbot, also asks for a second Ctrl-C, and a line in between starts over", async () => {
    const root = await temp.make("chat-attached-keys-");
    await startPipedChat(root, "/status", /No projects yet/i);

    const chat = await openChat(root);
    // Attached too, Ctrl-C drops a half-typed line and nothing of it reaches planbot.
    let at = chat.mark();
    chat.keys(`/p half-typed${CTRL_C}`);
    chat.keys("/whoami\r");
    await chat.next(at, /role: admin/);
    expect(chat.since(at)).not.toContain("/p needs a description");
    at = chat.mark();
    chat.keys(CTRL_C);
    await chat.next(at, /Nothing is running\. Ctrl-C again or Ctrl-D quits\./);
    at = chat.mark();
    chat.keys("/status\r");
    await chat.next(at, /No projects yet/i);
    at = chat.mark();
    chat.keys(CTRL_C);
    await chat.next(at, /Ctrl-C again or Ctrl-D quits/);
    expect(chat.child.exitCode).toBeNull();
    chat.keys(CTRL_C);
    expect((await chat.child).exitCode).toBe(0);
  });

  it("attached, answers /status at once while a planner turn runs, where piped lines would wait", async () => {
    const root = await temp.make("chat-attached-busy-");
    const env = {
      PLANBOT_DATA_DIR: join(root, "data"),
      PLANNER_COMMAND: fakeClaudePath,
      CLAUDE_CONFIG_DIR: join(root, "claude-config"),
    };
    await startPipedChat(root, "/p kiln A kiln firing log", /Proposed kiln/, env);

    const chat = await openChat(root, env);
    let at = chat.mark();
    chat.keys("/plan kiln\r");
    await chat.next(at, /phase 1\/3: clarify/);
    // A turn that never ends: /status can only be answered if it does not wait for it.
    at = chat.mark();
    chat.keys("[[fake:hang]] and glaze notes\r");
    await chat.next(at, /working/);
    chat.keys("/status\r");
    await chat.next(at, /Projects \(1\)/);
    at = chat.mark();
    chat.keys(CTRL_C);
    await chat.next(at, /Stopping the planner turn/);
    chat.keys(CTRL_D);
    expect((await chat.child).exitCode).toBe(0);
    expect(chat.since(0)).not.toContain("You answered");
  });

  it("tells a newcomer typing /quit which key quits, and says so when Ctrl-D must wait for a planner turn", async () => {
    const root = await temp.make("chat-newcomer-quit-");
    const chat = await openChat(root, { PLANNER_COMMAND: fakeClaudePath, CLAUDE_CONFIG_DIR: join(root, "claude") });
    let at = chat.mark();
    chat.keys("/quit\r");
    await chat.next(at, /To leave the terminal chat press Ctrl-D \(Ctrl-C stops a running planner turn\)\./);
    expect(chat.since(at)).not.toContain("Unknown command");

    at = chat.mark();
    chat.keys("/plan kiln A kiln firing log\r");
    await chat.next(at, /phase 1\/3: clarify/);
    at = chat.mark();
    // A turn that never ends, so the wait is certain; Ctrl-C then does what the notice says.
    chat.keys("[[fake:hang]] Potters\r");
    await chat.next(at, /working/);
    chat.keys(CTRL_D);
    await chat.next(at, /Waiting for the planner's answer before quitting \(Ctrl-C stops it\)\./);
    expect(chat.since(at)).toMatch(/\nWaiting for the planner's answer/);
    expect(chat.child.exitCode).toBeNull();
    chat.keys(CTRL_C);
    expect((await chat.child).exitCode).toBe(0);
    expect(chat.since(at)).toContain("Planning was stopped while the planner was answering");
  });

  it("on TERM=dumb, a reply that comes while the user types starts on its own line, with no escape codes, and the typed text comes back", async () => {
    const root = await temp.make("chat-dumb-typing-");
    const chat = await openChat(root, { PLANNER_COMMAND: fakeClaudePath, CLAUDE_CONFIG_DIR: join(root, "claude") });
    let at = chat.mark();
    chat.keys("/plan kiln A kiln firing log\r");
    await chat.next(at, /phase 1\/3: clarify/);
    at = chat.mark();
    chat.keys("[[fake:slow=1500]] Potters\r");
    await chat.next(at, /working/);
    chat.keys("/sta");
    await chat.next(at, /planbot> \/sta/);
    const typed = chat.mark();
    await chat.next(typed, /planbot> \/sta$/);
    const reply = chat.since(typed);
    expect(reply).not.toContain("\x1b");
    // The reply begins below the prompt the user was typing at, and that prompt comes back with "/sta".
    expect(reply).toMatch(/^\r?\n/);
    expect(reply.trimEnd().endsWith("planbot> /sta")).toBe(true);
    // Never two prompts in a row: a dumb terminal appends what a smart one redraws in place.
    expect(chat.since(0)).not.toContain("planbot> planbot> ");
    at = chat.mark();
    chat.keys("tus\r");
    await chat.next(at, /kiln/);
    chat.keys(CTRL_D);
    expect((await chat.child).exitCode).toBe(0);
  });

  it("shows the reply markup as styles on a colour terminal, and as plain words with NO_COLOR or TERM=dumb", async () => {
    const styledChat = await openChat(undefined, { TERM: "xterm-256color" });
    let at = styledChat.mark();
    styledChat.keys("/status\r");
    await styledChat.next(at, /No projects yet/);
    expect(styledChat.since(at)).toContain("Propose one: \x1b[36m/p my-app A todo app with reminders\x1b[39m");
    styledChat.keys(CTRL_D);
    expect((await styledChat.child).exitCode).toBe(0);

    const plainTerminals: Record<string, string>[] = [{ TERM: "xterm-256color", NO_COLOR: "1" }, { TERM: "dumb" }];
    for (const env of plainTerminals) {
      const plainChat = await openChat(undefined, env);
      at = plainChat.mark();
      plainChat.keys("/status\r");
      await plainChat.next(at, /No projects yet/);
      expect(plainChat.since(at)).toContain("Propose one: /p my-app A todo app with reminders\r\n");
      expect(plainChat.since(at)).not.toMatch(/\x1b\[(1|36)m|`/);
      plainChat.keys(CTRL_D);
      expect((await plainChat.child).exitCode).toBe(0);
    }
  });

  it("an attached colour terminal gets styled replies while the piped planbot chat it attached to reads plain words", async () => {
    const root = await temp.make("chat-attached-styles-");
    const { said: ownerSaid } = await startPipedChat(root, "/status", /No projects yet/i);
    expect(ownerSaid()).toContain("Propose one: /p my-app A todo app with reminders\n");

    const chat = await openChat(root, { TERM: "xterm-256color" });
    const at = chat.mark();
    chat.keys("/status\r");
    await chat.next(at, /No projects yet/);
    expect(chat.since(at)).toContain("Propose one: \x1b[36m/p my-app A todo app with reminders\x1b[39m");
    chat.keys(CTRL_D);
    expect((await chat.child).exitCode).toBe(0);
  });

  it("standalone, keeps planbot's log out of the conversation: in a file named at start, what needs the user said as a reply", async () => {
    const root = await temp.make("chat-log-");
    const dataDir = join(root, "data");
    const store = join(dataDir, TASKS_FILE_NAME);
    const logFile = join(dataDir, "chat.log");
    await mkdir(dataDir, { recursive: true });
    await writeFile(store, "{ broken");
    // An error planbot logs (its notifications off) is told in the chat too, pointing at the log for the rest.
    await writeFile(join(dataDir, "notifications.json"), "{ broken");
    const chat = await openChat(root);
    // The one who can fix the store is at this terminal: they hear of it in the chat, with the operator's advice.
    await chat.next(0, /planbot cannot read its project store/);
    expect(chat.since(0).split(`Its log goes to ${logFile}.`)).toHaveLength(2);
    expect(chat.since(0)).toContain(
      `planbot cannot read its project store, so no project can change until it is fixed: ${store} cannot be read: not valid JSON`,
    );
    await chat.next(0, /planbot ran into a problem: notifications are off: /);
    expect(chat.since(0)).toContain(
      `planbot ran into a problem: notifications are off: ${join(dataDir, "notifications.json")} cannot be read: not valid JSON`,
    );
    expect(chat.since(0)).toContain(`(${logFile} has the details)`);
    // The store is said once, in the operator's words, not again as a logged problem.
    expect(chat.since(0).split("planbot cannot read its project store")).toHaveLength(2);
    let at = chat.mark();
    chat.keys("/status\r");
    await chat.next(at, /fix or move the file, then retry\./);
    // Fixed (no file is an empty store): the chat hears that too.
    at = chat.mark();
    await rm(store);
    await chat.next(at, /planbot can read its project store again\./);
    chat.keys(CTRL_D);
    expect((await chat.child).exitCode).toBe(0);

    // No log line reached the terminal, readable or JSON; they are in the file, as JSON lines with their fields.
    expect(chat.since(0)).not.toMatch(/\b(INFO|WARN|ERROR)\b|"level"|"msg"/);
    const logged = (await readFile(logFile, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "info", adapter: "console", msg: "planbot chat can attach here" }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: "warn",
        code: "store_corrupt",
        file: store,
        msg: "the project store cannot be read; nothing can change a project until it is fixed",
      }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "info", msg: "the project store is readable again" }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "error", msg: expect.stringMatching(/^notifications are off: /) }),
    );
    expect(logged).toContainEqual(
      expect.objectContaining({ adapter: "console", command: "status", error: true, msg: "handled" }),
    );
  });

  it("standalone with LOG_LEVEL set, shows the log on the terminal as asked, and writes no log file", async () => {
    const root = await temp.make("chat-log-level-");
    const chat = await openChat(root, { LOG_LEVEL: "info" });
    await chat.next(0, /INFO.*planbot chat can attach here/);
    expect(chat.since(0)).not.toContain("Its log goes to");
    chat.keys(CTRL_D);
    expect((await chat.child).exitCode).toBe(0);
    expect(existsSync(join(root, "data", "chat.log"))).toBe(false);
  });
});
