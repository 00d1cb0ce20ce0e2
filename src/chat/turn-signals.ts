/** Signals between a handler and its adapter while it works: a typing indicator or elapsed time out, cancellation in. */
export interface TurnSignals {
  working?(active: boolean): void;
  /** Aborted when the asker gives up (Ctrl-C in the terminal, the terminal closed): the planner turn is stopped. */
  abort?: AbortSignal | undefined;
}
