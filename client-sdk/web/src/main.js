// The page's entry: picks the view from the path, joins the panel through
// the JavaScript SDK and keeps the view in step with it.
//   /                    choose a panel
//   /p/{panel}           attendee (?token=… from an invitation link, or a guest name)
//   /p/{panel}/moderate  moderator (?token=…)
//   /p/{panel}/stage     the question being answered, large, for the panelists' screen

import { PanelwireClient } from "../../js/src/client.js";
import { fill, form, h } from "./dom.js";
import { PanelState } from "./panel_state.js";
import { attendeeView, moderatorView, stageView } from "./views.js";

const app = document.getElementById("app");
const params = new URLSearchParams(location.search);
const match = location.pathname.match(/^\/p\/([^/]+)(?:\/(moderate|stage))?\/?$/);

function landing() {
  fill(app, 
    h("h1", {}, "panelwire"),
    form("Join a panel", [{ name: "panel", label: "Panel" }, { name: "name", label: "Your name" }], "Join", ({ panel, name }) => {
      location.href = `/p/${encodeURIComponent(panel)}?name=${encodeURIComponent(name)}`;
    }),
  );
}

// `why`: the relay refused the name given before (reserved for the panel's
// hosts, or nothing left of it once cleaned).
function askName(panel, why = "") {
  fill(app,
    h("h1", {}, "Join the panel"),
    why ? h("p", { class: "error", role: "alert", "data-testid": "name-refused" }, why) : null,
    form("Your name", [{ name: "name", label: "Your name, as others will see it" }], "Join", ({ name }) => {
      if (!name.trim()) throw new Error("Please give a name.");
      sessionStorage.setItem("panelwire-name", name.trim());
      join(panel, undefined, name.trim());
    }),
  );
}

// A guest's name the relay will not take: ask for another one.
const NAME_REFUSALS = /^join refused: (NAME_RESERVED|INVALID_ARGUMENT): display_name /;

// The name a token carries (the relay takes the name from the token; Hello
// still wants one).
function nameInToken(token) {
  try {
    const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    return JSON.parse(atob(payload)).name ?? "";
  } catch {
    return "";
  }
}

function join(panel, view, name) {
  const token = params.get("token") ?? "";
  if (token) name = nameInToken(token) || name;
  const state = new PanelState();
  state.panelId = panel;
  // The client id stays for the tab's life, so a reload keeps votes and
  // commands are recognised when retried.
  let clientId = sessionStorage.getItem("panelwire-client");
  if (!clientId) {
    clientId = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    sessionStorage.setItem("panelwire-client", clientId);
  }
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const client = new PanelwireClient({
    urls: [`${scheme}//${location.host}/v1/ws`],
    panelId: panel,
    displayName: name ?? "",
    token,
    clientId,
  });
  client.on("welcome", (w) => state.welcome(w));
  client.on("event", (e) => state.event(e));
  client.on("state", (s, why) => {
    if (s === "joined" && state.connection === "reconnecting") state.reconnects++;
    state.connection = s;
    if (s === "stopped" && why.startsWith("join refused")) state.refused = why;
    state.changed();
  });
  const render = view === "moderate" ? moderatorView : view === "stage" ? stageView : attendeeView;
  render(app, state, client);
  state.onChange(() => {
    if (!state.refused) return;
    if (!token && view === undefined && NAME_REFUSALS.test(state.refused)) {
      sessionStorage.removeItem("panelwire-name");
      const [, code] = state.refused.match(NAME_REFUSALS);
      const rest = state.refused.replace(NAME_REFUSALS, "");
      return askName(panel, code === "NAME_RESERVED" ? `The name ${rest}` : `The name you gave ${rest}`);
    }
    fill(app, h("h1", {}, "Could not join"), h("p", { role: "alert" }, state.refused));
  });
  client.start();
  window.panelwire = { client, state };  // for tests and the curious
}

if (!match) landing();
else {
  const panel = decodeURIComponent(match[1]);
  const view = match[2];
  const name = params.get("name") ?? sessionStorage.getItem("panelwire-name");
  if (!view && !params.get("token") && !name) askName(panel);
  else join(panel, view, name ?? (view === "stage" ? "Stage" : ""));
}
