// What the page says: errors and notes beside the diagnosis (the newest few,
// cleared with each new setup by main.js), and the status line in the bar.
import { panelParts } from './diagnosis.js';
import { h } from './dom.js';

const $ = (id) => document.getElementById(id);
const KEEP = 3; // the newest few, not a growing pile

function say(className, message, attrs) {
  const { messages } = panelParts($('findings'));
  messages.prepend(h('p', { className, attrs }, String(message)));
  while (messages.children.length > KEEP) messages.lastChild.remove();
}

export const showError = (message) => say('error', message, { role: 'alert' });
export const showNote = (message) => say('note', message);

/** a new setup: what was said belonged to the one before */
export const clearNotes = () => panelParts($('findings')).messages.replaceChildren();

export function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error && text !== '');
}
