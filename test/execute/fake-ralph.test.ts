// The fake ralph.sh reproduces what snarktank/ralph's real script does that planbot depends on: the
// `tee /dev/stderr` capture, .last-branch and archiving, progress.txt, the prompt files, the COMPLETE
// marker, exit 1 at max iterations and the Claude CLI's root refusal. Run as planbot runs it: stdout and
// stderr a real pipe (FIFO), the script exec'd so its PID and command line are ralph.sh's.
import { readdirSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { fakeRalphPath } from "../fakes/paths.ts";
import { git, samplePrd } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

/** A git workspace on main with scripts/ralph/{ralph.sh, CLAUDE.md, prompt.md, prd.json}. */
async function workspace(prd: object, options: { prompts?: boolean } = {}) {
  const ws = await temp.make("fake-ralph-");
  const dir = join(ws, "scripts", "ralph");
  await mkdir(dir, { recursive: true });
  await copyFile(fakeRalphPath, join(dir, "ralph.sh"));
  if (options.prompts !== false)
    for (const name of ["CLAUDE.md", "prompt.md"]) await copyFile(join(dirname(fakeRalphPath), name), join(dir, name));
  await writeFile(join(dir, "prd.json"), JSON.stringify(prd, null, 2));
  await git(ws, ["init", "--quiet", "-b", "main"]);
  await git(ws, ["add", "-A"]);
  await git(ws, ["commit", "--quiet", "-m", "init"]);
  /** Runs ralph.sh with stdout and stderr a FIFO (read by cat into the result's stdout). */
  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(
      "bash",
      [
        "-c",
        'f="$(mktemp -u)"; mkfifo "$f"; cat "$f" & exec 3>"$f"; rm "$f"; exec "$0" "$@" >&3 2>&3 3>&-',
        join(dir, "ralph.sh"),
        ...args,
      ],
      {
        cwd: ws,
        reject: false,
        timeout: 90_000,
        stripFinalNewline: false,
        env: { FAKE_RALPH_DELAY_MS: "10", FAKE_RALPH_UID: "1000", IS_SANDBOX: "", ...env },
      },
    ).then((result) => ({ exitCode: result.exitCode, out: String(result.stdout) }));
  const prdNow = async () => JSON.parse(await readFile(join(dir, "prd.json"), "utf8"));
  return { ws, dir, run, prdNow };
}

describe.concurrent("fake ralph.sh fidelity", { timeout: 200_000 }, () => {
  it("tees each iteration's agent output to stderr, checks out branchName, keeps .last-branch and progress.txt, and ends on COMPLETE", async () => {
    const w = await workspace(samplePrd("demo", 2, "ralph/demo"));
    const r = await w.run(["--tool", "claude", "5"]);
    expect(r.exitCode).toBe(0);
    expect(r.out).toMatch(/^Starting Ralph - Tool: claude - Max iterations: 5\n/);
    expect(r.out).toContain(
      "checked out branch ralph/demo (prd.json branchName)\niteration 1: working on US-1 - Story 1\n",
    );
    expect(r.out).toMatch(
      /iteration 2: US-2 passes\n<promise>COMPLETE<\/promise>\n\nRalph completed all tasks!\nCompleted at iteration 2 of 5\n$/,
    );
    expect(await git(w.ws, ["symbolic-ref", "--short", "HEAD"])).toBe("ralph/demo");
    expect(await readFile(join(w.dir, ".last-branch"), "utf8")).toBe("ralph/demo\n");
    expect(await readFile(join(w.dir, "progress.txt"), "utf8")).toMatch(
      /^# Ralph Progress Log\nStarted: .*\n---\n## Iteration 1 - US-1\n## Iteration 2 - US-2\n$/,
    );
  });

  it("a branchName different from .last-branch archives the previous prd.json and progress.txt and resets progress", async () => {
    const w = await workspace(samplePrd("demo", 1, "ralph/new-thing"));
    await writeFile(join(w.dir, ".last-branch"), "ralph/old-thing\n");
    await writeFile(join(w.dir, "progress.txt"), "# Ralph Progress Log\nold notes\n");
    const r = await w.run(["--tool=claude", "3"]);
    expect(r.exitCode).toBe(0);
    expect(r.out).toMatch(
      /^Archiving previous run: ralph\/old-thing\n {3}Archived to: .*\/archive\/\d{4}-\d\d-\d\d-old-thing\n/,
    );
    const [folder] = readdirSync(join(w.dir, "archive"));
    expect(await readFile(join(w.dir, "archive", folder!, "progress.txt"), "utf8")).toBe(
      "# Ralph Progress Log\nold notes\n",
    );
    expect(JSON.parse(await readFile(join(w.dir, "archive", folder!, "prd.json"), "utf8")).branchName).toBe(
      "ralph/new-thing",
    );
    expect(await readFile(join(w.dir, "progress.txt"), "utf8")).not.toContain("old notes");
    expect(await readFile(join(w.dir, ".last-branch"), "utf8")).toBe("ralph/new-thing\n");
  });

  it("as root without IS_SANDBOX=1 every iteration is the CLI's refusal and the loop ends with exit 1 at max iterations; IS_SANDBOX=1 lets it work", async () => {
    const w = await workspace(samplePrd("demo", 1));
    const refused = await w.run(["--tool", "claude", "2"], { FAKE_RALPH_UID: "0" });
    expect(refused.exitCode).toBe(1);
    expect(
      refused.out.match(
        /--dangerously-skip-permissions cannot be used with root\/sudo privileges for security reasons/g,
      ),
    ).toHaveLength(2);
    expect(refused.out).toMatch(
      /Ralph reached max iterations \(2\) without completing all tasks\.\nCheck .*progress\.txt for status\.\n$/,
    );
    expect((await w.prdNow()).userStories[0].passes).toBe(false);
    const allowed = await w.run(["--tool", "claude", "2"], { FAKE_RALPH_UID: "0", IS_SANDBOX: "1" });
    expect(allowed.exitCode).toBe(0);
  });

  it("without CLAUDE.md each iteration is bash's redirection error (nothing runs) until max iterations; amp reads prompt.md; another tool is refused", async () => {
    const w = await workspace(samplePrd("demo", 1), { prompts: false });
    const missing = await w.run(["--tool", "claude", "2"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.out.match(/CLAUDE\.md: No such file or directory/g)).toHaveLength(2);
    expect((await w.prdNow()).userStories[0].passes).toBe(false);
    const amp = await w.run(["2"]);
    expect(amp.out).toContain("prompt.md: No such file or directory");
    await copyFile(join(dirname(fakeRalphPath), "prompt.md"), join(w.dir, "prompt.md"));
    const ampOk = await w.run(["2"]);
    expect(ampOk.exitCode).toBe(0);
    expect(ampOk.out).toContain("Ralph Iteration 1 of 2 (amp)");
    const other = await w.run(["--tool", "codex"]);
    expect(other).toEqual({ exitCode: 1, out: "Error: Invalid tool 'codex'. Must be 'amp' or 'claude'.\n" });
  });
});
