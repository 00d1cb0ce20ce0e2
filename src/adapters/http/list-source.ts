import { createHash } from "node:crypto";
import type { WatchedState } from "../../projects/change-watcher.ts";
import type { Result } from "../../projects/result.ts";
import type { DashboardHost } from "../contract.ts";
import { memberList } from "./member-list.ts";

/** The project list as the API sends it: the serialised `{projects, version, fetchedAt, count}` and its signature. */
export interface ListSnapshot {
  json: string;
  /** The JSON as UTF-8 bytes, encoded once per change so a request only copies it to the socket. */
  body: Buffer;
  signature: string;
  version: number;
}

/**
 * Where `GET /api/projects`, the signature and the stream get the project list: the change watcher's
 * current state, serialised once per watcher sequence and shared by every request and every stream
 * client until the next change. Every read first asks the store whether it is readable — a corrupt
 * `approved-tasks.json` is an error naming the file, never the last good (or an empty) list, which is
 * what echo-core's dashboard served when its read failed.
 */
export interface ListSource {
  current(): Promise<Result<ListSnapshot>>;
  /** The shared serialisation of a watcher state. */
  serialise(state: WatchedState): string;
}

/** Creates the {@link ListSource} of a runtime. */
export function createListSource(runtime: DashboardHost): ListSource {
  let cached: { sequence: number; json: string; body?: Buffer } | undefined;
  // Whether "Deliver again" can work is a question of the settings this planbot runs with (absent: not offered).
  const setup = () => runtime.services?.delivery?.setup();

  function serialise(state: WatchedState): string {
    if (cached?.sequence !== state.sequence)
      cached = { sequence: state.sequence, json: JSON.stringify(memberList(state.list, setup())) };
    return cached.json;
  }

  function body(state: WatchedState): Buffer {
    const json = serialise(state);
    cached!.body ??= Buffer.from(json);
    return cached!.body;
  }

  return {
    serialise,
    async current() {
      // One stat when nothing changed: the store caches its parse by inode, size and mtime.
      const read = await runtime.core.store.read();
      if (!read.ok) return read;
      if (runtime.watcher.current().sequence > 0) {
        // Through the lister, which the running watcher serves: a write this process just made (a delivery,
        // an approval) is in the list it answers with, where the watcher's state alone may still wait for the
        // write's file event (change-watcher.ts, servedList).
        const served = await runtime.core.lister.list();
        if (!served.ok) return served;
        const state = runtime.watcher.current();
        return {
          ok: true,
          json: serialise(state),
          body: body(state),
          signature: state.signature,
          version: state.list.version,
        };
      }
      // The watcher is not running (a test, or a host that never started it): list on every request.
      const listed = await runtime.core.lister.list();
      if (!listed.ok) return listed;
      const json = JSON.stringify(memberList(listed.list, setup()));
      const signature = createHash("sha256")
        .update(JSON.stringify(listed.list.projects))
        .update(String(listed.list.version))
        .digest("hex");
      return { ok: true, json, body: Buffer.from(json), signature, version: listed.list.version };
    },
  };
}
