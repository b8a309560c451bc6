// The attendee's page: the chat beside the questions on a desktop, one of
// them at a time (two tabs) on a phone.

import { memo } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { QuestionState } from "../../js/src/client.js";
import { ChatForm, ChatLog } from "./chat.jsx";
import { AskForm, AttendeeQuestions } from "./questions.jsx";
import { rulesNotice } from "./rules.jsx";
import { Banner, Header, NowAnswering } from "./shell.jsx";
import { TabList } from "./tabs.jsx";
import { OutLink } from "./text.jsx";

// The width below which the page shows one pane at a time (the CSS's).
const PHONE = "(max-width: 47.99rem)";

export function useMedia(query) {
  const [matches, setMatches] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const m = matchMedia(query);
    const on = () => setMatches(m.matches);
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, [query]);
  return matches;
}

function Ended({ store }) {
  const continued = [...store.questions.values()].filter((q) => q.forumUrl && q.text);
  const thread = store.info.forumThreadUrl;
  return (
    <section class="ended" aria-labelledby="ended-h" data-testid="ended">
      <h2 id="ended-h">Thank you for joining</h2>
      <p>
        The panel has ended. The questions it had no time for continue in{" "}
        {thread ? <OutLink url={thread}>the panel's thread in the forum</OutLink> : "the forum"}
        {continued.length ? ":" : ", where the moderators post them after the panel."}
      </p>
      {continued.length ? (
        <ul>
          {continued.map((q) => (
            <li key={String(q.id)}>
              <OutLink url={q.forumUrl}>
                <bdi>{q.text}</bdi>
              </OutLink>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

// A live region: rendered only when its text changes.
const RulesNotice = memo(function RulesNotice({ text }) {
  return (
    <p class="notice" role="status" data-testid="rules-notice" hidden={!text}>
      {text}
    </p>
  );
});

export function AttendeePage({ store, client }) {
  const phone = useMedia(PHONE);
  const [tab, setTab] = useState("chat");
  const notice = rulesNotice(store);
  const open = [...store.questions.values()].filter(
    (q) => q.text && (q.state === QuestionState.OPEN || q.state === QuestionState.ANSWERING),
  ).length;
  const tabs = [
    ["chat", "Chat"],
    ["qa", `Q&A (${open})`],
  ];
  const pane = (id, label) =>
    phone
      ? { id: `pane-${id}`, role: "tabpanel", "aria-labelledby": `tab-${id}`, hidden: tab !== id }
      : { id: `pane-${id}`, "aria-label": label };
  return (
    <>
      <Header store={store} role="Attendee" />
      <Banner store={store} />
      <main class="attendee">
        {store.info.ended ? <Ended store={store} /> : null}
        <NowAnswering store={store} />
        <RulesNotice text={notice} />
        {phone ? (
          <TabList
            class="phone-tabs"
            label="Chat or questions"
            tabs={tabs.map(([id, label]) => [id, label, `tab-${id}`])}
            selected={tab}
            onSelect={setTab}
            controls={(id) => `pane-${id}`}
          />
        ) : null}
        <div class="columns">
          <section class="pane pane-chat" {...pane("chat", "Chat")}>
            <h2>Chat</h2>
            <ChatLog store={store} client={client} />
            <ChatForm store={store} client={client} />
          </section>
          <section class="pane pane-qa" {...pane("qa", "Questions")}>
            <h2>Questions</h2>
            {/* Ended, there is nothing left to ask here: the Ended section says where to go on. */}
            {store.info.ended ? null : <AskForm store={store} client={client} />}
            <AttendeeQuestions store={store} client={client} />
          </section>
        </div>
      </main>
    </>
  );
}
