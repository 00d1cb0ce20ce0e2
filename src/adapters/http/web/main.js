// Entry point of the dashboard web app (served as-is, no build): mounts the app into #app.
import { render } from "preact";
import { html } from "htm/preact";
import { App } from "./app.js";

const root = document.getElementById("app");
// The "Loading…" placeholder is plain HTML, not Preact's: clear it rather than diff against it.
root.textContent = "";
render(html`<${App} />`, root);
