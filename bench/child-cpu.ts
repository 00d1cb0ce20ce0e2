/**
 * CPU time of child processes from the kernel's own accounting: the bench process's `cutime + cstime`
 * (/proc/self/stat), which grows by a child's whole user + system time (its own children included) when
 * it is reaped. Runs are sequential and synchronous, so each delta belongs to exactly one command.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Seconds of CPU used by this process's reaped children so far. */
function childrenCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name in parentheses (which may hold spaces): state is field 3, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
}

/**
 * An environment with nothing that changes how node starts: no NODE_OPTIONS, NODE_EXTRA_CA_CERTS (alone
 * ~0.05 s per start) or other NODE_* variable; PATH, HOME and the given variables only.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...extra };
}

/** Runs `command args` to completion and returns the CPU seconds it used; throws when it exits non-zero. */
export function childCpu(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): number {
  const before = childrenCpuSeconds();
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const used = childrenCpuSeconds() - before;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${result.status ?? result.signal}: ${result.stderr}`);
  return used;
}
