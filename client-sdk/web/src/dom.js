// Building the pages' elements. Text always goes in as text nodes, never as
// HTML: what people type shows as typed.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else if (value !== false && value != null) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Replaces the children of `el`, leaving out the absent ones.
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c != null && c !== false));
}

// A labelled form that calls `submit(values)` and clears its text fields
// when the promise it returns resolves.
export function form(label, fields, button, submit) {
  const inputs = {};
  const error = h("p", { class: "error", role: "alert" });
  const el = h(
    "form",
    { "aria-label": label },
    fields.map((f) => {
      const id = `${label}-${f.name}`.replace(/\W+/g, "-");
      const input =
        f.type === "checkbox"
          ? h("input", { id, type: "checkbox", name: f.name })
          : f.type === "select"
            ? h("select", { id, name: f.name }, f.options.map(([value, text]) => h("option", { value }, text)))
            : h("input", { id, type: "text", name: f.name, placeholder: f.placeholder ?? "", autocomplete: "off" });
      inputs[f.name] = input;
      return h("div", { class: `field ${f.type ?? "text"}` }, h("label", { for: id }, f.label), input);
    }),
    h("button", { type: "submit" }, button),
    error,
  );
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = Object.fromEntries(
      Object.entries(inputs).map(([k, i]) => [k, i.type === "checkbox" ? i.checked : i.value]),
    );
    error.textContent = "";
    try {
      await submit(values);
      // Only what was sent is cleared: text typed while the ack was on its
      // way (the next message) stays.
      // A choice goes back to its default for the next one (an anonymous
      // question does not make the next one anonymous).
      for (const [k, i] of Object.entries(inputs)) {
        if (i.type === "checkbox") {
          if (i.checked === values[k]) i.checked = false;
        } else if (i.value === values[k]) {
          i.value = i.tagName === "SELECT" ? i.options[0].value : "";
        }
      }
    } catch (err) {
      error.textContent = err.codeName ? `${err.codeName}: ${err.message}` : String(err.message ?? err);
    }
  });
  return el;
}

export function time(ms) {
  return new Date(Number(ms)).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
