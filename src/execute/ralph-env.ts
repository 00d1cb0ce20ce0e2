/**
 * The environment Ralph gets: planbot's own secrets removed (Ralph's agent runs arbitrary commands), the
 * job queue's URL too (it may carry Redis's password, and Redis holds every run).
 */
export function ralphEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ["DISCORD_TOKEN", "TELEGRAM_TOKEN", "DASHBOARD_TOKEN", "GITHUB_TOKEN", "PLANBOT_QUEUE_URL"])
    delete copy[name];
  return copy;
}
