// The panel's record for moderators, read from its whole history on demand:
// the transcript to download (Markdown, JSON, CSV) and the moderation log.

import { useState } from "preact/hooks";
import { loadRecord } from "./panel_record.js";
import { Time, plural } from "./text.jsx";

const FORMATS = [
  ["Markdown", "text/markdown", "md"],
  ["JSON", "application/json", "json"],
  ["CSV", "text/csv", "csv"],
];

export function RecordControls({ store, client }) {
  const [status, setStatus] = useState("");
  const [log, setLog] = useState(null);
  const load = async (what) => {
    setStatus(`Reading the panel's history for the ${what}…`);
    try {
      const r = await loadRecord(client.options);
      setStatus("");
      return r;
    } catch (e) {
      setStatus(`Could not read the panel's history: ${e.message}`);
      return null;
    }
  };
  const download = async ([format, type, ext]) => {
    const r = await load("transcript");
    if (!r) return;
    const text = ext === "md" ? r.markdown(store.panelId) : ext === "json" ? r.json(store.panelId) : r.csv();
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${store.panelId}-transcript.${ext}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus(`Transcript downloaded (${format}).`);
  };
  const showLog = async () => {
    const r = await load("moderation log");
    if (!r) return;
    const entries = r.audit();
    setLog(entries);
    setStatus(`${plural(entries.length, "moderation")} listed.`);
  };
  return (
    <section aria-labelledby="record-h" class="record">
      <h2 id="record-h">Record</h2>
      <p>Anonymous askers stay anonymous; deleted messages are left out.</p>
      <div class="buttons" role="group" aria-label="Download the transcript">
        {FORMATS.map((f) => (
          <button key={f[2]} type="button" onClick={() => download(f)}>
            Transcript ({f[0]})
          </button>
        ))}
      </div>
      <button type="button" onClick={showLog}>
        Show the moderation log
      </button>
      <p role="status" data-testid="record-status">
        {status}
      </p>
      {/* Who and what in words, the time as the reader's clock shows it; the
          participant id (what the relay's log names) on hover. */}
      <ol data-testid="moderation-log">
        {log === null ? null : log.length ? (
          log.map((e) => (
            <li key={String(e.seq)} data-seq={String(e.seq)}>
              <Time ms={e.atMs} />{" "}
              <span title={e.id}>
                <bdi>{e.who}</bdi> ({e.role})
              </span>{" "}
              {e.what}
            </li>
          ))
        ) : (
          <li>No moderation yet.</li>
        )}
      </ol>
    </section>
  );
}
