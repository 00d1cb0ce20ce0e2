/**
 * The run report's cost on the completion notice's path (issue 15: the notice's p50 stays ≤ 300 ms). Two
 * measurements in the same run:
 * 1. End to end: a prd.json write (every story passes → complete) to the notice accepted by an in-memory
 *    Outbound, through the real watcher and notifier, for projects whose workspace is a git repository with
 *    a branch of 40 commits (the report runs `git log`) and, interleaved, projects without one (no git
 *    process: the notice as it cost before the report). Goal: p50 ≤ 300 ms with git.
 * 2. The report's facts alone (prd.json + one `git log`), against one bare `git --version` process started
 *    the same way — the floor of any git work on this machine.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { runGit } from "../src/execute/git.ts";
import { gatherRunFacts } from "../src/notify/run-facts.ts";
import type { ProjectRecord } from "../src/projects/project-list.ts";
import { workspacePaths } from "../src/projects/workspace.ts";
import {
  createNotifyStack,
  createRecordingOutbound,
  prdWith,
  sleep,
  writePrd,
} from "../test/helpers/notify-fixtures.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import { putWatchedProjects } from "../test/helpers/watched-projects.ts";
import { percentile, type BenchResult } from "./bench-result.ts";

const PAIRS = 15;
const COMMITS = 40;
const SAMPLES = 30;
const GOAL_MS = 300;

const gitIn = (cwd: string, args: string[]) =>
  execa("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...args], { cwd });

/** A workspace that is a repository: `main`, and the run's branch `COMMITS` commits ahead. */
async function repository(workspaceDir: string, slug: string): Promise<void> {
  const root = workspacePaths(workspaceDir, slug).root;
  mkdirSync(root, { recursive: true });
  await gitIn(root, ["init", "-q", "-b", "main"]);
  await gitIn(root, ["commit", "-q", "--allow-empty", "-m", "base"]);
  await gitIn(root, ["checkout", "-q", "-b", `ralph/${slug}`]);
  for (let index = 0; index < COMMITS; index++)
    await gitIn(root, ["commit", "-q", "--allow-empty", "-m", `feat: story ${index}`]);
}

export async function benchReport(): Promise<BenchResult[]> {
  const root = await makeTempDir("bench-report-");
  try {
    const dataDir = join(root, "data");
    const workspaceDir = join(dataDir, "workspace");
    const pairs = Array.from({ length: PAIRS }, (_, index) => [`git-${index}`, `plain-${index}`] as const);
    for (const [withGit] of pairs) await repository(workspaceDir, withGit);
    const slugs = pairs.flat();
    await putWatchedProjects(
      dataDir,
      workspaceDir,
      slugs.map((name) => ({
        entry: { name, status: "running", pid: null, branch: `ralph/${name}`, base_branch: "main" },
        stories: [true, false, false],
      })),
    );

    // 1. End to end through the watcher and the notifier.
    const memory = createRecordingOutbound();
    const stack = createNotifyStack({ root, dataDir, memory });
    await stack.start();
    const latency: Record<"git" | "plain", number[]> = { git: [], plain: [] };
    try {
      for (const slug of slugs) {
        const written = Date.now();
        writePrd(workspaceDir, slug, prdWith(slug, [true, true, true]));
        await memory.waitFor((sent) => sent.some((d) => d.reply.text.startsWith(`**${slug}** is complete`)), 10_000);
        const delivered = memory.sent.find((d) => d.reply.text.startsWith(`**${slug}** is complete`))!;
        if (slug.startsWith("git-") && !delivered.reply.text.includes(`**Commits:** ${COMMITS} on`))
          throw new Error(`the report of ${slug} missed its commits`);
        latency[slug.startsWith("git-") ? "git" : "plain"].push(delivered.at - written);
        await sleep(30);
      }
    } finally {
      await stack.stop();
    }

    // 2. The facts alone, and the floor of one git process.
    const facts: number[] = [];
    const record = { slug: "git-0", status: "complete", branch: "ralph/git-0", base_branch: "main" } as ProjectRecord;
    for (let index = 0; index < SAMPLES; index++) {
      const started = performance.now();
      await gatherRunFacts(record, { workspaceDir });
      facts.push(performance.now() - started);
    }
    const bare: number[] = [];
    for (let index = 0; index < SAMPLES; index++) {
      const started = performance.now();
      await runGit(["--version"], { cwd: root });
      bare.push(performance.now() - started);
    }

    const gitP50 = percentile(latency.git, 0.5);
    const plainP50 = percentile(latency.plain, 0.5);
    return [
      {
        name: `report: complete notice, git workspace (${COMMITS} commits), ${PAIRS} transitions`,
        figures: { p50_ms: gitP50, p90_ms: percentile(latency.git, 0.9), max_ms: Math.max(...latency.git) },
      },
      {
        name: `report: complete notice, no repository (baseline), ${PAIRS} transitions`,
        figures: { p50_ms: plainP50, p90_ms: percentile(latency.plain, 0.9), max_ms: Math.max(...latency.plain) },
      },
      {
        name: "report: notice with git vs goal",
        figures: { git_p50_ms: gitP50, baseline_p50_ms: plainP50, added_p50_ms: gitP50 - plainP50 },
        ratio: { value: gitP50 / GOAL_MS, goal: `p50 ≤ ${GOAL_MS} ms`, met: gitP50 <= GOAL_MS },
      },
      {
        name: "report: facts alone (prd.json + one git log) vs one bare git process",
        figures: { facts_p50_ms: percentile(facts, 0.5), bare_git_p50_ms: percentile(bare, 0.5) },
      },
    ];
  } finally {
    await removeTempDir(root);
  }
}
