// The `/status` overview line of a run refused over the server's copy of Ralph's script, on the three chat
// surfaces of one runtime with the change watcher running (so every reader is handed the same snapshot of the
// list): the terminal is the operator's and reads the refusal's own reason with the server's path; a
// Telegram or Discord chat reads the member's words, with the path inside the project's workspace only.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

/** Where the server keeps the script: only the operator may read it. */
const SERVER_SCRIPT = "/srv/planbot/ws/shop/scripts/ralph/ralph.sh";
const OPERATOR_LINE = `shop — approved — not started, needs a fix: Ralph's script ${SERVER_SCRIPT} is not executable`;
const MEMBER_WORDS =
  "approved — not started, needs a fix: Ralph's script scripts/ralph/ralph.sh in the project's workspace on the server is not executable";

/** A store holding `shop`, approved, whose last run the preflight refused: the script is not executable. */
async function refusedStore(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const refusal = {
    at: "2030-01-01T00:00:00.000Z",
    message: `Ralph was not started: Ralph's script ${SERVER_SCRIPT} is not executable. Fix: chmod +x ${SERVER_SCRIPT} on the server.`,
    worker: null,
    check: "script_executable",
    repo_path: "scripts/ralph/ralph.sh",
  };
  const projects = [{ name: "shop", description: "A shop.", status: "approved", run_refusal: refusal }];
  await writeFile(join(dataDir, TASKS_FILE_NAME), `${JSON.stringify({ projects, version: 1 }, null, 2)}\n`);
}

describe("the /status overview line of a refused run", { timeout: 60_000 }, () => {
  it("gives the terminal the operator's reason and path, and a Telegram or Discord chat the member's words", async () => {
    const root = await temp.make("overview-words-");
    const dataDir = join(root, "data");
    await refusedStore(dataDir);
    const surfaces = await startChatSurfaces({ root, dataDir });
    defer(() => surfaces.close());
    await surfaces.runtime.watcher.start();
    surfaces.runtime.onStop(() => surfaces.runtime.watcher.stop());

    // Asked in turn, so a reader handed another reader's overview of the same snapshot would show here.
    const terminal = await surfaces.terminal.type("/status", "needs a fix");
    expect(terminal).toContain(OPERATOR_LINE);
    expect(terminal).not.toContain("in the project's workspace on the server");

    const telegram = await surfaces.telegramSays("/status", "needs a fix");
    expect(telegram).toContain(`shop — ${MEMBER_WORDS}`);
    expect(telegram).not.toContain("/srv/");

    const discord = await surfaces.discordSays("/status", "needs a fix");
    expect(discord).toContain(
      "**shop** — approved — not started, needs a fix: Ralph's script `scripts/ralph/ralph.sh` in the project's workspace on the server is not executable",
    );
    expect(discord).not.toContain("/srv/");

    expect(await surfaces.terminal.type("/status", "needs a fix")).toContain(OPERATOR_LINE);
  });
});
