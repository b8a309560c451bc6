// What the pages tell people: refusals in plain words (with the time left
// when the relay says to wait), short announcements for screen readers, and
// the note that follows a moderator's action (with its undo).

import { memo } from "preact/compat";
import { useEffect, useRef, useState } from "preact/hooks";
import { useNow } from "./hooks.js";

// A refusal in words a participant can act on. `retryAt` (ms since the
// epoch) when waiting helps.
export function explain(err) {
  const code = err?.codeName ?? "";
  const said = String(err?.message ?? err ?? "");
  const wait = Number(err?.retryAfterMs ?? 0);
  const retryAt = wait ? Date.now() + wait : 0;
  switch (code) {
    case "RATE_LIMITED":
      return {
        text: /slow mode/.test(said)
          ? "Slow mode is on: wait a little before your next message."
          : "That was a lot at once: wait a little and try again.",
        retryAt,
        waitS: Math.ceil(wait / 1000),
      };
    case "TOO_LONG":
      return { text: `That is too long: ${said.replace(/^text has |^\w+ has /, "")}.` };
    case "FORBIDDEN":
      return { text: `That is not allowed here: ${said}.` };
    case "PANEL_ENDED":
      return { text: "The panel has ended: nothing more can be sent." };
    case "UNAVAILABLE":
      return { text: "Not connected: try again once the connection is back." };
    case "NOT_FOUND":
      return { text: "That is no longer there: someone may have changed it just now." };
    case "INVALID_ARGUMENT":
      return { text: `That could not be sent: ${said}.` };
    default:
      return { text: said || "Something went wrong. Try again." };
  }
}

// A refusal shown beside what was refused, counting down when it says when
// to try again. The alert is read once, with the wait as it was said; the
// seconds ticking away are for the eye only (an alert whose text changed
// every second would be read every second).
export function ErrorNote({ error, id }) {
  const waiting = Boolean(error?.retryAt);
  const now = useNow(waiting);
  if (!error) return <p class="error" id={id} role="alert" />;
  const left = waiting ? Math.ceil((error.retryAt - now) / 1000) : 0;
  return (
    <p class="error" id={id} role="alert">
      {error.text}
      {left > 0 ? (
        <>
          <span class="visually-hidden"> You can send again in {error.waitS} s.</span>
          <span aria-hidden="true" data-testid="countdown">
            {" "}
            You can send again in {left} s.
          </span>
        </>
      ) : null}
    </p>
  );
}

// One polite live region for short announcements, apart from the page: the
// chat log announces its own additions; this says what else happened.
// Announcements within a moment of each other are read together.
// Memo: it renders only when it has something new to say, never with the
// page (a live region written again may be read again).
export const Announcer = memo(function Announcer({ store }) {
  // Each announcement is a new node (keyed by its number), so the same words
  // twice ("New question from an attendee.") are read twice.
  const [said, setSaid] = useState({ n: 0, text: "" });
  const setText = (text) => setSaid((s) => ({ n: s.n + 1, text }));
  const queue = useRef([]);
  const timer = useRef(0);
  useEffect(() => {
    const off = store.onAnnounce((t) => {
      queue.current.push(t);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        // At most three: a burst is summed up, not read out whole.
        const all = queue.current.splice(0);
        setText(all.length > 3 ? `${all.slice(-2).join(" ")} And ${all.length - 2} more updates.` : all.join(" "));
      }, 250);
    });
    return () => {
      off();
      clearTimeout(timer.current);
    };
  }, [store]);
  return (
    <div class="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
      <span key={said.n}>{said.text}</span>
    </div>
  );
});

// The note after an action: what was done, with its undo where the relay
// allows one, or why it was refused.
// It goes after a while, but not while the keyboard is on it (its Undo);
// after Undo the note itself keeps the focus and says what the undo did.
export function ActionNote({ note, onDismiss }) {
  const ref = useRef(null);
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    if (!note || focused) return undefined;
    const t = setTimeout(onDismiss, 15000);
    return () => clearTimeout(t);
  }, [note, focused]);
  const props = {
    ref,
    tabIndex: -1,
    "data-testid": "action-note",
    onFocusIn: () => setFocused(true),
    onFocusOut: (e) => setFocused(Boolean(e.relatedTarget && ref.current?.contains(e.relatedTarget))),
  };
  if (!note) return <div class="action-note" role="status" {...props} />;
  return (
    <div class={`action-note ${note.error ? "failed" : ""}`} role={note.error ? "alert" : "status"} {...props}>
      <span>{note.text}</span>
      {note.undo ? (
        <button
          type="button"
          onClick={() => {
            ref.current?.focus();
            onDismiss();
            note.undo();
          }}
        >
          Undo
        </button>
      ) : null}
    </div>
  );
}
