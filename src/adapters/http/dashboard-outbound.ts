import type { ChatTarget } from "../../chat/incoming.ts";
import type { Outbound } from "../../chat/outbound.ts";
import type { Clock } from "../../projects/clock.ts";
import { normalizeSlug } from "../../projects/validation.ts";

/** One message the core sent to the dashboard's chat of a project. */
export interface DashboardMessage {
  at: string;
  slug: string;
  message: string;
}

/**
 * The dashboard as a delivery target: its chat of a project is `{adapter: "dashboard", channelId: slug}`,
 * so planner replies from a session continued in Telegram or Discord (and notifications about the
 * project) land here. Nobody is "in" a web page the way someone is in a chat, so each message is kept
 * in a small per-project ring for pages that open later, and handed to `onMessage` for live streams.
 */
export interface DashboardOutbound extends Outbound {
  /** The newest messages of a project, oldest first. */
  recent(slug: string): DashboardMessage[];
}

/** Options of {@link createDashboardOutbound}. */
export interface DashboardOutboundOptions {
  clock: Clock;
  onMessage: (message: DashboardMessage) => void;
  /** Messages kept per project. */
  perProject?: number;
  /** Projects kept; the least recently written one is forgotten first. */
  maxProjects?: number;
}

/** Creates a {@link DashboardOutbound}; bounded in both directions so memory cannot grow with use. */
export function createDashboardOutbound(options: DashboardOutboundOptions): DashboardOutbound {
  const perProject = options.perProject ?? 50;
  const maxProjects = options.maxProjects ?? 500;
  const rings = new Map<string, DashboardMessage[]>();
  let sent = 0;

  function record(slug: string, message: DashboardMessage): void {
    const key = normalizeSlug(slug);
    const ring = rings.get(key) ?? [];
    rings.delete(key);
    ring.push(message);
    if (ring.length > perProject) ring.splice(0, ring.length - perProject);
    rings.set(key, ring);
    while (rings.size > maxProjects) rings.delete(rings.keys().next().value!);
  }

  return {
    async send(target: ChatTarget, reply) {
      const message: DashboardMessage = {
        at: options.clock.now().toISOString(),
        slug: target.channelId,
        // The page has the plan itself: a document becomes a link to the project's plan tab.
        message: reply.attachment?.slug
          ? `${reply.text}\n\n[${reply.attachment.name}](#/p/${encodeURIComponent(reply.attachment.slug)}/plan)`
          : reply.text,
      };
      record(target.channelId, message);
      options.onMessage(message);
      sent += 1;
      return { ok: true, messageIds: [`dashboard-${sent}`] };
    },
    recent: (slug) => [...(rings.get(normalizeSlug(slug)) ?? [])],
  };
}
