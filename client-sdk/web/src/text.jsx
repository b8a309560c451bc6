// What people wrote, and who they are, as the pages show them. Text always
// goes in as text (Preact never parses it as HTML); its direction is the
// text's own (dir="auto"), so a right-to-left name or message neither
// reverses its neighbours nor is reversed by them.

import { Role } from "../../js/src/client.js";

const ROLE_NAMES = { [Role.MODERATOR]: "Moderator", [Role.PANELIST]: "Panelist" };

// http(s) addresses only: a "javascript:" or "data:" text stays text.
const LINK = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that ends a sentence rather than the address.
const TRAILING = /[.,;:!?)\]}]+$/;

function linkParts(text) {
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(LINK)) {
    const url = m[0].replace(TRAILING, "");
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) continue;
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push(
      <a href={url} rel="noopener noreferrer nofollow" target="_blank">
        {url}
      </a>,
    );
    at = m.index + url.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

// A person's text: links clickable, direction isolated.
export function UserText({ text, class: cls, as: Tag = "span", id }) {
  return (
    <Tag class={cls} dir="auto" id={id}>
      {linkParts(text)}
    </Tag>
  );
}

// A link out of the page the relay was given (a forum post): http(s) only,
// and the forum gets neither our page's address nor a handle on it.
export function OutLink({ url, children }) {
  if (!/^https?:\/\//.test(url ?? "")) return null;
  return (
    <a href={url} rel="noopener noreferrer nofollow" target="_blank">
      {children}
    </a>
  );
}

// A participant's name and, for moderators and panelists, a badge saying so
// in words (not colour alone): the relay refuses those roles' names to
// guests, so the badge is what tells the real one.
export function Person({ p, fallback = "" }) {
  const name = p?.displayName || fallback;
  const role = ROLE_NAMES[p?.role];
  return (
    <span class="person">
      <bdi>{name}</bdi>
      {role ? " " : null}
      {role ? <span class={`badge badge-${role.toLowerCase()}`}>{role}</span> : null}
    </span>
  );
}

// Who asked: a name, or "an attendee". An anonymous asker's name reaches only
// the moderators and the asker, each told so in words: a moderator sees it
// marked (not to be read out), the asker that nobody else sees it.
export function Asker({ q, own = false }) {
  if (!q.asker?.displayName) return <span>an attendee</span>;
  if (!q.anonymous) return <Person p={q.asker} />;
  return (
    <span>
      <Person p={q.asker} />{" "}
      <span class="badge badge-anonymous">{own ? "anonymous: only moderators see your name" : "anonymous"}</span>
    </span>
  );
}

// The panelist a question is for, after `lead` (", for "), when it names one.
export function ForWhom({ q, lead = ", for " }) {
  if (!q.addressedTo) return null;
  return (
    <>
      {lead}
      <bdi>{q.addressedTo}</bdi>
    </>
  );
}

export function Time({ ms }) {
  const d = new Date(Number(ms));
  return (
    <time class="time" dateTime={d.toISOString()}>
      {d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
    </time>
  );
}

export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
