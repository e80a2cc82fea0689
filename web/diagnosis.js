// The diagnosis panel: live findings from diagnose() with the remedy in words
// and a button that applies it to the setup.
import { presets } from '../js/presets.js';
import { h, replaceChildren } from './dom.js';
import { stateFromPreset } from './state.js';

const hidden = (state, f) => ({ ...state, layers: state.layers.map(f) });

/** A new state with the usual remedy for a finding applied. */
export function applyRemedy(state, finding) {
  // a preset's own remedy is the precise cure for the failure it demonstrates
  const [name, side] = state.preset.split(':');
  if (presets[name]?.remedy && side !== 'remedy' && presets[name].expect === finding.kind) {
    return { ...stateFromPreset(name, 'remedy', state), speed: state.speed };
  }
  const s = { ...state, preset: '' };
  switch (finding.kind) {
    case 'vanishing-gradients':
      if (s.layers.some((l) => l.dropout >= 1)) return hidden(s, (l) => ({ ...l, dropout: l.dropout >= 1 ? 0.2 : l.dropout }));
      return { ...hidden(s, (l) => ({ ...l, activation: l.activation === 'sigmoid' || l.activation === 'tanh' ? 'relu' : l.activation })), init: 'he' };
    case 'exploding-gradients':
    case 'non-finite':
      return { ...hidden(s, (l) => ({ ...l, batchNorm: true })), learningRate: s.learningRate / 10, clipNorm: s.clipNorm || 1 };
    case 'dead-relu':
      return { ...hidden(s, (l) => ({ ...l, activation: l.activation === 'relu' ? 'leaky-relu' : l.activation })), learningRate: Math.min(s.learningRate, 0.05), init: 'he' };
    case 'saturation':
      return { ...hidden(s, (l) => ({ ...l, batchNorm: true })), init: 'xavier' };
    case 'overfitting':
      return { ...hidden(s, (l) => ({ ...l, dropout: Math.max(l.dropout, 0.5) })), weightDecay: s.weightDecay || 1e-3 };
    default:
      return s;
  }
}

const title = (f) => `${f.severity === 'critical' ? '✗' : '!'} ${String(f.kind).replace(/-/g, ' ')}`;

/** the two parts of the panel: messages (errors, notes) that findings never replace, and the findings */
export function panelParts(el) {
  let messages = el.querySelector(':scope > .messages');
  let list = el.querySelector(':scope > .finding-list');
  if (!messages || !list) {
    messages = h('div', { className: 'messages' });
    list = h('div', { className: 'finding-list' });
    replaceChildren(el, messages, list);
  }
  return { messages, list };
}

/**
 * Shows diagnose() findings. The list is rebuilt only when the set of findings
 * (their kinds) changes; otherwise the live numbers in each finding's text are
 * updated in place, so a button under the pointer or with keyboard focus stays
 * the same element. `announce` (an aria-live region) hears about new findings
 * only, not every number. All finding text is set as text.
 */
export function renderFindings(el, findings, { onApply, trained, announce = null }) {
  const { list } = panelParts(el);
  el.findings = findings;
  el.onApplyFinding = onApply;
  const key = trained ? (findings.length ? findings.map((f) => f.kind).join('|') : 'healthy') : 'untrained';
  const previous = list.dataset.key ?? '';
  if (previous !== key) {
    list.dataset.key = key;
    if (!trained) replaceChildren(list, h('p', { className: 'ok' }, 'Train the network to see a diagnosis.'));
    else if (findings.length === 0) replaceChildren(list, h('p', { className: 'ok', dataset: { kind: 'healthy' } }, '✓ No failure case found: gradients flow through every layer, units are alive, test loss follows train loss.'));
    else {
      replaceChildren(
        list,
        findings.map((f) => {
          const button = h('button', { type: 'button', className: 'apply', dataset: { apply: String(f.kind) } }, 'Apply remedy');
          button.addEventListener('click', () => {
            const current = (el.findings ?? []).find((x) => x.kind === f.kind);
            if (current) el.onApplyFinding?.(current);
          });
          return h(
            'div',
            { className: 'finding', dataset: { kind: String(f.kind) } },
            h('strong', { className: 'title' }),
            h('span', { className: 'layers' }),
            h('p', { className: 'message' }),
            h('p', { className: 'remedy' }),
            button,
          );
        }),
      );
    }
    if (announce && trained) {
      const before = new Set(previous.split('|'));
      const fresh = findings.filter((f) => !before.has(f.kind));
      if (fresh.length) announce.textContent = `New finding: ${fresh.map((f) => String(f.kind).replace(/-/g, ' ')).join(', ')}. ${fresh[0].remedy ? `Remedy: ${fresh[0].remedy}` : ''}`;
      else if (!findings.length && previous && previous !== 'untrained' && previous !== 'healthy') announce.textContent = 'No failure case found any more.';
    }
  }
  if (!trained || !findings.length) return;
  // same findings: their text follows the numbers, the elements stay
  const nodes = list.querySelectorAll(':scope > .finding');
  findings.forEach((f, i) => {
    const node = nodes[i];
    if (!node) return;
    const set = (selector, text) => {
      const part = node.querySelector(selector);
      if (part.textContent !== text) part.textContent = text;
    };
    node.className = `finding ${f.severity === 'critical' ? 'critical' : 'warning'}`;
    set('.title', title(f));
    set('.layers', Array.isArray(f.layers) && f.layers.length ? ` layers ${f.layers.join(', ')}` : '');
    set('.message', String(f.message ?? ''));
    set('.remedy', `Remedy: ${String(f.remedy ?? '')}`);
  });
}
