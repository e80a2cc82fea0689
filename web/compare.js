// Compare mode: what trains beside this setup, dashed. Each mode is one change
// of the setup (through the library's applyChanges where it is a remedy's
// kind of change), a preset's other run, or the run before a remedy.
import { presets } from '../js/presets.js';
import { applyChanges, hiddenLayers, stateFromPreset } from './state.js';

const lr = (state) => state.config.optimizer.learningRate;
const rate = (v) => Number(v.toPrecision(7));

/** per mode: (state) -> the comparison's state, or a string saying why there is none */
const MODES = {
  'lr-div10': (s) => applyChanges(s, { learningRate: rate(lr(s) / 10) }),
  'lr-times10': (s) => (lr(s) * 10 > 10 ? 'the learning rate ×10 is beyond the page’s limit of 10' : applyChanges(s, { learningRate: rate(lr(s) * 10) })),
  'dropout-0': (s) => applyChanges(s, { dropout: 0 }),
  'dropout-0.5': (s) => applyChanges(s, { dropout: 0.5 }),
  relu: (s) => applyChanges(s, { activation: 'relu', init: 'he' }),
  sigmoid: (s) => applyChanges(s, { activation: 'sigmoid' }),
  batchnorm: (s) => (hiddenLayers(s).some((l) => l.layerNorm) ? 'this setup uses layer norm; a layer has one normalization (switch its norm to batch norm in the layer editor)' : applyChanges(s, { batchNorm: true })),
};

/**
 * The comparison's state for a mode: { state }, { error } (why it cannot run),
 * or null when compare is off. before: the run a remedy was applied to.
 */
export function compareState(mode, state, before) {
  if (!mode) return null;
  const [name, side = 'failure'] = state.preset.split(':');
  const isPreset = Object.hasOwn(presets, name);
  let b;
  if (mode === 'remedy') {
    if (!isPreset || !presets[name].remedy) return { error: "this setup is not a preset with a remedy (choose a preset, or compare with a change such as 'learning rate ÷10')" };
    if (side !== 'failure') return { error: "this run already is a remedy; it would be compared with itself (compare with 'the run before the remedy')" };
    b = { ...stateFromPreset(name, 'remedy', state), view: state.view };
  } else if (mode === 'before') {
    // a preset remedy's "before" is the preset's failure, also when opened from a link
    b = before ?? (isPreset && side !== 'failure' ? { ...stateFromPreset(name, 'failure', state), view: state.view } : null);
    if (!b) return { error: 'there is no run before a remedy here (apply a remedy from the diagnosis first)' };
  } else if (Object.hasOwn(MODES, mode)) {
    b = MODES[mode](state);
    if (typeof b === 'string') return { error: b };
    b = { ...b, fit: state.fit };
  } else return { error: `unknown comparison ${mode}` };
  // the gradient chart overlays layer by layer: the comparison must have the same depth
  const depth = (s) => s.config.layers.length;
  if (depth(b) !== depth(state)) return { error: `the comparison has ${depth(b) - 1} hidden layers and this setup ${depth(state) - 1}; the charts overlay layer by layer, so both need the same depth` };
  return { state: b };
}
