import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/projects/clock.ts";
import { createLifecycle } from "../../src/projects/lifecycle.ts";
import { createProjectStore } from "../../src/projects/project-store.ts";
import {
  DESCRIPTION_MAX,
  normalizeSlug,
  validateAnswer,
  validateBaseBranch,
  validateBranch,
  validateDescription,
  validateRepo,
  validateSlug,
} from "../../src/projects/validation.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterEach(() => temp.cleanup());

describe("validateSlug", () => {
  it.each(["a", "0", "my-app", "todo-app-2", "9lives", "a".repeat(63), "My-App", "MY-APP"])("accepts %j", (slug) => {
    expect(validateSlug(slug)).toBeUndefined();
  });

  it.each([
    ["", /slug is required/],
    ["-app", /slug "-app" is not valid/],
    ["my_app", /not valid/],
    ["my app", /not valid/],
    ["my.app", /not valid/],
    ["a/b", /not valid/],
    ["../etc", /not valid/],
    [" app", /not valid/],
    ["app\n", /not valid/],
    ["café", /not valid/],
    ["a".repeat(64), /64 characters long; the limit is 63: use a shorter one, such as my-app\.$/],
  ])("rejects %j", (slug, message) => {
    const problem = validateSlug(slug);
    expect(problem).toMatch(/^slug /);
    expect(problem).toMatch(message);
  });

  it("never echoes control characters back", () => {
    expect(validateSlug("a\u001b[31mb")).not.toMatch(/\u001b/);
  });

  it("normalises for lookups: trimmed, lower-case", () => {
    expect(normalizeSlug("  My-App ")).toBe("my-app");
  });
});

describe("validateDescription", () => {
  it.each([
    "x",
    "A todo app with reminders.",
    "Line one\nline two\twith a tab\r\n",
    "  padded  ",
    "é ✓ 漢字",
    "x".repeat(DESCRIPTION_MAX),
    ` ${"y".repeat(DESCRIPTION_MAX)} `,
  ])("accepts %j", (description) => {
    expect(validateDescription(description)).toBeUndefined();
  });

  it.each([
    ["", /description is required/],
    ["   \n\t ", /description is required/],
    ["x".repeat(DESCRIPTION_MAX + 1), /description is 2001 characters long; the limit is 2000/],
    ["nul\u0000byte", /description contains control characters/],
    ["bell\u0007", /control characters/],
    ["back\bspace", /control characters/],
    ["vertical\u000btab", /control characters/],
    ["form\ffeed", /control characters/],
    ["colour \u001b[31mred", /control characters/],
    ["del\u007f", /control characters/],
  ])("rejects %j", (description, message) => {
    expect(validateDescription(description)).toMatch(message);
  });
});

describe("validateRepo", () => {
  it.each(["todo-app", "team/todo-app", "a.b_c-d", "_x", "Repo.Name", "a".repeat(100), `team/${"b".repeat(100)}`])(
    "accepts %j",
    (repo) => {
      expect(validateRepo(repo)).toBeUndefined();
    },
  );

  it.each([
    ["", /repo is empty/],
    ["-rf", /repo "-rf" is not valid/],
    [".hidden", /not valid/],
    ["team/.git", /not valid/],
    ["a/b/c", /not valid/],
    ["a..b", /not valid/],
    ["team/../etc", /not valid/],
    ["team/", /not valid/],
    ["/abs", /not valid/],
    ["a b", /not valid/],
    ["x;rm -rf ~", /not valid/],
    ["https://github.com/x/y", /not valid/],
    ["a".repeat(101), /not valid/],
    ["tab\there", /not valid/],
  ])("rejects %j", (repo, message) => {
    const problem = validateRepo(repo);
    expect(problem).toMatch(/^repo /);
    expect(problem).toMatch(message);
  });
});

const GOOD_BRANCHES = [
  "main",
  "feature/x",
  "release-1.2",
  "user/jd/fix_bug",
  "v1@2",
  "a.b",
  "ralph/my-app",
  "ça-va",
  "x-",
  "HEADS",
];

