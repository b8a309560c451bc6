// What every panel page has around its content: the header (the panel, who
// you are, the connection), the banner for states people must notice, and
// the question being answered.

import { Asker, ForWhom, Person, UserText } from "./text.jsx";

function connectionText(store) {
  const parts = [];
  const words = { joined: "Connected", reconnecting: "Reconnecting…", stopped: "Disconnected" };
  parts.push(words[store.connection] ?? "Connecting…");
  if (store.reconnects > 0 && store.connection === "joined") parts.push(`reconnected ${store.reconnects}×`);
  if (store.info.ended) parts.push("The panel has ended");
  return parts.join(" · ");
}

export function Header({ store, role }) {
  return (
    <header class="page-header">
      <div>
        <h1 dir="auto">{store.info.title || store.panelId}</h1>
        <p class="subtitle">
          {role}
          {store.you ? (
            <>
              {" · you are "}
              <Person p={store.you} />
            </>
          ) : null}
        </p>
      </div>
      <p class={`status status-${store.connection}`} data-testid="status">
        {connectionText(store)}
      </p>
    </header>
  );
}

// The states that change what one can do, in a band nobody misses. Their
// changes are announced by the Announcer; the band itself is not live.
export function Banner({ store, moderator = false }) {
  const items = [];
  if (store.connection === "reconnecting")
    items.push(["reconnecting", "The connection dropped. Reconnecting… Messages you send now go out once it is back."]);
  if (store.connection === "stopped" && !store.info.ended)
    items.push(["stopped", "The connection closed and will not come back on its own: reload the page to join again."]);
  if (store.info.ended) items.push(["ended", "The panel has ended. Thank you for joining."]);
  else {
    if (store.info.chatLocked)
      items.push([
        "locked",
        moderator
          ? "The chat is locked: only moderators can write."
          : "A moderator locked the chat. You can still read, ask and vote.",
      ]);
    if (store.info.youMuted) items.push(["muted", "A moderator muted you: you can read, but not chat or ask."]);
  }
  if (!items.length) return null;
  return (
    <div class="banner" data-testid="banner">
      {items.map(([kind, text]) => (
        <p key={kind} class={`banner-${kind}`} data-state={kind}>
          {text}
        </p>
      ))}
    </div>
  );
}

export function NowAnswering({ store }) {
  // Once the panel has ended nothing is being answered.
  const q = store.info.ended ? null : store.answering();
  if (!q) return null;
  return (
    <section class="answering" aria-labelledby="answering-h" data-testid="answering">
      <h2 id="answering-h">Now answering</h2>
      <UserText as="blockquote" text={q.text} />
      <p>
        asked by <Asker q={q} own={store.isMine(q)} />
        <ForWhom q={q} />
      </p>
    </section>
  );
}
