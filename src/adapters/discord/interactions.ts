import type { AutocompleteInteraction, ButtonInteraction, CommandInteractionOption, Interaction } from "discord.js";
import type { CommandSpec } from "../../bot/command-registry.ts";
import { commandLineFromOptions } from "./slash-definitions.ts";
import { looksLikeCommand } from "../../bot/parse-command.ts";
import { KEEP_TALKING_COMMAND, parseChoiceLine } from "../../chat/reply.ts";
import type { ProjectRecord } from "../../projects/project-list.ts";
import { ADAPTER, incomingFrom, type DiscordContext } from "./context.ts";
import {
  createInteractionResponder,
  type CommandInteraction,
  type InteractionResponder,
} from "./interaction-responder.ts";
import { renderReplies, type DiscordPayload } from "./render.ts";
import { runLine, type LineOutcome } from "./line-runner.ts";
import { sendPayloads } from "./send.ts";

/** A fast command still running after this long is deferred, well inside Discord's 3 s for a first answer. */
export const DEFER_AFTER_MS = 1500;
/** Discord shows at most 25 autocomplete choices. */
const MAX_CHOICES = 25;

/** Handles every interaction: slash commands, button clicks and slug autocomplete. Never throws. */
export async function handleInteraction(ctx: DiscordContext, interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) return autocomplete(ctx, interaction);
  if (interaction.isChatInputCommand()) {
    const spec = ctx.host.bot.registry.find(interaction.commandName);
    if (!spec) return runFromInteraction(ctx, interaction, `/${interaction.commandName}`, undefined);
    return runFromInteraction(
      ctx,
      interaction,
      commandLineFromOptions(spec, optionValues(interaction.options.data)),
      spec,
    );
  }
  if (interaction.isButton()) {
    // A custom_id is a command line (or a choice line) planbot wrote; anything else comes from an older build or another app.
    const parsed = parseChoiceLine(interaction.customId);
    const line = parsed?.command ?? "";
    if (!looksLikeCommand(line)) {
      const stale: DiscordPayload = {
        content: "This button does not belong to this planbot any more; /help lists what it can do.",
        components: [],
        ephemeral: true,
      };
      return createInteractionResponder(ctx, interaction).send([stale], {});
    }
    if (parsed?.choice) return pressChoice(ctx, interaction, line, parsed.choice);
    return runFromInteraction(ctx, interaction, line, ctx.host.bot.commandFor(line));
  }
}

/**
 * A press of a choice button: the core claims the choice first; the pressed message is then edited to show
 * what was chosen and by whom (its buttons removed) — that edit is the interaction's answer — and the
 * command runs as a typed one would, its replies following up. A spent choice marks this copy too and
 * answers "already chosen" to the presser alone.
 */
async function pressChoice(
  ctx: DiscordContext,
  interaction: ButtonInteraction,
  line: string,
  choice: string,
): Promise<void> {
  const responder = createInteractionResponder(ctx, interaction);
  const incoming = incomingFrom(interaction.user, interaction.channelId, line);
  // discord.js finds the pressed component on the message; a message it could not read leaves it unknown.
  const component = interaction.component as { label?: string | null } | undefined;
  const label = component?.label ?? "the button";
  const outcome = await ctx.host.bot.press(incoming, { id: choice, label });
  if (outcome.kind === "refused") return responder.send(renderReplies(outcome.replies), {});
  const marked = await responder.markChosen(outcome.chosen);
  const said = marked ? [] : [{ text: outcome.chosen }];
  if (outcome.kind === "spent") return responder.send(renderReplies([...said, outcome.reply]), {});
  if (said.length) await responder.send(renderReplies(said), {});
  if (line === KEEP_TALKING_COMMAND) return responder.send(renderReplies(await outcome.run()), {});
  // The choice is spent: the command now runs exactly as typed (a planning thread opens where /plan would open one).
  return runFromInteraction(ctx, interaction, line, ctx.host.bot.commandFor(line), responder);
}

/** Slash options by name, read from the raw data: typed getters throw when a type differs from the registry. */
function optionValues(
  options: readonly CommandInteractionOption[],
): Record<string, string | number | boolean | undefined> {
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const option of options) {
    if (option.value !== undefined && option.value !== null) values[option.name] = option.value;
  }
  return values;
}

/**
 * Runs a slash command or a click. Slow commands (planner turns) defer at once and wait their turn in the
 * channel, after any answers typed before them; fast ones answer directly, deferring only if the core
 * unexpectedly takes longer than {@link DEFER_AFTER_MS}.
 */
