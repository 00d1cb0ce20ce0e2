import { callPlanner, type PlannerCall, type PlannerCallDeps } from "./planner-call.ts";
import type { PlanningSession } from "./session-store.ts";
import type { TurnRequest } from "./turn-request.ts";

/** The planner calls running now, one a session at most, each stoppable by /stop, by the asker or at shutdown. */
export interface RunningTurns {
  /** Calls the planner as the session's running turn, "working" meanwhile; logs how the turn went. */
  call(session: PlanningSession, request: TurnRequest): Promise<PlannerCall>;
  /** Stops the session's running turn (kills the planner's process group); false when none runs. */
  abort(key: string): boolean;
  /** Stops every running turn; resolves when all have ended. */
  abortAll(): Promise<void>;
  readonly size: number;
}

/** Creates an empty {@link RunningTurns}. */
export function createRunningTurns(deps: PlannerCallDeps): RunningTurns {
  const active = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  async function call(session: PlanningSession, request: TurnRequest): Promise<PlannerCall> {
    const controller = new AbortController();
    // The asker can cancel too (Ctrl-C in the terminal, the terminal closed).
    if (request.signals?.abort?.aborted) controller.abort();
    request.signals?.abort?.addEventListener("abort", () => controller.abort(), { once: true });
    let finish!: () => void;
    active.set(request.key, { controller, done: new Promise<void>((resolve) => (finish = resolve)) });
    request.signals?.working?.(true);
    const started = performance.now();
    let outcome: PlannerCall;
    try {
      outcome = await callPlanner(deps, session, request, controller.signal);
    } finally {
      active.delete(request.key);
      finish();
      request.signals?.working?.(false);
    }
    const { answer, reseeded } = outcome;
    deps.log.info(
      {
        slug: session.slug,
        adapter: request.chat.adapter,
        phase: session.phase,
        prompt: request.prompt,
        ok: answer.ok,
        reseeded,
        ms: Math.round(performance.now() - started),
        reason: answer.ok ? undefined : answer.details?.reason,
      },
      "planner turn",
    );
    return outcome;
  }

  return {
    call,
    abort(key) {
      const turn = active.get(key);
      if (!turn) return false;
      turn.controller.abort();
      return true;
    },
    async abortAll() {
      const turns = [...active.values()];
      for (const turn of turns) turn.controller.abort();
      await Promise.all(turns.map((turn) => turn.done));
    },
    get size() {
      return active.size;
    },
  };
}
