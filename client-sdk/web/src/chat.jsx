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
      <strong class="author" id={`chat-${m.seq}-who`}>
        <Person p={m.author} />
      </strong>{" "}
      <UserText class="text" text={m.text} id={`chat-${m.seq}-text`} />
      {actions ? actions.render(m, active) : null}
    </li>
  );
});

// `box`: the chat's scroll box, which takes the focus when the button goes
// (everything loaded) so that the keyboard's place is not lost.
function EarlierControl({ store, client, box }) {
  const [status, setStatus] = useState("");
  const loading = status.startsWith("Loading");
  if (store.noEarlier) return <p class="quiet chat-start">{store.chat.length ? "The start of the chat." : ""}</p>;
  const load = async (e) => {
    const first = store.firstSeq();
    if (first === null || loading) return;
    const button = e.currentTarget;
    setStatus("Loading earlier messages…");
    try {
      const { rows, complete, from } = await readChatBefore(client.options, first);
      const hadFocus = document.activeElement === button;
      if (!store.prependEarlier(rows, complete, from, first)) {
        setStatus("The chat changed meanwhile: try again.");
        return;
      }
      if (complete && hadFocus) box.current?.focus({ preventScroll: true });
      setStatus(
        rows.length
          ? `${plural(rows.length, "earlier message")} loaded.`
          : complete
            ? "No earlier messages are kept."
            : "No messages in that stretch of the panel: try again for earlier ones.",
      );
    } catch (err) {
      setStatus(`Could not load earlier messages: ${err.message}`);
    }
  };
  return (
    <div class="earlier-control">
      {/* Busy, it ignores presses rather than being disabled (which would
          drop the keyboard's focus). */}
      <button type="button" onClick={load} aria-disabled={loading ? "true" : undefined}>
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
  // Tab into the chat lands on the newest message, not the oldest.
  const { active, listProps } = useRoving(keys, { fromEnd: true });

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
  // A box hidden and shown again (the phone's Chat tab) comes back at its
  // top: back to the newest when following. A resized window likewise.
  useEffect(() => {
    const el = box.current;
    const seen = new ResizeObserver(() => {
      if (following.current && el.clientHeight) el.scrollTop = el.scrollHeight;
    });
    seen.observe(el);
    return () => seen.disconnect();
  }, []);

  const onScroll = () => {
    following.current = atBottom(box.current);
    if (following.current && unseen) setUnseen(0);
  };
  const toNewest = () => {
    following.current = true;
    setUnseen(0);
    box.current.scrollTop = box.current.scrollHeight;
    // The button goes: the box it scrolled keeps the keyboard's place.
    box.current.focus({ preventScroll: true });
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
        <EarlierControl store={store} client={client} box={box} />
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

// Messages written during an outage wait, shown "sending…", up to this many;
// more would be a flood when the connection comes back.
const MAX_QUEUED = 5;

// The box to write in. A message leaves the box as it is sent (shown
// "sending…" until its ack), so a double click or Enter pressed again sends
// nothing more; a message refused comes back to the box, or, when the next
// one is half-written, waits beside it to be put back. Characters are
// counted against the relay's limit.
export function ChatForm({ store, client, label = "Message" }) {
  const [text, setText] = useState("");
  const [error, setError] = useState(null);
  const [unsent, setUnsent] = useState([]);
  const max = store.limits.maxChatChars || 2000;
  const n = [...text].length;
  const closed = chatClosed(store);
  const busy = store.sending.length >= MAX_QUEUED;
  const typed = useRef("");
  typed.current = text;
  const submit = async (e) => {
    e.preventDefault();
    if (busy || closed || !text.trim() || n > max) return;
    const sent = text;
    setError(null);
    setText("");
    try {
      await store.sendChat(client, sent);
    } catch (err) {
      setError(explain(err));
      // Several refused at once (queued offline, the chat locked since):
      // the first back in the box, the others kept beside it, none lost.
      if (typed.current) setUnsent((u) => [...u, sent]);
      else {
        typed.current = sent;
        setText(sent);
      }
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
      {unsent.length ? (
        <div class="unsent">
          <p>Not sent:</p>
          <ul>
            {unsent.map((u, i) => (
              <li key={i}>
                <UserText text={u} />
              </li>
            ))}
          </ul>
          <button
            type="button"
            onClick={() => {
              setText((t) => [...unsent, t].filter(Boolean).join(" "));
              setUnsent([]);
              document.getElementById("chat-text")?.focus();
            }}
          >
            Put {unsent.length === 1 ? "it" : "them"} back
          </button>
        </div>
      ) : null}
    </form>
  );
}
