// The moderator's question board: one tab per state with its count, a
// search, and cards with their actions. The list is one Tab stop (arrows
// move between cards) and each action has a key, so fifty questions cost no
// more keystrokes than five.

import { memo } from "preact/compat";
import { useEffect, useRef, useState } from "preact/hooks";
import { ModerationAction, QuestionState, Role } from "../../js/src/client.js";
import { AnswerDialog, MergeDialog } from "./dialogs.jsx";
import { useRoving } from "./hooks.js";
import { STATE_NAMES } from "./panel_record.js";
import { QuestionBody } from "./questions.jsx";
import { TabList } from "./tabs.jsx";

const TABS = [
  [QuestionState.PENDING, "To review"],
  [QuestionState.OPEN, "Open"],
  [QuestionState.ANSWERING, "Answering"],
  [QuestionState.ANSWERED, "Answered"],
  [QuestionState.DISMISSED, "Dismissed"],
];

// The actions a question in each state takes: [name, label, key].
// `mutable`: its asker may be muted (not a moderator, not yet muted).
function actionsFor(q, mutable = false) {
  const out = [];
  const s = q.state;
  if (s === QuestionState.PENDING) out.push(["approve", "Approve", "a"]);
  if (s === QuestionState.OPEN) out.push(["highlight", "Highlight", "h"]);
  if (s === QuestionState.OPEN || s === QuestionState.ANSWERING) out.push(["live", "Answered live", "l"]);
  if (s !== QuestionState.DISMISSED && s !== QuestionState.PENDING) out.push(["write", "Answer in writing…", "w"]);
  if (s !== QuestionState.DISMISSED) out.push(["merge", "Merge into…", "m"]);
  if (!q.forForum && !q.published && s !== QuestionState.PENDING && s !== QuestionState.DISMISSED)
    out.push(["forum", "Send to forum", "f"]);
  if (s === QuestionState.DISMISSED) out.push(["restore", "Restore", "r"]);
  else out.push(["dismiss", "Dismiss", "d"]);
  if (mutable) out.push(["mute", "Mute the asker…", "u"]);
  return out;
}

export const SHORTCUTS = [
  ["↑ ↓ Home End", "move between questions"],
  ["a", "approve"],
  ["h", "highlight (now answering)"],
  ["l", "answered live"],
  ["w", "answer in writing"],
  ["m", "merge into another"],
  ["f", "send to the forum"],
  ["d", "dismiss"],
  ["r", "restore"],
  ["u", "mute the asker"],
  ["/", "search"],
];

// `ended`: the panel takes no more moderation; the card only shows.
const Card = memo(function Card({ q, active, ended, mutable, onAction }) {
  const textId = `q-${q.id}-text`;
  return (
    <li
      class="question card"
      data-key={String(q.id)}
      data-question={String(q.id)}
      tabIndex={active ? 0 : -1}
      aria-describedby={textId}
    >
      <div id={textId}>
        <QuestionBody q={q} moderator />
      </div>
      {ended ? null : (
        <div class="buttons" role="group" aria-label="Actions">
          {actionsFor(q, mutable).map(([name, label, key]) => (
            <button
              key={name}
              type="button"
              tabIndex={active ? 0 : -1}
              aria-keyshortcuts={key}
              aria-describedby={textId}
              onClick={() => onAction(name, q)}
            >
              {label}
            </button>
          ))}
        </div>
      )}
    </li>
  );
});

