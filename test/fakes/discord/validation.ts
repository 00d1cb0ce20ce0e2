/** A Discord error answer: HTTP status plus the JSON body discord.js turns into a DiscordAPIError. */
export interface ApiError {
  status: number;
  body: { code: number; message: string; errors?: Record<string, unknown> };
}

/** One field error of a 50035 answer: where, Discord's error code, and its text. */
export interface FieldError {
  path: (string | number)[];
  code: string;
  message: string;
}

/** Builds a Discord-style answer for a known error code. */
export function apiError(status: number, code: number, message: string): ApiError {
  return { status, body: { code, message } };
}

/** Builds `400 {code: 50035, message: "Invalid Form Body", errors: {...nested by path...}}`. */
export function invalidFormBody(fieldErrors: FieldError[]): ApiError {
  const errors: Record<string, unknown> = {};
  for (const { path, code, message } of fieldErrors) {
    let node = errors;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as unknown[];
    list.push({ code, message });
  }
  return { status: 400, body: { code: 50035, message: "Invalid Form Body", errors } };
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Length as Discord counts it (Unicode code points, like Python's `len`). */
export function discordLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function maxLength(errors: FieldError[], path: (string | number)[], value: unknown, max: number): number {
  if (typeof value !== "string") return 0;
  const len = discordLength(value);
  if (len > max) errors.push({ path, code: "BASE_TYPE_MAX_LENGTH", message: `Must be ${max} or fewer in length.` });
  return len;
}

function validateEmbeds(errors: FieldError[], embeds: unknown): void {
  if (!Array.isArray(embeds)) return;
  if (embeds.length > 10) {
    errors.push({ path: ["embeds"], code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length." });
  }
  let total = 0;
  embeds.forEach((raw, i) => {
    const embed = asObject(raw) ?? {};
    total += maxLength(errors, ["embeds", i, "title"], embed.title, 256);
    total += maxLength(errors, ["embeds", i, "description"], embed.description, 4096);
    total += maxLength(errors, ["embeds", i, "footer", "text"], asObject(embed.footer)?.text, 2048);
    total += maxLength(errors, ["embeds", i, "author", "name"], asObject(embed.author)?.name, 256);
    const fields = Array.isArray(embed.fields) ? embed.fields : [];
    if (fields.length > 25) {
      errors.push({
        path: ["embeds", i, "fields"],
        code: "BASE_TYPE_MAX_LENGTH",
        message: "Must be 25 or fewer in length.",
      });
    }
    fields.forEach((rawField, j) => {
      const field = asObject(rawField) ?? {};
      total += maxLength(errors, ["embeds", i, "fields", j, "name"], field.name, 256);
      total += maxLength(errors, ["embeds", i, "fields", j, "value"], field.value, 1024);
    });
  });
  if (total > 6000) {
    errors.push({
      path: ["embeds"],
      code: "MAX_EMBED_SIZE_EXCEEDED",
      message: "Embed size exceeds maximum size of 6000",
    });
  }
}

function validateComponents(errors: FieldError[], components: unknown): void {
  if (!Array.isArray(components)) return;
  if (components.length > 5) {
    errors.push({ path: ["components"], code: "BASE_TYPE_MAX_LENGTH", message: "Must be 5 or fewer in length." });
  }
  const seen = new Set<string>();
  components.forEach((rawRow, i) => {
    const row = asObject(rawRow) ?? {};
    if (row.type !== 1) return; // Components V2 layouts are not validated.
    const children = Array.isArray(row.components) ? row.components : [];
    if (children.length === 0 || children.length > 5) {
      errors.push({
        path: ["components", i, "components"],
        code: children.length === 0 ? "BASE_TYPE_MIN_LENGTH" : "BASE_TYPE_MAX_LENGTH",
        message: children.length === 0 ? "Must be 1 or more in length." : "Must be 5 or fewer in length.",
      });
    }
    children.forEach((rawChild, j) => {
      const child = asObject(rawChild) ?? {};
      const path = ["components", i, "components", j];
      if (child.type === 2) {
        maxLength(errors, [...path, "label"], child.label, 80);
        const style = child.style;
        if (style === 5) {
          if (typeof child.url !== "string")
            errors.push({ path: [...path, "url"], code: "BASE_TYPE_REQUIRED", message: "This field is required" });
        } else if (style !== 6 && typeof child.custom_id !== "string") {
          errors.push({ path: [...path, "custom_id"], code: "BASE_TYPE_REQUIRED", message: "This field is required" });
        }
      } else if (child.type !== undefined && children.length > 1 && child.type !== 2) {
        errors.push({
          path,
          code: "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
          message: "The specified component exceeds the maximum width",
        });
      }
      if (typeof child.custom_id === "string") {
        maxLength(errors, [...path, "custom_id"], child.custom_id, 100);
        if (seen.has(child.custom_id)) {
          errors.push({
            path: [...path, "custom_id"],
            code: "COMPONENT_CUSTOM_ID_DUPLICATED",
            message: "Component custom id cannot be duplicated",
          });
        }
        seen.add(child.custom_id);
      }
    });
  });
}

/** Checks message content, embeds and components against Discord's limits; `prefix` nests errors (e.g. `["data"]`). */
export function validateMessagePayload(body: unknown, prefix: (string | number)[] = []): ApiError | undefined {
  const payload = asObject(body) ?? {};
  const errors: FieldError[] = [];
  maxLength(errors, ["content"], payload.content, 2000);
  validateEmbeds(errors, payload.embeds);
  validateComponents(errors, payload.components);
  if (errors.length === 0) return undefined;
  return invalidFormBody(errors.map((e) => ({ ...e, path: [...prefix, ...e.path] })));
}

/** True when a new message would have nothing to show (Discord answers 50006). */
export function isEmptyMessage(body: unknown, fileCount: number): boolean {
  const payload = asObject(body) ?? {};
  const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== "");
  return (
    fileCount === 0 &&
    !nonEmpty(payload.content) &&
    !nonEmpty(payload.embeds) &&
    !nonEmpty(payload.components) &&
    !nonEmpty(payload.sticker_ids) &&
    !nonEmpty(payload.poll) &&
    !nonEmpty(payload.attachments)
  );
}

/** The 50006 answer for an empty message. */
export const emptyMessageError: ApiError = apiError(400, 50006, "Cannot send an empty message");

const COMMAND_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Checks application command definitions the way Discord does for common mistakes (names, descriptions, option order). */
export function validateCommands(commands: unknown[]): ApiError | undefined {
  const errors: FieldError[] = [];
  if (commands.length > 100) {
    errors.push({ path: [], code: "BASE_TYPE_MAX_LENGTH", message: "Must be 100 or fewer in length." });
  }
  const names = new Set<string>();
  commands.forEach((raw, i) => {
    const cmd = asObject(raw) ?? {};
    const type = typeof cmd.type === "number" ? cmd.type : 1;
    const name = cmd.name;
    if (typeof name !== "string" || (type === 1 && (!COMMAND_NAME.test(name) || name !== name.toLowerCase()))) {
      errors.push({ path: [i, "name"], code: "APPLICATION_COMMAND_INVALID_NAME", message: "Command name is invalid" });
    } else {
      const key = `${type}:${name}`;
      if (names.has(key)) {
        errors.push({
          path: [i, "name"],
          code: "APPLICATION_COMMANDS_DUPLICATE_NAME",
          message: "Application command names must be unique",
        });
      }
      names.add(key);
    }
    if (type === 1) {
      const description = cmd.description;
      if (typeof description !== "string" || discordLength(description) < 1 || discordLength(description) > 100) {
        errors.push({
          path: [i, "description"],
          code: "BASE_TYPE_BAD_LENGTH",
          message: "Must be between 1 and 100 in length.",
        });
      }
      validateOptions(errors, [i], cmd.options);
    }
  });
  return errors.length === 0 ? undefined : invalidFormBody(errors);
}

function validateOptions(errors: FieldError[], path: (string | number)[], options: unknown): void {
  if (!Array.isArray(options)) return;
  if (options.length > 25) {
    errors.push({
      path: [...path, "options"],
      code: "BASE_TYPE_MAX_LENGTH",
      message: "Must be 25 or fewer in length.",
    });
  }
  let sawOptional = false;
  options.forEach((raw, j) => {
    const opt = asObject(raw) ?? {};
    const here = [...path, "options", j];
    if (typeof opt.name !== "string" || !COMMAND_NAME.test(opt.name) || opt.name !== opt.name.toLowerCase()) {
      errors.push({
        path: [...here, "name"],
        code: "APPLICATION_COMMAND_INVALID_NAME",
        message: "Command name is invalid",
      });
    }
    const description = opt.description;
    if (typeof description !== "string" || discordLength(description) < 1 || discordLength(description) > 100) {
      errors.push({
        path: [...here, "description"],
        code: "BASE_TYPE_BAD_LENGTH",
        message: "Must be between 1 and 100 in length.",
      });
    }
    if (opt.type === 1 || opt.type === 2) {
      validateOptions(errors, here, opt.options);
      return;
    }
    if (opt.required === true && sawOptional) {
      errors.push({
        path: [...here],
        code: "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        message: "Required options must be placed before non-required options",
      });
    }
    if (opt.required !== true) sawOptional = true;
  });
}
