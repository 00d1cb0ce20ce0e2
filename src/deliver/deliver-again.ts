import { dirname } from "node:path";
import { gitEnv, LOCAL_GIT_TIMEOUT_MS, runGit } from "../execute/git.ts";
import type { RunOutcome } from "../execute/run-outcome.ts";
import { planRun } from "../execute/run-plan.ts";
import type { ProjectLister, ProjectRecord } from "../projects/project-list.ts";
import type { ProjectStore } from "../projects/project-store.ts";
import { fail, type Result } from "../projects/result.ts";
import { type ProjectEntry, readDelivery } from "../projects/schemas.ts";
import {
  type DeliverAgainBlock,
  type DeliverySetup,
  deliverAgainBlock,
  deliverySetupOf,
} from "./deliver-again-offer.ts";
import {
  type DeliveryAsker,
  type DeliveryContext,
  deliverAfterRun,
  pullRequestForRemoteRun,
  recordDelivery,
} from "./deliver-run.ts";

/**
 * What `/deliver` and `planbot projects deliver` need: deliver a finished run's work again (push its branch,
 * open or update its draft pull request) without running Ralph again. `record` is the project as it reads
 * after the delivery was stored; its `delivery` is what the delivery notice words.
 */
export interface DeliveryPort {
  /** `asker.answeredIn`: the chat `/deliver` answers in its reply, which the delivery notice then leaves out. */
  deliverAgain(slug: string, asker?: DeliveryAsker): Promise<Result<{ record: ProjectRecord }>>;
  /** The settings `deliverAgain` runs with now: surfaces offer "Deliver again" only where it can work. */
  setup(): DeliverySetup;
}

/** What {@link createDeliveryPort} reads: the delivery context plus the store the entry is read from. */
export interface DeliverAgainDeps extends DeliveryContext {
  store: ProjectStore;
  lister: ProjectLister;
}

/**
 * Delivers a finished run again exactly as the executor's delivery step does after a run (deliverAfterRun),
 * and refuses, with `details.reason`, what has nothing to deliver: a run that has not ended in an outcome
 * PUSH_ON delivers (`not_finished`, `invalid_state`); planbot set not to push (`push_off`) or without
 * GIT_REMOTE_BASE (`no_remote`), both `not_available` since only the settings can change that; a queued run
 * whose worker could not push (`on_worker`: its commits are on that worker); no branch with the run's commits
 * in the workspace (`no_branch`). The same test decides where "Deliver again" is offered (deliver-again-offer.ts). When `/edit --branch` renamed the branch after
 * a delivery that pushed nothing, the run's commits are delivered under the new name: the workspace's branch
 * of the last delivery is copied to it. A queued run's commits stay with its worker: when that worker pushed the
 * branch, only the pull request is opened or updated again (docs/architecture.md, "Delivering again").
 */
export function createDeliveryPort(deps: DeliverAgainDeps): DeliveryPort {
  return {
    setup: () => deliverySetupOf(deps.config),
    async deliverAgain(slug, asker = {}) {
      const found = await deps.lister.get(slug);
      if (!found.ok) return found;
      const record = found.record;
      if (!record) return fail("not_found", `No project named "${slug}".`, { details: { slug, next: "list" } });
      const name = record.slug;
      const setup = deliverySetupOf(deps.config);
      const block = deliverAgainBlock(record, setup);
      if (block) return blocked(block, record, setup);
      const entry = await readEntry(deps.store, name);
      if (!entry.ok) return entry;
      const planned = planRun(entry.entry, deps.config, deps.cwd);
      if (!planned.ok) return planned;
      const plan = planned.plan;
      const last = readDelivery(entry.entry);
      const branch = await runBranch(deps, name, plan.root, plan.branch, last?.branch);
      if (!branch.ok) {
        // A queued run's worker pushed the branch, and its commits stay with that worker: what is left to
        // deliver from here is the pull request, which this machine opens with its own token.
        const pushed = last?.pushed && last.branch === plan.branch;
        const outcome = record.status as RunOutcome;
        const pr = pushed
          ? await pullRequestForRemoteRun(deps, { ...entry.entry, branch: plan.branch }, outcome, {
              pushed: true,
              summary: `${plan.branch} is on the remote`,
            })
          : undefined;
        if (!pr) return branch;
        await recordDelivery(deps, entry.entry, plan.branch, pr, asker);
        return readRecord(deps.lister, name);
      }
      await deliverAfterRun(
        deps,
        { slug: name, outcome: record.status as RunOutcome, message: "", plan },
        entry.entry,
        asker,
      );
      return readRecord(deps.lister, name);
    },
  };
}

