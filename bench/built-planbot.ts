/**
 * planbot's modules as `planbot start` runs them: the compiled dist/ (rebuilt first when older than src/),
 * typed by their sources. The chat benches time planbot against bare library bots, so they time the code a
 * user runs: under tsx every function the sources create at run time also passes through esbuild's
 * name-keeping helper, work the compiled planbot never does (a few percent of a round trip).
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureDistBuilt } from "./dist-build.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
let checked = false;

/**
 * Imports the compiled form of `sourcePath` (a path under src/, such as `adapters/telegram/index.ts`);
 * write the source module's type as `Module`. Every planbot module a bench uses must come through here,
 * so one copy of each is loaded.
 */
export async function importBuilt<Module>(sourcePath: string): Promise<Module> {
  if (!checked) {
    ensureDistBuilt(repoRoot);
    checked = true;
  }
  const compiled = join(repoRoot, "dist", sourcePath.replace(/\.ts$/, ".js"));
  return (await import(pathToFileURL(compiled).href)) as Module;
}
