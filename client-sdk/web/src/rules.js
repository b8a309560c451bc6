// The panel's rules in the pages: the moderator's controls that switch them
// (pre-moderation, guest questions, chat slow mode) and the short notice
// attendees see while a rule limits them. Both follow state.info.rules,
// from the Welcome and from every panel_rules event.

import { Role } from "../../js/src/client.js";
import { h } from "./dom.js";

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
// Returns the element and update(), to call on every state change.
export function rulesControls(state, client) {
  const send = (rules) => client.setPanelRules(rules);
  const premod = h("input", { type: "checkbox", id: "rule-premod", name: "preModeration" });
  const guests = h("input", { type: "checkbox", id: "rule-guests", name: "guestQuestions" });
  const slow = h("select", { id: "rule-slow", name: "chatSlowModeMs" });
  const announce = h("p", { class: "rules-status", role: "status", "aria-live": "polite", "data-testid": "rules-status" });
  const error = h("p", { class: "error", role: "alert" });
  const el = h(
    "fieldset",
    { class: "rules", "data-testid": "rules" },
    h("legend", {}, "Panel rules"),
    h("div", { class: "field checkbox" }, h("label", { for: "rule-premod" }, "Hold new questions for approval"), premod),
    h("div", { class: "field checkbox" }, h("label", { for: "rule-guests" }, "Guests may ask questions"), guests),
    h("div", { class: "field" }, h("label", { for: "rule-slow" }, "Chat slow mode"), slow),
    announce,
    error,
  );

  let shown = null; // the rules last announced
  // Rules this page changed and the relay has not yet acked, by name: the
  // event of an earlier change still carries their old value, which must
  // not undo the moderator's click.
  const pending = new Map();
  function update() {
    const r = state.info.rules;
    for (const c of [premod, guests, slow]) c.disabled = !r || state.info.ended;
    if (!r) return;
    if (!pending.has("preModeration")) premod.checked = Boolean(r.preModeration);
    if (!pending.has("guestQuestions")) guests.checked = Boolean(r.guestQuestions);
    const ms = pending.has("chatSlowModeMs") ? Number(slow.value) : r.chatSlowModeMs ?? 0;
    // Another moderator may have chosen an interval not offered here.
    const offered = SLOW_MODES.includes(ms) ? SLOW_MODES : [...SLOW_MODES, ms].sort((a, b) => a - b);
    if ([...slow.options].map((o) => o.value).join() !== offered.join())
      slow.replaceChildren(...offered.map((v) => h("option", { value: String(v) }, v ? `One message every ${duration(v)}` : "Off")));
    slow.value = String(ms);
    const summary = rulesSummary(r);
    if (shown !== null && summary !== shown) announce.textContent = `Rules now: ${summary}.`;
    shown = summary;
  }

  async function change(rules) {
    const [name] = Object.keys(rules);
    pending.set(name, (pending.get(name) ?? 0) + 1);
    error.textContent = "";
    try {
      await send(rules);
    } catch (e) {
      error.textContent = `${e.codeName ?? "ERROR"}: ${e.message}`;
    } finally {
      const left = pending.get(name) - 1;
      if (left > 0) pending.set(name, left);
      else pending.delete(name);
      // Acked after its own event: the rules shown are the relay's now.
      update();
    }
  }
  premod.addEventListener("change", () => change({ preModeration: premod.checked }));
  guests.addEventListener("change", () => change({ guestQuestions: guests.checked }));
  slow.addEventListener("change", () => change({ chatSlowModeMs: Number(slow.value) }));
  update();
  return { el, update };
}
