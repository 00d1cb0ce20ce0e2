/** A middleware step: do something, then maybe call the rest of the chain (grammY's composition, in miniature). */
export type Middleware<C, R> = (context: C, next: () => Promise<R>) => Promise<R>;

/** Chains middleware into one function; the last step's `next` returns `end()`. */
export function compose<C, R>(steps: Middleware<C, R>[], end: (context: C) => Promise<R>): (context: C) => Promise<R> {
  return (context) => {
    const run = (index: number): Promise<R> => {
      const step = steps[index];
      return step ? step(context, () => run(index + 1)) : end(context);
    };
    return run(0);
  };
}
