/** True when `<root>/dist` is at least as new as everything in `<root>/src` (see build-freshness.mjs). */
export function distIsCurrent(root: string): boolean;
