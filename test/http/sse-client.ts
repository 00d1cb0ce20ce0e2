// A minimal EventSource for tests: connects with node:http and collects every `data:` payload. Frames
// are kept raw and parsed on first use, so twenty clients of a big list stay cheap for the test
// process (which is also the server's process).
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";

/** One received frame. */
export interface Frame {
  at: number;
  raw: string;
  /** The payload, parsed on first access. */
  readonly data: Record<string, unknown>;
}

/** A connected stream and the payloads it received so far. */
export interface StreamClient {
  status: number;
  frames: Frame[];
  /** Resolves with the first frame (already received or future) whose parsed data matches; rejects after `timeoutMs`. */
  waitFor(predicate: (data: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Like {@link waitFor}, on the raw `data:` text. */
  waitForRaw(predicate: (raw: string) => boolean, timeoutMs?: number): Promise<Frame>;
  close(): void;
}

function frame(at: number, raw: string): Frame {
  let parsed: Record<string, unknown> | undefined;
  return {
    at,
    raw,
    get data() {
      parsed ??= JSON.parse(raw) as Record<string, unknown>;
      return parsed;
    },
  };
}

/** Opens `GET path` as an event stream; resolves once the response headers arrived. */
export function openStream(
  port: number,
  path = "/api/projects/stream",
  headers: Record<string, string> = {},
): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = httpRequest(
      { host: "127.0.0.1", port, path, headers: { Accept: "text/event-stream", ...headers } },
      (res: IncomingMessage) => {
        const frames: Frame[] = [];
        const waiters: Array<() => void> = [];
        let pending: string[] = [];
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          // Only the new chunk (plus one character of the last) is searched for the blank line.
          const previousTail = pending.length ? pending[pending.length - 1]!.slice(-1) : "";
          pending.push(chunk);
          if (!(previousTail + chunk).includes("\n\n")) return;
          const events = pending.join("").split("\n\n");
          pending = [events.pop()!].filter(Boolean);
          for (const event of events) {
            const data = event
              .split("\n")
              .filter((line) => line.startsWith("data: "))
              .map((line) => line.slice(6))
              .join("\n");
            if (data) frames.push(frame(performance.now(), data));
          }
          for (const wake of waiters.splice(0)) wake();
        });
        res.on("error", () => undefined);
        const waitForFrame = (predicate: (received: Frame) => boolean, timeoutMs = 2000) =>
          new Promise<Frame>((found, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no matching frame within ${timeoutMs} ms (got ${frames.length})`)),
              timeoutMs,
            );
            let checked = 0;
            const check = () => {
              for (; checked < frames.length; checked += 1) {
                if (predicate(frames[checked]!)) {
                  clearTimeout(timer);
                  found(frames[checked]!);
                  return;
                }
              }
              waiters.push(check);
            };
            check();
          });
        resolve({
          status: res.statusCode ?? 0,
          frames,
          waitForRaw: (predicate, timeoutMs) => waitForFrame((received) => predicate(received.raw), timeoutMs),
          waitFor: (predicate, timeoutMs) => waitForFrame((received) => predicate(received.data), timeoutMs),
          close: () => req.destroy(),
        });
      },
    );
    req.on("error", (error) => reject(error));
    req.end();
  });
}
