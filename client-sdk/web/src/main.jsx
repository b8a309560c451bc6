// The page's entry: picks the view from the path, joins the panel through
// the JavaScript SDK and renders the view from the store (Preact: a change
// re-renders, the keyed diff touches only the rows that changed).
//   /                    choose a panel
//   /p/{panel}           attendee (?token=… from an invitation link, or a guest name)
//   /p/{panel}/moderate  moderator (?token=…)
//   /p/{panel}/stage     the question being answered, large, for the panelists' screen

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { PanelwireClient } from "../../js/src/client.js";
import { AttendeePage } from "./attendee.jsx";
import { Announcer } from "./feedback.jsx";
import { useStore } from "./hooks.js";
import { ModeratorPage } from "./moderator.jsx";
import { StagePage } from "./stage.jsx";
import { PanelStore } from "./store.js";

const app = document.getElementById("app");
const params = new URLSearchParams(location.search);
const match = location.pathname.match(/^\/p\/([^/]+)(?:\/(moderate|stage))?\/?$/);

function NameForm({ title, why, button, onName, withPanel = false }) {
  const [name, setName] = useState("");
  const [panel, setPanel] = useState("");
  const [error, setError] = useState("");
  const submit = (e) => {
    e.preventDefault();
    if (withPanel && !panel.trim()) return setError("Please give the panel's name.");
    if (!name.trim()) return setError("Please give a name.");
    onName(name.trim(), panel.trim());
  };
  return (
    <main class="entry">
      <h1>{title}</h1>
      {why ? (
        <p class="error" role="alert" data-testid="name-refused">
          {why}
        </p>
      ) : null}
      <form aria-label={withPanel ? "Join a panel" : "Your name"} onSubmit={submit}>
        {withPanel ? (
          <div class="field">
            <label for="entry-panel">Panel</label>
            <input
              id="entry-panel"
              type="text"
              autocomplete="off"
              value={panel}
              onInput={(e) => setPanel(e.currentTarget.value)}
            />
          </div>
        ) : null}
        <div class="field">
          <label for="entry-name">{withPanel ? "Your name" : "Your name, as others will see it"}</label>
          <input
            id="entry-name"
            type="text"
            autocomplete="name"
            dir="auto"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary">
          {button}
        </button>
        <p class="error" role="alert">
          {error}
        </p>
      </form>
    </main>
  );
}

// Why the relay refused the join, in words one can act on; the relay's own
// words follow for whoever helps them.
function joinRefusal(why) {
  const [, code = "", detail = why] = /^join refused: ([A-Z_]+): (.*)$/s.exec(why) ?? [];
  const text =
    {
      UNAUTHENTICATED: "Your invitation link is not valid, or has expired: ask the organisers for a new one.",
      FORBIDDEN: "This panel is for invited participants: join with the link from your invitation.",
      UNKNOWN_PANEL: "There is no panel by that name: check the link.",
      RESOURCE_EXHAUSTED: "The relay is full just now: try again in a few minutes.",
      RATE_LIMITED: "Too many joins from your network just now: try again in a minute.",
      INVALID_ARGUMENT: "The link is not one the relay understands: check it, or ask the organisers for a new one.",
    }[code] ?? "The relay did not let this page join.";
  return { text, detail };
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

// The unread count in the title while the tab is hidden.
function useUnreadTitle(store) {
  useEffect(() => {
    let unread = 0;
    const title = () => {
      const base = store.info.title || store.panelId;
      document.title = unread ? `(${unread}) ${base} · panelwire` : `${base} · panelwire`;
    };
    const offChat = store.onChatAdded(() => {
      if (document.hidden) unread++;
    });
    const offStore = store.subscribe(title);
    const onVisible = () => {
      if (!document.hidden) unread = 0;
      title();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      offChat();
      offStore();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [store]);
}

function Panel({ store, client, view }) {
  useStore(store);
  useUnreadTitle(store);
  if (store.refused) {
    const { text, detail } = joinRefusal(store.refused);
    return (
      <main class="entry">
        <h1>Could not join</h1>
        <p role="alert" data-testid="join-refused">
          {text}
        </p>
        <p class="quiet">The relay said: {detail}</p>
      </main>
    );
  }
  const Page = view === "moderate" ? ModeratorPage : view === "stage" ? StagePage : AttendeePage;
  return (
    <>
      <Page store={store} client={client} />
      <Announcer store={store} />
    </>
  );
}

function join(panel, view, name) {
  const token = params.get("token") ?? "";
  if (token) name = nameInToken(token) || name;
  const store = new PanelStore(panel);
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
  client.on("welcome", (w) => store.welcome(w));
  client.on("event", (e) => store.event(e));
  client.on("state", (s, why) => {
    store.setConnection(s, why);
    if (store.refused && !token && view === undefined && NAME_REFUSALS.test(store.refused)) {
      sessionStorage.removeItem("panelwire-name");
      const [, code] = store.refused.match(NAME_REFUSALS);
      const rest = store.refused.replace(NAME_REFUSALS, "");
      askName(panel, code === "NAME_RESERVED" ? `The name ${rest}` : `The name you gave ${rest}`);
    }
  });
  render(<Panel store={store} client={client} view={view} />, app);
  client.start();
  window.panelwire = { client, state: store }; // for tests and the curious
}

// `why`: the relay refused the name given before (reserved for the panel's
// hosts, or nothing left of it once cleaned).
function askName(panel, why = "") {
  render(
    <NameForm
      key={why}
      title="Join the panel"
      why={why}
      button="Join"
      onName={(name) => {
        sessionStorage.setItem("panelwire-name", name);
        join(panel, undefined, name);
      }}
    />,
    app,
  );
}

if (!match) {
  render(
    <NameForm
      title="panelwire"
      button="Join"
      withPanel
      onName={(name, panel) => {
        location.href = `/p/${encodeURIComponent(panel)}?name=${encodeURIComponent(name)}`;
      }}
    />,
    app,
  );
} else {
  let panel = match[1];
  try {
    panel = decodeURIComponent(match[1]);
  } catch {
    // A malformed escape: the relay refuses the id and the page says so.
  }
  const view = match[2];
  const name = params.get("name") ?? sessionStorage.getItem("panelwire-name");
  if (!view && !params.get("token") && !name) askName(panel);
  else join(panel, view, name ?? (view === "stage" ? "Stage" : ""));
}
