// Numbers and strings other tools wrote into approved-tasks.json, through real `bin/planbot projects`
// child processes: every number token comes back byte for byte after planbot rewrites the file, and no
// string (not even the old "\u0000planbot-int:<digits>" marker text) is ever turned into a number.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { parseLosslessJson, stringifyLosslessJson } from "../../src/projects/lossless-json.ts";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { baseEnv, planbotBin as bin } from "../helpers/planbot-child.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

async function planbot(dataDir: string, args: string[]) {
  return execa(bin, args, {
    cwd: dataDir,
    env: { ...baseEnv, PLANBOT_DATA_DIR: dataDir },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
}

const HUGE = `1${"234567890".repeat(150)}`; // 1,351 digits

/** A store another tool wrote: odd numbers in fields planbot does not own, and a string spelling the old marker. */
function foreignStore(): string {
  return [
    "{",
    '  "projects": [',
    "    {",
    '      "name": "alpha",',
    '      "description": "A project another tool also writes to.",',
    '      "status": "pending",',
    '      "tool_stats": {"overflow": 1e400, "tiny": 4.9e-325, "pi": 3.14159265358979323846264338327950288, "huge": ' +
      HUGE +
      ', "negzero": -0, "float": 2.50, "exp": 6.02E23, "plain": 42, "ratio": 0.8333},',
    '      "tool_note": "\\u0000planbot-int:12345",',
    '      "tool_list": ["\\u0000planbot-int:-7", 12345678901234567890123]',
    "    }",
    "  ],",
    '  "version": 3',
    "}",
    "",
  ].join("\n");
}

describe("numbers other tools wrote survive planbot's rewrite (real CLI)", { timeout: 180_000 }, () => {
  it("1e400, long decimals and a 1,351-digit integer are read (not 'not valid JSON') and written back byte for byte", async () => {
    const dataDir = await temp.make("numbers-");
    const path = join(dataDir, TASKS_FILE_NAME);
    await writeFile(path, foreignStore());

    const listed = await planbot(dataDir, ["projects", "list"]);
    expect(listed.stderr).toBe("");
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain("alpha");

    const approved = await planbot(dataDir, ["projects", "approve", "alpha"]);
    expect(approved.exitCode, approved.stderr).toBe(0);
    const after = await readFile(path, "utf8");
    for (const token of [
      "1e400",
      "4.9e-325",
      "3.14159265358979323846264338327950288",
      HUGE,
      "-0",
      "2.50",
      "6.02E23",
      "0.8333",
      "12345678901234567890123",
    ]) {
      expect(after).toMatch(new RegExp(`[\\s:\\[]${token.replace(/[.+]/g, "\\$&")}[,}\\]\\n]`));
    }
    expect(after).toContain('"plain": 42');
    expect(after).toMatch(/"status": "approved"/);
    expect(after).toMatch(/"version": 4/);
  });

  it("a string spelling the old big-integer marker stays that string; it is never written as a number", async () => {
    const dataDir = await temp.make("marker-");
    const path = join(dataDir, TASKS_FILE_NAME);
    await writeFile(path, foreignStore());
    expect((await planbot(dataDir, ["projects", "approve", "alpha"])).exitCode).toBe(0);
    expect((await planbot(dataDir, ["projects", "unapprove", "alpha"])).exitCode).toBe(0);
    const after = JSON.parse(await readFile(path, "utf8")) as { projects: Array<Record<string, unknown>> };
    expect(after.projects[0]!.tool_note).toBe("\u0000planbot-int:12345");
    expect((after.projects[0]!.tool_list as unknown[])[0]).toBe("\u0000planbot-int:-7");
    // And the file is still one planbot reads.
    const listed = await planbot(dataDir, ["projects", "list", "--json"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
  });
});

describe("lossless JSON", () => {
  it("round-trips tokens a double cannot reproduce, inside nested arrays and objects, and leaves strings alone", () => {
    const text = `{"a":[1e400,{"b":0.10,"c":"1e400"}],"d":-0.0,"e":"${"\\u0000"}x","f":12}`;
    const value = parseLosslessJson(text) as Record<string, unknown>;
    expect(value.f).toBe(12);
    expect(value.e).toBe("\u0000x");
    expect(stringifyLosslessJson(structuredClone(value), 0)).toBe(text);
  });

  it("invalid JSON stays invalid, with the error at the file's own position", () => {
    expect(() => parseLosslessJson('{"a": 01}')).toThrow(SyntaxError);
    expect(() => parseLosslessJson('{"a": 1e400 x}')).toThrow(/position 12/);
    expect(() => parseLosslessJson('{"a": "unterminated 1e400}')).toThrow(SyntaxError);
  });

  it("a String object made elsewhere that is not a number token is written as a string", () => {
    expect(stringifyLosslessJson({ a: new String("1, 2") }, 0)).toBe('{"a":"1, 2"}');
  });
});
