import type { PushOn } from "../config/delivery-settings.ts";
import { code } from "../chat/reply.ts";
import type { ExecutorConfig } from "../execute/run-plan.ts";
import type { DeliveryField } from "../projects/schemas.ts";

/**
 * The settings planbot runs with now that decide whether a finished run can be delivered again: PUSH_ON
 * (`never` when delivery is not configured at all) and whether GIT_REMOTE_BASE gives it a remote to push to.
 * A stored delivery failure was worded with the settings of its day; whether `/deliver` can work is a
 * question of these (docs/architecture.md, "Delivering again").
 */
export interface DeliverySetup {
  pushOn: PushOn;
  remote: boolean;
}

/** Why `/deliver` cannot work for a project now, with the settings planbot runs with. */
export type DeliverAgainBlock =
  /** PUSH_ON=never (or no delivery configured): planbot pushes nothing. */
  | "push_off"
  /** PUSH_ON=complete and the run failed or was blocked (or the project has no finished run). */
  | "not_finished"
  /** No GIT_REMOTE_BASE: there is no remote to push to. */
  | "no_remote"
  /** A queued run whose worker could not push: its commits are on that worker, not in planbot's copy. */
  | "on_worker";

/** The delivery setup of a configuration. */
export function deliverySetupOf(config: Pick<ExecutorConfig, "execute">): DeliverySetup {
  return {
    pushOn: config.execute.delivery?.pushOn ?? "never",
    remote: Boolean(config.execute.gitRemoteBase),
  };
}

/** True when a run that ended `status` is pushed under PUSH_ON. */
export function deliversStatus(pushOn: PushOn, status: string): boolean {
  if (pushOn === "never") return false;
  if (pushOn === "complete") return status === "complete";
  return status === "complete" || status === "failed" || status === "blocked";
}

/** What of a project decides whether it can be delivered again. */
export interface DeliverAgainSubject {
  status: string;
  delivery?: DeliveryField | null | undefined;
}

/**
 * Why delivering `subject` again cannot work with `setup`, or undefined when `/deliver` can try it. The one
 * test behind the refusal of `/deliver` and every surface that offers it (card, notice, dashboard, CLI).
 */
export function deliverAgainBlock(subject: DeliverAgainSubject, setup: DeliverySetup): DeliverAgainBlock | undefined {
  if (setup.pushOn === "never") return "push_off";
  if (!deliversStatus(setup.pushOn, subject.status)) return "not_finished";
  if (!setup.remote) return "no_remote";
  if (subject.delivery && unpushedOnWorker(subject.delivery)) return "on_worker";
  return undefined;
}

/** A queued run's commits its worker could not push: they are on the worker, not in planbot's copy. */
export function unpushedOnWorker(delivery: Pick<DeliveryField, "worker" | "pushed">): boolean {
  return typeof delivery.worker === "string" && !delivery.pushed;
}

/**
 * Whether a surface offers "Deliver again" for a project: a finished run whose last delivery failed, when
 * `/deliver` can work with the settings planbot runs with now. Without a setup (no delivery port) nothing is offered.
 */
export function offersDeliverAgain(subject: DeliverAgainSubject, setup: DeliverySetup | undefined): boolean {
  return Boolean(setup && subject.delivery && !subject.delivery.ok && !deliverAgainBlock(subject, setup));
}

/** The statuses of a run that ended with work to deliver (under PUSH_ON=any). */
const ENDED: ReadonlySet<string> = new Set(["complete", "failed", "blocked"]);

/** The project a block is worded for. */
export interface BlockReader {
  slug: string;
  status: string;
  /** The worker that ran the queued run (`delivery.worker`), for `on_worker`. */
  worker?: string | null | undefined;
  branch?: string | null | undefined;
}

/**
 * Why the work cannot be delivered again now and what would change that, for a chat member (whom to tell,
 * no settings) or for planbot's operator (`operator`: the setting to change). Markup of planbot's replies.
 */
export function deliverAgainBlockWords(block: DeliverAgainBlock, reader: BlockReader, operator: boolean): string {
  const deliver = code(`/deliver ${reader.slug}`);
  switch (block) {
    case "push_off":
      return operator
        ? `It cannot be delivered again while ${code("PUSH_ON")} is never (or unset): set ${code("PUSH_ON=complete")} (or any) and restart planbot, then ${deliver}.`
        : "planbot is set not to push finished work now, so it cannot be delivered again. Please tell planbot's admin: only they can turn pushing back on.";
    case "not_finished":
      // A run still going, or never run: nothing finished to deliver, whatever the settings.
      if (!ENDED.has(reader.status))
        return `It is ${reader.status}: only the work of a finished run is delivered, so there is nothing to deliver yet.`;
      return operator
        ? `It cannot be delivered again: ${code("PUSH_ON=complete")} delivers only complete runs, and this one is ${reader.status}. Set ${code("PUSH_ON=any")} and restart planbot to deliver it, then ${deliver}; or run it again: ${code(`/run ${reader.slug}`)}.`
        : `planbot now delivers only the work of complete runs, and this run is ${reader.status}, so it cannot be delivered again: run it again (${code(`/run ${reader.slug}`)}), or tell planbot's admin, who can set planbot to deliver every finished run.`;
    case "no_remote":
      return operator
        ? `It cannot be delivered again while ${code("GIT_REMOTE_BASE")} is unset: set it (e.g. ${code("https://github.com/<owner>")}) and restart planbot, then ${deliver}.`
        : `planbot has no remote repository to push to now, so it cannot be delivered again. Please tell planbot's admin: only they can give planbot one. Once they have, deliver it again: ${deliver}.`;
    case "on_worker":
      return onWorkerWords(reader, operator);
  }
}

function onWorkerWords(reader: BlockReader, operator: boolean): string {
  const worker = reader.worker ? `worker ${code(reader.worker)}` : "the worker that ran it";
  const again =
    reader.status === "complete"
      ? `plan it again and run it: ${code(`/replan ${reader.slug}`)}`
      : `run it again: ${code(`/run ${reader.slug}`)}`;
  if (operator) {
    const branch = reader.branch ? ` (branch ${code(reader.branch)})` : "";
    return `It cannot be delivered again from here: the run's commits${branch} are in the workspace on ${worker}, which could not push them, and planbot's copy has none. Push the branch from that workspace by hand and open its pull request on GitHub, or ${again}.`;
  }
  return `Its work stayed on ${worker}, which could not push it, so planbot cannot deliver it again from here. To get the work delivered, ${again}.`;
}

const BLOCKS: ReadonlySet<string> = new Set<DeliverAgainBlock>(["push_off", "not_finished", "no_remote", "on_worker"]);

/**
 * The block a refusal of `deliverAgain` carries in its `details` (deliver-again.ts), with what its words need,
 * when the surfaces word it apart: the settings or the worker keep the work from being delivered. A run not
 * finished at all is left to the refusal's own words (no setting would change it).
 */
export function blockOfRefusal(
  details: Record<string, unknown> | undefined,
): { block: DeliverAgainBlock; reader: BlockReader } | undefined {
  const reason = details?.reason;
  const slug = details?.slug;
  if (typeof reason !== "string" || !BLOCKS.has(reason) || typeof slug !== "string") return undefined;
  const status = typeof details?.status === "string" ? details.status : "";
  if (reason === "not_finished" && !ENDED.has(status)) return undefined;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    block: reason as DeliverAgainBlock,
    reader: { slug, status, worker: text(details?.worker), branch: text(details?.branch) },
  };
}
