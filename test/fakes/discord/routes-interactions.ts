import {
  createBotMessage,
  deleteMessage,
  dispatchMessageCreate,
  dispatchMessageUpdate,
  editMessage,
  type RouteEnv,
} from "./messages.ts";
import type { Route } from "./rest.ts";
import type { RecordedFile } from "./types.ts";
import { MessageFlag, type InteractionRecord, type MessageRecord } from "./state.ts";
import { apiError, discordLength, invalidFormBody, type ApiError, type FieldError } from "./validation.ts";

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Callback types Discord accepts per interaction type (2 command, 3 component, 4 autocomplete, 5 modal submit). */
export const ALLOWED_CALLBACKS: Record<number, number[]> = {
  2: [4, 5, 9],
  3: [4, 5, 6, 7, 9],
  4: [8],
  5: [4, 5, 6, 7],
};

const unknownInteraction = apiError(404, 10062, "Unknown interaction");
const unknownWebhook = apiError(404, 10015, "Unknown Webhook");
const unknownMessage = apiError(404, 10008, "Unknown Message");

function validateChoices(data: Json): ApiError | undefined {
  const choices = Array.isArray(data.choices) ? data.choices : [];
  const errors: FieldError[] = [];
  if (choices.length > 25)
    errors.push({ path: ["data", "choices"], code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length." });
  choices.forEach((raw, i) => {
    const choice = asObject(raw);
    const name = typeof choice.name === "string" ? choice.name : "";
    if (discordLength(name) < 1 || discordLength(name) > 100) {
      errors.push({
        path: ["data", "choices", i, "name"],
        code: "BASE_TYPE_BAD_LENGTH",
        message: "Must be between 1 and 100 in length.",
      });
    }
    if (typeof choice.value === "string" && discordLength(choice.value) > 100) {
      errors.push({
        path: ["data", "choices", i, "value"],
        code: "BASE_TYPE_MAX_LENGTH",
        message: "Must be 100 or fewer in length.",
      });
    }
  });
  return errors.length ? invalidFormBody(errors) : undefined;
}

/** Interaction callbacks (`/interactions/:id/:token/callback`) and interaction webhooks (`/webhooks/:app/:token...`). */
export function interactionRoutes(env: RouteEnv): Route[] {
  const { state } = env;

  const webhookInteraction = (appId: string, token: string): InteractionRecord | ApiError => {
    if (appId !== state.identity.applicationId) return unknownWebhook;
    const interaction = state.interactionsByToken.get(token);
    if (!interaction) return unknownWebhook;
    if (Date.now() - interaction.dispatchedAt > env.interactionTokenTtlMs)
      return apiError(401, 50027, "Invalid Webhook Token");
    if (!interaction.acknowledged) return unknownWebhook;
    return interaction;
  };

  const webhookMessage = (interaction: InteractionRecord, messageId: string): MessageRecord | ApiError => {
    const id = messageId === "@original" ? interaction.originalMessageId : messageId;
    if (!id) return unknownMessage;
    const message = state.messages.get(id);
    if (!message || message.deleted) return unknownMessage;
    if (messageId !== "@original" && message.interactionId !== interaction.id) return unknownMessage;
    return message;
  };

  /** The message a `/webhooks/:appId/:token/messages/:messageId` route names, or why there is none. */
  const webhookRouteMessage = (params: Record<string, string>): MessageRecord | ApiError => {
    const interaction = webhookInteraction(params.appId!, params.token!);
    if ("status" in interaction) return interaction;
    return webhookMessage(interaction, params.messageId!);
  };

  const callback = (interaction: InteractionRecord, body: unknown, files: RecordedFile[]) => {
    const payload = asObject(body);
    const type = payload.type;
    const data = asObject(payload.data);
    if (typeof type !== "number" || !(ALLOWED_CALLBACKS[interaction.type] ?? []).includes(type)) {
      return {
        error: invalidFormBody([
          { path: ["type"], code: "INTERACTION_RESPONSE_TYPE_INVALID", message: "Invalid interaction response type" },
        ]),
      };
    }
    let created: MessageRecord | undefined;
    let updated: MessageRecord | undefined;
    switch (type) {
      case 4: {
        const message = createBotMessage(env, interaction.channelId, data, files, {
          errorPrefix: ["data"],
          interactionId: interaction.id,
          type: interaction.type === 2 ? 20 : 0,
        });
        if ("status" in message) return { error: message };
        created = message;
        interaction.originalMessageId = message.id;
        break;
      }
      case 5: {
        const flags = (typeof data.flags === "number" ? data.flags : 0) & MessageFlag.Ephemeral;
        const message = createBotMessage(env, interaction.channelId, {}, [], {
          interactionId: interaction.id,
          type: interaction.type === 2 ? 20 : 0,
          extraFlags: flags | MessageFlag.Loading,
          allowEmpty: true,
        });
        if ("status" in message) return { error: message };
        created = message;
        interaction.originalMessageId = message.id;
        break;
      }
      case 6:
        interaction.originalMessageId = interaction.componentMessageId;
        break;
      case 7: {
        interaction.originalMessageId = interaction.componentMessageId;
        const target = interaction.componentMessageId ? state.messages.get(interaction.componentMessageId) : undefined;
        if (target) {
          const edited = editMessage(env, target, data, files, ["data"]);
          if ("status" in edited) return { error: edited };
          updated = edited;
        }
        break;
      }
      case 8: {
        const invalid = validateChoices(data);
        if (invalid) return { error: invalid };
        break;
      }
      case 9: {
        if (typeof data.custom_id !== "string" || typeof data.title !== "string" || !Array.isArray(data.components)) {
          return {
            error: invalidFormBody([{ path: ["data"], code: "BASE_TYPE_REQUIRED", message: "This field is required" }]),
          };
        }
        break;
      }
    }
    interaction.acknowledged = true;
    interaction.callbackType = type;
    return { type, created, updated };
  };

  return [
    {
      method: "POST",
      pattern: "/interactions/:interactionId/:token/callback",
      noAuth: true,
      handler: ({ params, body, files, query }) => {
        const interaction = state.interactions.get(params.interactionId!);
        if (!interaction || interaction.token !== params.token) return unknownInteraction;
        if (interaction.acknowledged) return apiError(400, 40060, "Interaction has already been acknowledged.");
        if (Date.now() - interaction.dispatchedAt > env.interactionDeadlineMs) return unknownInteraction;
        const outcome = callback(interaction, body, files);
        if ("error" in outcome) return outcome.error!;
        const after = async () => {
          if (outcome.created) await dispatchMessageCreate(env, outcome.created);
          if (outcome.updated) await dispatchMessageUpdate(env, outcome.updated);
        };
        if (query.with_response !== "true") return { status: 204, after };
        const message = outcome.created ?? outcome.updated;
        return {
          status: 200,
          after,
          body: {
            interaction: {
              id: interaction.id,
              type: interaction.type,
              response_message_id: message?.id,
              response_message_loading: outcome.type === 5,
              response_message_ephemeral: message ? (message.flags & MessageFlag.Ephemeral) !== 0 : false,
            },
            resource: { type: outcome.type, ...(message ? { message: state.messageJson(message) } : {}) },
          },
        };
      },
    },
    {
      method: "POST",
      pattern: "/webhooks/:appId/:token",
      noAuth: true,
      handler: ({ params, body, files, query }) => {
        const interaction = webhookInteraction(params.appId!, params.token!);
        if ("status" in interaction) return interaction;
        // Discord turns the first follow-up after a deferred reply into the reply itself.
        const original = interaction.originalMessageId ? state.messages.get(interaction.originalMessageId) : undefined;
        let message: MessageRecord | ApiError;
        let dispatch: () => Promise<void>;
        if (interaction.callbackType === 5 && original && !original.deleted && original.flags & MessageFlag.Loading) {
          message = editMessage(env, original, body, files);
          const edited = message;
          dispatch = () => ("status" in edited ? Promise.resolve() : dispatchMessageUpdate(env, edited));
        } else {
          message = createBotMessage(env, interaction.channelId, body, files, {
            interactionId: interaction.id,
            type: 0,
          });
          const created = message;
          dispatch = () => ("status" in created ? Promise.resolve() : dispatchMessageCreate(env, created));
        }
        if ("status" in message) return message;
        if (query.wait !== "true") return { status: 204, after: dispatch };
        return { status: 200, body: state.messageJson(message), after: dispatch };
      },
    },
    {
      method: "GET",
      pattern: "/webhooks/:appId/:token/messages/:messageId",
      noAuth: true,
      handler: ({ params }) => {
        const message = webhookRouteMessage(params);
        if ("status" in message) return message;
        return { status: 200, body: state.messageJson(message) };
      },
    },
    {
      method: "PATCH",
      pattern: "/webhooks/:appId/:token/messages/:messageId",
      noAuth: true,
      handler: ({ params, body, files }) => {
        const message = webhookRouteMessage(params);
        if ("status" in message) return message;
        const edited = editMessage(env, message, body, files);
        if ("status" in edited) return edited;
        return { status: 200, body: state.messageJson(edited), after: () => dispatchMessageUpdate(env, edited) };
      },
    },
    {
      method: "DELETE",
      pattern: "/webhooks/:appId/:token/messages/:messageId",
      noAuth: true,
      handler: ({ params }) => {
        const message = webhookRouteMessage(params);
        if ("status" in message) return message;
        return { status: 204, after: () => deleteMessage(env, message) };
      },
    },
  ];
}
