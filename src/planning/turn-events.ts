/**
 * A planner turn starting or ending, whichever chat asked for it: what a surface that shows the conversation
 * without being its chat (the dashboard) needs to show a turn as it happens. `started` is told once the
 * message is marked pending in the session record, `ended` once the turn is settled there (its answer
 * recorded and the mark cleared, or the mark cleared after a failure), so a reader told either finds the
 * record saying so.
 */
export interface TurnEvent {
  slug: string;
  state: "started" | "ended";
}

/** Listeners of {@link TurnEvent}s. */
export interface TurnEvents {
  /** Calls `listener` for every turn event from now on; returns the way to stop. */
  subscribe(listener: (event: TurnEvent) => void): () => void;
  tell(event: TurnEvent): void;
}

/** Creates an empty {@link TurnEvents}. A listener that throws is dropped from this event, not from the turn. */
export function createTurnEvents(onListenerError: (error: unknown) => void): TurnEvents {
  const listeners = new Set<(event: TurnEvent) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    tell(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}
