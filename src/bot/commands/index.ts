import { createCommandRegistry, type CommandRegistry } from "../command-registry.ts";
import { deliverCommand } from "./deliver-command.ts";
import { editCommand } from "./edit-command.ts";
import { helpCommand, whoamiCommand } from "./info-commands.ts";
import {
  continueCommand,
  doneCommand,
  nextCommand,
  planCommand,
  replanCommand,
  runCommand,
  stopCommand,
} from "./planning-commands.ts";
import { approveCommand, cancelCommand, proposeCommand, statusCommand, unapproveCommand } from "./project-commands.ts";

/** planbot's command set, in the order `/help` lists it (docs/architecture.md, "The life of a chat line"). */
export function createDefaultRegistry(): CommandRegistry {
  return createCommandRegistry([
    proposeCommand,
    editCommand,
    planCommand,
    replanCommand,
    approveCommand,
    unapproveCommand,
    cancelCommand,
    statusCommand,
    nextCommand,
    doneCommand,
    stopCommand,
    continueCommand,
    runCommand,
    deliverCommand,
    whoamiCommand,
    helpCommand,
  ]);
}
