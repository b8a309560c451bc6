// Questions as an attendee sees them: the form to ask, their own questions
// and what became of them, the open ones to vote on, the answered ones with
// their answers.

import { memo } from "preact/compat";
import { useCallback, useState } from "preact/hooks";
import { ForumCredit, QuestionState } from "../../js/src/client.js";
import { explain, ErrorNote } from "./feedback.jsx";
import { guestQuestionsBlocked } from "./rules.jsx";
import { Asker, ForWhom, OutLink, UserText, plural } from "./text.jsx";

// Where the question went after the panel, and an answer given there.
export function ForumFollowUp({ q }) {
  const went = q.forumUrl ? <OutLink url={q.forumUrl}>Continued in the forum</OutLink> : null;
  const answer = q.forumAnswer ? (
    <OutLink url={q.forumAnswer.url}>
      Answered in the forum by <bdi>{q.forumAnswer.answeredBy}</bdi>
    </OutLink>
  ) : null;
  if (!went && !answer) return null;
  return (
    <p class="forum" data-testid="forum-follow-up">
      {went}
      {went && answer ? " · " : ""}
      {answer}
    </p>
  );
}

// A question's text, who asked, votes and any answer: what every card shows.
export function QuestionBody({ q, own, moderator }) {
  return (
    <>
      <UserText as="p" class="text" text={q.text} />
      <p class="meta">
        {plural(q.votes, "vote")} · asked by <Asker q={q} own={own} moderator={moderator} />
        <ForWhom q={q} lead=" · for " />
        {q.chatSeq ? " · from the chat" : ""}
      </p>
      {q.answerText ? (
        <div class="answer">
          <p class="answer-label">Answer</p>
          <UserText as="p" text={q.answerText} />
        </div>
      ) : null}
      <ForumFollowUp q={q} />
    </>
  );
}

