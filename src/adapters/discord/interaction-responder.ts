import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
} from "discord.js";
import { ADAPTER, sendableChannel, type DiscordContext } from "./context.ts";
import { describeError, isExpiredInteraction } from "./errors.ts";
import type { DiscordPayload } from "./render.ts";
import { payloadFiles, sendPayloads } from "./send.ts";

/** Interactions that run a command and get messages back. */
export type CommandInteraction = ChatInputCommandInteraction | ButtonInteraction;

/** Answers one interaction: a deferred "thinking…" first when needed, then the reply and its follow-ups. */
export interface InteractionResponder {
  /** Acknowledges with a public loading message (once); Discord wants a first answer within 3 s. Never throws. */
  defer(): Promise<void>;
  /**
   * Answers a button press by editing the pressed message: `chosen` is appended to its text and its buttons
   * are removed. Later payloads follow up. Returns false when the text could not take the line (the
   * buttons are still removed), so the caller says it in a follow-up. Never throws.
   */
  markChosen(chosen: string): Promise<boolean>;
  /** Delivers the payloads. Never throws: failures are logged and told to the user where possible. */
  send(payloads: DiscordPayload[], log: { command?: string | undefined; slug?: string | undefined }): Promise<void>;
}

/** Discord's limit on a message's content. */
const MESSAGE_LIMIT = 2000;

const EMPTY_ANSWER: DiscordPayload = { content: "Done (nothing to show).", components: [], ephemeral: true };

/**
 * Creates the responder. The first payload answers the interaction (or fills the deferred message), the
 * rest are follow-ups. An ephemeral first payload after a public defer cannot reuse the loading message
 * (its visibility is fixed by the defer), so the loading message is deleted and the payload follows up
 * ephemerally. If Discord refuses the answer, the user hears about it: through a follow-up, or in the
 * channel when the interaction itself has expired (a planner turn longer than the 15-minute token).
 */
export function createInteractionResponder(ctx: DiscordContext, interaction: CommandInteraction): InteractionResponder {
  let deferred = false;
  let answered = false;

  const options = (payload: DiscordPayload): InteractionReplyOptions => ({
    content: payload.content,
    components: payload.components,
    ...payloadFiles(payload),
    ...(payload.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  });

  async function deliverOne(payload: DiscordPayload): Promise<void> {
    if (!deferred && !answered) await interaction.reply(options(payload));
    else if (deferred && !answered) {
      if (payload.ephemeral) {
        await interaction.deleteReply();
        await interaction.followUp(options(payload));
      } else
        await interaction.editReply({
          content: payload.content,
          components: payload.components,
          ...payloadFiles(payload),
        });
    } else await interaction.followUp(options(payload));
    answered = true;
  }

  /** Posts what could not go through the interaction into its channel, mentioning the user. */
  async function toChannel(rest: DiscordPayload[], command: string): Promise<void> {
    const channel = await sendableChannel(ctx.client, interaction.channelId);
    if (!channel) throw new Error(`channel ${interaction.channelId} is not sendable`);
    const notice = `<@${interaction.user.id}> here is planbot's answer to ${command} (the interaction had expired):`;
    await channel.send({ content: notice, allowedMentions: { users: [interaction.user.id] } });
    const outcome = await sendPayloads(channel, rest);
    if (outcome.error) throw outcome.error;
  }

  /** Says the answer failed, through whichever interaction call is still allowed. */
  async function tellFailure(label: string, error: unknown): Promise<void> {
    const notice = {
      content: `planbot could not deliver its answer to ${label}: ${describeError(error)}. It is logged; try again, or /status to see where things stand.`,
      flags: MessageFlags.Ephemeral,
    } as const;
    if (deferred || answered) await interaction.followUp(notice);
    else await interaction.reply(notice);
  }

  return {
    async markChosen(chosen) {
      if (deferred || answered || !interaction.isButton()) return false;
      const original = interaction.message.content;
      const fits = original.length + chosen.length + 2 <= MESSAGE_LIMIT;
      try {
        await interaction.update({ content: fits ? `${original}\n\n${chosen}` : original, components: [] });
        answered = true;
        return fits;
      } catch (error) {
        ctx.log.warn(
          { err: error, adapter: ADAPTER, channel: interaction.channelId, interaction: interaction.id },
          "could not mark the chosen message",
        );
        return false;
      }
    },
    async defer() {
      if (deferred || answered) return;
      try {
        await interaction.deferReply();
        deferred = true;
      } catch (error) {
        // Not fatal: the answer is still attempted, and falls back to the channel if the interaction expired.
        ctx.log.warn(
          { err: error, adapter: ADAPTER, channel: interaction.channelId, interaction: interaction.id },
          "could not defer the interaction",
        );
      }
    },
    async send(payloads, context) {
      const list = payloads.length ? payloads : [EMPTY_ANSWER];
      const label = context.command
        ? `/${context.command}`
        : interaction.isButton()
          ? "the button"
          : `/${interaction.commandName}`;
      for (const [index, payload] of list.entries()) {
        try {
          await deliverOne(payload);
        } catch (error) {
          ctx.log.error(
            {
              err: error,
              adapter: ADAPTER,
              command: context.command,
              slug: context.slug,
              channel: interaction.channelId,
              interaction: interaction.id,
            },
            "could not answer the interaction",
          );
          try {
            if (isExpiredInteraction(error)) await toChannel(list.slice(index), label);
            else await tellFailure(label, error);
          } catch (fallbackError) {
            ctx.log.error(
              {
                err: fallbackError,
                adapter: ADAPTER,
                command: context.command,
                slug: context.slug,
                channel: interaction.channelId,
              },
              "could not tell the user that the answer failed",
            );
          }
          return;
        }
      }
    },
  };
}
