import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { closestWord } from "../chat/did-you-mean.ts";
import { CONFIG_VARIABLES } from "../config.ts";
import type { DoctorCheck } from "./doctor-check.ts";

/** Read by bin/planbot itself, not by the configuration. */
const LAUNCHER_VARIABLES = ["PLANBOT_FROM_SOURCE"];

/**
 * A variable set in `.env` or the environment that planbot does not read but that is close to one it does
 * (`DISCROD_TOKEN`, `PLANBOT_DATADIR`): nothing else would say so, and the setting silently has no effect.
 * Names that resemble no variable of planbot's are someone else's and are left alone.
 */
export function variableNameChecks(env: NodeJS.ProcessEnv, cwd: string): DoctorCheck[] {
  const known = [...CONFIG_VARIABLES, ...LAUNCHER_VARIABLES];
  const sources = new Map<string, string>();
  for (const name of Object.keys(env)) sources.set(name, "the environment");
  for (const name of Object.keys(envFileVariables(cwd))) if (!sources.has(name)) sources.set(name, ".env");
  const checks: DoctorCheck[] = [];
  for (const [name, source] of sources) {
    if (known.includes(name)) continue;
    const meant = closestWord(name, known);
    if (meant)
      checks.push({
        level: "warn",
        name: "variables",
        detail: `${name} (in ${source}) is not a variable planbot reads; did you mean ${meant}?`,
      });
  }
  return checks;
}

/** The variables of `.env` in `cwd`; none when it is missing or unreadable (loading the configuration says why). */
function envFileVariables(cwd: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(join(cwd, ".env"), "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}
