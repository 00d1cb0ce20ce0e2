const DISCORD_EPOCH = 1_420_070_400_000n;

/** Makes increasing Discord-shaped snowflakes so discord.js derives sensible `createdTimestamp`s. */
export class SnowflakeSource {
  #increment = 0n;
  #last = 0n;

  /** A new snowflake, strictly greater than any earlier one. */
  next(): string {
    let id = ((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (this.#increment++ & 0xfffn);
    if (id <= this.#last) id = this.#last + 1n;
    this.#last = id;
    return id.toString();
  }
}

/** A random token-like string for interactions and sessions. */
export function randomToken(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
