import { connect, type Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { createTerminal } from "./terminal.ts";
import type { TerminalLook } from "./terminal-styles.ts";
import { messageReader, socketPath, type ClientMessage, type ServerMessage } from "./protocol.ts";

/** Options of {@link attachChat}. */
export interface AttachOptions {
  dataDir: string;
  input: Readable;
  output: Writable;
  userName: string;
  interactive: boolean;
  historyFile?: string | undefined;
  /** How this terminal shows replies; planbot renders them so. */
  look?: TerminalLook;
}

/** Printed when the planbot this terminal was attached to goes away without being asked to. */
const ATTACHED_TO_STOPPED =
  "The planbot this chat was attached to stopped (the planbot start or the first planbot chat on this data dir quit), so this chat is closed. Run planbot chat again to go on.";

/** Connections the user left (a stop signal): their closing is no news of planbot stopping. */
const leftByUser = new WeakSet<Socket>();

/** Leaves the attached chat on the user's behalf (Ctrl-C as a signal, SIGTERM): planbot stops this terminal's turns. */
export function leaveChat(socket: Socket): void {
  leftByUser.add(socket);
  socket.destroy();
}

/** Connects to the running planbot's terminal socket; undefined when none serves this data dir. */
export async function connectChat(dataDir: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(socketPath(dataDir));
    socket.once("connect", () => resolve(socket));
    socket.once("error", () => resolve(undefined));
  });
}

/**
 * `planbot chat` attached to a running `planbot start`: lines go to it, everything it prints comes back —
 * replies, "working" lines, completion notices and replies mirrored from other chats. Ctrl-C stops the
 * planner turns this terminal started (twice in a row, with no line between, quits); Ctrl-D quits after pending
 * answers.
 * Resolves with the exit code: 0 when the user quit (or left with {@link leaveChat}), 1 when planbot went away.
 */
export async function attachChat(socket: Socket, options: AttachOptions): Promise<number> {
  const terminal = createTerminal({
    input: options.input,
    output: options.output,
    interactive: options.interactive,
    historyFile: options.historyFile,
  });
  const send = (message: ClientMessage) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
  };
  let said = false;
  const finished = new Promise<number>((resolve) => {
    socket.on(
      "data",
      messageReader<ServerMessage>((message) => {
        if (message.type === "print") terminal.print(message.text);
        else if (message.type === "bye") {
          said = true;
          socket.end();
          resolve(0);
        }
      }),
    );
    socket.on("close", () => {
      const left = said || leftByUser.has(socket);
      // Whoever reads this may not have started the planbot that stopped (another terminal's planbot chat).
      if (!left) terminal.print(ATTACHED_TO_STOPPED);
      terminal.close();
      resolve(left ? 0 : 1);
    });
    socket.on("error", () => undefined);
  });
  // As in a standalone planbot chat: the first Ctrl-C stops this terminal's planner turns (or says nothing
  // runs), the next one in a row quits; a line typed in between starts over, and Ctrl-C on a half-typed
  // line only drops that line.
  let quitAsked = false;
  terminal.onInterrupt((dropped) => {
    if (dropped) {
      quitAsked = false;
      return;
    }
    if (quitAsked) {
      terminal.close();
      return;
    }
    quitAsked = true;
    send({ type: "interrupt" });
  });
  // Piped lines are answered one after another, planner turns included; typed ones never wait for the planner.
  send({ type: "hello", user: options.userName, look: options.look ?? "plain", inOrder: !options.interactive });
  void (async () => {
    for await (const line of terminal.lines()) {
      quitAsked = false;
      if (line.trim()) send({ type: "line", text: line });
    }
    // Ctrl-D or the end of piped input: let planbot answer what was sent, then leave.
    send({ type: "end" });
  })();
  return finished;
}
