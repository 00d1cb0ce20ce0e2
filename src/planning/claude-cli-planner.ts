import type { Result } from "../projects/result.ts";
import type { PlannerAnswer, PlannerBackend, PlannerProcessTracker, PlannerTurn } from "./planner-backend.ts";
import { plannerEnv } from "./planner-env.ts";
import { authFailure, classifyReported, plannerFailure } from "./planner-failure.ts";

/** Options of {@link createClaudeCliPlanner}. */
export interface ClaudeCliPlannerOptions {
  command: string;
  timeoutMs: number;
  /** The environment the allowlist is taken from (default `process.env`); planbot's tokens never pass. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Grace between SIGTERM and SIGKILL of a timed-out or aborted planner's process group. */
  killGraceMs?: number;
  tracker?: PlannerProcessTracker | undefined;
  now?: () => Date;
}

/** The tools the planner may offer the model: reading the workspace, nothing that writes or runs. */
export const READ_ONLY_TOOLS = ["Read", "Grep", "Glob"] as const;
/** Denied as well, in case a settings file or a later CLI adds them back to the offered set. */
export const DENIED_TOOLS = [
  "Bash",
  "Edit",
  "Write",
  "NotebookEdit",
  "MultiEdit",
  "WebFetch",
  "WebSearch",
  "Agent",
  "Task",
] as const;

/**
 * The CLI arguments of one turn. Not `--permission-mode plan`: under `-p` it injects instructions that
 * override planbot's protocol (write a plan file, end with tools `-p` does not offer). Read-only tools
 * instead; only the user's settings (no repository settings or MCP servers: a repository must not run
 * hooks on the planbot host).
 */
export function plannerArgs(turn: Pick<PlannerTurn, "sessionId" | "resume" | "systemPrompt">): string[] {
  return [
    "-p",
    "--output-format",
    "json",
    "--tools",
    READ_ONLY_TOOLS.join(","),
    "--disallowedTools",
    DENIED_TOOLS.join(","),
    "--setting-sources",
    "user",
    "--strict-mcp-config",
    "--append-system-prompt",
    turn.systemPrompt,
    ...(turn.resume ? ["--resume", turn.sessionId] : ["--session-id", turn.sessionId]),
  ];
}

/**
 * Runs `claude -p --output-format json` for each turn, through execa with an argument array (never a
 * shell), the user's text on stdin. The planner runs in its own process group so a timeout or an abort
 * kills the tools it started too, not just the CLI.
 */
