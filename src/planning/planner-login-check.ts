import { execa } from "execa";
import { plannerEnv } from "./planner-env.ts";

/** One `doctor` line (same shape as the other doctor checks). */
export interface PlannerLoginCheck {
  level: "ok" | "warn" | "fail";
  name: string;
  detail: string;
}

/**
 * `claude auth status` with the planner's own environment: prints `{loggedIn, authMethod, …}` and exits
 * 1 when not logged in. A planner that is installed but not logged in fails every turn, so doctor says
 * so, and where to fix it.
 */
export async function plannerLoginCheck(
  command: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<PlannerLoginCheck> {
  const name = "planner login";
  const result = await execa(command, ["auth", "status"], {
    env: plannerEnv(env),
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    stdin: "ignore",
    stripFinalNewline: true,
  });
  if (result.timedOut)
    return {
      level: "warn",
      name,
      detail: `${command} auth status did not answer within ${Math.round(timeoutMs / 1000)} s`,
    };
  if (result.exitCode === undefined)
    return { level: "fail", name, detail: `${command} could not run (see the planner line)` };
  let status: { loggedIn?: unknown; authMethod?: unknown; apiKeySource?: unknown } | undefined;
  try {
    status = JSON.parse(String(result.stdout ?? "")) as typeof status;
  } catch {
    status = undefined;
  }
  if (status?.loggedIn === true) {
    const how = [status.authMethod, status.apiKeySource].filter((part) => typeof part === "string").join(", ");
    return { level: "ok", name, detail: `logged in${how ? ` (${how})` : ""}` };
  }
  if (status?.loggedIn === false) {
    return {
      level: "fail",
      name,
      detail:
        "not logged in: log in as the user that runs planbot (run claude, then /login) or set ANTHROPIC_API_KEY in planbot's environment",
    };
  }
  const said = `${String(result.stderr ?? "")} ${String(result.stdout ?? "")}`.trim().slice(0, 160);
  return {
    level: "warn",
    name,
    detail: `${command} auth status gave no login status (exit ${result.exitCode})${said ? `: ${said}` : ""}; planning fails if it is not logged in`,
  };
}
