// Playground state: everything a user can set, its defaults, how a preset maps
// onto it, how it becomes a network config, and how it lives in the URL hash.
import { presets } from '../js/presets.js';

export const DATASETS_2D = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'regressionPlane', 'regressionGaussian'];
export const REGRESSION = ['regressionPlane', 'regressionGaussian'];
export const ACTIVATIONS = ['relu', 'leaky-relu', 'tanh', 'sigmoid', 'linear'];
export const INITS = ['he', 'xavier', 'lecun', 'pytorch', 'normal', 'zeros'];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'];
export const SPEEDS = [1, 2, 5, 10, 30, 100, 0]; // epochs per second; 0 = as fast as possible

export function defaultState() {
  return {
    dataset: 'circle',
    samples: 400,
    noise: 0.05,
    testRatio: 0.5,
    labelNoise: 0,
    layers: [
      { units: 8, activation: 'relu', batchNorm: false, dropout: 0 },
      { units: 8, activation: 'relu', batchNorm: false, dropout: 0 },
    ],
    loss: 'bce',
    init: 'he',
    initStd: 0.1,
    optimizer: 'adam',
    learningRate: 0.01,
    weightDecay: 0,
    clipNorm: 0,
    batchSize: 20,
    seed: 1,
    speed: 10,
    preset: '',
  };
}

/** losses that make sense for a dataset; the first is the default */
export function lossesFor(dataset) {
  if (REGRESSION.includes(dataset)) return ['mse'];
  if (dataset === 'digits' || dataset === 'csv') return ['softmax-ce'];
  return ['bce', 'mse'];
}

/** The playground state of one side of a preset. */
export function stateFromPreset(name, side = 'failure', base = defaultState()) {
  const preset = presets[name];
  const run = preset[side] ?? preset.failure;
  const { config, fit } = run;
  const opt = config.optimizer ?? { type: 'sgd' };
  const init = typeof config.init === 'object' ? config.init : { type: config.init ?? 'he' };
  return {
    ...base,
    dataset: preset.dataset.name,
    samples: preset.dataset.samples ?? 400,
    noise: preset.dataset.noise ?? 0,
    testRatio: preset.dataset.testRatio ?? 0.5,
    labelNoise: preset.dataset.labelNoise ?? 0,
    layers: config.layers.slice(0, -1).map((l) => ({ units: l.units, activation: l.activation ?? 'linear', batchNorm: !!l.batchNorm, dropout: l.dropout ?? 0 })),
    loss: lossesFor(preset.dataset.name)[0],
    init: init.type,
    initStd: init.std ?? base.initStd,
    optimizer: opt.type === 'adam' ? 'adam' : opt.momentum ? 'momentum' : 'sgd',
    learningRate: opt.learningRate ?? 0.01,
    weightDecay: opt.weightDecay ?? 0,
    clipNorm: config.clipNorm ?? 0,
    batchSize: fit.batchSize,
    preset: `${name}${side === 'remedy' ? ':remedy' : ''}`,
  };
}

/** createNetwork config for a state and a dataset's shape */
export function networkConfig(state, dataset) {
  const optimizer =
    state.optimizer === 'adam'
      ? { type: 'adam', learningRate: state.learningRate, weightDecay: state.weightDecay }
      : { type: 'sgd', learningRate: state.learningRate, momentum: state.optimizer === 'momentum' ? 0.9 : 0, weightDecay: state.weightDecay };
  return {
    inputs: dataset.inputs,
    layers: [...state.layers.map((l) => ({ ...l })), { units: state.loss === 'softmax-ce' ? dataset.outputs : 1 }],
    loss: state.loss,
    init: state.init === 'normal' ? { type: 'normal', std: state.initStd } : state.init,
    optimizer,
    clipNorm: state.clipNorm,
    seed: state.seed,
  };
}

// ---- URL hash ---------------------------------------------------------------
// layers as "8:relu:bn:0.2,8:tanh::0"; numbers and names as plain keys.
const NUMBER_KEYS = { samples: [2, 5000], noise: [0, 2], testRatio: [0.05, 0.95], labelNoise: [0, 0.5], initStd: [0, 10], learningRate: [0, 10], weightDecay: [0, 1], clipNorm: [0, 100], batchSize: [1, 2000], seed: [0, 0xffffffff], speed: [0, 100] };
const CHOICE_KEYS = { dataset: [...DATASETS_2D, 'digits'], loss: ['bce', 'mse', 'softmax-ce'], init: INITS, optimizer: OPTIMIZERS };

export function encodeLayers(layers) {
  return layers.map((l) => `${l.units}:${l.activation}:${l.batchNorm ? 'bn' : ''}:${l.dropout}`).join(',');
}

export function decodeLayers(text) {
  if (!text) return [];
  const layers = text.split(',').map((part) => {
    const [units, activation, bn, dropout] = part.split(':');
    const layer = { units: Number(units), activation, batchNorm: bn === 'bn', dropout: Number(dropout ?? 0) };
    const ok = Number.isInteger(layer.units) && layer.units >= 1 && layer.units <= 512 && ACTIVATIONS.includes(activation) && layer.dropout >= 0 && layer.dropout <= 1;
    return ok ? layer : null;
  });
  return layers.every(Boolean) && layers.length <= 12 ? layers : null;
}

export function stateToHash(state) {
  const params = new URLSearchParams();
  for (const key of [...Object.keys(CHOICE_KEYS), ...Object.keys(NUMBER_KEYS)]) params.set(key, String(state[key]));
  params.set('layers', encodeLayers(state.layers));
  if (state.preset) params.set('preset', state.preset);
  return `#${params.toString()}`;
}

/**
 * Reads a hash into a state. `#preset=NAME[:remedy]` starts from that preset;
 * other keys override. Unknown or invalid values are ignored (and listed).
 */
export function stateFromHash(hash, base = defaultState()) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const ignored = [];
  let state = { ...base };
  const preset = params.get('preset');
  if (preset) {
    const [name, side = 'failure'] = preset.split(':');
    if (presets[name] && (side === 'failure' || (side === 'remedy' && presets[name].remedy))) state = stateFromPreset(name, side, state);
    else ignored.push('preset');
  }
  for (const [key, choices] of Object.entries(CHOICE_KEYS)) {
    if (!params.has(key)) continue;
    if (choices.includes(params.get(key))) state[key] = params.get(key);
    else ignored.push(key);
  }
  for (const [key, [min, max]] of Object.entries(NUMBER_KEYS)) {
    if (!params.has(key)) continue;
    const v = Number(params.get(key));
    if (params.get(key) !== '' && Number.isFinite(v) && v >= min && v <= max) state[key] = v;
    else ignored.push(key);
  }
  if (params.has('layers')) {
    const layers = decodeLayers(params.get('layers'));
    if (layers) state.layers = layers;
    else ignored.push('layers');
  }
  if (!lossesFor(state.dataset).includes(state.loss)) state.loss = lossesFor(state.dataset)[0];
  return {
    state,
    play: params.get('play') === '1',
    simd: params.has('simd') ? params.get('simd') !== '0' : undefined,
    compare: params.get('compare') ?? '',
    ignored,
  };
}
