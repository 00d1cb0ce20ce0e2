import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/**
 * The real Claude Code CLI installed by `npm ci` (devDependency `@anthropic-ai/claude-code`). The
 * package ships its native binary as the optional dependency `@anthropic-ai/claude-code-<os>-<arch>`;
 * its postinstall only copies that binary over `bin/claude.exe`. Resolving the platform package's
 * `claude` directly works whether or not install scripts ran; `node_modules/.bin/claude` is the fallback.
 */
export function realClaudePath(): string {
  const libc =
    process.platform === "linux" &&
    (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
      ?.glibcVersionRuntime === undefined
      ? "-musl"
      : "";
  for (const name of [
    `@anthropic-ai/claude-code-${process.platform}-${process.arch}${libc}`,
    `@anthropic-ai/claude-code-${process.platform}-${process.arch}`,
  ]) {
    try {
      const binary = join(
        dirname(require.resolve(`${name}/package.json`)),
        process.platform === "win32" ? "claude.exe" : "claude",
      );
      if (existsSync(binary)) return binary;
    } catch {
      // Not installed for this platform; try the next name.
    }
  }
  const bin = fileURLToPath(new URL("../../node_modules/.bin/claude", import.meta.url));
  if (existsSync(bin)) return bin;
  throw new Error("the Claude Code CLI is not installed: run npm ci (it is a devDependency)");
}
