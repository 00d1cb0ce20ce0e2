// The app shell: header, live connection state, and the hash router (board or one project's page).
import { html } from "htm/preact";
import { Board } from "./board.js";
import { useLiveProjects, useRoute } from "./live.js";
import { ProjectPage } from "./project.js";

async function logout() {
  await fetch("/api/logout", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  location.href = "/";
}

/** The whole page. */
export function App() {
  const live = useLiveProjects();
  const route = useRoute();
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="#/">planbot</a>
      <span class=${`conn ${live.connected ? "on" : "off"}`} role="status" title=${live.connected ? "live updates on" : "reconnecting to planbot…"}>${live.connected ? "live" : "offline"}</span>
      <span class="muted count-all">${live.loaded ? `${live.projects.length} projects` : ""}</span>
      ${document.body.dataset.token === "none" ? null : html`<button type="button" class="link" onClick=${logout}>Log out</button>`}
    </header>
    ${route.page === "project" ? html`<${ProjectPage} key=${route.slug} route=${route} live=${live} />` : html`<${Board} live=${live} />`}
  </div>`;
}
