/**
 * A deep copy of plain JSON data: the Bot API objects the fake keeps and hands out (messages, updates,
 * keyboards, entities, commands), so a caller that changes what it got never changes what the fake stored.
 * They hold only objects, arrays, strings, numbers, booleans and null, as they arrive as JSON; for those this
 * is what structuredClone does, at a sixth of its cost. The fake shares the bots' event loop in the benches,
 * so its own work there is part of every round trip it times.
 */
export function copyPlain<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyPlain((value as Record<string, unknown>)[key]);
  return copy as T;
}
