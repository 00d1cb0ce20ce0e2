/**
 * The compiled CLI as `npm ci` leaves it: a copy of the package (package.json, tsconfigs, bin/, scripts/,
 * src/) whose node_modules links every installed package except tsx, so bin/planbot can only succeed by
 * running dist/. The `prepare` script builds it; then the CLI works, loads only what `projects` needs,
 * and an edit to src/ after the build makes bin/planbot run the sources instead of the stale build.
 */
import { existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDirs } from "../helpers/temp-dir.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const temp = createTempDirs();
let pkg = "";

/** Links node_modules/<name> of the checkout into the copy, for every package but the ones `except` names. */
function linkModules(except: string[]): void {
  for (const name of readdirSync(join(repoRoot, "node_modules"))) {
    if (except.includes(name) || existsSync(join(pkg, "node_modules", name))) continue;
    symlinkSync(join(repoRoot, "node_modules", name), join(pkg, "node_modules", name));
  }
}

function run(args: string[], env: Record<string, string> = {}) {
  return execa(join(pkg, "bin", "planbot"), args, {
    cwd: pkg,
    reject: false,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      PLANBOT_DATA_DIR: join(pkg, "data"),
      ...env,
    },
  });
}

/** node:crypto and its internals, as node's module list names them. */
const CRYPTO = /^NativeModule (crypto|internal\/crypto\/)/;

/**
 * Runs bin/planbot with a module hook that records every file the process loads, and node's own list of
 * every built-in module it loaded (those reached through require, which the hook does not see, included).
 */
async function runRecordingLoads(args: string[], label: string, env: Record<string, string> = {}) {
  const loadedLog = join(pkg, `loaded-${label}.txt`);
  const builtinsLog = join(pkg, `builtins-${label}.txt`);
  const hook = join(pkg, `record-loads-${label}.mjs`);
  const register = join(pkg, `register-hook-${label}.mjs`);
  await writeFile(
    hook,
    `import { appendFileSync } from "node:fs";\n` +
      `export async function resolve(specifier, context, next) { const result = await next(specifier, context); appendFileSync(${JSON.stringify(loadedLog)}, result.url + "\\n"); return result; }\n`,
  );
  await writeFile(
    register,
    `import { writeFileSync } from "node:fs";\nimport { register } from "node:module";\n` +
      `register(${JSON.stringify(pathToFileURL(hook).href)});\n` +
      `process.on("exit", () => writeFileSync(${JSON.stringify(builtinsLog)}, process.moduleLoadList.join("\\n")));\n`,
  );
  const result = await run(args, { ...env, NODE_OPTIONS: `--import=${pathToFileURL(register).href}` });
  return {
    result,
    loaded: readFileSync(loadedLog, "utf8").trim().split("\n"),
    builtins: readFileSync(builtinsLog, "utf8").split("\n"),
  };
}

beforeAll(async () => {
  pkg = await temp.make("dist-");
  for (const entry of ["package.json", "tsconfig.json", "tsconfig.build.json", "bin", "scripts", "src"]) {
    await cp(join(repoRoot, entry), join(pkg, entry), { recursive: true });
  }
  await mkdir(join(pkg, "node_modules"));
  linkModules(["tsx", ".bin"]);
  // What `npm ci` runs after installing: the package's `prepare` script.
  const built = await execa("npm", ["run", "--silent", "prepare"], { cwd: pkg, reject: false });
  expect(built.exitCode, `${built.stdout}\n${built.stderr}`).toBe(0);
}, 300_000);
afterAll(() => temp.cleanup());