/** The project as it reads after its delivery was stored. */
async function readRecord(lister: ProjectLister, slug: string): Promise<Result<{ record: ProjectRecord }>> {
  const after = await lister.get(slug);
  if (!after.ok) return after;
  return after.record ? { ok: true, record: after.record } : fail("not_found", `No project named "${slug}".`);
}

/**
 * The refusal of a delivery that cannot work now (deliver-again-offer.ts), in the operator's words; chats word
 * it by `details.reason`. Planbot's settings are no conflict to retry but a set-up to change (`not_available`).
 */
function blocked(block: DeliverAgainBlock, record: ProjectRecord, setup: DeliverySetup) {
  const name = record.slug;
  // What a chat needs to word the refusal for a member (deliverAgainBlockWords) besides the reason.
  const details = {
    slug: name,
    reason: block,
    status: record.status,
    ...(record.delivery?.branch ? { branch: record.delivery.branch } : {}),
  };
  switch (block) {
    case "push_off":
      return fail(
        "not_available",
        "planbot is set not to push finished work (PUSH_ON=never, which planbot's admin sets).",
        { details },
      );
    case "no_remote":
      return fail(
        "not_available",
        "planbot has no remote to push the work to: GIT_REMOTE_BASE, which planbot's admin sets, is not set.",
        { details },
      );
    case "not_finished":
      return fail(
        "invalid_state",
        `${name} is ${record.status}: only the work of a ${setup.pushOn === "any" ? "finished (complete, failed or blocked)" : "complete"} run is delivered.`,
        { details },
      );
    case "on_worker": {
      const worker = record.delivery?.worker;
      return fail(
        "invalid_state",
        `${name}'s run went on worker ${typeof worker === "string" ? worker : "?"}, which could not push ${record.delivery?.branch ?? "its branch"}: the commits are in that worker's workspace, and planbot's copy has none to deliver. Push the branch from the worker's workspace by hand and open its pull request on GitHub, or run the project again.`,
        { details: { ...details, ...(typeof worker === "string" ? { worker } : {}) } },
      );
    }
  }
}

async function readEntry(store: ProjectStore, slug: string): Promise<Result<{ entry: ProjectEntry }>> {
  const read = await store.read();
  if (!read.ok) return read;
  const entry = (read.file.projects ?? []).find((project) => project.name.toLowerCase() === slug.toLowerCase());
  return entry ? { ok: true, entry } : fail("not_found", `No project named "${slug}".`, { details: { slug } });
}

/**
 * Makes sure the workspace has `branch` with the run's commits: as it is, or — after `/edit --branch` — made
 * from the branch the last delivery tried (`previous`), never moving a branch that exists already.
 */
async function runBranch(
  deps: DeliverAgainDeps,
  slug: string,
  root: string,
  branch: string,
  previous: string | undefined,
): Promise<Result<object>> {
  const env = gitEnv(deps.env, dirname(root));
  const git = (args: readonly string[]) => runGit(args, { cwd: root, env, timeoutMs: LOCAL_GIT_TIMEOUT_MS });
  const has = async (name: string) =>
    (await git(["rev-parse", "--verify", "--quiet", `refs/heads/${name}^{commit}`])).ok;
  if (await has(branch)) return { ok: true };
  if (previous && previous !== branch && (await has(previous))) {
    const copied = await git(["branch", "--no-track", branch, `refs/heads/${previous}`]);
    if (copied.ok) return { ok: true };
  }
  return fail(
    "invalid_state",
    `planbot's copy of ${slug} has no branch ${branch} with the run's work (a queued run's commits stay with its worker), so there is nothing to deliver here.`,
    { details: { slug, reason: "no_branch", next: "replan" } },
  );
}
