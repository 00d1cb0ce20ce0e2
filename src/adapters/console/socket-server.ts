import { chmod, unlink } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { renderPlainText } from "../../chat/plain-text.ts";
import type { Reply } from "../../chat/reply.ts";
import type { AdapterHost, RunningAdapter } from "../contract.ts";
import { createConsoleSession, WAITING_BEFORE_QUIT } from "./console-session.ts";
import { messageReader, socketPath, type ClientMessage, type ServerMessage } from "./protocol.ts";
import { makeFolders } from "../../projects/make-folders.ts";
import type { StoreHealth } from "../../projects/store-health.ts";
import { storeHealthNotice } from "../../notify/store-health-notices.ts";
import { stylesOf, type TerminalLook } from "./terminal-styles.ts";

/** The running terminal endpoint of `planbot start`. */
export interface ChatSocket extends RunningAdapter {
  path: string;
  /** Terminals attached right now. */
  clients(): number;
}

/**
 * What the terminal endpoint is given: an adapter's host, and the store's health when this planbot watches
 * the store (`planbot start` and a standalone chat do), so attached terminals hear when it breaks.
 */
export interface ChatSocketHost extends AdapterHost {
  watcher?: { storeHealth: StoreHealth };
}

/**
 * Serves `planbot chat` terminals from the running planbot, so the terminal is one more chat of the same
 * process: its planner replies reach every chat joined to the session, and notifications and mirrored
 * replies reach every attached terminal (the `console` Outbound). Each terminal gets its own session of
 * lines (see console-session.ts); when it disconnects, planner turns it started are stopped.
 */
export async function startChatSocket(host: ChatSocketHost): Promise<ChatSocket> {
  const path = socketPath(host.config.dataDir);
  await makeFolders(host.config.dataDir);
  await clearStaleSocket(path);
  // Each attached terminal with how it shows replies (its hello says; plain until then).
  const clients = new Map<Socket, TerminalLook>();
  const log = host.log;

  // Until the socket's mode is 0600 anyone whose umask let them in could connect: those connections are
  // dropped, since every attached terminal is treated as the server's operator.
  let madePrivate = false;
  const server = createServer((socket) => {
    if (!madePrivate) {
      socket.destroy();
      return;
    }
    clients.set(socket, "plain");
    socket.on("close", () => clients.delete(socket));
    serveTerminal(host, socket, (look) => {
      if (!clients.has(socket)) return;
      clients.set(socket, look);
      // A terminal attaching to a planbot whose store is broken hears it at once, in its own look.
      const problem = host.watcher?.storeHealth.problem();
      if (problem) send(socket, { type: "print", text: renderPlainText(storeHealthNotice(problem), stylesOf(look)) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  try {
    await chmod(path, 0o600);
  } catch (error) {
    // Fail closed: a socket others may open would hand them the operator's terminal.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(path).catch(() => undefined);
    throw new Error(`could not make the terminal socket ${path} private (chmod 600): ${(error as Error).message}`);
  }
  madePrivate = true;
  server.on("error", (error) => log.error({ adapter: "console", err: error }, "terminal socket error"));
  const printToAll = (reply: Reply) => {
    for (const [socket, look] of clients) send(socket, { type: "print", text: renderPlainText(reply, stylesOf(look)) });
  };
  host.outbound.register("console", {
    // Only the data folder's owner can open the socket (0600): every attached terminal is the operator's.
    operator: true,
    async send(_target, reply) {
      printToAll(reply);
      return { ok: true, messageIds: [] };
    },
    // A terminal cannot change what it printed: an update (a run's progress) is a new line.
    async edit(_target, messageId, reply) {
      printToAll(reply);
      return { ok: true, messageId };
    },
  });
  log.info({ adapter: "console", path }, "planbot chat can attach here");
  // Every attached terminal is the operator's, the one person who can fix a broken store.
  const unsubscribe = host.watcher?.storeHealth.subscribe((problem) => printToAll(storeHealthNotice(problem)));

  let stopping: Promise<void> | undefined;
  return {
    path,
    clients: () => clients.size,
    stop() {
      stopping ??= (async () => {
        unsubscribe?.();
        host.outbound.unregister("console");
        for (const socket of clients.keys()) socket.end();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of clients.keys()) socket.destroy();
        await unlink(path).catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/** Writes one message to a terminal that is still connected. */
function send(socket: Socket, message: ServerMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}

/**
 * One attached terminal: `hello` names its user and how its replies look (told to `onLook`), each `line` is submitted in order, `interrupt` stops its
 * planner turns, `end` answers `bye` once its lines are done. When it disconnects, a planner turn started
 * here is stopped: nobody is left to read the answer.
 */
function serveTerminal(host: AdapterHost, socket: Socket, onLook: (look: TerminalLook) => void): void {
  const sessionOf = (user: string, look: TerminalLook = "plain", inOrder = false) =>
    createConsoleSession(host.bot, user, (text) => send(socket, { type: "print", text }), { look, inOrder });
  let session = sessionOf("terminal");
  let chain: Promise<void> = Promise.resolve();
  // Lines still waiting for their turn when the terminal goes away are dropped: nobody asked for them any more.
  let gone = false;
  socket.on(
    "data",
    messageReader<ClientMessage>((message) => {
      switch (message.type) {
        case "hello": {
          const look = message.look === "styled" ? "styled" : "plain";
          onLook(look);
          session = sessionOf(String(message.user || "terminal").slice(0, 64), look, message.inOrder === true);
          break;
        }
        case "line":
          chain = chain.then(() => (gone ? undefined : session.submit(String(message.text))));
          break;
        case "interrupt": {
          const stopped = session.interrupt();
          send(socket, {
            type: "print",
            text: stopped
              ? `Stopping ${stopped === 1 ? "the planner turn" : `${stopped} planner turns`}…`
              : "Nothing is running. Ctrl-C again or Ctrl-D quits.",
          });
          break;
        }
        case "end":
          void chain
            .then(() => {
              if (session.pending()) send(socket, { type: "print", text: WAITING_BEFORE_QUIT });
              return session.drain();
            })
            .then(() => send(socket, { type: "bye" }));
          break;
      }
    }),
  );
  socket.on("error", (error) => host.log.debug({ adapter: "console", err: error }, "terminal connection error"));
  socket.on("close", () => {
    gone = true;
    session.interrupt();
  });
}

/** A socket file left by a planbot that died is removed; one that answers means another planbot serves this data dir. */
async function clearStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (alive)
    throw new Error(
      `another planbot already serves this data dir: a planbot chat running on its own, or a planbot start. Quit it first (Ctrl-D in planbot chat, Ctrl-C in planbot start), or set another PLANBOT_DATA_DIR (its socket ${path} answers)`,
    );
  await unlink(path).catch(() => undefined);
}
