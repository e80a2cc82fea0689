// Building DOM without markup. Every string the page shows that is not a
// constant of this code (CSV headers and labels, file names, model fields, URL
// keys, library messages) reaches the document as a text node or a DOM
// property, never through innerHTML: a file cannot add elements or scripts.

/**
 * h('div', { className: 'x', dataset: { kind: k }, attrs: { 'aria-label': t } }, child, 'text', …)
 * Properties are assigned as DOM properties (text stays text); `attrs` go
 * through setAttribute, which refuses event-handler names; strings among the
 * children become text nodes.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key === 'attrs') for (const [name, v] of Object.entries(value)) setAttr(el, name, v);
    else if (/^on/i.test(key)) throw new Error(`dom.h: ${key} is an event handler; use addEventListener`);
    else el[key] = value;
  }
  append(el, children);
  return el;
}

export function setAttr(el, name, value) {
  if (/^on/i.test(name) || /^(src|href|srcdoc|style)$/i.test(name)) throw new Error(`dom.setAttr: ${name} is not set from values`);
  el.setAttribute(name, String(value));
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** replaces an element's children with the given nodes / texts */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** fills a <select> with options: values and labels are text (new Option) */
export function setOptions(select, values, labels = {}) {
  const keep = select.value;
  select.replaceChildren(...values.map((v) => new Option(String(labels[v] ?? v), String(v))));
  if (values.map(String).includes(keep)) select.value = keep;
}
