/**
 * What most files of executor tests set up first: their temp folders (test/execute/use-harness-temp.ts),
 * one bare remote `app` carrying ralph.sh, made once before the file's tests (the executor only reads it),
 * and per test an executor harness on that remote, cleaned up (its Ralphs killed) when the test ends.
 */
import { beforeAll, type TestContext } from "vitest";
import { createHarness, type Harness } from "../execute/harness.ts";
import { useHarnessTemp } from "../execute/use-harness-temp.ts";
import type { TempDirs } from "./temp-dir.ts";
import { createBareRemote, type RemoteFixture } from "./git-fixtures.ts";

/** The file's temp folders, its shared remote, and a harness per test on it. */
export interface RalphRemote {
  temp: TempDirs;
  /** The shared remote; there once the file's beforeAll has run. */
  remote(): RemoteFixture;
  /** A harness in a fresh folder named after the file's prefix; `env` reaches git and Ralph. */
  harness(context: TestContext, options?: { env?: NodeJS.ProcessEnv }): Promise<Harness>;
}

/** Registers the file's hooks; folders are named `<prefix>…`, the remote's `<prefix>remotes-…`. */
export function useRalphRemote(prefix: string): RalphRemote {
  const temp = useHarnessTemp();
  let shared: RemoteFixture | undefined;
  beforeAll(async () => {
    shared = await createBareRemote(await temp.make(`${prefix}remotes-`), "app", { ralphScript: true });
  });
  const remote = () => {
    if (!shared) throw new Error("the shared remote is made in beforeAll: ask for it inside a test");
    return shared;
  };
  return {
    temp,
    remote,
    async harness(context, options = {}) {
      const root = await temp.make(prefix);
      const h = await createHarness(temp, { root, gitRemoteBase: remote().base, ...options });
      context.onTestFinished(() => h.cleanup());
      return h;
    },
  };
}
