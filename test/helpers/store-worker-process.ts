import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type Options } from "execa";

/** The repository root: store workers run from it, so `--import tsx` resolves. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** What a store worker (test/helpers/store-worker.ts) is told: its data dir, id and mode, and its mode's knobs. */
export interface StoreWorkerArgs {
  dataDir: string;
  id: number;
  mode: "mixed" | "loop" | "hold" | "burst" | "once" | "bench" | "minimal";
  ops?: number;
  seed?: number;
  staleMs?: number;
  inFlight?: number;
  /** Mutations of a private file before `bench`/`minimal` say ready (store-worker.ts, `--warm`). */
  warm?: number;
}

/** Starts a store worker child process from the repository root with `options` (execa's). */
export function startStoreWorker<O extends Options>(args: StoreWorkerArgs, options: O) {
  const flags: string[] = ["--data-dir", args.dataDir, "--id", String(args.id), "--mode", args.mode];
  if (args.ops !== undefined) flags.push("--ops", String(args.ops));
  if (args.seed !== undefined) flags.push("--seed", String(args.seed));
  if (args.staleMs !== undefined) flags.push("--stale-ms", String(args.staleMs));
  if (args.inFlight !== undefined) flags.push("--in-flight", String(args.inFlight));
  if (args.warm !== undefined) flags.push("--warm", String(args.warm));
  return execa("node", ["--import", "tsx", join(repoRoot, "test", "helpers", "store-worker.ts"), ...flags], {
    cwd: repoRoot,
    ...options,
  });
}
