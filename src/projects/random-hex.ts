/**
 * Random hex for temp-file names and JSON placeholders, with node:crypto loaded at the first call. An ESM
 * `import ... from "node:crypto"` evaluates the module and, for its namespace, its webcrypto getter: about
 * 13 ms of start-up that a command which only reads the store (`planbot projects list`) never uses.
 * `require` hands over the module itself, without that namespace.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let crypto: typeof import("node:crypto") | undefined;

/** `bytes` random bytes as lowercase hex (twice as many characters). */
export function randomHex(bytes: number): string {
  crypto ??= require("node:crypto") as typeof import("node:crypto");
  return crypto.randomBytes(bytes).toString("hex");
}
