import { execa } from "execa";
import { gitEnv, runGit } from "../execute/git.ts";
import type { DoctorCheck } from "./doctor-check.ts";

/** `git --version`: the executor clones and branches with git. */
export async function gitCheck(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  const version = await runGit(["--version"], { cwd: process.cwd(), env: gitEnv(env), timeoutMs });
  return version.ok
    ? { level: "ok", name: "git", detail: version.stdout.trim() }
    : {
        level: "fail",
        name: "git",
        detail: `${version.message}. The executor clones and branches with git: install it.`,
      };
}

/**
 * `<planner> --version`: whether the planner command is installed and answers, with the reason when not
 * (missing, timed out, or what it printed when it failed).
 */
export async function plannerCheck(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  const name = "planner";
  const result = await execa(command, ["--version"], {
    env,
    reject: false,
    timeout: timeoutMs,
    stdin: "ignore",
    stripFinalNewline: true,
  });
  const missing = `"${command}" was not found: install Claude Code (npm install -g @anthropic-ai/claude-code) and log in, or set PLANNER_COMMAND to its path`;
  if (result.timedOut)
    return {
      level: "fail",
      name,
      detail: `${command} --version did not answer within ${Math.round(timeoutMs / 1000)} s`,
    };
  if (result.exitCode === undefined)
    return {
      level: "fail",
      name,
      detail: /ENOENT/.test(String(result.message)) ? missing : `${command} could not run: ${result.shortMessage}`,
    };
  if (result.exitCode !== 0) {
    const said = `${String(result.stderr ?? "")}\n${String(result.stdout ?? "")}`
      .trim()
      .split("\n")
      .slice(-2)
      .join(" ")
      .slice(0, 200);
    return {
      level: "fail",
      name,
      detail: `${command} --version exited with ${result.exitCode}${said ? `: ${said}` : ""}`,
    };
  }
  const first =
    String(result.stdout ?? "")
      .trim()
      .split("\n")[0] ?? "";
  return { level: "ok", name, detail: `${command}: ${first || "answered --version"}` };
}
