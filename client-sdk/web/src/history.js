// Reading a stretch of the panel's history through a connection of its own:
// a join that resumes after a given seq receives every event since, from
// the relay's history, as this participant may see them. Used for the
// moderator's record (the whole history) and for "load earlier messages".

import { PanelwireClient, ResumeStatus } from "../../js/src/client.js";
import { row } from "./store.js";

const READ_TIMEOUT_MS = 30000;

// Events with after < seq <= until (until: the head at the join when null),
// passed to onEvent in order. Resolves true, or false when the relay no
// longer keeps the first of them (nothing is passed then).
export function readEvents(options, after, until, onEvent) {
  return new Promise((resolve, reject) => {
    const client = new PanelwireClient({ ...options, clientId: undefined, resumeAfter: after, reconnect: false });
    let last = null;
    let settled = false;
    // A read that stalls (a relay that stops answering) fails rather than
    // leaving its button waiting for ever; every event it sends is progress.
    let timer = 0;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(null, new Error("the relay stopped answering")), READ_TIMEOUT_MS);
    };
    const done = (result, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.stop();
      error ? reject(error) : resolve(result);
    };
    client.on("welcome", (w) => {
      arm();
      if (w.resume !== ResumeStatus.RESUMED) return done(false);
      last = until === null || until > w.seq ? w.seq : until;
      if (last <= after) done(true);
    });
    client.on("event", (e) => {
      arm();
      if (last === null || e.seq > last) return;
      onEvent(e);
      if (e.seq === last) done(true);
    });
    client.on("state", (s, why) => {
      // Dropped before the last event arrived: what was read is not all.
      if (s === "stopped") done(null, new Error(why || "the connection closed"));
    });
    arm();
    client.start();
  });
}

// Chat messages older than `before`: up to `want` events back (a message,
// a question or a vote each take one), fewer when the history is shorter.
// Read up to the head, so that a message deleted since is left out.
// Resolves {rows, complete, from}: complete when nothing older is left to
// read; `from`, the oldest seq read (the next read goes on before it).
export async function readChatBefore(options, before, want = 300) {
  for (let span = want; span >= 25; span = Math.floor(span / 4)) {
    const after = before - 1n > BigInt(span) ? before - 1n - BigInt(span) : 0n;
    const rows = new Map();
    const kept = await readEvents(options, after, null, (e) => {
      const { case: kind, value } = e.kind;
      if (kind === "chatPosted" && e.seq < before) rows.set(e.seq, row(e));
      else if (kind === "chatDeleted") rows.delete(value.chatSeq);
    });
    if (kept) return { rows: [...rows.values()], complete: after === 0n, from: after + 1n };
  }
  // The relay's history ends after what the page has.
  return { rows: [], complete: true, from: before };
}
