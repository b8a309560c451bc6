// The three views: attendee, moderator, stage. Each renders the whole view
// from the panel state; the browser keeps focus and text in place because
// the forms are built once and only the lists are rebuilt.

import { ForumCredit, ModerationAction, QuestionState, Role } from "../../js/src/client.js";
import { fill, form, h, time } from "./dom.js";
import { STATE_NAMES, loadRecord } from "./panel_record.js";
import { guestQuestionsBlocked, rulesControls, rulesNotice } from "./rules.js";


const ROLE_NAMES = {
  [Role.MODERATOR]: "Moderator",
  [Role.PANELIST]: "Panelist",
};

// A participant's name and, for moderators and panelists, a badge saying
// so in words (not colour alone): the relay refuses those roles' names to
// guests, so the badge is what tells the real one.
export function person(p, fallback = "") {
  const name = p?.displayName || fallback;
  const role = ROLE_NAMES[p?.role];
  if (!role) return name;
  return h("span", { class: "person" }, name, " ", h("span", { class: `badge badge-${role.toLowerCase()}` }, role));
}

function asker(q) {
  if (!q.asker?.displayName) return "an attendee";
  return person(q.asker);
}

function status(state) {
  const parts = [];
  parts.push(state.connection === "joined" ? "Connected" : state.connection === "reconnecting" ? "Reconnecting…" : "Connecting…");
  if (state.reconnects > 0 && state.connection === "joined") parts.push(`reconnected ${state.reconnects}×`);
  if (state.info.ended) parts.push("The panel has ended");
  else if (state.info.chatLocked) parts.push("Chat is locked");
  if (state.info.youMuted) parts.push("You are muted");
  return parts.join(" · ");
}

function header(state, subtitle) {
  return h(
    "header",
    {},
    h("h1", {}, state.info.title || state.panelId),
    h("p", { class: "subtitle" }, subtitle),
    h("p", { class: "status", role: "status", "data-testid": "status" }, status(state)),
  );
}

function nowAnswering(state) {
  const q = state.answering();
  if (!q) return null;
  return h(
    "section",
    { class: "answering", "aria-label": "Now answering", "data-testid": "answering" },
    h("h2", {}, "Now answering"),
    h("blockquote", {}, q.text),
    h("p", {}, "asked by ", asker(q)),
  );
}

function chatList(state, actions) {
  return h(
    "ol",
    { class: "chat", "aria-label": "Chat messages", "data-testid": "chat" },
    [...state.chat.values()].map((m) =>
      h(
        "li",
        { "data-seq": String(m.seq) },
        h("span", { class: "time" }, time(m.atMs)),
        h("strong", { class: "author" }, person(m.author)),
        h("span", { class: "text" }, m.text),
        actions ? actions(m) : null,
      ),
    ),
  );
}

