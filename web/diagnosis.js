// The diagnosis panel: live findings from diagnose() with the remedy in words
// and a button that applies it to the setup.
import { presets } from '../js/presets.js';
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

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export function renderFindings(el, findings, { onApply, trained }) {
  // unchanged findings keep their DOM: no flicker, and a focused button stays focused
  const signature = JSON.stringify([trained, findings.map((f) => [f.kind, f.severity, f.layers, f.message])]);
  if (el.dataset.signature === signature) return;
  el.dataset.signature = signature;
  if (!trained) {
    el.innerHTML = '<p class="ok">Train the network to see a diagnosis.</p>';
    return;
  }
  if (findings.length === 0) {
    el.innerHTML = '<p class="ok" data-kind="healthy">✓ No failure case found: gradients flow through every layer, units are alive, test loss follows train loss.</p>';
    return;
  }
  el.innerHTML = findings
    .map(
      (f, i) => `<div class="finding ${f.severity}" data-kind="${f.kind}">
        <strong>${f.severity === 'critical' ? '✗' : '!'} ${escape(f.kind.replace('-', ' '))}</strong>${f.layers.length ? ` <span class="layers">layers ${f.layers.join(', ')}</span>` : ''}
        <p>${escape(f.message)}</p>
        <p class="remedy">Remedy: ${escape(f.remedy)}</p>
        <button type="button" data-apply="${i}">Apply remedy</button>
      </div>`,
    )
    .join('');
  el.querySelectorAll('button[data-apply]').forEach((button) => {
    button.addEventListener('click', () => onApply(findings[Number(button.dataset.apply)]));
  });
}
