// The stage view, for the panelists' screen: the question being answered,
// as large as fits the screen whatever its length.

import { useLayoutEffect, useRef } from "preact/hooks";
import { Asker, ForWhom, UserText } from "./text.jsx";

// The largest font size (px, within these bounds) at which `el` fits its
// box, found by halving: a 500-character question fits, a short one fills.
const MIN_PX = 16;
const MAX_PX = 160;
function fit(el, box) {
  let lo = MIN_PX;
  let hi = MAX_PX;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    el.style.fontSize = `${mid}px`;
    if (el.scrollHeight <= box.clientHeight && el.scrollWidth <= box.clientWidth) lo = mid;
    else hi = mid;
  }
  el.style.fontSize = `${lo}px`;
}

export function StagePage({ store }) {
  // After the end nothing is being answered, whatever was highlighted last.
  const q = store.info.ended ? null : store.answering();
  const box = useRef(null);
  const text = useRef(null);
  useLayoutEffect(() => {
    if (!text.current) return undefined;
    const refit = () => fit(text.current, box.current);
    refit();
    addEventListener("resize", refit);
    return () => removeEventListener("resize", refit);
  }, [q?.id, q?.text]);
  return (
    <main class="stage" data-testid="stage">
      <h1 class="panel-title" dir="auto">
        {store.info.title || store.panelId}
      </h1>
      {q ? (
        <>
          <div class="stage-box" ref={box}>
            <div ref={text} class="stage-question">
              <UserText as="blockquote" text={q.text} />
            </div>
          </div>
          <p class="stage-asker">
            {/* The panelists' screen is seen by all: an anonymous asker stays so,
                even on a stage opened with a moderator's token. */}
            — {q.anonymous ? <span>an attendee</span> : <Asker q={q} />}
            <ForWhom q={q} />
          </p>
        </>
      ) : (
        <p class="stage-waiting">{store.info.ended ? "Thank you for joining." : "Waiting for the next question…"}</p>
      )}
    </main>
  );
}
