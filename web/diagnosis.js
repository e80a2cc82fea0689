// The diagnosis panel: live findings from diagnose() with the remedy in words
// and a button per single-change remedy, from the library's one catalogue
// (remediesFor), applied with the library's applyChanges.
import { FINDINGS } from '../js/findings.js';
import { remediesFor as libraryRemedies } from '../js/remedies.js';
import { presets } from '../js/presets.js';
import { h, replaceChildren } from './dom.js';
import { applyChanges, stateFromPreset } from './state.js';

/** the preset whose failure this state is, or null */
const presetFailure = (state) => (state.preset && !state.preset.includes(':') && Object.hasOwn(presets, state.preset) ? state.preset : null);

/**
 * The remedies the page offers for a finding: a change of the data the
 * diagnosis names first (scale the target, standardize the inputs), then the
 * library's list for this config (exactly one marked the seed's).
 */
export function remediesFor(state, finding) {
  const data = [];
  if (finding.evidence?.targetScale && !state.data.standardizeTarget) data.push({ id: 'standardize-target', label: 'standardize the target', seed: false, data: { standardizeTarget: true } });
  if (finding.evidence?.inputScale && !state.data.standardize) data.push({ id: 'standardize-inputs', label: 'standardize the inputs', seed: false, data: { standardize: true } });
  return [...data, ...libraryRemedies(state.config, finding.kind, { preset: presetFailure(state) })];
}

/**
 * A new state with one remedy (by id; default the seed's) applied, or null.
 * A preset's own remedy opens that run of the preset; any other changes the
 * config through applyChanges. Either keeps the run's length (fit.epochs).
 */
export function applyRemedy(state, finding, id = null) {
  const list = remediesFor(state, finding);
  const remedy = (id && list.find((r) => r.id === id)) || list.find((r) => r.seed) || list[0];
  if (!remedy) return null;
  const name = presetFailure(state);
  // the preset's own remedy (same id, same changes), under whichever finding it was offered: that run of the preset
  const own = name && presets[name].remedies.some((r) => r.id === remedy.id && JSON.stringify(r.changes) === JSON.stringify(remedy.changes));
  const next = remedy.data
    ? { ...state, data: { ...state.data, ...remedy.data }, preset: '' }
    : own
      ? { ...stateFromPreset(name, remedy.id, state), view: state.view }
      : applyChanges(state, remedy.changes);
  next.fit = { ...next.fit, epochs: state.fit.epochs };
  return { state: next, remedy };
}

const CHANGE_NAMES = { activation: 'activation', batchNorm: 'batch norm', dropout: 'dropout', learningRate: 'learning rate', weightDecay: 'L2', init: 'init', clipNorm: 'clip norm', standardize: 'standardize inputs', standardizeTarget: 'standardize the target' };

/** a remedy's change in a state, as a person reads it ("dropout 1 → 0.2") */
function valueOf(s, key) {
  if (key === 'standardize' || key === 'standardizeTarget') return s.data[key] ? 'on' : 'off';
  if (['activation', 'batchNorm', 'dropout'].includes(key)) return [...new Set(s.config.layers.slice(0, -1).map((l) => String(l[key])))].join('/');
  if (key === 'learningRate' || key === 'weightDecay') return String(s.config.optimizer[key]);
  if (key === 'init') return s.config.init.type === 'normal' ? `normal(std ${s.config.init.std})` : s.config.init.type;
  return String(s.config[key]);
}

/** "learning rate 3 → 0.3, …": what a remedy changed between two states */
export const describeChange = (before, after, keys) => keys.map((k) => `${CHANGE_NAMES[k] ?? k} ${valueOf(before, k)} → ${valueOf(after, k)}`).join(', ');

/** a finding's title from the library's catalogue of findings */
export const findingTitle = (f) => `${f.severity === 'critical' ? '✗' : '!'} ${Object.hasOwn(FINDINGS, f.kind) ? FINDINGS[f.kind].title : String(f.kind)}`;

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
export function renderFindings(el, findings, { onApply, trained, announce = null, remedies = () => [] }) {
  const { list } = panelParts(el);
  el.findings = findings;
  el.onApplyFinding = onApply;
  const offered = findings.map((f) => remedies(f));
  const key = trained ? (findings.length ? findings.map((f, i) => `${f.kind}:${offered[i].map((r) => r.id).join(',')}`).join('|') : 'healthy') : 'untrained';
  const previous = list.dataset.key ?? '';
  if (previous !== key) {
    list.dataset.key = key;
    if (!trained) replaceChildren(list, h('p', { className: 'ok' }, 'Train the network to see a diagnosis.'));
    else if (findings.length === 0) replaceChildren(list, h('p', { className: 'ok', dataset: { kind: 'healthy' } }, '✓ No failure case found: gradients flow through every layer, units are alive, test loss follows train loss.'));
    else {
      replaceChildren(
        list,
        findings.map((f, i) => {
          // one button per single-change remedy, the seed's first; with none, nothing to apply
          const buttons = offered[i].map((r) => {
            const button = h(
              'button',
              { type: 'button', className: `apply${r.seed ? ' seed' : ''}`, dataset: { apply: String(f.kind), remedy: r.id }, title: `Change only this: ${r.label}` },
              `Apply: ${r.label}${r.seed ? " (the seed's remedy)" : ''}`,
            );
            button.addEventListener('click', () => {
              const current = (el.findings ?? []).find((x) => x.kind === f.kind);
              if (current) el.onApplyFinding?.(current, r.id);
            });
            // its effect measured in the background before it is clicked (filled in by the page)
            const id = `measured-${String(f.kind)}-${r.id}`.replace(/[^\w-]/g, '_');
            button.setAttribute('aria-describedby', id);
            return h('div', { className: 'remedy-option' }, button, h('span', { className: 'measured', id, dataset: { kind: String(f.kind), label: r.label } }));
          });
          return h(
            'div',
            { className: 'finding', dataset: { kind: String(f.kind) } },
            h('strong', { className: 'title' }),
            h('span', { className: 'layers' }),
            h('p', { className: 'message' }),
            h('p', { className: 'remedy' }),
            buttons.length ? h('div', { className: 'remedies', attrs: { role: 'group', 'aria-label': 'Remedies, each changes one thing' } }, buttons) : null,
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
    set('.title', findingTitle(f));
    set('.layers', Array.isArray(f.layers) && f.layers.length ? ` layers ${f.layers.join(', ')}` : '');
    set('.message', String(f.message ?? ''));
    set('.remedy', `Remedy: ${String(f.remedy ?? '')}`);
  });
}
