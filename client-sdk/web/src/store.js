// What a page knows of its panel, folded from the Welcome and the events the
// SDK delivers (each once, in order, across reconnects). A change replaces
// only the objects it touches (one chat row, one question), so a keyed
// render finds every other row unchanged and leaves its DOM alone.

import { QuestionKind, QuestionState, ResumeStatus, Role } from "../../js/src/client.js";

// Overflow rule: the page keeps the newest MAX_CHAT messages (older ones drop
// from the top and can be loaded again); a panel's chat is bounded by the
// relay's rate limits, this keeps a day-long tab's memory bounded too.
export const MAX_CHAT = 2000;
// Overflow rule: names of the last MAX_PEOPLE participants seen (for events
// that carry only an id, a mute); the longest unseen is forgotten first.
const MAX_PEOPLE = 5000;

const PUBLIC = new Set([QuestionState.OPEN, QuestionState.ANSWERING, QuestionState.ANSWERED]);
const excerpt = (text, n = 80) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export class PanelStore {
  constructor(panelId) {
    this.panelId = panelId;
    this.chat = []; // [{seq, author, text, atMs}], oldest first
    this.earlier = []; // loaded on demand: older than chat[0], oldest first
    this.noEarlier = false; // nothing older is kept by the relay
    this.readBack = null; // the oldest seq "load earlier" has read
    this.questions = new Map(); // id (BigInt) -> Question, as last received
    // The participant's own questions, as they last saw them whole: a
    // dismissed or merged one reaches them as a stub, and they still want to
    // know what became of it.
    this.mine = new Map();
    this.info = {};
    this.limits = { maxChatChars: 2000, maxQuestionChars: 500 };
    this.you = null;
    this.yourVotes = new Set();
    this.leftoverIds = [];
    this.muted = new Map(); // participant id -> Participant (moderators see mutes)
    this.people = new Map(); // participant id -> Participant, as last seen
    // Chat messages being sent: shown as "sending…" until acked, sent once
    // (the SDK resends a command under its id after a reconnect).
    this.sending = [];
    this.connection = "connecting";
    this.resume = null; // the last Welcome's ResumeStatus
    this.reconnects = 0;
    this.refused = "";
    this.version = 0;
    this.listeners = new Set();
    this.announcers = new Set();
    this.chatAdded = new Set();
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  // Short announcements for screen readers ("New question from Ann").
  onAnnounce(fn) {
    this.announcers.add(fn);
    return () => this.announcers.delete(fn);
  }
  onChatAdded(fn) {
    this.chatAdded.add(fn);
    return () => this.chatAdded.delete(fn);
  }
  // A participant seen (as an author or asker): their latest name and role.
  saw(p) {
    if (!p?.id || !p.displayName) return;
    this.people.delete(p.id);
    this.people.set(p.id, p);
    if (this.people.size > MAX_PEOPLE) this.people.delete(this.people.keys().next().value);
  }
  changed() {
    this.version++;
    for (const fn of this.listeners) fn(this);
  }
  announce(text) {
    for (const fn of this.announcers) fn(text);
  }

  get isModerator() {
    return this.you?.role === Role.MODERATOR;
  }

  setConnection(s, why = "") {
    const was = this.connection;
    if (s === "joined" && was === "reconnecting") {
      this.reconnects++;
      this.announce(
        this.resume === ResumeStatus.RESUMED
          ? "Connected again. Nothing was missed."
          : "Connected again. The chat shows its latest messages.",
      );
    } else if (s === "reconnecting" && was === "joined") {
      this.announce("Connection lost. Reconnecting…");
    }
    this.connection = s;
    if (s === "stopped" && why.startsWith("join refused")) this.refused = why;
    this.changed();
  }

  welcome(w) {
    this.you = w.you;
    this.resume = w.resume;
    this.info = { ...w.panel, chatLocked: w.panel.chatLocked, youMuted: w.panel.youMuted };
    if (w.limits?.maxChatChars) this.limits = { ...w.limits };
    if (w.resume !== ResumeStatus.RESUMED) {
      // A snapshot; after a resume the events carry every change.
      this.chat = w.recentChat.map(row);
      for (const r of this.chat) this.saw(r.author);
      this.earlier = [];
      this.readBack = null;
      this.noEarlier = !this.chat.length || this.chat[0].seq <= 1n;
      this.questions = new Map();
      for (const q of w.questions) this.setQuestion(q, false);
    }
    this.yourVotes = new Set(w.yourVotes.map(String));
    // Moderators: who is muted now, named as when muted (else as last seen).
    this.muted = new Map(w.muted.map((p) => [p.id, p.displayName ? p : (this.people.get(p.id) ?? p)]));
    this.changed();
  }

  event(e) {
    const { case: kind, value } = e.kind;
    if (kind === "chatPosted") {
      const r = row(e);
      this.saw(r.author);
      if (this.chat.length >= MAX_CHAT) {
        // The oldest leaves the live list: after what was loaded earlier (no
        // gap between the two), or back to what "load earlier" reads.
        const [oldest, ...rest] = this.chat;
        this.chat = [...rest, r];
        if (this.earlier.length) this.setEarlier([...this.earlier, oldest], this.noEarlier);
        else {
          // What was read back reached past it: read again from the top.
          this.noEarlier = false;
          this.readBack = null;
        }
      } else {
        this.chat = [...this.chat, r];
      }
      for (const fn of this.chatAdded) fn(r);
    } else if (kind === "chatDeleted") {
      this.chat = this.chat.filter((m) => m.seq !== value.chatSeq);
      this.earlier = this.earlier.filter((m) => m.seq !== value.chatSeq);
    } else if (kind === "questionsChanged") {
      for (const q of value.questions) this.setQuestion(q, true);
    } else if (kind === "participantMuted") {
      const who = value.who;
      if (this.you && who?.id === this.you.id) {
        this.info = { ...this.info, youMuted: value.muted };
        this.announce(
          value.muted ? "A moderator muted you: you can read, but not chat or ask." : "You can chat again.",
        );
      }
      if (who?.id) {
        this.muted = new Map(this.muted);
        // The event names the participant by id; the name is as last seen.
        if (value.muted) this.muted.set(who.id, who.displayName ? who : (this.people.get(who.id) ?? who));
        else this.muted.delete(who.id);
      }
    } else if (kind === "chatLocked") {
      this.info = { ...this.info, chatLocked: value.locked };
      this.announce(value.locked ? "A moderator locked the chat." : "The chat is open again.");
    } else if (kind === "panelRules") {
      // The whole rule set after the change.
      this.info = { ...this.info, rules: value, preModeration: value.preModeration };
    } else if (kind === "panelEnded") {
      this.info = { ...this.info, ended: true };
      this.leftoverIds = value.leftoverIds.map(String);
      this.announce("The panel has ended. Thank you for joining.");
    }
    this.changed();
  }

  // A question as received; `live` announces what is new to this reader.
  setQuestion(q, live) {
    const before = this.questions.get(q.id);
    this.questions.set(q.id, q);
    this.saw(q.asker);
    const own = this.you && q.asker?.id === this.you.id;
    if (own) this.mine.set(q.id, q);
    else if (this.mine.has(q.id)) {
      // A stub: what became of it, with the text the asker last saw.
      this.mine.set(q.id, { ...this.mine.get(q.id), state: q.state, mergedInto: q.mergedInto });
    }
    if (!live) return;
    const who = q.anonymous || !q.asker?.displayName ? "an attendee" : q.asker.displayName;
    if (!before && q.text) {
      if (own)
        this.announce(
          q.state === QuestionState.PENDING
            ? "Your question is waiting for a moderator's review."
            : "Your question was posted.",
        );
      else if (q.state === QuestionState.PENDING) this.announce(`New question to review from ${who}.`);
      else if (PUBLIC.has(q.state)) this.announce(`New question from ${who}.`);
    } else if (before && before.state !== q.state) {
      if (q.state === QuestionState.ANSWERING) this.announce(`Now answering: ${excerpt(q.text)}`);
      else if (own || this.mine.has(q.id)) {
        if (q.state === QuestionState.OPEN && before.state === QuestionState.PENDING)
          this.announce("A moderator approved your question.");
        else if (q.state === QuestionState.ANSWERED) this.announce("Your question was answered.");
        else if (q.state === QuestionState.DISMISSED) this.announce("A moderator dismissed your question.");
        else if (q.state === QuestionState.MERGED) this.announce("Your question was merged into a similar one.");
      } else if (!this.isModerator && !before.text && PUBLIC.has(q.state)) {
        this.announce(`New question from ${who}.`);
      }
    }
  }

  // The participant's own vote, as its ack confirms (vote events do not name
  // the voter).
  voted(id, on) {
    this.yourVotes = new Set(this.yourVotes);
    if (on) this.yourVotes.add(String(id));
    else this.yourVotes.delete(String(id));
    this.changed();
  }

  // Sends a chat message once; shown as "sending…" until its ack.
  async sendChat(client, text) {
    const entry = { key: `${Date.now()}-${Math.random()}`, text };
    this.sending = [...this.sending, entry];
    this.changed();
    try {
      return await client.sendChat(text);
    } finally {
      this.sending = this.sending.filter((s) => s !== entry);
      this.changed();
    }
  }

  // Messages read from the history, older than any shown; `from`, the
  // oldest seq read (a stretch without chat still moves the next read back).
  // `before`: the first seq when the read began; if the list changed under
  // it (a fresh snapshot, the oldest pushed out), the read is dropped rather
  // than leave a gap.
  prependEarlier(rows, complete, from = null, before = this.firstSeq()) {
    if (before !== this.firstSeq()) return false;
    if (from !== null && (this.readBack === null || from < this.readBack)) this.readBack = from;
    const first = this.earlier[0]?.seq ?? this.chat[0]?.seq;
    const older = rows.filter((r) => first === undefined || r.seq < first);
    this.setEarlier([...older, ...this.earlier], complete);
    this.changed();
    return true;
  }

  // Bounded like the chat: past MAX_CHAT the oldest go, and can be read again.
  setEarlier(rows, complete) {
    this.earlier = rows.length > MAX_CHAT ? rows.slice(-MAX_CHAT) : rows;
    if (rows.length > MAX_CHAT) this.readBack = null;
    this.noEarlier = complete && rows.length <= MAX_CHAT;
  }

  firstSeq() {
    const shown = this.earlier[0]?.seq ?? this.chat[0]?.seq ?? null;
    if (this.readBack === null) return shown;
    return shown === null || this.readBack < shown ? this.readBack : shown;
  }

  // The chat messages that became questions (moderators promote once).
  promotedSeqs() {
    const out = new Set();
    for (const q of this.questions.values()) if (q.kind === QuestionKind.CHAT_COMMENT && q.chatSeq) out.add(q.chatSeq);
    return out;
  }

  // Questions in view for everyone: merged ones are part of another.
  visibleQuestions(order = "popular") {
    const all = [...this.questions.values()].filter((q) => q.text && q.state !== QuestionState.MERGED);
    if (order === "recent") return all.sort((a, b) => (b.id > a.id ? 1 : -1));
    return all.sort((a, b) => b.votes - a.votes || (a.id < b.id ? -1 : 1));
  }

  answering() {
    return [...this.questions.values()].find((q) => q.state === QuestionState.ANSWERING && q.text) ?? null;
  }

  isMine(q) {
    return this.mine.has(q.id);
  }
}

export function row(e) {
  const c = e.kind.value;
  return { seq: e.seq, author: c.author, text: c.text, atMs: e.atMs };
}
