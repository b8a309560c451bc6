// A row of tabs (WAI-ARIA tabs pattern): one Tab stop, the selected tab;
// arrows, Home and End move the selection and the focus with it, wrapping.

// `tabs`: [[key, label, domId]]; `controls(key)`: the id of the panel a tab
// shows.
export function TabList({ label, class: cls, tabs, selected, onSelect, controls }) {
  const onKeyDown = (e) => {
    const i = tabs.findIndex(([key]) => key === selected);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const [key, , domId] = tabs[(to + tabs.length) % tabs.length];
    onSelect(key);
    document.getElementById(domId)?.focus();
  };
  return (
    <div class={cls} role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {tabs.map(([key, text, domId]) => (
        <button
          key={String(key)}
          type="button"
          role="tab"
          id={domId}
          aria-selected={String(key === selected)}
          aria-controls={controls(key)}
          tabIndex={key === selected ? 0 : -1}
          onClick={() => onSelect(key)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}
