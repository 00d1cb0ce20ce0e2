// The live project list: one EventSource on /api/projects/stream for the whole page. The stream sends
// the full list on connect and on every change, planner messages for the dashboard's chats, planner turns starting
// and ending (whichever chat asked), run progress, and pings.
import { useEffect, useState } from "preact/hooks";
import { LOGGED_OUT } from "./api.js";

const plannerListeners = new Set();

/** Calls `listener({slug, message})` for every planner message pushed to the dashboard. */
export function onPlannerMessage(listener) {
  plannerListeners.add(listener);
  return () => plannerListeners.delete(listener);
}

const turnListeners = new Set();

/** Calls `listener({slug, state})` as any chat's planner turn starts (`started`) and ends (`ended`). */
export function onPlannerTurn(listener) {
  turnListeners.add(listener);
  return () => turnListeners.delete(listener);
}

const progressListeners = new Set();

/** Calls `listener(progress)` for every run progress snapshot the stream pushes (stories, iteration, commits). */
export function onRunProgress(listener) {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}

function sameValue(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The new list with each unchanged record replaced by the previous object, so the cards of projects
 * that did not change are skipped when the board redraws (a change touches a few of 1,000).
 */
function keepUnchanged(previous, next) {
  const bySlug = new Map(previous.map((project) => [project.slug, project]));
  return next.map((project) => {
    const old = bySlug.get(project.slug);
    if (!old) return project;
    for (const key in project) if (!sameValue(project[key], old[key])) return project;
    for (const key in old) if (!(key in project)) return project;
    return old;
  });
}

/** Longest wait between two reconnection tries once the browser gave the stream up. */
const MAX_RETRY_MS = 15_000;

/**
 * How long a stream may stay silent before the page takes it as dead: three pings (planbot says how often it
 * pings; 15 s until it has), never under 3 s. A sleeping laptop or a dropped network path never closes the
 * socket, so without this the page would say "live" over a stream that brings nothing.
 */
function quietLimit(everyMs) {
  return Math.max(3 * (everyMs || 15_000), 3000);
}

/**
 * `{projects, version, loaded, connected, error, storeFailure, lostAt, epoch, loggedOut}`, re-rendered on every
 * list the stream sends. `error` is the store's message; `storeFailure` its `{code, file}`. `lostAt` is when the stream dropped (null while live); `epoch` counts connections, so a view
 * can refetch what it may have missed while offline; `loggedOut` is set once planbot refuses the session.
 */
export function useLiveProjects() {
  const [state, setState] = useState({
    projects: [],
    version: null,
    loaded: false,
    connected: false,
    error: null,
    storeFailure: null,
    lostAt: null,
    epoch: 0,
    loggedOut: false,
  });
  useEffect(() => {
    let source;
    let timer;
    let watchdog;
    let delay = 1000;
    let stopped = false;
    const connect = () => {
      let lastFrameAt = Date.now();
      let limit = quietLimit(0);
      clearInterval(watchdog);
      watchdog = setInterval(() => {
        if (source.readyState !== EventSource.OPEN || Date.now() - lastFrameAt <= limit) return;
        source.close();
        setState((old) => ({ ...old, connected: false, lostAt: old.lostAt ?? Date.now() }));
        connect();
      }, 1000);
      source = new EventSource("/api/projects/stream");
      source.onopen = () => {
        delay = 1000;
        lastFrameAt = Date.now();
        // Only a reconnection after a loss moves `epoch`: the first connection brings nothing a view missed.
        // `connected` is the connection's state alone: a stream whose first frame says the store cannot be
        // read is live all the same (its error shows on its own), and brings the list once the file is fixed.
        setState((old) => ({
          ...old,
          connected: true,
          lostAt: null,
          epoch: old.lostAt === null ? old.epoch : old.epoch + 1,
          loggedOut: false,
        }));
      };
      source.onmessage = (event) => {
        lastFrameAt = Date.now();
        if (receive(event, setState) === "ping") limit = quietLimit(pingEvery(event.data));
      };
      source.onerror = () => {
        setState((old) => ({ ...old, connected: false, lostAt: old.lostAt ?? Date.now() }));
        // While planbot is unreachable the browser keeps retrying by itself (CONNECTING). An answer that is
        // not a stream (a 401 once the token changed, a 502 from a proxy while planbot restarts) makes it
        // give up for good (CLOSED): find out why, then try again ourselves, waiting longer each time.
        if (source.readyState !== EventSource.CLOSED) return;
        source.close();
        clearInterval(watchdog);
        timer = setTimeout(retry, delay);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      };
    };
    const retry = async () => {
      if (stopped) return;
      if ((await sessionRefused()) && !stopped) {
        setState((old) => ({ ...old, loggedOut: true }));
        return;
      }
      if (!stopped) connect();
    };
    const loggedOut = () => setState((old) => ({ ...old, loggedOut: true }));
    addEventListener(LOGGED_OUT, loggedOut);
    connect();
    return () => {
      removeEventListener(LOGGED_OUT, loggedOut);
      stopped = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      source.close();
    };
  }, []);
  return state;
}

/** The `every_ms` of a ping frame (0 when it has none). */
function pingEvery(text) {
  try {
    const every = JSON.parse(text).every_ms;
    return typeof every === "number" && every > 0 ? every : 0;
  } catch {
    return 0;
  }
}

/** Whether planbot answers the page's session with a 401 (the token changed, or the session was ended). */
async function sessionRefused() {
  try {
    const res = await fetch("/api/projects/signature", { credentials: "same-origin", cache: "no-store" });
    return res.status === 401;
  } catch {
    return false;
  }
}

/** One stream event: the list, a planner message, a planner turn, run progress, an error frame, or a ping; returns its kind. */
function receive(event, setState) {
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    return "unreadable";
  }
  if (data.type === "ping") return "ping";
  if (data.type === "planner") {
    for (const listener of plannerListeners) listener(data);
    return "planner";
  }
  if (data.type === "turn") {
    for (const listener of turnListeners) listener(data);
    return "turn";
  }
  if (data.type === "progress") {
    for (const listener of progressListeners) listener(data.progress);
    return "progress";
  }
  if (data.type === "error") {
    // planbot words the message for the page's reader (src/adapters/http/store-banner-words.ts); the page adds nothing.
    setState((old) => ({
      ...old,
      error: data.message,
      // What a failed action compares its own failure with, to point here instead of repeating it (action-problem.js).
      storeFailure: data.file ? { code: data.error, file: data.file } : null,
    }));
    // The store cannot be read: the stream goes on, and brings the list once the file is readable again
    // (which clears the message). It explains no drop: one that follows is planbot not answering.
    return "error";
  }
  if (!Array.isArray(data.projects)) return "unknown";
  window.__planbotListAt = Date.now();
  setState((old) => ({
    ...old,
    projects: keepUnchanged(old.projects, data.projects),
    version: data.version,
    loaded: true,
    connected: true,
    error: null,
    storeFailure: null,
    lostAt: null,
  }));
  return "list";
}

/** The current location hash as a route: `{page:"board"}` or `{page:"project", slug, tab}`. */
export function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  const found = /^#\/p\/([^/?]+)(?:\/(plan|run))?(?:\?(\w+))?$/.exec(hash);
  if (found) {
    let slug = found[1];
    try {
      slug = decodeURIComponent(slug);
    } catch {
      // keep it as typed
    }
    return { page: "project", slug, tab: found[2] || "chat", start: found[3] === "start" };
  }
  return { page: "board" };
}

/** Seconds since `since` (ms), ticking once a second while `active`. */
export function useElapsed(since, active) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active, since]);
  return active && since ? Math.max(0, Math.floor((now - since) / 1000)) : 0;
}
