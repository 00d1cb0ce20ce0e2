import { execa } from "execa";
import { fail, type Result } from "../projects/result.ts";
import type { PlannerAnswer, PlannerBackend, PlannerTurn } from "./planner-backend.ts";

/** Options of {@link createClaudeCliPlanner}. */
export interface ClaudeCliPlannerOptions {
  command: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Grace between SIGTERM and SIGKILL of a timed-out planner's process group. */
  killGraceMs?: number;
}

/**
 * Runs `claude -p --output-format json` for each turn, through execa with an argument array (never a
 * shell), the user's text on stdin. The planner runs in its own process group so a timeout kills the
 * tools it started too, not just the CLI.
 */
export function createClaudeCliPlanner(options: ClaudeCliPlannerOptions): PlannerBackend {
  const grace = options.killGraceMs ?? 2000;
  return {
    async run(turn: PlannerTurn): Promise<Result<PlannerAnswer>> {
      const args = [
        "-p",
        "--output-format",
        "json",
        "--permission-mode",
        "plan",
        "--append-system-prompt",
        turn.systemPrompt,
        ...(turn.resume ? ["--resume", turn.sessionId] : ["--session-id", turn.sessionId]),
      ];
      const started = performance.now();
      const child = execa(options.command, args, {
        input: turn.message,
        cwd: turn.cwd,
        env: options.env,
        detached: true,
        reject: false,
        stripFinalNewline: true,
        maxBuffer: 50 * 1024 * 1024,
      });
      let timedOut = false;
      const killGroup = (signal: NodeJS.Signals) => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup("SIGTERM");
        setTimeout(() => killGroup("SIGKILL"), grace).unref();
      }, options.timeoutMs);
      const cancel = () => {
        killGroup("SIGTERM");
        setTimeout(() => killGroup("SIGKILL"), grace).unref();
      };
      if (turn.signal?.aborted) cancel();
      turn.signal?.addEventListener("abort", cancel, { once: true });
      const result = await child;
      clearTimeout(timer);
      turn.signal?.removeEventListener("abort", cancel);
      // The CLI may exit while tools it started linger in its group; they belong to this turn only.
      killGroup("SIGKILL");
      const seconds = Math.round(options.timeoutMs / 1000);
      if (turn.signal?.aborted && !timedOut) {
        return fail("planner_failed", "The planner turn was cancelled. Your message was not used; send it again to continue.", { details: { reason: "cancelled" } });
      }
      if (timedOut) {
        return fail("planner_failed", `The planner did not answer within ${seconds} s and was stopped. Your message was not used; send it again (shorter, perhaps), or raise PLANNER_TIMEOUT_S.`, {
          details: { reason: "timeout" },
        });
      }
      if ((result as { code?: string }).code === "ENOENT" || /ENOENT/.test(String(result.message ?? "")) && result.exitCode === undefined) {
        return fail(
          "planner_failed",
          `The planner command "${options.command}" was not found. Install Claude Code (npm install -g @anthropic-ai/claude-code) and log in, or set PLANNER_COMMAND to its path.`,
          { details: { reason: "missing" } },
        );
      }
      if (result.exitCode !== 0) {
        // Error results (e.g. error_max_turns) come as a JSON object with a non-zero exit: report their reason.
        const reported = parseResult(String(result.stdout ?? ""), turn, performance.now() - started);
        if (!reported.ok && reported.details?.reason !== "unparsable") return reported;
        const stderr = String(result.stderr ?? "").trim().split("\n").slice(-3).join(" ").slice(0, 300);
        return fail("planner_failed", `The planner stopped with exit code ${result.exitCode ?? result.signal}${stderr ? `: ${stderr}` : ""}. Your message was not used; send it again.`, {
          details: { reason: "exit", exitCode: result.exitCode },
        });
      }
      return parseResult(String(result.stdout ?? ""), turn, performance.now() - started);
    },
  };
}

/** Reads the CLI's single JSON result object. */
export function parseResult(stdout: string, turn: Pick<PlannerTurn, "sessionId">, elapsedMs: number): Result<PlannerAnswer> {
  let value: Record<string, unknown>;
  try {
    // Some CLI versions print warnings before the object; the result is the last JSON line.
    const lastLine = stdout.trim().split("\n").filter((line) => line.trim().startsWith("{")).at(-1) ?? stdout;
    value = JSON.parse(lastLine) as Record<string, unknown>;
  } catch {
    return fail("planner_failed", `The planner's output could not be read (expected JSON, got "${stdout.slice(0, 80)}"). Your message was not used; send it again.`, {
      details: { reason: "unparsable" },
    });
  }
  const text = typeof value.result === "string" ? value.result : "";
  if (value.type !== "result" || value.subtype !== "success") {
    // Error results (error_max_turns, error_during_execution, …) carry no `result`, only an `errors` list.
    const errors = Array.isArray(value.errors) ? value.errors.filter((item): item is string => typeof item === "string") : [];
    const why = (errors.length ? errors.join("; ") : text).slice(0, 300);
    return fail("planner_failed", `The planner ended with "${String(value.subtype ?? value.type)}" instead of an answer${why ? `: ${why}` : ""}. Your message was not used; send it again.`, {
      details: { reason: "subtype", subtype: value.subtype },
    });
  }
  if (value.is_error === true) {
    return fail("planner_failed", `The planner reported an error: ${text.slice(0, 300) || "no details"}. Your message was not used; send it again in a moment.`, {
      details: { reason: "is_error", subtype: value.subtype },
    });
  }
  return {
    ok: true,
    text,
    sessionId: typeof value.session_id === "string" ? value.session_id : turn.sessionId,
    costUsd: typeof value.total_cost_usd === "number" ? value.total_cost_usd : 0,
    durationMs: typeof value.duration_ms === "number" ? value.duration_ms : Math.round(elapsedMs),
  };
}
