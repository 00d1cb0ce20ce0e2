// A project this tab has just proposed: planbot stored it, and the live list brings it a moment after the answer.
// Until then its page says it is loading, not that there is no such project (an alert a screen reader reads out).
const proposed = new Set();

/** Notes that planbot accepted `slug` from this tab's New project form. */
export function rememberProposed(slug) {
  proposed.add(slug.toLowerCase());
}

/**
 * Whether the page for `slug` waits for a project proposed here that the list does not hold yet (`project`
 * undefined). Once the list has it, the note goes: a project removed later is then said to be gone, as any other.
 */
export function awaitingProposed(slug, project) {
  if (project) proposed.delete(slug.toLowerCase());
  return !project && proposed.has(slug.toLowerCase());
}
