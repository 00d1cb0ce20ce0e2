// The app shell: header, live connection state, and the hash router (board or one project's page).
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { BannerStoreFailure } from "./action-problem.js";
import { api } from "./api.js";
import { Board } from "./board.js";
import { useLiveProjects, useRoute } from "./live.js";
import { useFocusNewPage, usePageTitle } from "./page-focus.js";
import { ProjectPage } from "./project.js";

/** Log out: planbot clears the session cookie (HttpOnly, so only it can); `onProblem` hears when it could not. */
async function logout(onProblem) {
  try {
    await api("POST", "/api/logout");
    location.href = "/";
  } catch (error) {
    onProblem(`You are still logged in: ${error.message}`);
  }
}

/** To the login form, which brings the browser back to this page of the app once logged in. */
function logInAgain() {
  location.href = `/?next=${encodeURIComponent(location.hash)}${location.hash}`;
}

/**
 * What is wrong with the connection, in words: logged out (planbot refuses this browser's session), or
 * offline since a time (the stream dropped; it reconnects by itself and the page catches up then).
 */
function ConnectionNote({ live }) {
  if (live.loggedOut)
    return html`<div class="banner alert" role="alert" data-connection="logged-out">
      <p>You are logged out: planbot no longer accepts this browser's session (its dashboard token was changed, or the session was ended). Log in again to go on. The page reloads for that: what you typed and did not send (an answer to the planner, an Edit or New project form) is kept.</p>
      <button type="button" class="primary" onClick=${logInAgain}>Log in again</button>
    </div>`;
  if (!live.lostAt) return null;
  const since = new Date(live.lostAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return html`<div class="banner alert" role="status" data-connection="offline">
    <p>planbot is not answering since ${since}: it may be restarting. Reconnecting by itself… What you see may be out of date; it catches up once planbot is back.</p>
  </div>`;
}

/** The whole page. */
export function App() {
  const live = useLiveProjects();
  const route = useRoute();
  usePageTitle(route);
  useFocusNewPage(route);
  const [logoutProblem, setLogoutProblem] = useState(null);
  return html`<${BannerStoreFailure.Provider} value=${live.storeFailure}><div class="shell">
    <header class="top">
      <a class="brand" href="#/">planbot</a>
      <span class=${`conn ${live.connected ? "on" : "off"}`} role="status" title=${live.connected ? "live updates on" : live.loggedOut ? "logged out" : "reconnecting to planbot…"}>${live.connected ? "live" : live.loggedOut ? "logged out" : "offline"}</span>
      <span class="muted count-all">${live.loaded ? `${live.projects.length} ${live.projects.length === 1 ? "project" : "projects"}` : ""}</span>
      ${document.body.dataset.token === "none" ? null : html`<button type="button" class="link" onClick=${() => logout(setLogoutProblem)}>Log out</button>`}
    </header>
    <${ConnectionNote} live=${live} />
    ${logoutProblem ? html`<p class="banner alert" role="alert">${logoutProblem}</p>` : null}
    ${live.error ? html`<p class="banner alert" role="alert" data-connection="error">${live.error}</p>` : null}
    ${route.page === "project" ? html`<${ProjectPage} key=${route.slug} route=${route} live=${live} />` : html`<${Board} live=${live} />`}
  </div></${BannerStoreFailure.Provider}>`;
}
