/** Signals a handler sends while it works, so the adapter can show a typing indicator or elapsed time. */
export interface TurnSignals {
  working?(active: boolean): void;
}