export function createClaudeCliPlanner(options: ClaudeCliPlannerOptions): PlannerBackend {
  const grace = options.killGraceMs ?? 2000;
  const now = options.now ?? (() => new Date());
  const env = { ...plannerEnv(options.env ?? process.env), DISABLE_AUTOUPDATER: "1" };
  return {
    async run(turn: PlannerTurn): Promise<Result<PlannerAnswer>> {
      // Loaded on first use (as in src/execute/git.ts), before the abort check so no stop slips in between.
      const { execa } = await import("execa");
      if (turn.signal?.aborted) return plannerFailure("aborted", "The planner turn was stopped.");
      const started = performance.now();
      const child = execa(options.command, plannerArgs(turn), {
        input: turn.message,
        cwd: turn.cwd,
        env,
        extendEnv: false,
        detached: true,
        reject: false,
        stripFinalNewline: true,
        maxBuffer: 50 * 1024 * 1024,
      });
      const pid = child.pid;
      if (pid !== undefined) options.tracker?.started(pid);
      let stoppedBy: "timeout" | "aborted" | undefined;
      const killGroup = (signal: NodeJS.Signals) => {
        if (pid === undefined) return;
        try {
          process.kill(-pid, signal);
        } catch {
          // Already gone.
        }
      };
      const stop = (why: "timeout" | "aborted") => {
        if (stoppedBy) return;
        stoppedBy = why;
        killGroup("SIGTERM");
        setTimeout(() => killGroup("SIGKILL"), grace).unref();
      };
      const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
      const onAbort = () => stop("aborted");
      turn.signal?.addEventListener("abort", onAbort, { once: true });
      const result = await child;
      clearTimeout(timer);
      turn.signal?.removeEventListener("abort", onAbort);
      // The CLI may exit while tools it started linger in its group; they belong to this turn only.
      killGroup("SIGKILL");
      if (pid !== undefined) options.tracker?.ended(pid);

      if (stoppedBy === "aborted") return plannerFailure("aborted", "The planner turn was stopped.");
      if (stoppedBy === "timeout") {
        const seconds = Math.round(options.timeoutMs / 1000);
        return plannerFailure(
          "timeout",
          `The planner did not answer within ${seconds} s and was stopped. Your message was not used; send it again (shorter, perhaps), or raise PLANNER_TIMEOUT_S.`,
        );
      }
      if (result.exitCode === undefined && /ENOENT/.test(String(result.message ?? ""))) {
        return plannerFailure(
          "missing",
          `The planner command "${options.command}" was not found. Install Claude Code (npm install -g @anthropic-ai/claude-code) and log in, or set PLANNER_COMMAND to its path.`,
        );
      }
      const stdout = String(result.stdout ?? "");
      const stderr = String(result.stderr ?? "").trim();
      if (result.exitCode !== 0) {
        // Error results (not logged in, error_max_turns, …) come as a JSON object with a non-zero exit.
        const reported = parseResult(stdout, turn, performance.now() - started, now());
        if (!reported.ok && reported.details?.reason !== "unparsable") return reported;
        const tail = stderr.split("\n").slice(-3).join(" ").slice(0, 300);
        return classifyReported(tail, now(), () =>
          plannerFailure(
            "crash",
            `The planner stopped with exit code ${result.exitCode ?? result.signal}${tail ? `: ${tail}` : ""}. Your message was not used; send it again.`,
            { exitCode: result.exitCode },
          ),
        );
      }
      return parseResult(stdout, turn, performance.now() - started, now());
    },
  };
}

/** Reads the CLI's single JSON result object. */
export function parseResult(
  stdout: string,
  turn: Pick<PlannerTurn, "sessionId">,
  elapsedMs: number,
  now: Date = new Date(),
): Result<PlannerAnswer> {
  let value: Record<string, unknown>;
  try {
    // Some CLI versions print warnings before the object; the result is the last JSON line.
    const lastLine =
      stdout
        .trim()
        .split("\n")
        .filter((line) => line.trim().startsWith("{"))
        .at(-1) ?? stdout;
    value = JSON.parse(lastLine) as Record<string, unknown>;
  } catch {
    return plannerFailure(
      "unparsable",
      `The planner's output could not be read (expected JSON, got "${stdout.slice(0, 80)}"). Your message was not used; send it again.`,
    );
  }
  const text = typeof value.result === "string" ? value.result : "";
  const errors = Array.isArray(value.errors)
    ? value.errors.filter((item): item is string => typeof item === "string")
    : [];
  if (value.type !== "result" || value.subtype !== "success") {
    // Error results (error_max_turns, error_during_execution, …) carry no `result`, only an `errors` list.
    const why = (errors.length ? errors.join("; ") : text).slice(0, 300);
    return classifyReported(why, now, () =>
      plannerFailure(
        "subtype",
        `The planner ended with "${String(value.subtype ?? value.type)}" instead of an answer${why ? `: ${why}` : ""}. Your message was not used; send it again.`,
        { subtype: value.subtype },
      ),
    );
  }
  if (value.is_error === true) {
    const said = text || errors.join("; ");
    if (value.api_error_status === 401) return authFailure(said || "authentication failed");
    return classifyReported(said, now, () =>
      plannerFailure(
        "is_error",
        `The planner reported an error: ${said.slice(0, 300) || "no details"}. Your message was not used; send it again in a moment.`,
        { subtype: value.subtype },
      ),
    );
  }
  return {
    ok: true,
    text,
    sessionId: typeof value.session_id === "string" ? value.session_id : turn.sessionId,
    costUsd: typeof value.total_cost_usd === "number" ? value.total_cost_usd : 0,
    durationMs: typeof value.duration_ms === "number" ? value.duration_ms : Math.round(elapsedMs),
  };
}