/** Bad branch names and the rule each breaks (the message must name it). */
const BAD_BRANCHES: Array<[string, RegExp]> = [
  ["", /it is empty/],
  ["a".repeat(201), /longer than 200/],
  ["-x", /starts with "-"/],
  ["--upload-pack=evil", /starts with "-"/],
  ["@", /single character "@"/],
  ["a..b", /contains "\.\."/],
  ["..", /contains "\.\."/],
  ["has space", /spaces or control characters/],
  ["tab\tx", /spaces or control characters/],
  ["nl\nx", /spaces or control characters/],
  ["nul\u0000x", /spaces or control characters/],
  ["del\u007fx", /spaces or control characters/],
  ["esc\u001bx", /spaces or control characters/],
  ["a@{1}", /contains "@\{"/],
  ["a~1", /one of ~ \^ : \? \* \[ \\/],
  ["a^2", /one of/],
  ["a:b", /one of/],
  ["what?", /one of/],
  ["glob*", /one of/],
  ["br[ack", /one of/],
  ["back\\slash", /one of/],
  ["trailing.", /ends with "\."/],
  ["trailing/", /empty path component/],
  ["/leading", /empty path component/],
  ["double//slash", /empty path component/],
  ["x.lock", /ends with "\.lock"/],
  ["feature/x.lock/y", /ends with "\.lock"/],
  ["feature/.hidden", /starts with "\."/],
  [".dot", /starts with "\."/],
];

describe("validateBranch (git's ref-name rules plus no leading -)", () => {
  it.each(GOOD_BRANCHES)("accepts %j", (branch) => {
    expect(validateBranch(branch)).toBeUndefined();
  });

  it.each(BAD_BRANCHES)("rejects %j", (branch, rule) => {
    const problem = validateBranch(branch);
    expect(problem).toMatch(/^branch ".*" is not a valid git branch name: /s);
    expect(problem).toMatch(rule);
  });

  it("names the field it checks and never echoes control characters", () => {
    expect(validateBranch("a..b", "prd.json branchName")).toMatch(/^prd\.json branchName "a\.\.b" is not a valid git/);
    expect(validateBranch("x\u001b[2Jy")).not.toMatch(/\u001b/);
  });

  it("says what to do after what is wrong: a name like the example, for a branch and a base branch", () => {
    expect(validateBranch("-x")).toBe(
      'branch "-x" is not a valid git branch name: it starts with "-"; use a name such as feat/reminders.',
    );
    expect(validateBaseBranch("a..b")).toBe(
      'base branch "a..b" is not a valid git branch name: it contains ".."; name the branch to start from, such as main.',
    );
    expect(validateBaseBranch("x\u001b[2Jy")).not.toMatch(/\u001b/);
    expect(validateBaseBranch("main")).toBeUndefined();
  });

  it("agrees with git check-ref-format --branch on every case git decides", async () => {
    const cwd = await temp.make("refcheck-");
    // "@" and the 200-character cap are our own stricter rules; git accepts both.
    const cases = [
      ...GOOD_BRANCHES.map((name) => [name, true] as const),
      ...BAD_BRANCHES.filter(([name]) => name !== "@" && name.length <= 200 && !name.includes("\u0000")).map(
        ([name]) => [name, false] as const,
      ),
    ];
    const verdicts = await Promise.all(
      cases.map(async ([name, ok]) => {
        const result = await execa("git", ["check-ref-format", "--branch", name], { cwd, reject: false });
        return { name, ours: ok, git: result.exitCode === 0 };
      }),
    );
    expect(verdicts.filter((verdict) => verdict.ours !== verdict.git)).toEqual([]);
  });
});

describe("propose reports every bad field at once", () => {
  it("validation_failed with one problem per field, nothing written", async () => {
    const dataDir = await temp.make("validate-propose-");
    const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
    const store = createProjectStore({ dataDir, clock });
    const lifecycle = createLifecycle({ store, clock, workspaceDir: join(dataDir, "workspace") });
    const result = await lifecycle.propose({
      slug: "Bad Slug",
      description: "  ",
      repo: "a/b/c",
      branch: "-x",
      base: "main..dev",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("validation_failed");
    expect(Object.keys(result.fields ?? {}).sort()).toEqual(["base_branch", "branch", "description", "repo", "slug"]);
    expect(result.fields?.base_branch).toMatch(/^base branch "main\.\.dev"/);
    expect(result.message).toContain(result.fields!.slug!);
    const read = await store.read();
    expect(read.ok && read.file.version).toBe(0);
  });

  it("lifecycle steps on an invalid slug fail with invalid_slug before touching the store", async () => {
    const dataDir = await temp.make("validate-slug-");
    const clock: Clock = { now: () => new Date("2025-03-01T12:00:00.000Z") };
    const store = createProjectStore({ dataDir, clock });
    const lifecycle = createLifecycle({ store, clock, workspaceDir: join(dataDir, "workspace") });
    for (const attempt of [
      lifecycle.approve("../x"),
      lifecycle.cancel("-rf"),
      lifecycle.startPlanning("a b", { description: "x" }),
      lifecycle.finalize("", "/p.md"),
    ]) {
      expect(await attempt).toMatchObject({ ok: false, code: "invalid_slug" });
    }
    expect(await lifecycle.startPlanning("ok-slug", { description: "bad\u0007" })).toMatchObject({
      ok: false,
      code: "invalid_description",
    });
    const read = await store.read();
    expect(read.ok && read.file.version).toBe(0);
  });
});

describe("bidirectional control characters (Trojan Source)", () => {
  const BIDI = [
    "\u061c",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
  ];

  it.each(
    BIDI.map((character) => [`U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`, character]),
  )("%s is refused in every field, named with its code point and the field", (code, character) => {
    const checks: Array<[string | undefined, string]> = [
      [validateSlug(`app${character}`), "slug"],
      [validateDescription(`A todo ${character}app`), "description"],
      [validateRepo(`team/to${character}do`), "repo"],
      [validateBranch(`feat/${character}x`), "branch"],
      [validateBaseBranch(`ma${character}in`), "base branch"],
      [validateAnswer(`yes ${character}please`), "answer"],
    ];
    for (const [problem, field] of checks) {
      expect(problem).toMatch(
        new RegExp(`^${field} contains the invisible character ${code.replace("+", "\\+")} \\([A-Z -]+\\)`),
      );
      expect(problem).not.toContain(character);
    }
  });

  it("other right-to-left text is fine where text is free", () => {
    expect(validateDescription("תוכנית עבודה — خطة")).toBeUndefined();
    expect(validateAnswer("כן, בבקשה")).toBeUndefined();
  });
});

describe("validateAnswer", () => {
  it.each(["yes", "Line one\nline two\twith a tab\r\n", "é ✓ 漢字 🎉"])("accepts %j", (answer) => {
    expect(validateAnswer(answer)).toBeUndefined();
  });

  it.each(["\u0000planbot-int:123", "bell\u0007", "colour \u001b[31mred", "del\u007f"])("rejects %j", (answer) => {
    expect(validateAnswer(answer)).toMatch(/^answer contains control characters/);
  });
});

describe("planbot projects propose (real CLI) with a bidirectional override in the branch", () => {
  it("exits non-zero with one line naming the field and the character, and stores nothing", {
    timeout: 120_000,
  }, async () => {
    const dataDir = await temp.make("validate-bidi-cli-");
    const repoRoot = join(import.meta.dirname, "..", "..");
    const result = await execa(
      join(repoRoot, "bin", "planbot"),
      ["projects", "propose", "app", "A", "todo", "app", "--branch", "feat/\u202eexe.txt"],
      {
        cwd: dataDir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, PLANBOT_DATA_DIR: dataDir },
        extendEnv: false,
        reject: false,
      },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/branch contains the invisible character U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/);
    expect(result.stderr).not.toContain("\u202e");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const store = createProjectStore({ dataDir, clock: { now: () => new Date() } });
    const read = await store.read();
    expect(read.ok && read.file.projects).toEqual([]);
  });
});
