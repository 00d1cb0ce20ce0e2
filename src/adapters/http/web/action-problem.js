// What a failed action says under its button. A failure caused by the store planbot cannot read is the one the
// banner at the top already names, with the file and what to do: the action points there in a few words
// instead of repeating it (docs: src/adapters/http/README.md, "When requests fail").
import { createContext } from "preact";
import { useContext } from "preact/hooks";

/** The store failure the page's banner shows now, `{code, file}`, or null; app.js provides it. */
export const BannerStoreFailure = createContext(null);

/**
 * An action's problem, `{text, store, lead}`: its words (the error's message unless `text` is given; the server
 * words a problem only its operator can fix for a member, src/adapters/http/member-failure.ts), the store
 * failure behind it, `{code, file}` — the API names the file of a store failure in `file` — or null, and how the
 * pointer to the banner begins (`lead`: "Not done" for an action, what could not be read for a read).
 */
export function problemOf(error, { text = error?.message, lead = "Not done" } = {}) {
  const body = error?.body ?? {};
  const store =
    typeof body.file === "string" && typeof body.error === "string" ? { code: body.error, file: body.file } : null;
  return { text, store, lead };
}

/** A problem that is words alone (a form's field messages, the page's own advice). */
export function problemText(text) {
  return { text, store: null, lead: "" };
}

/** Store failures whose pointer has been shown: once the banner goes (the file is fixed), they say "then". */
const pointed = new WeakSet();

/**
 * The words to show for `problem` (null for none): a pointer while the banner shows its failure; once the
 * banner has gone, that the store is readable again (its own words would still say how to fix the file); a
 * failure the banner never showed (the watcher had not looked yet) says it all itself.
 */
export function useProblemWords(problem) {
  const banner = useContext(BannerStoreFailure);
  if (!problem) return null;
  const store = problem.store;
  if (banner && store && store.code === banner.code && store.file === banner.file) {
    pointed.add(problem);
    return `${problem.lead}: planbot cannot read its project store; the message at the top says what to do.`;
  }
  if (!banner && pointed.has(problem))
    return `${problem.lead}: planbot could not read its project store then; it can now, so try again.`;
  return problem.text;
}
