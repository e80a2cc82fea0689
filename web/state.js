// Playground state: everything a user can set, its defaults, how a preset maps
// onto it, how it becomes a network config, and how it lives in the URL hash.
import { presets } from '../js/presets.js';

export const DATASETS_2D = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'regressionPlane', 'regressionGaussian'];
export const REGRESSION = ['regressionPlane', 'regressionGaussian'];
export const ACTIVATIONS = ['relu', 'leaky-relu', 'tanh', 'sigmoid', 'linear'];
export const INITS = ['he', 'xavier', 'lecun', 'pytorch', 'normal', 'zeros'];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'];
// epochs per second; 0 = as fast as possible; negative: slow motion, -n = n optimizer steps a second (one trainStep each)
export const SPEEDS = [-1, -2, -5, -10, -20, 1, 2, 5, 10, 30, 100, 0];
export const speedLabel = (s) => (s === 0 ? 'max' : s < 0 ? `${-s} step${s === -1 ? '' : 's'}/s` : `${s} epoch/s`);
/** how often (in optimizer steps) the activation and gradient histograms are sampled for the distributions view */
export const HISTOGRAM_EVERY = [1, 10, 100];

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
    standardize: false,
    histogramEvery: 10,
    preset: '',
  };
}

/** losses that make sense for a dataset; the first is the default (csvTask: the loaded CSV's task) */
export function lossesFor(dataset, csvTask = 'classification') {
  if (REGRESSION.includes(dataset)) return ['mse'];
  if (dataset === 'csv') return csvTask === 'regression' ? ['mse'] : ['softmax-ce'];
  if (dataset === 'digits') return ['softmax-ce'];
  return ['bce', 'mse'];
}

/** one run of a preset: 'failure', 'remedy' (its first remedy, the seed's) or a remedy id; null when unknown */
export function presetSide(name, side = 'failure') {
  const preset = Object.hasOwn(presets, name) ? presets[name] : null;
  if (!preset) return null;
  if (side === 'failure') return preset.failure;
  if (side === 'remedy') return preset.remedy ?? null;
  return (preset.remedies ?? []).find((r) => r.id === side) ?? null;
}

/** the run a state's preset key ("name" or "name:side") names, or null */
export function presetRun(presetKey) {
  const [name, side = 'failure'] = String(presetKey ?? '').split(':');
  return presetSide(name, side);
}

/** the number of epochs a preset trains for (null when the state is not a preset) */
export function presetEpochs(presetKey) {
  const epochs = presetRun(presetKey)?.fit?.epochs;
  return Number.isInteger(epochs) && epochs > 0 ? epochs : null;
}

/**
 * The state that rebuilds a network config (net.config or a model file's
 * config, already validated by the library), with a dataset of the right shape:
 * digits for 64 inputs and 10 classes, the current 2-D dataset (or circle /
 * a regression plane) for 2 inputs, the loaded CSV when its shape matches.
 * Returns { state } or { error } (a sentence) when no dataset fits.
 */
export function stateFromConfig(config, base = defaultState(), csv = null) {
  const out = config.layers.at(-1);
  const outputs = config.loss === 'softmax-ce' ? out.units : 1;
  const fits = (name) => lossesFor(name, csv?.task).includes(config.loss);
  let dataset = null;
  if (csv && csv.inputs === config.inputs && (config.loss === 'softmax-ce' ? csv.outputs === outputs && csv.loss === 'softmax-ce' : csv.loss === 'mse' && config.loss === 'mse')) dataset = 'csv';
  if (config.inputs === 64 && config.loss === 'softmax-ce' && outputs === 10) dataset = 'digits';
  else if (config.inputs === 2 && config.loss !== 'softmax-ce') {
    if (DATASETS_2D.includes(base.dataset) && fits(base.dataset)) dataset = base.dataset;
    else dataset = config.loss === 'mse' ? 'regressionPlane' : 'circle';
  }
  if (!dataset) {
    return { error: `this model takes ${config.inputs} inputs and gives ${outputs} output${outputs === 1 ? '' : 's'} (${config.loss}); no dataset here has that shape — load the CSV it was trained on first` };
  }
  const opt = config.optimizer;
  const init = typeof config.init === 'object' ? config.init : { type: config.init };
  const state = {
    ...base,
    dataset,
    layers: config.layers.slice(0, -1).map((l) => ({ units: l.units, activation: l.activation, batchNorm: !!l.batchNorm, dropout: l.dropout ?? 0 })),
    loss: config.loss,
    init: INITS.includes(init.type) ? init.type : base.init,
    initStd: init.std ?? base.initStd,
    optimizer: opt.type === 'adam' ? 'adam' : opt.momentum ? 'momentum' : 'sgd',
    learningRate: opt.learningRate,
    weightDecay: opt.weightDecay ?? 0,
    clipNorm: config.clipNorm ?? 0,
    seed: config.seed ?? base.seed,
    preset: '',
  };
  return { state };
}

/** The playground state of one side of a preset. */
export function stateFromPreset(name, side = 'failure', base = defaultState()) {
  const preset = presets[name];
  const run = presetSide(name, side) ?? preset.failure;
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
    standardize: false, // a preset is defined on its raw inputs
    preset: side === 'failure' || !presetSide(name, side) ? name : `${name}:${side}`,
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
const NUMBER_KEYS = { samples: [2, 5000], noise: [0, 2], testRatio: [0.05, 0.95], labelNoise: [0, 0.5], initStd: [0, 10], learningRate: [0, 10], weightDecay: [0, 1], clipNorm: [0, 100], batchSize: [1, 2000], seed: [0, 0xffffffff], speed: [-20, 100], histogramEvery: [1, 1000] };
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
  if (state.standardize) params.set('standardize', '1');
  if (state.preset) params.set('preset', state.preset);
  return `#${params.toString()}`;
}

/**
 * Reads a hash into a state. `#preset=NAME[:remedy]` starts from that preset;
 * other keys override. Unknown or invalid values are ignored (and listed).
 */
const OTHER_KEYS = ['layers', 'preset', 'play', 'simd', 'compare', 'standardize'];
/** what compare mode can train beside this setup ('' = off) */
export const COMPARE_MODES = ['', 'remedy', 'before', 'lr-div10', 'lr-times10', 'dropout-0', 'dropout-0.5', 'relu', 'sigmoid', 'batchnorm'];

export function stateFromHash(hash, base = defaultState()) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const ignored = [];
  for (const key of params.keys()) if (!(key in CHOICE_KEYS) && !(key in NUMBER_KEYS) && !OTHER_KEYS.includes(key) && !ignored.includes(key)) ignored.push(key);
  let state = { ...base };
  const preset = params.get('preset');
  if (preset) {
    const [name, side = 'failure'] = preset.split(':');
    if (presetSide(name, side)) state = stateFromPreset(name, side, state);
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
  if (params.get('standardize') === '1') state.standardize = true;
  for (const [key, ok] of [
    ['standardize', ['0', '1']],
    ['play', ['0', '1']],
    ['simd', ['0', '1']],
    ['compare', COMPARE_MODES],
  ]) {
    if (params.has(key) && !ok.includes(params.get(key))) ignored.push(key);
  }
  return {
    state,
    play: params.get('play') === '1',
    simd: params.get('simd') === '0' ? false : params.get('simd') === '1' ? true : undefined,
    compare: COMPARE_MODES.includes(params.get('compare')) ? params.get('compare') : '',
    ignored,
    /** the ignored keys with their values as written in the link (for a note) */
    ignoredText: ignored.map((k) => `${k}=${params.get(k)}`),
  };
}
