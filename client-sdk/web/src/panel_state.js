// What a page knows of its panel: folded from the Welcome and the events
// the SDK delivers (each once, in order, across reconnects).

import { QuestionState, ResumeStatus } from "../../js/src/client.js";

export class PanelState {
  constructor() {
    this.chat = new Map(); // seq -> {seq, author, text, atMs}
    this.questions = new Map(); // id -> Question
    this.info = {};
    this.you = null;
    this.yourVotes = new Set();
    this.leftoverIds = [];
    this.connection = "connecting";
    this.reconnects = 0;
    this.listeners = [];
  }

  onChange(fn) {
    this.listeners.push(fn);
  }
  changed() {
    for (const fn of this.listeners) fn(this);
  }

  welcome(w) {
    this.you = w.you;
    this.info = { ...w.panel };
    if (w.resume !== ResumeStatus.RESUMED) {
      // A snapshot; after a resume the events carry every change.
      this.chat.clear();
      for (const e of w.recentChat) this.addChat(e);
      this.questions.clear();
      for (const q of w.questions) this.questions.set(q.id, q);
    }
    this.yourVotes = new Set(w.yourVotes.map(String));
    this.changed();
  }

  addChat(e) {
    const c = e.kind.value;
    this.chat.set(e.seq, { seq: e.seq, author: c.author, text: c.text, atMs: e.atMs });
  }

  event(e) {
    const { case: kind, value } = e.kind;
    if (kind === "chatPosted") this.addChat(e);
    else if (kind === "chatDeleted") this.chat.delete(value.chatSeq);
    else if (kind === "questionsChanged") {
      for (const q of value.questions) this.questions.set(q.id, q);
    } else if (kind === "participantMuted") {
      if (this.you && value.who?.id === this.you.id) this.info.youMuted = value.muted;
    } else if (kind === "chatLocked") this.info.chatLocked = value.locked;
    else if (kind === "panelRules") {
      // The whole rule set after the change.
      this.info.rules = value;
      this.info.preModeration = value.preModeration;
    }
    else if (kind === "panelEnded") {
      this.info.ended = true;
      this.leftoverIds = value.leftoverIds.map(String);
    }
    this.changed();
  }

  // The participant's own vote, as its ack confirms (vote events do not
  // name the voter).
  voted(id, on) {
    if (on) this.yourVotes.add(String(id));
    else this.yourVotes.delete(String(id));
    this.changed();
  }

  // Questions in view: merged ones are part of another.
  visibleQuestions(order) {
    const all = [...this.questions.values()].filter((q) => !q.mergedInto);
    if (order === "recent") return all.sort((a, b) => Number(b.id - a.id));
    return all.sort((a, b) => b.votes - a.votes || Number(a.id - b.id));
  }

  answering() {
    return [...this.questions.values()].find((q) => q.state === QuestionState.ANSWERING) ?? null;
  }
}