// A link out of the page: only http(s) (the relay checks too), and the
// forum gets neither our page's address nor a handle on it.
function outLink(url, text) {
  if (!/^https?:\/\//.test(url ?? "")) return null;
  return h("a", { href: url, rel: "noopener noreferrer nofollow" }, text);
}

// Where the question went after the panel, and an answer given there.
function forumFollowUp(q) {
  const went = outLink(q.forumUrl, "Continued in the forum");
  const answer = q.forumAnswer
    ? outLink(q.forumAnswer.url, `Answered in the forum by ${q.forumAnswer.answeredBy}`)
    : null;
  if (!went && !answer) return null;
  return h("p", { class: "forum", "data-testid": "forum-follow-up" }, went, went && answer ? " · " : "", answer);
}

function questionItem(state, q, buttons) {
  return h(
    "li",
    { class: `question ${STATE_NAMES[q.state] ?? ""}`, "data-question": String(q.id) },
    h("p", { class: "text" }, q.text),
    h(
      "p",
      { class: "meta" },
      `${q.votes} vote${q.votes === 1 ? "" : "s"} · `,
      asker(q),
      q.addressedTo ? ` · to ${q.addressedTo}` : "",
      ` · ${STATE_NAMES[q.state] ?? ""}`,
      q.answerText ? ` · answer: ${q.answerText}` : "",
    ),
    forumFollowUp(q),
    buttons,
  );
}

export function attendeeView(root, state, client) {
  let order = "popular";
  const chatForm = form("Send a chat message", [{ name: "text", label: "Message" }], "Send", ({ text }) =>
    client.sendChat(text),
  );
  const askForm = form(
    "Ask a question",
    [
      { name: "text", label: "Your question" },
      { name: "addressedTo", label: "For (a panelist, optional)" },
      { name: "anonymous", label: "Hide my name from other attendees", type: "checkbox" },
      {
        name: "forum",
        label: "In the forum after the panel",
        type: "select",
        options: [
          ["", "same as here"],
          [String(ForumCredit.FORUM_NAMED), "name me"],
          [String(ForumCredit.FORUM_UNNAMED), "don't name me"],
        ],
      },
    ],
    "Ask",
    ({ text, addressedTo, anonymous, forum }) =>
      client.ask(text, { addressedTo, anonymous, forumCredit: Number(forum || 0) }),
  );
  const orderButton = h("button", { type: "button", "aria-pressed": "false" }, "Show recent first");
  orderButton.addEventListener("click", () => {
    order = order === "popular" ? "recent" : "popular";
    orderButton.textContent = order === "popular" ? "Show recent first" : "Show popular first";
    orderButton.setAttribute("aria-pressed", String(order === "recent"));
    render();
  });
  // Built once, so a change is announced once (politely) and not on every render.
  const notice = h("p", { class: "notice", role: "status", "data-testid": "rules-notice", hidden: true });
  const askBlocked = h("p", { class: "notice", id: "ask-blocked", "data-testid": "ask-blocked", hidden: true });
  const say = (el, text) => {
    if (el.textContent !== text) el.textContent = text;
    el.hidden = !text;
  };
  const live = h("div");
  fill(root, 
    h("div", { class: "layout attendee" }, live, h("section", { class: "forms" }, notice, h("h2", {}, "Chat"), chatForm, h("h2", {}, "Questions"), askBlocked, askForm, orderButton)),
  );
  function render() {
    const closed = state.info.ended;
    const blocked = guestQuestionsBlocked(state);
    for (const b of chatForm.querySelectorAll("button, input")) b.disabled = closed || state.info.chatLocked || state.info.youMuted;
    for (const b of askForm.querySelectorAll("button, input")) b.disabled = closed || state.info.youMuted || blocked;
    say(notice, rulesNotice(state));
    say(askBlocked, blocked && !closed ? "You cannot ask right now: a moderator has turned off questions from guests. Join with an invitation link to ask." : "");
    if (blocked) askForm.setAttribute("aria-describedby", "ask-blocked");
    else askForm.removeAttribute("aria-describedby");
    fill(live,
      header(state, "Attendee"),
      nowAnswering(state),
      h("section", { "aria-label": "Chat" }, chatList(state)),
      h(
        "section",
        { "aria-label": "Questions" },
        h(
          "ol",
          { class: "questions", "data-testid": "questions" },
          state.visibleQuestions(order)
            .filter((q) => q.state !== QuestionState.DISMISSED)
            .map((q) => {
              const voted = state.yourVotes.has(String(q.id));
              const up = h(
                "button",
                { type: "button", "aria-pressed": String(voted), "aria-label": `Upvote: ${q.text}`, disabled: closed },
                voted ? "▲ Voted" : "▲ Upvote",
              );
              up.addEventListener("click", () =>
                client.vote(q.id, voted).then(() => state.voted(q.id, !voted)).catch(() => {}),
              );
              return questionItem(state, q, up);
            }),
        ),
      ),
    );
  }
  state.onChange(render);
  render();
}

// The panel's record, read from its whole history on demand: the
// transcript to download (Markdown, JSON, CSV) and the moderation log.
function recordControls(state, client) {
  const status = h("p", { role: "status", "data-testid": "record-status" });
  const log = h("ol", { "data-testid": "moderation-log" });
  const options = { ...client.options, clientId: undefined };
  const load = async (what) => {
    status.textContent = `Reading the panel's history for the ${what}…`;
    try {
      const r = await loadRecord(options);
      status.textContent = "";
      return r;
    } catch (e) {
      status.textContent = `Could not read the panel's history: ${e.message}`;
      return null;
    }
  };
  const download = (format, type, ext) => {
    const b = h("button", { type: "button" }, `Transcript (${format})`);
    b.addEventListener("click", async () => {
      const r = await load("transcript");
      if (!r) return;
      const text = ext === "md" ? r.markdown(state.panelId) : ext === "json" ? r.json(state.panelId) : r.csv();
      const url = URL.createObjectURL(new Blob([text], { type }));
      const a = h("a", { href: url, download: `${state.panelId}-transcript.${ext}` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.textContent = `Transcript downloaded (${format}).`;
    });
    return b;
  };
  const show = h("button", { type: "button" }, "Show the moderation log");
  show.addEventListener("click", async () => {
    const r = await load("moderation log");
    if (!r) return;
    const entries = r.audit();
    // Who and what in words, the time as the reader's clock shows it; the
    // participant id (what the relay's log names) on hover.
    fill(log, entries.length
      ? entries.map((e) => h("li", { "data-seq": e.seq }, h("time", { datetime: new Date(Number(e.atMs)).toISOString() }, time(e.atMs)), " ", h("span", { title: e.id }, `${e.who} (${e.role})`), ` ${e.what}`))
      : h("li", {}, "No moderation yet."));
    status.textContent = `${entries.length} moderation${entries.length === 1 ? "" : "s"} listed.`;
  });
  return h("section", { "aria-label": "Record", class: "record" },
    h("h2", {}, "Record"),
    h("p", {}, "Anonymous askers stay anonymous; deleted messages are left out."),
    h("div", { class: "buttons", role: "group", "aria-label": "Download the transcript" },
      download("Markdown", "text/markdown", "md"), download("JSON", "application/json", "json"), download("CSV", "text/csv", "csv")),
    show, status, log);
}

export function moderatorView(root, state, client) {
  const act = (p) => p.catch((e) => alert(`${e.codeName ?? "ERROR"}: ${e.message}`));
  const command = (c, v) => client.send({ command: { case: c, value: v } });
  const lockButton = h("button", { type: "button" }, "Lock chat");
  lockButton.addEventListener("click", () => act(command("lockChat", { locked: !state.info.chatLocked })));
  const endButton = h("button", { type: "button", class: "danger" }, "End the panel");
  endButton.addEventListener("click", () => {
    if (confirm("End the panel and send the unanswered questions to the forum?")) act(command("endPanel", {}));
  });
  const mergeForm = form(
    "Merge duplicate questions",
    [
      { name: "duplicate", label: "Duplicate question #" },
      { name: "into", label: "Into question #" },
    ],
    "Merge",
    ({ duplicate, into }) => command("mergeQuestions", { duplicateId: BigInt(duplicate), intoId: BigInt(into) }),
  );
  const rules = rulesControls(state, client);
  const record = recordControls(state, client);
  const live = h("div");
  fill(root, h("div", { class: "layout moderator" }, live, h("section", { class: "forms" }, h("h2", {}, "Panel"), lockButton, endButton, rules.el, mergeForm, record)));

  function button(label, onClick, extra = {}) {
    const b = h("button", { type: "button", ...extra }, label);
    b.addEventListener("click", onClick);
    return b;
  }
  function moderation(q) {
    const m = (action, answerText = "") => act(client.moderate(q.id, action, answerText));
    const out = [];
    if (q.state === QuestionState.PENDING) out.push(button("Approve", () => m(ModerationAction.APPROVE)));
    if (q.state === QuestionState.OPEN) out.push(button("Highlight", () => m(ModerationAction.HIGHLIGHT)));
    if (q.state === QuestionState.OPEN || q.state === QuestionState.ANSWERING) {
      out.push(button("Answered live", () => m(ModerationAction.MARK_ANSWERED)));
      out.push(button("Answer in writing", () => {
        const text = prompt("The written answer");
        if (text) m(ModerationAction.MARK_ANSWERED, text);
      }));
    }
    if (q.state === QuestionState.DISMISSED) out.push(button("Restore", () => m(ModerationAction.RESTORE)));
    else out.push(button("Dismiss", () => m(ModerationAction.DISMISS)));
    if (!q.forForum) out.push(button("Send to forum", () => m(ModerationAction.SEND_TO_FORUM)));
    return h("div", { class: "buttons", role: "group", "aria-label": `Moderate question ${q.id}` }, `#${q.id} `, out);
  }
  function render() {
    lockButton.textContent = state.info.chatLocked ? "Unlock chat" : "Lock chat";
    for (const b of [lockButton, endButton]) b.disabled = state.info.ended;
    rules.update();
    const byState = (s) => state.visibleQuestions("popular").filter((q) => q.state === s);
    const leftovers = state.leftoverIds.map((id) => state.questions.get(BigInt(id))).filter(Boolean);
    fill(live,
      header(state, "Moderator"),
      nowAnswering(state),
      state.info.ended
        ? h(
            "section",
            { "aria-label": "Sent to the forum", "data-testid": "leftovers" },
            h("h2", {}, `Sent to the forum (${leftovers.length})`),
            h("ol", {}, leftovers.map((q) => h("li", {}, q.text, " — ", asker(q)))),
          )
        : null,
      h(
        "section",
        { class: "queue", "aria-label": "Question queue" },
        [QuestionState.PENDING, QuestionState.OPEN, QuestionState.ANSWERING, QuestionState.ANSWERED, QuestionState.DISMISSED].map((s) =>
          h(
            "div",
            { class: "column", "data-testid": `queue-${STATE_NAMES[s]}` },
            h("h2", {}, STATE_NAMES[s]),
            h("ol", {}, byState(s).map((q) => questionItem(state, q, moderation(q)))),
          ),
        ),
      ),
      h(
        "section",
        { "aria-label": "Chat" },
        h("h2", {}, "Chat"),
        chatList(state, (msg) =>
          h(
            "span",
            { class: "buttons" },
            button("Promote", () => act(command("promoteChat", { chatSeq: msg.seq, sendToForum: false })), { "aria-label": `Promote message ${msg.seq}` }),
            button("Delete", () => act(client.deleteChat(msg.seq)), { "aria-label": `Delete message ${msg.seq}` }),
            msg.author?.id
              ? button("Mute", () => act(command("muteParticipant", { participantId: msg.author.id, muted: true })), { "aria-label": `Mute ${msg.author.displayName}` })
              : null,
          ),
        ),
      ),
    );
  }
  state.onChange(render);
  render();
}

export function stageView(root, state) {
  function render() {
    const q = state.answering();
    fill(root, 
      h(
        "div",
        { class: "stage", "data-testid": "stage" },
        h("p", { class: "panel-title" }, state.info.title || state.panelId),
        q
          ? h("div", {}, h("blockquote", { class: "stage-question" }, q.text), h("p", { class: "stage-asker" }, "— ", asker(q), q.addressedTo ? `, for ${q.addressedTo}` : ""))
          : h("p", { class: "stage-waiting" }, state.info.ended ? "Thank you for joining." : "Waiting for the next question…"),
      ),
    );
  }
  state.onChange(render);
  render();
}
