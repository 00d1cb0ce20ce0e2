// Moving between the board and a project's page, for a keyboard and a screen reader: the link that was pressed
// goes with the old page, which left focus on nothing (the next Tab started from wherever the browser chose), and
// nothing said which page had opened.
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";

/** The heading each page marks as its own (`data-page-heading`): where focus lands when the page opens. */
const HEADING = "[data-page-heading]";

/** The browser tab's title names the page: a project's slug, or the board. */
export function usePageTitle(route) {
  useEffect(() => {
    document.title = route.page === "project" ? `${route.slug} · planbot` : "planbot";
  }, [route.page, route.slug]);
}

/**
 * Once another page of the app shows (not on the first load, not between a project's tabs, whose links stay),
 * focus goes to its heading if it is on nothing: a screen reader says which page opened, and Tab goes on from its
 * top. A project still loading has no heading yet: focus goes there once it shows.
 */
export function useFocusNewPage(route) {
  const page = route.page === "project" ? `project:${route.slug.toLowerCase()}` : "board";
  const shown = useRef(page);
  // "due" once another page shows, until its heading does; then the heading focus was put on, if any.
  const landing = useRef(null);
  useLayoutEffect(() => {
    if (shown.current !== page) {
      shown.current = page;
      landing.current = "due";
    }
    // A heading that had focus went with a redraw of the same page (a project that was loading showed up):
    // its successor takes focus over.
    const replaced = landing.current instanceof Element && !landing.current.isConnected;
    if (landing.current !== "due" && !replaced) return;
    const heading = document.querySelector(HEADING);
    if (!heading) return;
    landing.current = null;
    if (!focusIsFree()) return;
    heading.tabIndex = -1;
    heading.focus();
    landing.current = heading;
  });
}

/**
 * Whether focus is on nothing a person chose: the page itself, or a page's heading the app put it on. Focus
 * that is free may be moved (to the answer box after a planner turn, to a note that replaced a pressed button).
 */
export function focusIsFree() {
  const active = document.activeElement;
  return !active || active === document.body || active.matches(HEADING);
}
