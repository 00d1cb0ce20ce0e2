#!/usr/bin/env node
/**
 * `npm run build` (and `npm ci` through `prepare`): compiles src/ to dist/ with tsconfig.build.json, copies
 * the files the code reads at run time (prompts and any other non-TypeScript file under src/), then writes
 * dist/.build-stamp dated to the moment the build started. bin/planbot runs dist/ only while that stamp is
 * at least as new as everything in src/, so an edit after the build falls back to the sources (README).
 * Without TypeScript installed (`npm ci --omit=dev`) it only warns: bin/planbot then runs the sources.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");
const dist = join(root, "dist");
const startedAt = new Date();

let tscPath;
try {
  tscPath = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  process.stderr.write(
    "planbot build: TypeScript is not installed, skipping the build; bin/planbot will run the sources through tsx.\n",
  );
  process.exit(0);
}

// A clean tree: files of deleted sources must not linger, and no stamp until the build is complete.
rmSync(dist, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tscPath, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (compiled.status !== 0) {
  process.stderr.write(`planbot build: tsc failed (exit ${compiled.status ?? compiled.signal}).\n`);
  process.exit(1);
}

let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith(".ts")) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied += 1;
}

const stamp = join(dist, ".build-stamp");
writeFileSync(stamp, `${startedAt.toISOString()}\n`);
utimesSync(stamp, startedAt, startedAt);
process.stdout.write(`planbot build: dist/ ready (${copied} asset files copied).\n`);
