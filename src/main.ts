import { readFileSync } from "node:fs";
import { config as zodConfig } from "zod";
import { loadConfig } from "./config.ts";
import { EXIT } from "./cli/exit-codes.ts";
import { processIo, type CliIo } from "./cli/io.ts";
import { COMMANDS, unknownCommandMessage } from "./cli/unknown-command.ts";

export const USAGE = `usage: planbot <command>
  start                 run every configured adapter, the dashboard and the watcher (npm start)
  chat                  chat with planbot in this terminal
  projects …            list, show, propose, edit, approve, unapprove, cancel, deliver (planbot projects --help)
  execute [slug]        run approved projects through Ralph once (--dry-run to only show the plan)
  doctor                check configuration, planner, git and folders (--json)
  worker                take Ralph runs from the job queue at PLANBOT_QUEUE_URL (planbot worker --help)
planbot <command> --help shows a command's options; planbot --version prints the version.`;

/** Commands that do one thing and exit, for which zod runs without compiling (see {@link main}). */
const ONE_SHOT: ReadonlySet<string> = new Set(["projects", "doctor"]);

/** The `planbot` CLI; returns the process exit code (docs/architecture.md: 0 ok, 1 failure, 2 usage, 3 conflict, 4 not found). */
export async function main(
  argv: string[],
  io: CliIo = processIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    (command ? io.out : io.err)(USAGE);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    io.out(`planbot ${packageVersion()}`);
    return EXIT.ok;
  }
  // A mistyped command is answered before the configuration is read: its problems are not the point yet.
  if (!(COMMANDS as readonly string[]).includes(command)) {
    io.err(`${unknownCommandMessage(command)}\n${USAGE}`);
    return EXIT.usage;
  }
  // A one-shot command parses each schema (the settings, the store) about once: compiling zod's fast path
  // for it costs more than it saves. The long-running commands parse the store at every change and keep it.
  if (ONE_SHOT.has(command)) zodConfig({ jitless: true });
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    io.err(`planbot: ${loaded.message}`);
    return EXIT.usage;
  }
  const config = loaded.config;
  switch (command) {
    // Every command loads only its own modules (README, "Start-up"): `projects` never pulls in an adapter.
    case "projects": {
      const [{ runProjectsCommand }, { createCoreServices }] = await Promise.all([
        import("./cli/projects-command.ts"),
        import("./projects/core-services.ts"),
      ]);
      return runProjectsCommand(rest, createCoreServices(config), io);
    }
    case "start": {
      const { runStart } = await import("./cli/start-command.ts");
      return runStart(rest, config, io);
    }
    case "chat": {
      const { runChat } = await import("./cli/chat-command.ts");
      return runChat(rest, config, io);
    }
    case "execute": {
      const { runExecute } = await import("./cli/execute-command.ts");
      return runExecute(rest, config, io);
    }
    case "doctor": {
      const { runDoctor } = await import("./cli/doctor-command.ts");
      return runDoctor(rest, config, io);
    }
    case "worker": {
      const { runWorker } = await import("./cli/worker-command.ts");
      return runWorker(rest, config, io);
    }
    default:
      io.err(`unknown command "${command}"\n${USAGE}`);
      return EXIT.usage;
  }
}

/** The version in package.json (one folder above both src/ and dist/). */
function packageVersion(): string {
  const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version?: string }).version ?? "unknown";
}
