// What a newcomer gets for a misspelt command or option, or `--help` on a command that runs a server:
// through the real `bin/planbot` child process, as they would type it.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { runPlanbot } from "./planbot-process.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

async function fresh() {
  const cwd = await temp.make("usage-");
  return { cwd, env: { PLANBOT_DATA_DIR: join(cwd, "data") } };
}

// Each bin/planbot start costs seconds on a busy machine (tsx compiles the sources when dist/ is stale).
describe("usage errors name what was wrong and what to type", { timeout: 120_000 }, () => {
  it("`start --help` and `chat --help` print their usage and start nothing", async () => {
    const at = await fresh();
    // A started planbot would listen on the dashboard port and never exit; the port proves nothing ran.
    const start = await runPlanbot(["start", "--help"], { ...at, env: { ...at.env, DASHBOARD_PORT: "0" } });
    expect(start.exitCode).toBe(0);
    expect(start.stdout).toMatch(/^usage: planbot start/);
    const chat = await runPlanbot(["chat", "--help"], at);
    expect(chat.exitCode).toBe(0);
    expect(chat.stdout).toMatch(/^usage: planbot chat/);
    expect(chat.stdout).toContain("Ctrl-D quits");
    // Neither took the data dir's socket nor made a history file.
    expect(existsSync(join(at.env.PLANBOT_DATA_DIR, "planbot.sock"))).toBe(false);
    expect(existsSync(join(at.env.PLANBOT_DATA_DIR, "chat-history"))).toBe(false);
  });

  it("an option or word `start` and `chat` do not take is a usage error, not a started planbot", async () => {
    const at = await fresh();
    const start = await runPlanbot(["start", "--port", "9000"], at);
    expect(start.exitCode).toBe(2);
    expect(start.stderr).toContain('unknown option "--port"');
    expect(start.stderr).toContain("usage: planbot start");
    const chat = await runPlanbot(["chat", "my-app"], at);
    expect(chat.exitCode).toBe(2);
    expect(chat.stderr).toContain("usage: planbot chat");
  });

  it("a misspelt option is named with the closest one and the options the command takes", async () => {
    const at = await fresh();
    const execute = await runPlanbot(["execute", "--dryrun"], at);
    expect(execute.exitCode).toBe(2);
    expect(execute.stderr).toContain('unknown option "--dryrun". Did you mean --dry-run?');
    const propose = await runPlanbot(["projects", "propose", "shop", "A shop", "--brnach", "feat/x"], at);
    expect(propose.exitCode).toBe(2);
    expect(propose.stderr).toContain('unknown option "--brnach". Did you mean --branch?');
    expect(propose.stderr).toContain("--repo, --branch, --base");
    // Node's own wording (about positional arguments and `--`) is not shown.
    expect(propose.stderr).not.toContain("positional");
    const list = await runPlanbot(["projects", "list"], at);
    expect(list.stdout).toContain("no projects yet");
  });

  it("a misspelt option of one projects action offers that action's options, not every action's", async () => {
    const at = await fresh();
    const list = await runPlanbot(["projects", "list", "--jsn"], at);
    expect(list.exitCode).toBe(2);
    expect(list.stderr).toContain('unknown option "--jsn". Did you mean --json? This command takes --json, --help.');
    expect(list.stderr.split("\n")[0]).not.toContain("--repo");
    const approve = await runPlanbot(["projects", "approve", "shop", "--repo", "x"], at);
    expect(approve.exitCode).toBe(2);
    expect(approve.stderr).toContain('unknown option "--repo". This command takes --if-match, --json, --help.');
    // deliver takes only --json: an option it would ignore (it has no version check) is refused, not dropped.
    const deliver = await runPlanbot(["projects", "deliver", "shop", "--if-match", "3"], at);
    expect(deliver.exitCode).toBe(2);
    expect(deliver.stderr).toContain('unknown option "--if-match". This command takes --json, --help.');
  });

  it("an option without its value, a value on a switch and a stray word are said in plain words", async () => {
    const at = await fresh();
    const noValue = await runPlanbot(["projects", "edit", "shop", "--base"], at);
    expect(noValue.exitCode).toBe(2);
    expect(noValue.stderr).toMatch(/^--base needs a value after it, as in --base VALUE\.\nusage: planbot projects/);
    const dashValue = await runPlanbot(["projects", "propose", "foo", "bar", "--branch", "-x"], at);
    expect(dashValue.exitCode).toBe(2);
    expect(dashValue.stderr).toMatch(
      /^--branch needs a value after it, and the next word starts with a dash\. A value that starts with one is written --branch=-VALUE\.\nusage: planbot projects/,
    );
    const switchValue = await runPlanbot(["projects", "list", "--json=yes"], at);
    expect(switchValue.exitCode).toBe(2);
    expect(switchValue.stderr).toMatch(/^--json takes no value: write just --json\.\n/);
    // A word an action does not take is refused, not dropped: the command would not be doing what was typed.
    const listWord = await runPlanbot(["projects", "list", "shop"], at);
    expect(listWord.exitCode).toBe(2);
    expect(listWord.stderr).toMatch(
      /^list takes no words; unexpected "shop" \(planbot projects show <slug> shows one\)\nusage: planbot projects/,
    );
    const showWords = await runPlanbot(["projects", "show", "shop", "cart"], at);
    expect(showWords.exitCode).toBe(2);
    expect(showWords.stderr).toMatch(/^show takes one slug; unexpected "cart"\n/);
    const stray = await runPlanbot(["doctor", "--json", "now"], at);
    expect(stray.exitCode).toBe(2);
    expect(stray.stderr).toMatch(
      /^unexpected "now": this command takes no words, only the options below\.\nusage: planbot doctor/,
    );
    // Node's own wording (quoted placeholders, "positional arguments") is not shown.
    for (const result of [noValue, switchValue, stray])
      expect(result.stderr).not.toMatch(/positional|<value>|argument/);
  });

  it("a misspelt command gets the closest command; a chat word gets the command line that does it", async () => {
    const at = await fresh();
    const typo = await runPlanbot(["exeute"], at);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('unknown command "exeute"; did you mean planbot execute?');
    expect(typo.stderr).toContain("usage: planbot <command>");
    const status = await runPlanbot(["status"], at);
    expect(status.exitCode).toBe(2);
    expect(status.stderr).toContain('"status" is not a planbot command; use: planbot projects list');
    const run = await runPlanbot(["run", "shop"], at);
    expect(run.stderr).toContain("use: planbot execute <slug>");
    // Far from every command: no guess, just the list of commands.
    const nonsense = await runPlanbot(["zzzzzz"], at);
    expect(nonsense.stderr).toMatch(/^unknown command "zzzzzz"\n/);
  });

  it("a misspelt projects action gets the closest action, as a misspelt command does", async () => {
    const at = await fresh();
    const typo = await runPlanbot(["projects", "lst"], at);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toMatch(/^unknown action "lst"; did you mean planbot projects list\?\nusage: planbot projects/);
    const deliver = await runPlanbot(["projects", "delivr", "shop"], at);
    expect(deliver.stderr).toContain('unknown action "delivr"; did you mean planbot projects deliver?');
    const nonsense = await runPlanbot(["projects", "zzzzzz"], at);
    expect(nonsense.stderr).toMatch(/^unknown action "zzzzzz"\n/);
  });

  it("--version prints the version from package.json, and the usage says how to get help", async () => {
    const at = await fresh();
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    const version = await runPlanbot(["--version"], at);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toBe(`planbot ${pkg.version}`);
    const help = await runPlanbot(["--help"], at);
    expect(help.stdout).toContain("planbot <command> --help shows a command's options");
    // Every action planbot projects takes is named, deliver too.
    expect(help.stdout).toContain(
      "list, show, propose, edit, approve, unapprove, cancel, deliver (planbot projects --help)",
    );
  });

  it("a misspelt command is answered even when the configuration is broken", async () => {
    const at = await fresh();
    const result = await runPlanbot(["hlep"], { ...at, env: { ...at.env, DASHBOARD_PORT: "abc" } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("did you mean planbot help?");
  });
});
