// In-page dialogs for the moderator: a confirmation, a written answer, the
// question to merge into. The browser's own modal <dialog> keeps focus inside
// while open, closes on Escape and gives focus back to what opened it.

import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { refocus } from "./hooks.js";
import { QuestionState } from "../../js/src/client.js";
import { explain, ErrorNote } from "./feedback.jsx";
import { UserText } from "./text.jsx";

let nextId = 0;

// `busy`: the action is under way, and Escape waits for it (its refusal is
// shown in the dialog). When the dialog goes and what opened it went too (a
// message deleted, a question merged away), the keyboard goes to the row in
// its place, else to the list.
export function Dialog({ title, onClose, children, testid, busy = false }) {
  const ref = useRef(null);
  const [id] = useState(() => `dialog-${++nextId}`);
  useLayoutEffect(() => {
    const d = ref.current;
    const opener = document.activeElement;
    const row = opener?.closest?.("[data-key]");
    const list = row?.parentElement;
    const around = list?.parentElement;
    if (!d.open) d.showModal();
    return () => {
      if (d.open) d.close();
      requestAnimationFrame(() => {
        const lost = !document.activeElement || document.activeElement === document.body;
        if (lost) refocus([opener, row, list, around, document.querySelector("main")]);
      });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={id}
      aria-busy={busy ? "true" : undefined}
      onClose={onClose}
      onCancel={(e) => busy && e.preventDefault()}
      data-testid={testid}
    >
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

// The action runs when confirmed; a refusal stays in the dialog.
function useSubmit(action, onClose) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (e, ...args) => {
    e?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action(...args);
      onClose();
    } catch (err) {
      setError(explain(err));
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export function ConfirmDialog({ title, body, confirm, danger = false, action, onClose }) {
  const { busy, error, run } = useSubmit(action, onClose);
  return (
    <Dialog title={title} onClose={onClose} testid="confirm-dialog" busy={busy}>
      <form method="dialog" onSubmit={run}>
        <p>{body}</p>
        <ErrorNote error={error} />
        <div class="dialog-buttons">
          <button type="button" onClick={() => busy || onClose()} aria-disabled={busy ? "true" : undefined}>
            Cancel
          </button>
          <button type="submit" class={danger ? "danger" : "primary"} aria-disabled={busy ? "true" : undefined}>
            {confirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function AnswerDialog({ q, max = 4000, action, onClose }) {
  const [text, setText] = useState(q.answerText ?? "");
  const { busy, error, run } = useSubmit(() => action(text), onClose);
  const n = [...text].length;
  return (
    <Dialog title="Answer in writing" onClose={onClose} testid="answer-dialog" busy={busy}>
      <form method="dialog" onSubmit={run}>
        <UserText as="blockquote" text={q.text} />
        <label for="answer-text">The written answer</label>
        <textarea
          id="answer-text"
          rows={8}
          dir="auto"
          value={text}
          aria-describedby="answer-count"
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <p class={`counter ${n > max ? "over" : ""}`} id="answer-count">
          {n > max ? `${n - max} characters too many` : `${n} of ${max} characters`}
        </p>
        <ErrorNote error={error} />
        <div class="dialog-buttons">
          <button type="button" onClick={() => busy || onClose()} aria-disabled={busy ? "true" : undefined}>
            Cancel
          </button>
          <button
            type="submit"
            class="primary"
            disabled={!text.trim() || n > max}
            aria-disabled={busy ? "true" : undefined}
          >
            Mark answered
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// Choices listed at once; the search narrows the rest.
const MAX_CHOICES = 50;
const MERGEABLE = new Set([QuestionState.PENDING, QuestionState.OPEN, QuestionState.ANSWERING, QuestionState.ANSWERED]);

// Picks the question a duplicate is merged into, by its text, never by id.
export function MergeDialog({ q, questions, action, onClose }) {
  const [filter, setFilter] = useState("");
  const [picked, setInto] = useState(null);
  const needle = filter.trim().toLowerCase();
  const candidates = questions.filter(
    (c) => c.id !== q.id && c.text && MERGEABLE.has(c.state) && (!needle || c.text.toLowerCase().includes(needle)),
  );
  // Only a question on screen can be merged into: a pick the search hid is
  // no pick.
  const listed = candidates.slice(0, MAX_CHOICES);
  const into = listed.some((c) => c.id === picked) ? picked : null;
  const { busy, error, run } = useSubmit(() => action(into), onClose);
  return (
    <Dialog title="Merge into another question" onClose={onClose} testid="merge-dialog" busy={busy}>
      <form method="dialog" onSubmit={run}>
        <p>The duplicate:</p>
        <UserText as="blockquote" text={q.text} />
        <label for="merge-filter">Find the question to keep</label>
        <input id="merge-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <fieldset class="merge-choices">
          <legend>Merge into</legend>
          {candidates.length > MAX_CHOICES ? (
            <p class="quiet">
              The first {MAX_CHOICES} of {candidates.length}: search to find the others.
            </p>
          ) : null}
          {candidates.length ? (
            listed.map((c) => (
              <div class="field checkbox" key={String(c.id)}>
                <input
                  type="radio"
                  name="merge-into"
                  id={`merge-${c.id}`}
                  checked={into === c.id}
                  onChange={() => setInto(c.id)}
                />
                <label for={`merge-${c.id}`} dir="auto">
                  {c.text}
                </label>
              </div>
            ))
          ) : (
            <p class="empty">No question matches.</p>
          )}
        </fieldset>
        <ErrorNote error={error} />
        <div class="dialog-buttons">
          <button type="button" onClick={() => busy || onClose()} aria-disabled={busy ? "true" : undefined}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={into === null} aria-disabled={busy ? "true" : undefined}>
            Merge
          </button>
        </div>
      </form>
    </Dialog>
  );
}
