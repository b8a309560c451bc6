// The chat: a log in its own scroll box that follows the newest message
// unless the reader scrolled up (then "N new messages" takes them down),
// earlier messages on request, and the box to write in.

import { memo } from "preact/compat";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { explain, ErrorNote } from "./feedback.jsx";
import { readChatBefore } from "./history.js";
import { useRoving } from "./hooks.js";
import { Person, Time, UserText, plural } from "./text.jsx";

// Within this many pixels of the bottom counts as reading the newest.
const FOLLOW_SLACK_PX = 48;
const atBottom = (el) => !el || el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_SLACK_PX;

// `actions` (moderators): {render(m, active), flags(m)}; flags says when a
// row's controls change (promoted, muted), so only that row renders again.
const ChatRow = memo(function ChatRow({ m, actions, active, flags: _flags }) {
  return (
    <li
      data-seq={String(m.seq)}
      data-key={actions ? String(m.seq) : undefined}
      tabIndex={actions ? (active ? 0 : -1) : undefined}
    >
      <Time ms={m.atMs} />{" "}
      <strong class="author">
        <Person p={m.author} />
      </strong>{" "}
      <UserText class="text" text={m.text} />
      {actions ? actions.render(m, active) : null}
    </li>
  );
});

function EarlierControl({ store, client }) {
  const [status, setStatus] = useState("");
  if (store.noEarlier) return <p class="quiet chat-start">{store.chat.length ? "The start of the chat." : ""}</p>;
  const load = async () => {
    const first = store.firstSeq();
    if (first === null) return;
    setStatus("Loading earlier messages…");
    try {
      const { rows, complete } = await readChatBefore(client.options, first);
      store.prependEarlier(rows, complete);
      setStatus(rows.length ? `${plural(rows.length, "earlier message")} loaded.` : "No earlier messages are kept.");
    } catch (e) {
      setStatus(`Could not load earlier messages: ${e.message}`);
    }
  };
  return (
    <div class="earlier-control">
      <button type="button" onClick={load} disabled={status.startsWith("Loading")}>
        Load earlier messages
      </button>
      <span role="status">{status}</span>
    </div>
  );
}

export function ChatLog({ store, client, actions }) {
  const box = useRef(null);
  const following = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const heightBefore = useRef(0);
  const { chat, earlier } = store;
  const keys = actions ? [...earlier, ...chat].map((m) => String(m.seq)) : [];
  const { active, listProps } = useRoving(keys);

  useEffect(
    () =>
      store.onChatAdded((r) => {
        // Where the reader is as the message arrives (before it renders);
        // one's own message takes them to the newest.
        following.current = r.author?.id === store.you?.id || atBottom(box.current);
        if (!following.current) setUnseen((n) => n + 1);
      }),
    [store],
  );
  // Follow the newest; keep the reader's place when earlier ones arrive.
  const last = chat.at(-1)?.seq;
  useLayoutEffect(() => {
    const el = box.current;
    if (following.current) el.scrollTop = el.scrollHeight;
  }, [last]);
  useLayoutEffect(() => {
    const el = box.current;
    if (heightBefore.current) el.scrollTop += el.scrollHeight - heightBefore.current;
    heightBefore.current = 0;
  }, [earlier.length]);

  const onScroll = () => {
    following.current = atBottom(box.current);
    if (following.current && unseen) setUnseen(0);
  };
  const toNewest = () => {
    following.current = true;
    setUnseen(0);
    box.current.scrollTop = box.current.scrollHeight;
  };
  const rows = (list) =>
    list.map((m) => (
      <ChatRow
        key={String(m.seq)}
        m={m}
        actions={actions}
        active={active === String(m.seq)}
        flags={actions?.flags(m)}
      />
    ));

  return (
    <div class="chat-wrap">
      <div
        class="chat-box"
        ref={box}
        onScroll={onScroll}
        tabIndex={0}
        role="region"
        aria-label="Chat messages, newest last"
        onClickCapture={(e) => {
          if (e.target.closest(".earlier-control button")) heightBefore.current = box.current.scrollHeight;
        }}
      >
        <EarlierControl store={store} client={client} />
        <div {...(actions ? listProps : {})}>
          {earlier.length ? (
            <ol class="chat earlier" aria-label="Earlier messages" data-testid="chat-earlier">
              {rows(earlier)}
            </ol>
          ) : null}
          <div role="log" aria-label="Chat" aria-relevant="additions">
            <ol class="chat" data-testid="chat">
              {rows(chat)}
            </ol>
          </div>
        </div>
        {!chat.length && !earlier.length ? <p class="empty">No messages yet.</p> : null}
        {store.sending.length ? (
          <ol class="chat sending" aria-label="Being sent">
            {store.sending.map((s) => (
              <li key={s.key}>
                <UserText class="text" text={s.text} /> <span class="quiet">sending…</span>
              </li>
            ))}
          </ol>
        ) : null}
      </div>
      {unseen > 0 ? (
        <button type="button" class="new-messages" onClick={toNewest} data-testid="new-messages">
          {plural(unseen, "new message")} ↓
        </button>
      ) : null}
    </div>
  );
}

// Why the chat box is closed to this reader, or "".
export function chatClosed(store) {
  if (store.info.ended) return "The panel has ended.";
  if (store.info.youMuted) return "A moderator muted you: you can read, but not write.";
  if (store.info.chatLocked && !store.isModerator) return "A moderator locked the chat.";
  return "";
}

// The box to write in: one message in flight at a time (Send waits for its
// ack, so a double click or Enter pressed during an outage sends once),
// characters counted against the relay's limit.
export function ChatForm({ store, client, label = "Message" }) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const max = store.limits.maxChatChars || 2000;
  const n = [...text].length;
  const closed = chatClosed(store);
  const submit = async (e) => {
    e.preventDefault();
    if (busy || closed || !text.trim() || n > max) return;
    const sent = text;
    setBusy(true);
    setError(null);
    // Shown as "sending…" at once; the box is free for the next one.
    setText("");
    try {
      await store.sendChat(client, sent);
    } catch (err) {
      setError(explain(err));
      setText((t) => t || sent);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="compose" aria-label="Send a chat message" onSubmit={submit}>
      <label for="chat-text">{label}</label>
      <div class="compose-row">
        <input
          id="chat-text"
          type="text"
          autocomplete="off"
          dir="auto"
          value={text}
          disabled={Boolean(closed)}
          aria-describedby="chat-count chat-closed"
          aria-invalid={n > max ? "true" : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        {/* In flight it ignores presses (submit returns) rather than being
            disabled: a disabled button would drop the keyboard's focus. */}
        <button type="submit" disabled={Boolean(closed) || n > max} aria-disabled={busy ? "true" : undefined}>
          {busy ? "Sending…" : "Send"}
        </button>
      </div>
      <p class={`counter ${n > max ? "over" : ""}`} id="chat-count">
        {n > max ? `${n - max} characters too many` : `${n} of ${max} characters`}
      </p>
      <p class="quiet" id="chat-closed">
        {closed}
      </p>
      <ErrorNote error={error} />
    </form>
  );
}
