import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { randomToken } from "./snowflake.ts";
import type { GatewayFrame } from "./types.ts";

/** Gateway opcodes the fake speaks. */
export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** Gateway intent bits the fake filters dispatches by. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

/** Payload of a dispatch, or a per-session builder (gets the session's intents; `null` = do not send). */
export type DispatchData = unknown | ((intents: number) => unknown | null);

interface Session {
  id: string;
  intents: number;
  seq: number;
  backlog: { s: number; frame: string }[];
  socket: WebSocket | undefined;
}

/** What the gateway needs from the rest of the fake to build the handshake. */
export interface GatewayHooks {
  ready(sessionId: string): unknown;
  guildCreate(): unknown;
  onIdentified(): void;
}

/** The WebSocket gateway: HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, sequenced dispatches and RESUME. */
export class FakeGateway {
  /** Frames clients sent, for assertions. */
  readonly frames: GatewayFrame[] = [];
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, Session>();
  readonly #sockets = new Set<WebSocket>();
  readonly #hooks: GatewayHooks;
  readonly #heartbeatIntervalMs: number;

  constructor(hooks: GatewayHooks, heartbeatIntervalMs: number) {
    this.#hooks = hooks;
    this.#heartbeatIntervalMs = heartbeatIntervalMs;
  }

  /** Accepts an HTTP upgrade for the gateway path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws));
  }

  /** True when at least one session has identified (live or waiting for RESUME). */
  hasSession(): boolean {
    return this.#sessions.size > 0;
  }

  /** Sends a dispatch to every session (buffered for RESUME when its socket is down); resolves once written. */
  async dispatch(t: string, data: DispatchData): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const session of this.#sessions.values()) {
      const d = typeof data === "function" ? (data as (intents: number) => unknown)(session.intents) : data;
      if (d === null) continue;
      writes.push(this.#sendDispatch(session, t, d));
    }
    await Promise.all(writes);
  }

  /** Closes every client socket with `code` (4000 makes discord.js RESUME, 1000 makes it IDENTIFY again). */
  disconnect(code = 4000): void {
    for (const ws of this.#sockets) ws.close(code, "fake disconnect");
  }

  /** Terminates every socket and the server. */
  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#sockets.clear();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(ws: WebSocket): void {
    this.#sockets.add(ws);
    let session: Session | undefined;
    ws.on("close", () => {
      this.#sockets.delete(ws);
      if (session?.socket === ws) session.socket = undefined;
    });
    ws.on("error", () => undefined);
    ws.on("message", (raw, isBinary) => {
      let frame: { op?: unknown; d?: unknown };
      try {
        if (isBinary) throw new Error("binary frame");
        frame = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      this.frames.push({ op: Number(frame.op), d: frame.d, at: Date.now() });
      switch (frame.op) {
        case Op.Heartbeat:
          this.#send(ws, { op: Op.HeartbeatAck });
          break;
        case Op.Identify: {
          if (session) {
            ws.close(4005, "Already authenticated.");
            return;
          }
          const d = (frame.d ?? {}) as { token?: unknown; intents?: unknown };
          if (typeof d.token !== "string" || d.token === "") {
            ws.close(4004, "Authentication failed.");
            return;
          }
          if (typeof d.intents !== "number") {
            ws.close(4013, "Invalid intent(s).");
            return;
          }
          session = { id: randomToken("session"), intents: d.intents, seq: 0, backlog: [], socket: ws };
          this.#sessions.set(session.id, session);
          const current = session;
          void (async () => {
            await this.#sendDispatch(current, "READY", this.#hooks.ready(current.id));
            await this.#sendDispatch(current, "GUILD_CREATE", this.#hooks.guildCreate());
            this.#hooks.onIdentified();
          })();
          break;
        }
        case Op.Resume: {
          const d = (frame.d ?? {}) as { session_id?: unknown; seq?: unknown };
          const found = typeof d.session_id === "string" ? this.#sessions.get(d.session_id) : undefined;
          if (!found) {
            this.#send(ws, { op: Op.InvalidSession, d: false });
            return;
          }
          if (found.socket && found.socket !== ws) found.socket.close(4000, "Session resumed elsewhere");
          found.socket = ws;
          session = found;
          const seq = typeof d.seq === "number" ? d.seq : 0;
          for (const entry of found.backlog) if (entry.s > seq) ws.send(entry.frame);
          void this.#sendDispatch(found, "RESUMED", {});
          break;
        }
        case Op.PresenceUpdate:
        case Op.VoiceStateUpdate:
        case Op.RequestGuildMembers:
          if (!session) ws.close(4003, "Not authenticated.");
          break;
        default:
          ws.close(4001, "Unknown opcode.");
      }
    });
    this.#send(ws, { op: Op.Hello, d: { heartbeat_interval: this.#heartbeatIntervalMs } });
  }

  #sendDispatch(session: Session, t: string, d: unknown): Promise<void> {
    const s = ++session.seq;
    const frame = JSON.stringify({ op: Op.Dispatch, t, s, d });
    session.backlog.push({ s, frame });
    if (session.backlog.length > 1000) session.backlog.shift();
    const ws = session.socket;
    if (!ws || ws.readyState !== ws.OPEN) return Promise.resolve();
    return new Promise((resolve) => ws.send(frame, () => resolve()));
  }

  #send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }
}
