// How `planbot start`'s logs look to whoever reads them, through the real `bin/planbot` child process:
// readable lines on a terminal (a pseudo-terminal from util-linux's `script`, as a person's shell gives),
// JSON lines into a pipe or file, LOG_FORMAT choosing either way, and the dashboard token never shown.
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../helpers/processes.ts";
import { baseEnv, planbotBin } from "../helpers/planbot-child.ts";
import { onPseudoTerminal } from "../helpers/pseudo-terminal.ts";
import { killAndWait, useCleanups } from "../helpers/use-cleanups.ts";

/** A `planbot start` still running when a test ends (it failed or timed out) is killed before its folder goes. */
const { temp, defer } = useCleanups();

const TOKEN = "log-format-test-token-0123456789abcdef";
const COLOUR = /\u001b\[[0-9;]*m/;
const READABLE_LINE = /^\[\d\d:\d\d:\d\d\] (INFO|WARN|ERROR): /;

/** Starts `planbot start` (through `command` and `args`), waits for it to be up, stops it, returns its log. */
async function startAndStop(command: string, args: string[], env: Record<string, string>): Promise<string> {
  const root = await temp.make("log-format-");
  const dataDir = join(root, "data");
  await mkdir(dataDir, { recursive: true });
  const child = execa(command, args, {
    cwd: root,
    env: { ...baseEnv, PLANBOT_DATA_DIR: dataDir, DASHBOARD_PORT: "0", DASHBOARD_TOKEN: TOKEN, ...env },
    extendEnv: false,
    reject: false,
    timeout: 150_000,
    stdin: "ignore",
  });
  defer(() => killAndWait(child));
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const started = await waitUntil(() => /planbot started/.test(output) || child.exitCode !== null, 120_000);
  expect(started, output).toBe(true);
  expect(child.exitCode, output).toBeNull();
  // planbot itself, not `script`: script answers a SIGTERM by killing its child without a word.
  process.kill(planbotPid(child.pid!), "SIGTERM");
  await child;
  return output;
}

/** The node process running bin/planbot: `root` itself, or the one below it (under `script`). */
function planbotPid(root: number): number {
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (commandLine.some((part) => part.endsWith("/bin/planbot")) && !commandLine[0]!.endsWith("script")) return pid;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    if (children) queue.push(...children.split(" ").map(Number));
  }
  throw new Error(`no bin/planbot process under ${root}`);
}

describe("planbot start's log lines", { timeout: 180_000 }, () => {
  it("are readable, coloured lines on a terminal, down to the last one at shutdown", async () => {
    // `script` runs the launcher on a pseudo-terminal; the command line is fixed here, no input reaches it.
    const output = await startAndStop("script", onPseudoTerminal("start"), {});
    expect(output).toMatch(COLOUR);
    const lines = output
      .replace(new RegExp(COLOUR.source, "g"), "")
      .split(/\r?\n/)
      .filter((line) => line.trim());
    const logLines = lines.filter((line) => READABLE_LINE.test(line));
    expect(logLines.find((line) => line.includes("dashboard listening"))).toMatch(
      /INFO: dashboard listening \{"adapter":"dashboard","url":"http:\/\/127\.0\.0\.1:\d+\/"/,
    );
    expect(logLines.at(-1)).toMatch(/INFO: stopped$/);
    expect(lines.filter((line) => line.startsWith("{"))).toEqual([]);
    expect(output).not.toContain(TOKEN);
  });

  it("are JSON lines into a pipe, and LOG_FORMAT=pretty makes them readable there too", async () => {
    const piped = await startAndStop(planbotBin, ["start"], {});
    const records = piped
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; msg: string });
    // Whether the dashboard asks for a token is shown, not redacted as if it were the token itself.
    expect(records.find((record) => record.msg === "dashboard listening")).toMatchObject({ tokenRequired: true });
    expect(records.at(-1)).toMatchObject({ level: "info", msg: "stopped" });
    expect(piped).not.toContain(TOKEN);

    const pretty = await startAndStop(planbotBin, ["start"], { LOG_FORMAT: "pretty" });
    const lines = pretty.split("\n").filter(Boolean);
    expect(
      lines.every((line) => READABLE_LINE.test(line)),
      pretty,
    ).toBe(true);
    expect(pretty).not.toMatch(COLOUR);
    expect(lines.at(-1)).toMatch(/INFO: stopped$/);
    expect(pretty).not.toContain(TOKEN);
  });

  it("LOG_FORMAT=json keeps JSON on a terminal; an unknown format is named with the choices", async () => {
    const output = await startAndStop("script", onPseudoTerminal("start"), {
      LOG_FORMAT: "json",
    });
    const lines = output.split(/\r?\n/).filter((line) => line.trim());
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain("planbot started");

    const root = await temp.make("log-format-bad-");
    const bad = await execa(planbotBin, ["projects", "list"], {
      cwd: root,
      env: { ...baseEnv, PLANBOT_DATA_DIR: join(root, "data"), LOG_FORMAT: "yaml" },
      extendEnv: false,
      reject: false,
    });
    expect(bad.exitCode).toBe(2);
    expect(String(bad.stderr).trim()).toBe('planbot: Invalid LOG_FORMAT (got "yaml"): must be json or pretty');
  });
});
