const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a stored id is a UUID. The planner's session id ends up as `--resume <id>` and in file paths,
 * and the sessions file is shared with other tools: anything else (an option, a path) is refused.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
