// The pages' hooks: following the store, keeping keyboard focus where it was
// across updates, one Tab stop per list, and a clock for countdowns.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

// Renders again on every change of the store. The element that had focus
// when the change came keeps it: a keyed list may move a row (a vote
// reorders the questions), and moving a node in the DOM drops its focus.
// A control the change removed (Promote, once promoted) hands the focus to
// its row.
export function useStore(store) {
  const [version, setVersion] = useState(store.version);
  const focused = useRef(null);
  useEffect(
    () =>
      store.subscribe(() => {
        if (!focused.current) {
          const el = document.activeElement;
          focused.current = { el, row: el?.closest?.("[data-key]") };
        }
        setVersion(store.version);
      }),
    [store],
  );
  useLayoutEffect(() => {
    const { el, row } = focused.current ?? {};
    focused.current = null;
    if (!el || el === document.body || document.activeElement === el) return;
    if (el.isConnected) el.focus({ preventScroll: true });
    else if (row?.isConnected && document.activeElement === document.body) row.focus({ preventScroll: true });
  }, [version]);
  return version;
}

// Where the keyboard goes when what had it is gone (a dialog's opener
// removed by the dialog's action): the nearest of `places` still in the
// page, a list's active row before the list.
export function refocus(places) {
  for (const p of places) {
    if (!p?.isConnected) continue;
    const target = p.matches("[data-key]") ? p : (p.querySelector(':scope > [data-key][tabindex="0"]') ?? p);
    if (!target.matches("button, input, select, textarea, a[href], [tabindex]")) target.tabIndex = -1;
    target.focus({ preventScroll: false });
    if (document.activeElement === target) return; // else disabled: the next
  }
}

// One Tab stop for a list of rows: the active row (and the controls in it)
// are reachable with Tab, the others with the arrow keys, Home and End. When
// the focused row leaves the list (a question approved moves to another
// tab), focus goes to the row now in its place, never to the page's body.
// Rows carry data-key; returns the active key and the list's props.
// `fromEnd`: before any row was active, the last one is (the newest chat).
export function useRoving(keys, { fromEnd = false } = {}) {
  const [active, setActive] = useState(null);
  const listRef = useRef(null);
  const lastIndex = useRef(-1);
  const hadFocus = useRef(false);
  const start = lastIndex.current >= 0 ? lastIndex.current : fromEnd ? keys.length - 1 : 0;
  const untouched = fromEnd && lastIndex.current < 0;
  const current =
    keys.includes(active) && !untouched ? active : (keys[Math.min(Math.max(start, 0), keys.length - 1)] ?? null);

  const focusKey = useCallback((key) => {
    setActive(key);
    const el = listRef.current?.querySelector(`[data-key="${CSS.escape(String(key))}"]`);
    el?.focus();
  }, []);

  useLayoutEffect(() => {
    if (current !== active) setActive(current);
    if (!hadFocus.current || document.activeElement !== document.body) return;
    // The focused row went away: its neighbour takes the focus.
    if (current !== null) focusKey(current);
    else listRef.current?.focus();
  });

  const onKeyDown = (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const i = keys.indexOf(current);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: keys.length - 1 }[e.key];
    if (to === undefined || !keys.length) return;
    // Only from a row itself: inside a text field the keys are the field's.
    if (!e.target.matches("[data-key]")) return;
    e.preventDefault();
    focusKey(keys[Math.max(0, Math.min(keys.length - 1, to))]);
  };
  const onFocusIn = (e) => {
    hadFocus.current = true;
    const rowEl = e.target.closest("[data-key]");
    if (!rowEl) return;
    const key = keys.find((k) => String(k) === rowEl.dataset.key);
    if (key !== undefined) {
      lastIndex.current = keys.indexOf(key);
      if (key !== active) setActive(key);
    }
  };
  const onFocusOut = (e) => {
    // Focus moved elsewhere on the page (not lost with a removed row).
    if (e.relatedTarget && !listRef.current?.contains(e.relatedTarget)) hadFocus.current = false;
  };
  // A press outside the list lets its focus go, even on the page's
  // background (where focus moves to nothing): the list does not take it
  // back at the next update.
  useEffect(() => {
    const onPress = (e) => {
      if (!listRef.current?.contains(e.target)) hadFocus.current = false;
    };
    document.addEventListener("pointerdown", onPress, true);
    return () => document.removeEventListener("pointerdown", onPress, true);
  }, []);
  return { active: current, listProps: { ref: listRef, onKeyDown, onFocusIn, onFocusOut, tabIndex: -1 } };
}

// The time, refreshed every second while `on`.
export function useNow(on) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return undefined;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}