describe("the compiled CLI", () => {
  it("the build writes dist/ with the prompts the planner reads at run time, and a build stamp", async () => {
    expect(existsSync(join(pkg, "dist", "main.js"))).toBe(true);
    expect(existsSync(join(pkg, "dist", ".build-stamp"))).toBe(true);
    for (const prompt of readdirSync(join(pkg, "src", "planning", "prompts"))) {
      expect(readFileSync(join(pkg, "dist", "planning", "prompts", prompt), "utf8")).toBe(
        readFileSync(join(pkg, "src", "planning", "prompts", prompt), "utf8"),
      );
    }
    // The compiled prompt library finds them next to itself.
    const library = (await import(pathToFileURL(join(pkg, "dist", "planning", "prompt-library.js")).href)) as {
      renderPrompt: (name: string, values: Record<string, string>) => string;
    };
    expect(library.renderPrompt("clarify", {}).length).toBeGreaterThan(100);
  });

  it("bin/planbot projects works from dist/ without tsx, loading no chat platform library, logger or delivery code", {
    timeout: 60_000,
  }, async () => {
    const proposed = await run(["projects", "propose", "alpha", "The first project"]);
    expect(proposed.exitCode, proposed.stderr).toBe(0);
    expect(proposed.stdout).toContain("proposed alpha (pending, version 1)");

    const { result: listed, loaded, builtins } = await runRecordingLoads(["projects", "list"], "list");
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/alpha\s+pending/);

    const own = loaded.filter(
      (url) =>
        url.startsWith(pathToFileURL(pkg).href) &&
        !url.includes("/node_modules/") &&
        !url.includes("/scripts/") &&
        !url.includes("/bin/"),
    );
    expect(own.length).toBeGreaterThan(5);
    for (const url of own) expect(url).toContain("/dist/");
    expect(loaded.filter((url) => /node_modules\/(discord\.js|grammy|@grammyjs|@discordjs|tsx)\//.test(url))).toEqual(
      [],
    );
    // Nor what only other actions need: delivery (git, GitHub), the logger, child processes, the adapters,
    // the store's lock (a list only reads).
    expect(
      loaded.filter((url) =>
        /node_modules\/(pino|execa|proper-lockfile)\/|\/dist\/(deliver|adapters|runtime)\//.test(url),
      ),
    ).toEqual([]);
    // node:crypto (about 13 ms through an ESM import) only names temp files and JSON placeholders: a list
    // writes nothing (src/projects/random-hex.ts).
    expect(builtins).toContain("NativeModule fs");
    expect(builtins.filter((name) => CRYPTO.test(name))).toEqual([]);
  });

  it("bin/planbot doctor checks the dashboard's binding without the dashboard's request gates (node:crypto)", {
    timeout: 60_000,
  }, async () => {
    // Off loopback with a weak token: the exposure rule still runs, and says so.
    const { result, loaded, builtins } = await runRecordingLoads(["doctor"], "doctor", {
      DASHBOARD_HOST: "0.0.0.0",
      DASHBOARD_TOKEN: "short",
    });
    expect(result.stdout).toContain("config: loaded");
    expect(result.stdout).toMatch(/DASHBOARD_TOKEN is too weak for DASHBOARD_HOST=0\.0\.0\.0/);
    expect(loaded.some((url) => url.endsWith("/dist/adapters/http/exposure.js"))).toBe(true);
    expect(
      loaded.filter((url) =>
        /node_modules\/(discord\.js|grammy|pino|tsx)\/|\/dist\/adapters\/http\/security\.js/.test(url),
      ),
    ).toEqual([]);
    expect(builtins).toContain("NativeModule child_process");
    expect(builtins.filter((name) => CRYPTO.test(name))).toEqual([]);
  });

  it("after an edit to src/, bin/planbot runs the sources (through tsx), never the stale build", {
    timeout: 60_000,
  }, async () => {
    linkModules([".bin"]);
    const main = join(pkg, "src", "main.ts");
    await writeFile(
      main,
      readFileSync(main, "utf8").replace(
        "usage: planbot <command>",
        "usage: planbot <command> (edited after the build)",
      ),
    );
    const help = await run(["--help"]);
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toContain("(edited after the build)");
    // The build itself is untouched: it is simply not used while it is older than src/.
    expect(readFileSync(join(pkg, "dist", "main.js"), "utf8")).not.toContain("edited after the build");
  });
});
