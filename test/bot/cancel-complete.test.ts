// `/cancel` of a complete project from a chat, through the real Telegram (grammY) and Discord (discord.js)
// adapters against their fakes: the lifecycle refuses it (every story passes, there is nothing left to cancel),
// and the chat reads why, that nothing changed and what to do instead; the store keeps the project as it was.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { workspacePaths } from "../../src/projects/workspace.ts";
import { startChatSurfaces } from "../helpers/chat-surfaces.ts";
import { useCleanups } from "../helpers/use-cleanups.ts";

const { temp, defer } = useCleanups();

const REFUSED =
  "is complete: all 2 of its stories pass, so there is nothing left to cancel, and nothing was changed. Its branch and plan stay as they are; to build more on it, plan it again.";

/** A store holding `shipped`, complete: its prd.json's two stories both pass. */
async function completeStore(dataDir: string, workspaceDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const projects = [{ name: "shipped", description: "A shop.", status: "complete" }];
  await writeFile(join(dataDir, TASKS_FILE_NAME), `${JSON.stringify({ projects, version: 1 }, null, 2)}\n`);
  const paths = workspacePaths(workspaceDir, "shipped");
  await mkdir(paths.ralph, { recursive: true });
  const story = (id: string) => ({ id, title: id, description: "", acceptanceCriteria: [], priority: 1, passes: true });
  const prd = { project: "shipped", branchName: "ralph/shipped", userStories: [story("US-1"), story("US-2")] };
  await writeFile(paths.prd, JSON.stringify(prd));
}

/** The stored status of `slug`. */
async function storedStatus(dataDir: string, slug: string): Promise<string | undefined> {
  const store = JSON.parse(await readFile(join(dataDir, TASKS_FILE_NAME), "utf8")) as {
    projects: { name: string; status: string }[];
  };
  return store.projects.find((project) => project.name === slug)?.status;
}

describe("/cancel of a complete project in a chat", { timeout: 60_000 }, () => {
  it("is refused on Telegram and Discord with why and what to do instead, and the project stays complete", async () => {
    const root = await temp.make("cancel-complete-");
    const dataDir = join(root, "data");
    const surfaces = await startChatSurfaces({ root, dataDir });
    defer(() => surfaces.close());
    await completeStore(dataDir, surfaces.workspaceDir);

    const telegram = await surfaces.telegramSays("/cancel shipped", "nothing left to cancel");
    expect(telegram).toContain(`"shipped" ${REFUSED}`);
    expect(telegram).not.toMatch(/cancelled/i);

    const discord = await surfaces.discordSays("/cancel shipped", "nothing left to cancel");
    expect(discord).toContain(`"shipped" ${REFUSED}`);
    expect(discord).not.toMatch(/cancelled/i);

    expect(await storedStatus(dataDir, "shipped")).toBe("complete");
  });
});