async function runFromInteraction(
  ctx: DiscordContext,
  interaction: CommandInteraction,
  line: string,
  spec: CommandSpec | undefined,
  responder: InteractionResponder = createInteractionResponder(ctx, interaction),
): Promise<void> {
  const slow = spec?.slow === true;
  if (slow) await responder.defer();
  const deliver = (outcome: LineOutcome) => deliverOutcome(ctx, responder, outcome);
  const guard = slow ? undefined : <T>(work: Promise<T>) => deferIfSlow(work, responder);
  await runLine(
    ctx,
    { user: interaction.user, channelId: interaction.channelId, text: line, audience: "direct" },
    deliver,
    { queue: slow, ...(guard ? { guard } : {}) },
  );
}

/**
 * Waits for the core; if it is not done after {@link DEFER_AFTER_MS}, defers the interaction and keeps
 * waiting. A plain timer, not a race against a second promise: nearly every command is done long before it.
 */
export async function deferIfSlow<T>(
  work: Promise<T>,
  responder: Pick<InteractionResponder, "defer">,
  afterMs = DEFER_AFTER_MS,
): Promise<T> {
  let deferring: Promise<void> | undefined;
  const timer = setTimeout(() => {
    deferring = responder.defer();
  }, afterMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    // A defer on its way decides how the answer goes out (an edit of the loading message), so it finishes first.
    if (deferring) await deferring;
  }
}

/** Sends the outcome: in place, or (for a new planning thread) the replies in the thread and a pointer here. */
async function deliverOutcome(
  ctx: DiscordContext,
  responder: InteractionResponder,
  outcome: LineOutcome,
): Promise<void> {
  const context = { command: outcome.command, slug: outcome.slug };
  if (!outcome.thread) return responder.send(renderReplies(outcome.replies), context);
  const sent = await sendPayloads(outcome.thread, renderReplies(outcome.replies));
  if (sent.error) {
    ctx.log.error(
      { err: sent.error, adapter: ADAPTER, command: outcome.command, slug: outcome.slug, channel: outcome.thread.id },
      "could not post the planner's reply in the planning thread",
    );
    // The thread did not get it, so the asker gets the replies right here instead.
    return responder.send(renderReplies(outcome.replies), context);
  }
  const pointer: DiscordPayload = {
    content: `Planning **${outcome.slug ?? "the project"}** in <#${outcome.thread.id}>: answer the planner there.`,
    components: [],
    ephemeral: false,
  };
  return responder.send([pointer], context);
}

/** Suggests slugs from the store for a slug option: prefix matches first, then other matches, at most 25. */
async function autocomplete(ctx: DiscordContext, interaction: AutocompleteInteraction): Promise<void> {
  try {
    const focused = interaction.options.getFocused(true);
    const spec = ctx.host.bot.registry.find(interaction.commandName);
    const arg = spec?.args.find((candidate) => candidate.name === focused.name && candidate.kind === "slug");
    let choices: { name: string; value: string }[] = [];
    const projects = arg ? await currentProjects(ctx) : undefined;
    if (projects) {
      const typed = String(focused.value).trim().toLowerCase();
      const prefix = projects.filter((p) => p.slug.toLowerCase().startsWith(typed));
      const inside = typed
        ? projects.filter((p) => !p.slug.toLowerCase().startsWith(typed) && p.slug.toLowerCase().includes(typed))
        : [];
      const matches = [...prefix, ...inside];
      // The projects the command is for come first (the registry declares which: `fits`), the rest after.
      const fits = (p: ProjectRecord) => arg?.fits?.includes(p.status) ?? true;
      choices = [...matches.filter(fits), ...matches.filter((p) => !fits(p))]
        .slice(0, MAX_CHOICES)
        .map((p) => ({ name: clip(`${p.slug} (${p.status})`, 100), value: clip(p.slug, 100) }));
    }
    await interaction.respond(choices);
  } catch (error) {
    ctx.log.warn({ err: error, adapter: ADAPTER, command: interaction.commandName }, "could not answer autocomplete");
  }
}

/** The project list for suggestions: the host's snapshot costs no I/O per keystroke (autocomplete fires on every one). */
function currentProjects(ctx: DiscordContext): Promise<readonly ProjectRecord[] | undefined> {
  return ctx.host.projects.projects();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
