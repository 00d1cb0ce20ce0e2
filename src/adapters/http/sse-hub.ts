import type { ServerResponse } from "node:http";
import type { Logger } from "../../log.ts";

/**
 * Server-sent events for every dashboard tab at once. Echo-core's dashboard ran one loop per client that slept 2 s,
 * recomputed the whole signature (git status included) and rebuilt the payload for that client alone,
 * and swallowed every error with `continue`; here the caller serialises a change once and the hub
 * writes that same string to every client. A client that stops reading is dropped — by the size of
 * its unsent backlog, or by how long its socket has refused writes — without delaying anyone else:
 * writes never wait, they only queue in that client's own buffer.
 */
export interface SseHub {
  /** Sends the stream headers and `first` (the snapshot), then keeps the client for later frames. */
  open(res: ServerResponse, first: string): void;
  /** Writes one ready frame to every client. */
  broadcast(frame: string): void;
  /** Connected clients. */
  size(): number;
  /** Ends every stream and stops the ping timer. */
  close(): void;
}

/** Options of {@link createSseHub}. */
export interface SseHubOptions {
  log: Logger;
  /** Keep-alive ping interval (echo-core's 15 s); proxies close idle streams otherwise. */
  pingMs?: number;
  /** A client whose unsent backlog exceeds this many bytes is dropped before the next write. */
  highWaterMark?: number;
  /** A client whose socket has refused writes (no 'drain') for this long is dropped at the next ping. */
  stallMs?: number;
}

/** `data: <json>\n\n`. JSON.stringify escapes newlines, so one `data:` line always holds the whole payload. */
export function sseFrame(json: string): string {
  return `data: ${json}\n\n`;
}

/**
 * Echo-core's keep-alive frame, with how often it comes (`every_ms`): the page takes a stream that stays
 * silent for a few of those as dead (a sleeping laptop, a dropped network path never closes the socket).
 */
export function pingFrame(everyMs: number): string {
  return sseFrame(JSON.stringify({ type: "ping", every_ms: everyMs }));
}

interface Client {
  id: number;
  res: ServerResponse;
  /** When the socket last refused a write without draining since (undefined = flowing). */
  blockedSince: number | undefined;
}

/** Creates an {@link SseHub}. */
export function createSseHub(options: SseHubOptions): SseHub {
  const pingMs = options.pingMs ?? 15_000;
  const highWaterMark = options.highWaterMark ?? 4 * 1024 * 1024;
  const stallMs = options.stallMs ?? 3 * pingMs;
  const clients = new Set<Client>();
  const ping = pingFrame(pingMs);
  let nextId = 1;

  function drop(client: Client, reason: string): void {
    if (!clients.delete(client)) return;
    options.log.warn(
      { client: client.id, reason, backlog: client.res.writableLength, clients: clients.size },
      "dropping a slow dashboard stream client",
    );
    client.res.destroy();
  }

  function write(client: Client, frame: string): void {
    if (client.res.destroyed) {
      clients.delete(client);
      return;
    }
    // A backlog beyond the mark means the client fell behind by more than a few payloads: it would only
    // ever see stale lists, and its buffer is this process's memory.
    if (client.res.writableLength > highWaterMark) {
      drop(client, `backlog over ${highWaterMark} bytes`);
      return;
    }
    const flowing = client.res.write(frame);
    if (!flowing && client.blockedSince === undefined) {
      client.blockedSince = Date.now();
      client.res.once("drain", () => {
        client.blockedSince = undefined;
      });
    }
  }

  const timer = setInterval(() => {
    const now = Date.now();
    for (const client of [...clients]) {
      if (client.blockedSince !== undefined && now - client.blockedSince > stallMs)
        drop(client, `no progress for ${stallMs} ms`);
      else write(client, ping);
    }
  }, pingMs);
  timer.unref();

  return {
    open(res, first) {
      const client: Client = { id: nextId++, res, blockedSince: undefined };
      res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-store",
        "X-Accel-Buffering": "no",
        Connection: "keep-alive",
        "X-Content-Type-Options": "nosniff",
      });
      res.socket?.setNoDelay(true);
      clients.add(client);
      const forget = () => void clients.delete(client);
      res.on("close", forget);
      res.on("error", forget);
      // `retry` tells EventSource how soon to reconnect after we drop it or restart.
      // The ping right away tells the page how often to expect one.
      write(client, `retry: 3000\n\n${first}${ping}`);
    },
    broadcast(frame) {
      for (const client of [...clients]) write(client, frame);
    },
    size: () => clients.size,
    close() {
      clearInterval(timer);
      for (const client of clients) client.res.end();
      clients.clear();
    },
  };
}
