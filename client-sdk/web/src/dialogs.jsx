// In-page dialogs for the moderator: a confirmation, a written answer, the
// question to merge into. The browser's own modal <dialog> keeps focus inside
// while open, closes on Escape and gives focus back to what opened it.

import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { QuestionState } from "../../js/src/client.js";
import { explain, ErrorNote } from "./feedback.jsx";
import { UserText } from "./text.jsx";

let nextId = 0;

export function Dialog({ title, onClose, children, testid }) {
  const ref = useRef(null);
  const [id] = useState(() => `dialog-${++nextId}`);
  useLayoutEffect(() => {
    const d = ref.current;
    if (!d.open) d.showModal();
    return () => d.open && d.close();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose} data-testid={testid}>
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
    <Dialog title={title} onClose={onClose} testid="confirm-dialog">
      <form method="dialog" onSubmit={run}>
        <p>{body}</p>
        <ErrorNote error={error} />
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
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
    <Dialog title="Answer in writing" onClose={onClose} testid="answer-dialog">
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
          <button type="button" onClick={onClose}>
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

const MERGEABLE = new Set([QuestionState.PENDING, QuestionState.OPEN, QuestionState.ANSWERING, QuestionState.ANSWERED]);

// Picks the question a duplicate is merged into, by its text, never by id.
export function MergeDialog({ q, questions, action, onClose }) {
  const [filter, setFilter] = useState("");
  const [into, setInto] = useState(null);
  const { busy, error, run } = useSubmit(() => action(into), onClose);
  const needle = filter.trim().toLowerCase();
  const candidates = questions.filter(
    (c) => c.id !== q.id && c.text && MERGEABLE.has(c.state) && (!needle || c.text.toLowerCase().includes(needle)),
  );
  return (
    <Dialog title="Merge into another question" onClose={onClose} testid="merge-dialog">
      <form method="dialog" onSubmit={run}>
        <p>The duplicate:</p>
        <UserText as="blockquote" text={q.text} />
        <label for="merge-filter">Find the question to keep</label>
        <input id="merge-filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <fieldset class="merge-choices">
          <legend>Merge into</legend>
          {candidates.length ? (
            candidates.slice(0, 50).map((c) => (
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
          <button type="button" onClick={onClose}>
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
