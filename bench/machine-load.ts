import { availableParallelism, loadavg } from "node:os";

/**
 * One line on how busy the machine is as the benches start. Every goal is a ratio against a baseline measured
 * in the same run, but a busy machine does not slow both sides alike: the store's bare fsync loop waits on a
 * disk other processes share, the contended store on CPU; a ratio printed then can pass or fail by itself.
 */
export function machineLoadLine(): string {
  const cores = availableParallelism();
  const load = loadavg()[0]!;
  const busy = load >= cores;
  return (
    `machine: ${cores} cores, load ${load.toFixed(2)} over the last minute` +
    (busy
      ? " — busy: ratios measured now are not comparable with a quiet run; rerun when the load is below the cores"
      : "")
  );
}
