// A panel's record, rebuilt from its events in order as a moderator
// receives them: the chat (deleted messages left out), the questions as
// they ended up, and who moderated what. The moderator page's downloads
// and its moderation log; the same formats as `panelwire transcript` and
// `panelwire audit`. Anonymous askers stay anonymous in every format.

import { QuestionChange, QuestionKind, QuestionState, Role } from "../../js/src/client.js";
import { readEvents } from "./history.js";

// A question's state in words, as the pages and the record say it.
export const STATE_NAMES = {
  [QuestionState.PENDING]: "pending",
  [QuestionState.OPEN]: "open",
  [QuestionState.ANSWERING]: "answering",
  [QuestionState.ANSWERED]: "answered",
  [QuestionState.DISMISSED]: "dismissed",
  [QuestionState.MERGED]: "merged",
};
const ROLE = { [Role.MODERATOR]: "moderator", [Role.PANELIST]: "panelist" };

const utc = (ms) => new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, "Z");
// User text inside Markdown: one line (control characters, a terminal's
// escapes and the bidirectional overrides become spaces), its markup escaped.
const md = (text) =>
  text.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, " ").replace(/[\\`*_{}[\]<>()#+\-.!|~]/g, "\\$&");
// A CSV field: quoted, quotes doubled, never taken for a formula.
const csvField = (s) => `"${(/^[=+\-@\t\r]/.test(s) ? "'" + s : s).replaceAll('"', '""')}"`;
const q = (id) => `question #${id}`;

function questionChange(c) {
  const first = (pred) => c.questions.find(pred) ?? c.questions[0];
  const target = (pred) => (first(pred) ? q(first(pred).id) : "a question");
  switch (c.change) {
    case QuestionChange.CHANGE_APPROVED:
      return ["approved", target((x) => x.state === QuestionState.OPEN)];
    case QuestionChange.CHANGE_DISMISSED:
      return ["dismissed", target((x) => x.state === QuestionState.DISMISSED)];
    case QuestionChange.CHANGE_RESTORED:
      return ["restored", target((x) => x.state !== QuestionState.DISMISSED)];
    case QuestionChange.CHANGE_HIGHLIGHTED:
      return ["highlighted", target((x) => x.state === QuestionState.ANSWERING)];
    case QuestionChange.CHANGE_ANSWERED:
      return ["marked answered", target((x) => x.state === QuestionState.ANSWERED)];
    case QuestionChange.CHANGE_SENT_TO_FORUM:
      return ["sent to the forum", target((x) => x.forForum)];
    case QuestionChange.CHANGE_MERGED: {
      const d = c.questions.find((x) => x.state === QuestionState.MERGED);
      return ["merged", d ? `${q(d.id)} into ${q(d.mergedInto)}` : "questions"];
    }
    case QuestionChange.CHANGE_PROMOTED: {
      const p = c.questions.find((x) => x.kind === QuestionKind.CHAT_COMMENT);
      return ["promoted", p ? `chat #${p.chatSeq} to ${q(p.id)}` : "a chat message"];
    }
    default:
      return [];
  }
}

export class PanelRecord {
  constructor() {
    this.chat = new Map(); // seq -> {seq, atMs, author, authorId, text}
    this.questions = new Map(); // id -> Question
    this.moderation = [];
    this.names = new Map(); // participant id -> display name, as seen
    this.leftovers = [];
    this.ended = false;
  }

  static askerOf(x) {
    return x.anonymous || !x.asker ? "an attendee" : x.asker.displayName;
  }

  add(ev) {
    const who = ev.actor;
    const moderating = who && (who.role === Role.MODERATOR || who.role === Role.PANELIST);
    const note = (action, target) => {
      if (moderating && action) this.moderation.push({ seq: ev.seq, atMs: ev.atMs, who, action, target });
    };
    const { case: kind, value } = ev.kind;
    if (kind === "chatPosted") {
      this.names.set(value.author.id, value.author.displayName);
      this.chat.set(ev.seq, {
        seq: ev.seq,
        atMs: ev.atMs,
        author: value.author.displayName,
        authorId: value.author.id,
        text: value.text,
      });
    } else if (kind === "chatDeleted") {
      const c = this.chat.get(value.chatSeq);
      const own = c && c.authorId === value.by?.id;
      if (!own && who?.role === Role.MODERATOR) note("deleted", `chat #${value.chatSeq}${c ? " by " + c.author : ""}`);
      this.chat.delete(value.chatSeq);
    } else if (kind === "questionsChanged") {
      for (const x of value.questions) {
        this.questions.set(x.id, x);
        if (!x.anonymous && x.asker) this.names.set(x.asker.id, x.asker.displayName);
      }
      note(...questionChange(value));
    } else if (kind === "participantMuted") {
      const id = value.who?.id ?? "";
      const name = this.names.get(id);
      note(value.muted ? "muted" : "unmuted", name ? `${name} (${id})` : id);
    } else if (kind === "chatLocked") note(value.locked ? "locked the chat" : "unlocked the chat", "");
    else if (kind === "panelRules") note("changed the rules", "");
    else if (kind === "panelEnded") {
      this.ended = true;
      this.leftovers = value.leftoverIds.map(String);
      note("ended the panel", "");
    }
  }

  sortedQuestions() {
    return [...this.questions.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  markdown(panelId) {
    let out = `# Panel ${md(panelId)}\n\n## Chat\n\n`;
    if (this.chat.size === 0) out += "No messages.\n";
    for (const c of this.chat.values()) out += `- ${utc(c.atMs)} **${md(c.author)}**: ${md(c.text)}\n`;
    out += "\n## Questions\n\n";
    if (this.questions.size === 0) out += "No questions.\n";
    for (const x of this.sortedQuestions()) {
      out += `### ${x.id}. ${md(x.text)}\n\n- Asked by ${md(PanelRecord.askerOf(x))}`;
      if (x.addressedTo) out += `, for ${md(x.addressedTo)}`;
      out += `\n- ${STATE_NAMES[x.state] ?? "unknown"}, ${x.votes} vote${x.votes === 1 ? "" : "s"}\n`;
      if (x.state === QuestionState.MERGED) out += `- Merged into ${x.mergedInto}\n`;
      if (x.answerText) out += `- Answer: ${md(x.answerText)}\n`;
      if (x.forForum || x.published) out += "- Sent to the forum\n";
      out += "\n";
    }
    if (this.ended) {
      out += "## Continued in the forum\n\n";
      if (this.leftovers.length === 0) out += "Nothing was left over.\n";
      for (const id of this.leftovers) out += `- Question ${id}\n`;
    }
    return out;
  }

  json(panelId) {
    return (
      JSON.stringify({
        panel: panelId,
        chat: [...this.chat.values()].map((c) => ({
          seq: Number(c.seq),
          at: utc(c.atMs),
          author: c.author,
          text: c.text,
        })),
        questions: this.sortedQuestions().map((x) => ({
          id: Number(x.id),
          kind: x.kind === QuestionKind.CHAT_COMMENT ? "chat_comment" : "question",
          text: x.text,
          asked_by: PanelRecord.askerOf(x),
          anonymous: x.anonymous,
          addressed_to: x.addressedTo,
          state: STATE_NAMES[x.state] ?? "unknown",
          votes: x.votes,
          answer: x.answerText,
          sent_to_forum: x.forForum || x.published,
          ...(x.state === QuestionState.MERGED ? { merged_into: Number(x.mergedInto) } : {}),
        })),
        ended: this.ended,
        leftovers: this.leftovers.map(Number),
      }) + "\n"
    );
  }

  csv() {
    let out = "kind,id,time,author,text,state,votes,answer,merged_into\r\n";
    for (const c of this.chat.values())
      out += `chat,${c.seq},${utc(c.atMs)},${csvField(c.author)},${csvField(c.text)},,,,\r\n`;
    for (const x of this.sortedQuestions())
      out += `question,${x.id},${utc(x.askedAtMs)},${csvField(PanelRecord.askerOf(x))},${csvField(x.text)},${STATE_NAMES[x.state] ?? "unknown"},${x.votes},${csvField(x.answerText)},${x.state === QuestionState.MERGED ? x.mergedInto : ""}\r\n`;
    return out;
  }

  // One entry per moderation, oldest first.
  audit() {
    return this.moderation.map((m) => {
      const role = ROLE[m.who.role] ?? "attendee";
      const what = `${m.action}${m.target ? " " + m.target : ""}`;
      return {
        seq: m.seq,
        atMs: m.atMs,
        who: m.who.displayName,
        role,
        id: m.who.id,
        what,
        // As `panelwire audit` prints it.
        line: `#${m.seq} ${utc(m.atMs)} ${m.who.displayName} (${role}, ${m.who.id}) ${what}`,
      };
    });
  }
}

// The panel's whole history read through a connection of its own (resumed
// from the start, up to the head at the join), as `options` (the page's
// client's) allows: a moderator's token.
export async function loadRecord(options) {
  const record = new PanelRecord();
  const kept = await readEvents(options, 0n, null, (e) => record.add(e));
  if (!kept) throw new Error("The panel's first events are past the relay's history: the record would be incomplete.");
  return record;
}
