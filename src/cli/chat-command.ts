import { onStopSignal } from "./stop-signals.ts";
import { userInfo } from "node:os";
import { join } from "node:path";
import { createConsoleAdapter } from "../adapters/console/console-adapter.ts";
import { CONSOLE_ADAPTER, CONSOLE_CHANNEL } from "../adapters/console/console-session.ts";
import { socketPath } from "../adapters/console/protocol.ts";
import { attachChat, connectChat, leaveChat } from "../adapters/console/socket-client.ts";
import { startChatSocket } from "../adapters/console/socket-server.ts";
import { terminalLookOf, type TerminalLook } from "../adapters/console/terminal-styles.ts";
import type { Config } from "../config.ts";
import { startBackground, startWatcher } from "../runtime/background.ts";
import { createRuntime } from "../runtime/runtime.ts";
import { openChatLog } from "./chat-log.ts";
import { tellStoreHealth } from "../notify/store-health-notices.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { readNoArguments } from "./read-no-arguments.ts";
import { makeFoldersSync } from "../projects/make-folders.ts";

export const CHAT_USAGE = `usage: planbot chat
  Chat with planbot in this terminal: /help lists the commands, Ctrl-C stops a planner turn, Ctrl-D quits.
  While planbot start runs on the same PLANBOT_DATA_DIR it attaches to it; otherwise it is a planbot of its
  own until you quit, logging to chat.log in the data dir (LOG_LEVEL set: to this terminal). It takes no options.`;

/** The terminal's one chat, where a standalone chat's own notices go. */
const CONSOLE_TARGET = { adapter: CONSOLE_ADAPTER, channelId: CONSOLE_CHANNEL };

/** Line history of `planbot chat`, kept in the data dir. */
const HISTORY_FILE = "chat-history";

/**
 * `planbot chat`: attaches to the `planbot start` serving this data dir (through its socket, see
 * src/adapters/console/protocol.ts), so the terminal is one more chat of that process. When none runs,
 * it is a full planbot of its own for as long as it runs — watcher, notifier, executor — with the
 * terminal as its only chat.
 */
export async function runChat(argv: string[], config: Config, io: CliIo): Promise<number> {
  // `planbot chat --help` must print the usage, not open a chat.
  const refused = readNoArguments(argv, CHAT_USAGE, io);
  if (refused !== undefined) return refused;
  const interactive = process.stdin.isTTY === true;
  const userName = safeUserName();
  // Replies come styled only on a colour terminal; piped, TERM=dumb or NO_COLOR they are plain words.
  const look = terminalLookOf(process.stdout);
  let historyFile: string | undefined = join(config.dataDir, HISTORY_FILE);
  try {
    makeFoldersSync(config.dataDir);
  } catch {
    historyFile = undefined;
  }
  const socket = await connectChat(config.dataDir);
  if (socket) {
    if (interactive)
      process.stdout.write(
        `planbot chat — attached to the running planbot (${socketPath(config.dataDir)}). /help lists the commands, Ctrl-C stops a planner turn, Ctrl-D quits.\n`,
      );
    // Closing the connection makes planbot stop this terminal's planner turns.
    onStopSignal(() => leaveChat(socket));
    return attachChat(socket, {
      dataDir: config.dataDir,
      input: process.stdin,
      output: process.stdout,
      userName,
      interactive,
      historyFile,
      look,
    });
  }
  return runStandalone(config, userName, interactive, historyFile, look);
}

async function runStandalone(
  config: Config,
  userName: string,
  interactive: boolean,
  historyFile: string | undefined,
  look: TerminalLook,
): Promise<number> {
  // Logs stay off the terminal the user types into unless asked for (LOG_LEVEL): they go to a file.
  const chatLog = openChatLog(config);
  const runtime = createRuntime(config, chatLog.log);
  // This process now serves the data dir: it takes the socket, so a `planbot start` begun meanwhile is
  // refused (two executors and notifiers on one store would run and announce everything twice) and another
  // `planbot chat` attaches here instead of starting a third planbot.
  let socket: Awaited<ReturnType<typeof startChatSocket>>;
  try {
    socket = await startChatSocket(runtime);
  } catch (error) {
    await runtime.stop();
    process.stderr.write(`planbot chat: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  runtime.onStop(() => socket.stop());
  const adapter = createConsoleAdapter({
    bot: runtime.bot,
    input: process.stdin,
    output: process.stdout,
    userName,
    prompt: interactive,
    // Piped input or a script reads the replies in the order of its lines.
    inOrder: !interactive,
    historyFile,
    look,
  });
  // A signal (not a keypress: that is Ctrl-C in the line editor) stops the planner turns, then planbot.
  const stopListening = onStopSignal(() => adapter.close());
  await startWatcher(runtime);
  runtime.outbound.register("console", adapter.outbound);
  runtime.onStop(() => adapter.close());
  await startBackground(runtime);
  if (interactive) {
    const logged = chatLog.file ? ` Its log goes to ${chatLog.file}.` : "";
    process.stdout.write(
      `planbot chat — no planbot start runs for this data dir, so this one runs its own (watcher, notifier, executor).${logged} /help lists the commands, Ctrl-C stops a planner turn, Ctrl-D quits.\n`,
    );
  }
  runtime.onStop(tellStoreHealth(runtime.watcher.storeHealth, adapter.outbound, CONSOLE_TARGET));
  chatLog.tellProblems((message) => {
    void adapter.outbound.send(CONSOLE_TARGET, {
      text: `planbot ran into a problem: ${message} (${chatLog.file} has the details)`,
    });
  });
  await adapter.run();
  await runtime.bot.drain();
  await runtime.stop();
  stopListening();
  return EXIT.ok;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return "you";
  }
}