// The question's text is part of the button's name (hidden from sight), so
// a screen reader's list of buttons says which question each one votes for.
// A vote refused (a rate limit, the panel ended, the connection down) says
// so beside the button.
function VoteButton({ q, voted, disabled, onVote }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  return (
    <span class="vote-line">
      <button
        type="button"
        class="vote"
        aria-pressed={String(voted)}
        disabled={disabled}
        aria-disabled={busy ? "true" : undefined}
        onClick={async () => {
          // In flight: ignored, but not disabled, which would drop the focus.
          if (busy) return;
          setBusy(true);
          setError(null);
          try {
            await onVote(q, voted);
          } catch (err) {
            setError(explain(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <span aria-hidden="true">▲</span> Upvote<span class="visually-hidden">: {q.text}</span>
      </button>
      {voted ? <span class="quiet"> You voted for this.</span> : null}
      {error ? <ErrorNote error={error} /> : null}
    </span>
  );
}

const OpenCard = memo(function OpenCard({ q, own, voted, ended, onVote }) {
  return (
    <li
      class={`question ${q.state === QuestionState.ANSWERING && !ended ? "answering-now" : ""}`}
      data-question={String(q.id)}
    >
      {q.state === QuestionState.ANSWERING && !ended ? <p class="tag">Being answered now</p> : null}
      <QuestionBody q={q} own={own} />
      {own ? <p class="quiet">Your question</p> : <VoteButton q={q} voted={voted} disabled={ended} onVote={onVote} />}
    </li>
  );
});

const MINE_NOTES = {
  [QuestionState.PENDING]:
    "Awaiting review: a moderator will look at it soon. Only you and the moderators see it until then.",
  [QuestionState.DISMISSED]: "A moderator dismissed this question.",
  [QuestionState.MERGED]: "A moderator merged this question into a similar one; your vote and credit went with it.",
};

export function AskForm({ store, client }) {
  const [text, setText] = useState("");
  const [to, setTo] = useState("");
  const [anonymous, setAnonymous] = useState(false);
  const [forum, setForum] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const max = store.limits.maxQuestionChars || 500;
  const n = [...text].length;
  const blocked = guestQuestionsBlocked(store);
  const closed = store.info.ended || store.info.youMuted || blocked;
  const submit = async (e) => {
    e.preventDefault();
    if (busy || closed || !text.trim() || n > max) return;
    setBusy(true);
    setError(null);
    try {
      await client.ask(text, { addressedTo: to, anonymous, forumCredit: Number(forum || 0) });
      // The next question starts afresh: named, for nobody, as in the room.
      setText("");
      setTo("");
      setAnonymous(false);
      setForum("");
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="ask"
      aria-label="Ask a question"
      aria-describedby={blocked ? "ask-blocked" : undefined}
      onSubmit={submit}
    >
      {blocked && !store.info.ended ? (
        <p class="notice" id="ask-blocked" data-testid="ask-blocked">
          You cannot ask right now: a moderator has turned off questions from guests. Join with an invitation link to
          ask.
        </p>
      ) : null}
      <div class="field">
        <label for="ask-text">Your question</label>
        <textarea
          id="ask-text"
          rows={2}
          dir="auto"
          value={text}
          disabled={closed}
          aria-describedby="ask-count"
          aria-invalid={n > max ? "true" : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <p class={`counter ${n > max ? "over" : ""}`} id="ask-count">
          {n > max ? `${n - max} characters too many` : `${n} of ${max} characters`}
        </p>
      </div>
      <div class="field">
        <label for="ask-to">For (a panelist, optional)</label>
        <input
          id="ask-to"
          type="text"
          autocomplete="off"
          dir="auto"
          value={to}
          disabled={closed}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
      </div>
      <div class="field checkbox">
        <input
          id="ask-anonymous"
          type="checkbox"
          checked={anonymous}
          disabled={closed}
          aria-describedby="ask-anonymous-hint"
          onChange={(e) => setAnonymous(e.currentTarget.checked)}
        />
        <label for="ask-anonymous">Hide my name from other attendees</label>
      </div>
      <p class="hint" id="ask-anonymous-hint">
        The moderators still see who asked.
      </p>
      <div class="field">
        <label for="ask-forum">In the forum after the panel</label>
        <select id="ask-forum" value={forum} disabled={closed} onChange={(e) => setForum(e.currentTarget.value)}>
          <option value="">same as here</option>
          <option value={String(ForumCredit.FORUM_NAMED)}>name me</option>
          <option value={String(ForumCredit.FORUM_UNNAMED)}>don't name me</option>
        </select>
      </div>
      <button type="submit" disabled={closed || n > max} aria-disabled={busy ? "true" : undefined}>
        {busy ? "Asking…" : "Ask"}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

export function AttendeeQuestions({ store, client }) {
  const [order, setOrder] = useState("popular");
  const ended = Boolean(store.info.ended);
  const onVote = useCallback(
    async (q, voted) => {
      // Refused, the vote stays as the relay has it and the button says why.
      await client.vote(q.id, voted);
      store.voted(q.id, !voted);
    },
    [store, client],
  );
  const all = store.visibleQuestions(order);
  const open = all.filter((q) => q.state === QuestionState.OPEN || q.state === QuestionState.ANSWERING);
  const answered = all.filter((q) => q.state === QuestionState.ANSWERED);
  const mine = [...store.mine.values()].filter((q) => MINE_NOTES[q.state]);
  return (
    <>
      {mine.length ? (
        <section aria-labelledby="mine-h" class="mine" data-testid="my-questions">
          <h3 id="mine-h">Your questions</h3>
          <ol class="questions">
            {mine.map((q) => (
              <li key={String(q.id)} class="question mine-card">
                <UserText as="p" class="text" text={q.text ?? ""} />
                {q.anonymous ? (
                  <p class="meta">
                    <Asker q={q} own />
                  </p>
                ) : null}
                <p class="note">
                  {MINE_NOTES[q.state]}
                  {q.state === QuestionState.MERGED && store.questions.get(q.mergedInto)?.text ? (
                    <>
                      {" It is now part of: “"}
                      <UserText text={store.questions.get(q.mergedInto).text} />
                      {"”"}
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section aria-labelledby="open-h">
        <div class="section-head">
          <h3 id="open-h">Open questions ({open.length})</h3>
          <button
            type="button"
            aria-pressed={String(order === "recent")}
            onClick={() => setOrder(order === "popular" ? "recent" : "popular")}
          >
            Newest first
          </button>
        </div>
        {open.length ? (
          <ol class="questions" data-testid="questions">
            {open.map((q) => (
              <OpenCard
                key={String(q.id)}
                q={q}
                own={store.isMine(q)}
                voted={store.yourVotes.has(String(q.id))}
                ended={ended}
                onVote={onVote}
              />
            ))}
          </ol>
        ) : (
          <p class="empty" data-testid="questions">
            No open questions yet. Ask the first one!
          </p>
        )}
      </section>
      <section aria-labelledby="answered-h">
        <h3 id="answered-h">Answered ({answered.length})</h3>
        {answered.length ? (
          <ol class="questions answered" data-testid="answered">
            {answered.map((q) => (
              <li key={String(q.id)} class="question" data-question={String(q.id)}>
                <QuestionBody q={q} own={store.isMine(q)} />
              </li>
            ))}
          </ol>
        ) : (
          <p class="empty">None yet.</p>
        )}
      </section>
    </>
  );
}
