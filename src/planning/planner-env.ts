/**
 * The planner's environment is an allowlist: what the Claude Code CLI needs to find its tools, its
 * login and its network (PATH, HOME, locale, temp, proxies, `CLAUDE_*`, `ANTHROPIC_*`, …), never
 * planbot's own secrets. The CLI hands its environment to every tool it runs, and the model reads the
 * tools' output, so a token in it is a token one prompt away from a chat.
 */
const EXACT = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TERM",
  "TZ",
  "LANG",
  "LANGUAGE",
  "TMPDIR",
  "TMP",
  "TEMP",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "XDG_DATA_HOME",
  "XDG_STATE_HOME",
  "XDG_RUNTIME_DIR",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "DISABLE_AUTOUPDATER",
  "DISABLE_TELEMETRY",
  "DISABLE_ERROR_REPORTING",
  "API_TIMEOUT_MS",
  "MAX_THINKING_TOKENS",
  "AWS_REGION",
  "AWS_PROFILE",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "CLOUD_ML_REGION",
]);

/** Prefixes the CLI reads its own settings from (login, model, base URL, Bedrock/Vertex switches). */
const PREFIXES = ["CLAUDE_", "ANTHROPIC_", "LC_", "VERTEX_REGION_"];

/** Names that are never passed on, whatever the lists above say (planbot's own credentials). */
const NEVER = /^(DASHBOARD_TOKEN|DISCORD_TOKEN|TELEGRAM_TOKEN|PLANBOT_.*)$/;

/** The planner's environment built from `source` (default `process.env`). */
export function plannerEnv(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || NEVER.test(name)) continue;
    if (EXACT.has(name) || PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  return env;
}
