// The moderator's page: the question board, the panel's switches (lock,
// rules, end), the people muted, the chat with its actions and a box to
// write in, the record. Every action says what it did, with an undo where
// the relay has one; nothing uses the browser's own dialogs.

import { useEffect, useRef, useState } from "preact/hooks";
import { QuestionState, Role } from "../../js/src/client.js";
import { QuestionBoard } from "./board.jsx";
import { ChatForm, ChatLog } from "./chat.jsx";
import { ConfirmDialog } from "./dialogs.jsx";
import { ActionNote, explain } from "./feedback.jsx";
import { RecordControls } from "./record.jsx";
import { RulesControls } from "./rules.jsx";
import { Banner, Header, NowAnswering } from "./shell.jsx";
import { Asker, Person, UserText, plural } from "./text.jsx";

function MutedList({ store, act, mute }) {
  const muted = [...store.muted.values()];
  const heading = useRef(null);
  // Unmuted, the row goes: the keyboard stays in the list's place.
  const unmute = async (p) => {
    await act(mute(p, false), `${p.displayName || "They"} can chat again.`);
    if (document.activeElement === document.body) heading.current?.focus();
  };
  return (
    <section aria-labelledby="muted-h" data-testid="muted">
      <h3 id="muted-h" tabIndex={-1} ref={heading}>
        Muted ({muted.length})
      </h3>
      {muted.length ? (
        <ul class="muted-list">
          {muted.map((p) => (
            <li key={p.id}>
              <Person p={p} fallback="Someone who has not chatted" />{" "}
              <button type="button" onClick={() => unmute(p)}>
                Unmute<span class="visually-hidden"> {p.displayName || "them"}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">Nobody is muted.</p>
      )}
    </section>
  );
}

function Leftovers({ store }) {
  // Those the end sent (its event), and those sent during the panel; a page
  // opened after the end missed the event: the open ones went then.
  const ended = new Set(store.leftoverIds);
  const leftovers = [...store.questions.values()].filter(
    (q) =>
      q.text &&
      q.state !== QuestionState.MERGED &&
      (ended.has(String(q.id)) ||
        q.forForum ||
        q.published ||
        (!ended.size && (q.state === QuestionState.OPEN || q.state === QuestionState.ANSWERING))),
  );
  return (
    <section aria-labelledby="leftovers-h" data-testid="leftovers">
      <h2 id="leftovers-h">Sent to the forum ({leftovers.length})</h2>
      {leftovers.length ? (
        <ol>
          {leftovers.map((q) => (
            <li key={String(q.id)}>
              <UserText text={q.text} /> — <Asker q={q} />
            </li>
          ))}
        </ol>
      ) : (
        <p class="empty">No question was left for the forum.</p>
      )}
    </section>
  );
}

export function ModeratorPage({ store, client }) {
  const [note, setNote] = useState(null);
  const [confirm, setConfirm] = useState(null); // {title, body, confirm, action}
  const [tab, setTab] = useState(() =>
    [...store.questions.values()].some((q) => q.state === QuestionState.PENDING)
      ? QuestionState.PENDING
      : QuestionState.OPEN,
  );
  const [promoting, setPromoting] = useState(new Set());
  // Opened before the Welcome: once it comes, questions waiting for review
  // are where a moderator starts, unless they already chose a tab.
  const chose = useRef(false);
  const welcomed = useRef(false);
  useEffect(() => {
    if (welcomed.current || !store.you) return;
    welcomed.current = true;
    if (!chose.current && [...store.questions.values()].some((q) => q.state === QuestionState.PENDING))
      setTab(QuestionState.PENDING);
  });
  const pickTab = (t) => {
    chose.current = true;
    setTab(t);
  };
  const command = (c, v) => client.send({ command: { case: c, value: v } });
  const mute = (p, muted) => command("muteParticipant", { participantId: p.id, muted });
  // Runs a command and says what came of it; `rethrow` for a dialog, which
  // shows the refusal itself.
  const act = async (promise, text, undo = null, rethrow = false) => {
    try {
      await promise;
      setNote({ text, undo });
    } catch (e) {
      if (rethrow) throw e;
      setNote({ text: explain(e).text, error: true });
    }
  };

  const promote = async (m) => {
    if (promoting.has(m.seq)) return;
    setPromoting((s) => new Set(s).add(m.seq));
    await act(command("promoteChat", { chatSeq: m.seq, sendToForum: false }), "Promoted to a question.");
    setPromoting((s) => {
      const n = new Set(s);
      n.delete(m.seq);
      return n;
    });
  };
  // The chat rows' controls, read through a ref so that the rows, which
  // keep this object, see the page's latest state.
  const latest = useRef(null);
  latest.current = { promoted: store.promotedSeqs(), promoting, store };
  const actions = useRef({
    flags: (m) => {
      const { promoted, promoting: busy, store: s } = latest.current;
      return `${promoted.has(m.seq)}|${busy.has(m.seq)}|${s.muted.has(m.author?.id)}|${Boolean(s.info.ended)}`;
    },
    render: (m, active) => {
      const { promoted, promoting: busy, store: s } = latest.current;
      if (s.info.ended) return null;
      const t = active ? 0 : -1;
      // Short names, the message as their description: the log reads each
      // new row out, and three long names a row would drown the message.
      const about = `chat-${m.seq}-who chat-${m.seq}-text`;
      const canMute = m.author?.id && m.author.role !== Role.MODERATOR && m.author.id !== s.you?.id;
      const muted = s.muted.has(m.author?.id);
      return (
        <span class="buttons row-actions">
          {promoted.has(m.seq) ? (
            <span class="tag">Promoted</span>
          ) : (
            <button
              type="button"
              tabIndex={t}
              aria-describedby={about}
              aria-disabled={busy.has(m.seq) ? "true" : undefined}
              onClick={() => latest.current.promote(m)}
            >
              Promote
            </button>
          )}
          <button type="button" tabIndex={t} aria-describedby={about} onClick={() => latest.current.ask("delete", m)}>
            Delete…
          </button>
          {canMute && !muted ? (
            <button type="button" tabIndex={t} aria-describedby={about} onClick={() => latest.current.ask("mute", m)}>
              Mute…
            </button>
          ) : null}
        </span>
      );
    },
  }).current;
  latest.current.promote = promote;
  // Mute, from a chat row or a question's card, after asking.
  const askMute = (person) => {
    const who = person.displayName || "this person";
    setConfirm({
      title: (
        <>
          Mute <bdi>{who}</bdi>?
        </>
      ),
      body: (
        <>
          <bdi>{who}</bdi> will still read the panel but cannot chat or ask until unmuted.
        </>
      ),
      confirm: "Mute",
      action: () =>
        act(mute(person, true), `${who} muted.`, () => act(mute(person, false), `${who} can chat again.`), true),
    });
  };
  latest.current.ask = (kind, m) => {
    const who = m.author?.displayName ?? "this person";
    if (kind === "delete")
      setConfirm({
        title: "Delete this message?",
        body: (
          <>
            “<bdi>{m.text.slice(0, 200)}</bdi>” by <bdi>{who}</bdi> disappears for everyone. This cannot be undone.
          </>
        ),
        confirm: "Delete",
        action: () => act(client.deleteChat(m.seq), "Message deleted.", null, true),
      });
    else askMute(m.author);
  };
  const endPanel = () =>
    setConfirm({
      title: "End the panel?",
      body: "Chat and questions close for everyone, and the unanswered questions go to the forum.",
      confirm: "End the panel",
      danger: true,
      action: () => act(command("endPanel", {}), "The panel has ended.", null, true),
    });

  const ended = Boolean(store.info.ended);
  return (
    <>
      <Header store={store} role="Moderator" />
      <Banner store={store} moderator />
      <main class="moderator">
        <NowAnswering store={store} />
        {ended ? <Leftovers store={store} /> : null}
        <ActionNote note={note} onDismiss={() => setNote(null)} />
        <div class="mod-grid">
          <QuestionBoard store={store} client={client} act={act} tab={tab} setTab={pickTab} onMute={askMute} />
          <div class="side">
            <section aria-labelledby="panel-h" class="panel-controls">
              <h2 id="panel-h">Panel</h2>
              <div class="buttons">
                <button
                  type="button"
                  disabled={ended}
                  onClick={() =>
                    act(
                      command("lockChat", { locked: !store.info.chatLocked }),
                      store.info.chatLocked ? "Chat unlocked." : "Chat locked.",
                    )
                  }
                >
                  {store.info.chatLocked ? "Unlock chat" : "Lock chat"}
                </button>
                <button type="button" class="danger" disabled={ended} onClick={endPanel}>
                  End the panel
                </button>
              </div>
              <RulesControls store={store} client={client} />
              <MutedList store={store} act={act} mute={mute} />
            </section>
            <section aria-labelledby="modchat-h">
              <h2 id="modchat-h">Chat ({plural(store.chat.length, "message")})</h2>
              <ChatLog store={store} client={client} actions={actions} />
              <ChatForm store={store} client={client} />
            </section>
            <RecordControls store={store} client={client} />
          </div>
        </div>
      </main>
      {confirm ? <ConfirmDialog {...confirm} onClose={() => setConfirm(null)} /> : null}
    </>
  );
}
