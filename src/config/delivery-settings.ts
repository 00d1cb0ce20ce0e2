/**
 * How finished runs are delivered — the configuration's shape, in the foundation layer so `src/config.ts`
 * can build it without importing `src/deliver` (docs/architecture.md, "Layers"); src/deliver reads it.
 */

/** When a finished run's branch is pushed: only when every story passed, after any run, or never. */
export type PushOn = "complete" | "any" | "never";

/**
 * How finished runs are delivered (PUSH_ON, GITHUB_TOKEN, GITHUB_OWNER, GITHUB_API_URL; see the README,
 * "Delivering the work"). Absent from a configuration built by hand (tests of other features): then
 * nothing is pushed.
 */
export interface DeliverySettings {
  pushOn: PushOn;
  github: {
    /** Personal access token or app token; used for the REST API and for https pushes to the GitHub host. */
    token?: string;
    /** The owner when GIT_REMOTE_BASE is not a github.com URL (and the switch that enables the PR step for any remote). */
    owner?: string;
    /** REST API root (GitHub Enterprise: `https://host/api/v3`); default `https://api.github.com`. */
    apiUrl?: string;
    /** Multiplier of the API retry pauses in ms (default 1000); only tests change it, there is no variable. */
    retryBaseMs?: number;
  };
}
