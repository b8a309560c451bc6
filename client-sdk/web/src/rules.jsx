// The panel's rules in the pages: the moderator's controls that switch them
// (pre-moderation, guest questions, chat slow mode) and the short notice
// attendees see while a rule limits them. Both follow state.info.rules,
// from the Welcome and from every panel_rules event.

import { Role } from "../../js/src/client.js";
import { useEffect, useRef, useState } from "preact/hooks";
import { explain } from "./feedback.jsx";

// The intervals offered, in ms; the relay takes any up to ten minutes.
const SLOW_MODES = [0, 5000, 10000, 30000, 60000, 120000, 300000, 600000];

export function duration(ms) {
  const s = ms / 1000;
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = s / 60;
  if (Number.isInteger(m)) return `${m} minute${m === 1 ? "" : "s"}`;
  return `${s} seconds`;
}

// A guest joined without a token; their id says so.
export function isGuest(you) {
  return Boolean(you?.id?.startsWith("g:"));
}

// Guests may not ask right now.
export function guestQuestionsBlocked(state) {
  return isGuest(state.you) && state.info.rules?.guestQuestions === false;
}

// What the attendee page says about the rules in force, or "" when they
// limit nobody on it.
export function rulesNotice(state) {
  const r = state.info.rules;
  if (!r || state.info.ended) return "";
  const parts = [];
  const slow = r.chatSlowModeMs ?? 0;
  if (slow > 0) {
    const exempt = state.you?.role === Role.PANELIST || state.you?.role === Role.MODERATOR;
    parts.push(
      exempt
        ? `Slow mode is on for attendees (one message every ${duration(slow)}); you are exempt.`
        : `Slow mode is on: you can send one chat message every ${duration(slow)}.`,
    );
  }
  if (r.guestQuestions === false)
    parts.push(
      isGuest(state.you)
        ? "Questions from guests are turned off: you can still chat and vote."
        : "Questions from guests are turned off.",
    );
  return parts.join(" ");
}

// The sentence a moderator hears when the rules change.
function rulesSummary(r) {
  return [
    `Pre-moderation ${r.preModeration ? "on" : "off"}`,
    `guest questions ${r.guestQuestions ? "on" : "off"}`,
    `slow mode ${r.chatSlowModeMs ? duration(r.chatSlowModeMs) : "off"}`,
  ].join(", ");
}

// The moderator's rule controls. Each change is sent at once; the controls
// then show what the relay says is in force (a refused change springs back).
// A control the moderator just changed keeps their choice until its ack:
// the event of an earlier change still carries the old value.
// One rule that is on or off: the whole line is its target.
function Switch({ id, label, checked, disabled, onChange }) {
  return (
    <div class="field checkbox">
      <input
        type="checkbox"
        id={id}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
    </div>
  );
}

export function RulesControls({ store, client }) {
  const [pending, setPending] = useState({}); // rule name -> value sent
  const [error, setError] = useState("");
  const [said, setSaid] = useState("");
  const shown = useRef(null); // the rules last announced
  const r = store.info.rules;
  const disabled = !r || Boolean(store.info.ended);
  const value = (name, fallback) => (name in pending ? pending[name] : (r?.[name] ?? fallback));

  const summary = r ? rulesSummary(r) : null;
  useEffect(() => {
    if (summary === null) return;
    if (shown.current !== null && summary !== shown.current) setSaid(`Rules now: ${summary}.`);
    shown.current = summary;
  }, [summary]);

  const inFlight = useRef(new Map()); // rule name -> changes not yet acked
  const change = async (name, v) => {
    inFlight.current.set(name, (inFlight.current.get(name) ?? 0) + 1);
    setPending((p) => ({ ...p, [name]: v }));
    setError("");
    try {
      await client.setPanelRules({ [name]: v });
    } catch (e) {
      setError(explain(e).text);
    } finally {
      const left = inFlight.current.get(name) - 1;
      inFlight.current.set(name, left);
      // Acked after its own event: the rules shown are the relay's now.
      if (left === 0) setPending(({ [name]: _, ...rest }) => rest);
    }
  };
  const ms = Number(value("chatSlowModeMs", 0));
  // Another moderator may have chosen an interval not offered here.
  const offered = SLOW_MODES.includes(ms) ? SLOW_MODES : [...SLOW_MODES, ms].sort((a, b) => a - b);
  return (
    <fieldset class="rules" data-testid="rules">
      <legend>Panel rules</legend>
      <Switch
        id="rule-premod"
        label="Hold new questions for approval"
        checked={Boolean(value("preModeration", false))}
        disabled={disabled}
        onChange={(on) => change("preModeration", on)}
      />
      <Switch
        id="rule-guests"
        label="Guests may ask questions"
        checked={Boolean(value("guestQuestions", true))}
        disabled={disabled}
        onChange={(on) => change("guestQuestions", on)}
      />
      <div class="field">
        <label for="rule-slow">Chat slow mode</label>
        <select
          id="rule-slow"
          value={String(ms)}
          disabled={disabled}
          onChange={(e) => change("chatSlowModeMs", Number(e.currentTarget.value))}
        >
          {offered.map((v) => (
            <option key={v} value={String(v)}>
              {v ? `One message every ${duration(v)}` : "Off"}
            </option>
          ))}
        </select>
      </div>
      <p class="rules-status" role="status" data-testid="rules-status">
        {said}
      </p>
      <p class="error" role="alert">
        {error}
      </p>
    </fieldset>
  );
}