export function QuestionBoard({ store, client, act, tab, setTab, onMute }) {
  const [search, setSearch] = useState("");
  const [dialog, setDialog] = useState(null); // {kind, q}
  const searchRef = useRef(null);
  const all = store.visibleQuestions("popular");
  const counts = new Map(TABS.map(([s]) => [s, all.filter((q) => q.state === s).length]));
  const needle = search.trim().toLowerCase();
  const shown = all.filter(
    (q) =>
      q.state === tab &&
      (!needle || q.text.toLowerCase().includes(needle) || (q.asker?.displayName ?? "").toLowerCase().includes(needle)),
  );
  const keys = shown.map((q) => String(q.id));
  const { active, listProps } = useRoving(keys);

  const moderate = (q, action, text = "") => client.moderate(q.id, action, text);
  // One action at a time per question: a second press while the first is
  // on its way would act on what the first already changed.
  const inFlight = useRef(new Set());
  const once = (q, run) => {
    const id = String(q.id);
    if (inFlight.current.has(id)) return undefined;
    inFlight.current.add(id);
    return Promise.resolve(run()).finally(() => inFlight.current.delete(id));
  };
  const mutable = (q) =>
    Boolean(q.asker?.id) &&
    q.asker.role !== Role.MODERATOR &&
    q.asker.id !== store.you?.id &&
    !store.muted.has(q.asker.id);
  const onAction = (name, q) => {
    if (name === "mute") return onMute(q.asker);
    if (name !== "write" && name !== "merge") return once(q, () => direct(name, q));
    return setDialog({ kind: name, q });
  };
  const direct = (name, q) => {
    switch (name) {
      case "approve":
        return act(moderate(q, ModerationAction.APPROVE), "Question approved.");
      case "highlight":
        return act(moderate(q, ModerationAction.HIGHLIGHT), "Now answering that question.");
      case "live":
        return act(moderate(q, ModerationAction.MARK_ANSWERED), "Marked answered.");
      case "forum":
        return act(moderate(q, ModerationAction.SEND_TO_FORUM), "Sent to the forum.");
      case "dismiss":
        return act(moderate(q, ModerationAction.DISMISS), "Question dismissed.", () =>
          act(moderate(q, ModerationAction.RESTORE), "Question restored."),
        );
      case "restore":
        return act(moderate(q, ModerationAction.RESTORE), "Question restored.");
      default:
        return undefined;
    }
  };
  const latest = useRef(onAction);
  latest.current = onAction;
  const stableAction = useRef((name, q) => latest.current(name, q)).current;

  // Keys on a card act on it; "/" searches from anywhere but a text field.
  const onKeyDown = (e) => {
    listProps.onKeyDown(e);
    // A held key repeats: it would act on each card focus moves to.
    if (e.defaultPrevented || e.repeat || e.altKey || e.ctrlKey || e.metaKey) return;
    const card = e.target.closest("[data-key]");
    const q = card && shown.find((x) => String(x.id) === card.dataset.key);
    const found = q && !store.info.ended && actionsFor(q, mutable(q)).find(([, , key]) => key === e.key.toLowerCase());
    if (!found) return;
    e.preventDefault();
    onAction(found[0], q);
  };
  useEffect(() => {
    const onSlash = (e) => {
      if (e.key !== "/" || e.target.closest("input, textarea, select, dialog")) return;
      e.preventDefault();
      searchRef.current?.focus();
    };
    document.addEventListener("keydown", onSlash);
    return () => document.removeEventListener("keydown", onSlash);
  }, []);

  return (
    <section class="board" aria-labelledby="board-h">
      <h2 id="board-h">Questions</h2>
      <TabList
        class="tabs"
        label="Questions by state"
        tabs={TABS.map(([s, label]) => [
          s,
          <>
            {label} <span class="count">{counts.get(s)}</span>
          </>,
          `qtab-${STATE_NAMES[s]}`,
        ])}
        selected={tab}
        onSelect={setTab}
        controls={() => "board-panel"}
      />
      <div id="board-panel" role="tabpanel" aria-labelledby={`qtab-${STATE_NAMES[tab]}`}>
        <div class="board-tools">
          <label for="board-search">Search questions</label>
          <input
            id="board-search"
            type="search"
            ref={searchRef}
            aria-keyshortcuts="/"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
          <details class="shortcuts">
            <summary>Keyboard shortcuts</summary>
            <dl>
              {SHORTCUTS.map(([k, what]) => (
                <div key={k}>
                  <dt>
                    <kbd>{k}</kbd>
                  </dt>
                  <dd>{what}</dd>
                </div>
              ))}
            </dl>
          </details>
        </div>
        {shown.length ? (
          <ol
            class="cards"
            data-testid={`queue-${STATE_NAMES[tab]}`}
            {...listProps}
            onKeyDown={onKeyDown}
            aria-label={`${TABS.find(([s]) => s === tab)[1]} questions`}
          >
            {shown.map((q) => (
              <Card
                key={String(q.id)}
                q={q}
                active={active === String(q.id)}
                ended={Boolean(store.info.ended)}
                mutable={mutable(q)}
                onAction={stableAction}
              />
            ))}
          </ol>
        ) : (
          <p class="empty" data-testid={`queue-${STATE_NAMES[tab]}`} tabIndex={-1} ref={listProps.ref}>
            {needle ? "No question matches the search." : "Nothing here."}
          </p>
        )}
      </div>
      {dialog?.kind === "write" ? (
        <AnswerDialog
          q={dialog.q}
          max={store.limits.maxAnswerChars || 4000}
          onClose={() => setDialog(null)}
          action={(text) => act(moderate(dialog.q, ModerationAction.MARK_ANSWERED, text), "Answer saved.", null, true)}
        />
      ) : null}
      {dialog?.kind === "merge" ? (
        <MergeDialog
          q={dialog.q}
          questions={all}
          onClose={() => setDialog(null)}
          action={(into) =>
            act(
              client.send({ command: { case: "mergeQuestions", value: { duplicateId: dialog.q.id, intoId: into } } }),
              "Questions merged.",
              null,
              true,
            )
          }
        />
      ) : null}
    </section>
  );
}
