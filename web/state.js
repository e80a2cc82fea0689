// The playground's state: the library's config plus the data and view options.
//   { data: { dataset, samples, noise, testRatio, labelNoise, standardize, standardizeTarget },
//     config: createNetwork's config, normalized by the library, without `inputs`
//             (the dataset gives it, and the output layer's units),
//     fit: { epochs (0: until paused), batchSize, earlyStopping: null | { patience, minDelta, restoreBest } },
//     view: { speed, histogramEvery },
//     preset: '' | 'name' | 'name:remedyId' }
// Every field is a row of fields.js; this file maps presets, model files and
// links onto the state, refusing by name what the page cannot show.
import { normalizeConfig } from '../js/config.js';
import { applyChanges as applyConfigChanges, presets } from '../js/presets.js';
import { ACTIVATIONS, DATASETS_2D, FIELD, FIELDS, LAYER_LIMITS, REGRESSION, applies, expected, format, getPath, parse, setPath, valid } from './fields.js';

export { DATASETS_2D, REGRESSION };

const clone = (v) => structuredClone(v);

/** a config the library accepts for validation: any `inputs`, output units that fit the loss */
function checkable(config) {
  const layers = config.layers.map((l) => ({ ...l }));
  const last = layers.at(-1);
  if (config.loss === 'softmax-ce' && last.units < 2) last.units = 2;
  return { ...config, inputs: 1, layers };
}

/** the library's normalized form of a state's config (throws the library's error) */
export function normalizeStateConfig(config) {
  const { inputs, ...rest } = normalizeConfig(checkable(config), 'playground');
  rest.layers.at(-1).units = config.layers.at(-1).units;
  return rest;
}

export function defaultState() {
  return {
    data: { dataset: 'circle', samples: 400, noise: 0.05, testRatio: 0.5, labelNoise: 0, standardize: false, standardizeTarget: false },
    config: normalizeStateConfig({
      layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }, { units: 1 }],
      loss: 'bce',
      init: 'he',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 1,
    }),
    fit: { epochs: 0, batchSize: 20, earlyStopping: null },
    view: { speed: 10, histogramEvery: 10 },
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

export const hiddenLayers = (state) => state.config.layers.slice(0, -1);

// ---- presets ------------------------------------------------------------------------

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

/** The playground state of one side of a preset: its data, config and batch size; seed and view kept. */
export function stateFromPreset(name, side = 'failure', base = defaultState()) {
  const preset = presets[name];
  const run = presetSide(name, side) ?? preset.failure;
  const dataset = preset.dataset.name;
  const config = normalizeStateConfig({ ...run.config, loss: lossesFor(dataset)[0], seed: base.config.seed });
  return {
    ...base,
    data: {
      dataset,
      samples: preset.dataset.samples ?? 400,
      noise: preset.dataset.noise ?? 0,
      testRatio: preset.dataset.testRatio ?? 0.5,
      labelNoise: preset.dataset.labelNoise ?? 0,
      standardize: false, // a preset is defined on its raw inputs
      standardizeTarget: false,
    },
    config,
    fit: { epochs: run.fit.epochs ?? 0, batchSize: run.fit.batchSize, earlyStopping: run.fit.earlyStopping ? { patience: 10, minDelta: 0, restoreBest: true, ...run.fit.earlyStopping } : null },
    preset: side === 'failure' || !presetSide(name, side) ? name : `${name}:${side}`,
  };
}

// ---- the network a state trains ----------------------------------------------------

/** createNetwork's config for a state and a dataset's shape */
export function networkConfig(state, dataset) {
  const config = clone(state.config);
  config.layers.at(-1).units = config.loss === 'softmax-ce' ? dataset.outputs : 1;
  return { inputs: dataset.inputs, ...config };
}

/**
 * fit's options every fit of a state takes (besides data, callbacks and signal). Early
 * stopping is not one: the worker applies it over the whole run (fit is called in chunks),
 * and sweeps and remedy measurements compare runs over the same budget.
 */
export function fitOptions(state) {
  return { batchSize: state.fit.batchSize };
}

/** a state with one library remedy's changes applied (the library's applyChanges, on the config) */
export function applyChanges(state, changes) {
  return { ...state, config: normalizeStateConfig(applyConfigChanges(state.config, changes)), preset: '' };
}

// ---- editing: one field at a time ------------------------------------------------------

const SCHEDULE_DEFAULTS = { step: { stepSize: 100, gamma: 0.5 }, exponential: { gamma: 0.99 }, cosine: { decaySteps: 1000, minLearningRate: 0 } };
const EARLY_STOPPING_DEFAULT = { patience: 10, minDelta: 0, restoreBest: true };

/**
 * The state with one field set (value already parsed and within the field's
 * limits). Changing a kind (optimizer, init, decay) keeps what the new kind
 * shares and takes the library's defaults for the rest. Throws the library's
 * error when the result is not a valid config (e.g. Nesterov with momentum 0).
 */
export function setField(state, key, value) {
  const field = FIELD[key];
  let next = clone(state);
  const o = next.config.optimizer;
  if (key === 'optimizer') {
    if (value === o.type) return next;
    // AdamW's decoupled decay is not the others' L2: switching to or from it takes the new kind's default
    const decoupled = (t) => t === 'adamw';
    const keep = { type: value, learningRate: o.learningRate, l1: o.l1, ...(o.schedule ? { schedule: o.schedule } : {}), ...(o.maxNorm ? { maxNorm: o.maxNorm } : {}) };
    if (decoupled(value) === decoupled(o.type)) keep.weightDecay = o.weightDecay;
    if (value === 'rmsprop' || value === 'sgd') keep.momentum = o.momentum ?? 0;
    next.config.optimizer = keep;
  } else if (key === 'init') {
    const { std: s0, limit, bias } = state.config.init;
    const std = s0 ?? limit ?? 0.1;
    next.config.init = value === 'normal' ? { type: 'normal', std } : value === 'uniform' ? { type: 'uniform', limit: std } : { type: value };
    if (bias !== undefined) next.config.init.bias = bias; // the library drops it when it is the new type's default
  } else if (key === 'initBias') {
    next.config.init = { ...next.config.init, bias: value === 'normal' ? (typeof state.config.init.bias === 'number' ? state.config.init.bias : 0.01) : value };
  } else if (key === 'initBiasStd') {
    next.config.init = { ...next.config.init, bias: value };
  } else if (key === 'maxNorm') {
    if (value > 0) o.maxNorm = value;
    else delete o.maxNorm; // 0: off, which the library writes as no maxNorm at all
  } else if (key === 'decay' || key === 'warmupSteps') {
    const s = { warmupSteps: o.schedule?.warmupSteps ?? 0, decay: o.schedule?.decay ?? 'none' };
    if (key === 'warmupSteps') s.warmupSteps = value;
    else s.decay = value;
    Object.assign(s, s.decay === (o.schedule?.decay ?? 'none') ? pickDecay(o.schedule) : SCHEDULE_DEFAULTS[s.decay]);
    if (s.decay === 'cosine' && s.minLearningRate > o.learningRate) s.minLearningRate = 0;
    if (s.decay === 'none' && s.warmupSteps === 0) delete o.schedule; // constant: no schedule at all
    else o.schedule = s;
  } else if (key === 'earlyStopping') {
    next.fit.earlyStopping = value ? { ...EARLY_STOPPING_DEFAULT } : null;
  } else if (key === 'loss') {
    next.config.loss = value;
  } else {
    next = setPath(next, field.path, value);
  }
  if (field.group !== 'view' && key !== 'seed') next.preset = ''; // a preset is its data and network; the seed is the run's
  next.config = normalizeStateConfig(next.config);
  return next;
}

function pickDecay(schedule) {
  const out = {};
  for (const k of ['stepSize', 'gamma', 'decaySteps', 'minLearningRate']) if (schedule && Object.hasOwn(schedule, k)) out[k] = schedule[k];
  return out;
}

/** the biases an init type draws when init.bias is absent (the library's default) */
const defaultBias = (state) => (state.config.init.type === 'pytorch' ? 'uniform' : 'zeros');

/** a field's value in a state ('none' / 0 for a schedule that is absent; earlyStopping as on/off) */
export function fieldValue(state, key) {
  const field = FIELD[key];
  const v = getPath(state, field.path);
  if (key === 'initBias') return typeof v === 'number' ? 'normal' : (v ?? defaultBias(state));
  if (key === 'initBiasStd') return typeof state.config.init.bias === 'number' ? state.config.init.bias : undefined;
  if (v !== undefined) return field.object ? !!v : v;
  if (key === 'decay') return 'none';
  if (key === 'warmupSteps' || key === 'maxNorm') return 0;
  return undefined;
}

// ---- layers -----------------------------------------------------------------------

/** a layer's normalization as the editors name it: '', 'batchNorm' or 'layerNorm' */
export const normOf = (layer) => (layer.batchNorm ? 'batchNorm' : layer.layerNorm ? 'layerNorm' : '');

/** the state with layer i's field set; 'norm' sets batchNorm / layerNorm together */
export function setLayerField(state, i, field, value) {
  const next = clone(state);
  const layer = next.config.layers[i];
  if (field === 'norm') Object.assign(layer, { batchNorm: value === 'batchNorm', layerNorm: value === 'layerNorm' });
  else layer[field] = value;
  next.preset = '';
  next.config = normalizeStateConfig(next.config);
  return next;
}

export function addHiddenLayer(state) {
  const hidden = hiddenLayers(state);
  if (hidden.length >= LAYER_LIMITS.hidden) throw new Error(`at most ${LAYER_LIMITS.hidden} hidden layers`);
  const next = clone(state);
  const copy = { ...(hidden.at(-1) ?? { units: 8, activation: 'relu', batchNorm: false, layerNorm: false, dropout: 0 }) };
  next.config.layers.splice(hidden.length, 0, copy);
  next.preset = '';
  return next;
}

export function removeHiddenLayer(state, i) {
  const next = clone(state);
  next.config.layers.splice(i, 1);
  next.preset = '';
  return next;
}

// ---- what the page can show ------------------------------------------------------

const LAYER_KEYS = ['units', 'activation', 'batchNorm', 'layerNorm', 'dropout'];
const CONFIG_PATHS = new Set(FIELDS.filter((f) => f.path.startsWith('config.')).map((f) => f.path.slice('config.'.length)));

/** every leaf path of a config that no control shows ('optimizer.foo', 'layers[2].bar'), for a refusal */
function uncovered(config) {
  const out = [];
  const walk = (obj, prefix) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (k === 'inputs' && !prefix) continue;
      if (k === 'layers' && !prefix) {
        v.forEach((layer, i) => Object.keys(layer).forEach((lk) => LAYER_KEYS.includes(lk) || out.push(`layers[${i}].${lk}`)));
        continue;
      }
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v, path);
      else if (!CONFIG_PATHS.has(path)) out.push(path);
    }
  };
  walk(config, '');
  return out;
}

/**
 * Why the page cannot show this state as it is (a sentence naming the setting),
 * or null: layers beyond the page's limits, a value beyond a control's limits,
 * a setting no control shows.
 */
export function cannotShow(state) {
  const hidden = hiddenLayers(state);
  if (hidden.length > LAYER_LIMITS.hidden) return `it has ${hidden.length} hidden layers; the page shows at most ${LAYER_LIMITS.hidden}`;
  for (const [i, l] of hidden.entries()) {
    if (l.units > LAYER_LIMITS.units) return `its layers[${i}].units is ${l.units}; the page shows at most ${LAYER_LIMITS.units} units a layer`;
  }
  const extra = uncovered(state.config);
  if (extra.length) return `it sets ${extra.join(', ')}, which the page has no control for`;
  for (const field of FIELDS) {
    if (!applies(field, state)) continue;
    const v = fieldValue(state, field.key);
    if (v === undefined) continue;
    if (!valid(field, v)) return `its ${field.path.replace(/^\w+\./, '')} is ${JSON.stringify(v)}; the page's "${field.label}" takes ${expected(field)}`;
  }
  return null;
}

/**
 * The state that shows a network config (net.config or a model file's config,
 * already validated by the library), with a dataset of the right shape:
 * digits for 64 inputs and 10 classes, the current 2-D dataset (or circle /
 * a regression plane) for 2 inputs, the loaded CSV when its shape matches.
 * Returns { state } or { error } (a sentence): no dataset fits, or the page
 * cannot show a setting of it. Nothing is dropped or changed.
 */
export function stateFromConfig(config, base = defaultState(), csv = null) {
  const out = config.layers.at(-1);
  const outputs = config.loss === 'softmax-ce' ? out.units : 1;
  if (config.loss !== 'softmax-ce' && out.units !== 1) {
    return { error: `this model has ${out.units} outputs with loss ${config.loss}; the page trains one output for ${config.loss} (one target column)` };
  }
  const fits = (name) => lossesFor(name, csv?.task).includes(config.loss);
  let dataset = null;
  if (csv && csv.inputs === config.inputs && (config.loss === 'softmax-ce' ? csv.outputs === outputs && csv.loss === 'softmax-ce' : csv.loss === 'mse' && config.loss === 'mse')) dataset = 'csv';
  else if (config.inputs === 64 && config.loss === 'softmax-ce' && outputs === 10) dataset = 'digits';
  else if (config.inputs === 2 && config.loss !== 'softmax-ce') {
    if (DATASETS_2D.includes(base.data.dataset) && fits(base.data.dataset)) dataset = base.data.dataset;
    else dataset = config.loss === 'mse' ? 'regressionPlane' : 'circle';
  }
  if (!dataset) {
    return { error: `this model takes ${config.inputs} inputs and gives ${outputs} output${outputs === 1 ? '' : 's'} (${config.loss}); no dataset here has that shape — load the CSV it was trained on first` };
  }
  const { inputs, ...rest } = clone(config);
  // a model file carries no run length: it trains until paused (a preset's length belonged to the preset)
  const state = { ...clone(base), data: { ...base.data, dataset }, config: rest, fit: { ...base.fit, epochs: 0 }, preset: '' };
  const why = cannotShow(state);
  return why ? { error: `the page cannot show this model: ${why}` } : { state };
}

// ---- URL hash ---------------------------------------------------------------
// Every field that applies, as key=value; hidden layers as "8:relu:bn:0.2,8:tanh::0"
// (norm: '', 'bn' or 'ln'); the output layer as output=act:norm:dropout when not plain.
// Advanced fields only when they differ from the library's defaults.

const NORM_CODE = { '': '', batchNorm: 'bn', layerNorm: 'ln' };
const NORM_OF_CODE = { '': '', bn: 'batchNorm', ln: 'layerNorm' };

const layerText = (l) => `${l.activation}:${NORM_CODE[normOf(l)]}:${l.dropout}`;
export const encodeLayers = (layers) => layers.map((l) => `${l.units}:${layerText(l)}`).join(',');

function decodeLayer(parts) {
  const [activation, norm = '', dropout = '0'] = parts;
  const layer = { activation, batchNorm: NORM_OF_CODE[norm] === 'batchNorm', layerNorm: NORM_OF_CODE[norm] === 'layerNorm', dropout: Number(dropout) };
  const ok = ACTIVATIONS.includes(activation) && Object.hasOwn(NORM_OF_CODE, norm) && dropout !== '' && layer.dropout >= 0 && layer.dropout <= 1;
  return ok ? layer : null;
}

export function decodeLayers(text) {
  if (!text) return null;
  const parts = text.split(',');
  if (parts.length > LAYER_LIMITS.hidden) return null;
  const layers = parts.map((part) => {
    const [units, ...rest] = part.split(':');
    const layer = decodeLayer(rest);
    const n = Number(units);
    return layer && Number.isInteger(n) && n >= 1 && n <= LAYER_LIMITS.units ? { units: n, ...layer } : null;
  });
  return layers.every(Boolean) ? layers : null;
}

/**
 * A field a link can leave out: an advanced setting at the library's default
 * for this optimizer, a data option that is off. Settings of a schedule or of
 * early stopping are always written while they apply.
 */
export function linkDefault(field, state, value) {
  if (['stepSize', 'gamma', 'decaySteps', 'minLearningRate', 'patience', 'minDelta', 'restoreBest'].includes(field.key)) return false;
  if (field.key === 'decay') return value === 'none';
  if (field.key === 'warmupSteps' || field.key === 'maxNorm') return value === 0;
  if (field.key === 'initBias') return value === defaultBias(state);
  if (field.key === 'earlyStopping' || field.group === 'data') return field.kind === 'bool' && value === false;
  if (field.group !== 'advanced') return false;
  return getPath({ config: libraryDefaults(state.config.optimizer.type) }, field.path) === value;
}

const DEFAULTS = new Map();
/** the library's normalized defaults for an optimizer type (made once per type) */
function libraryDefaults(type) {
  if (!DEFAULTS.has(type)) DEFAULTS.set(type, normalizeStateConfig({ layers: [{ units: 1 }], optimizer: { type } }));
  return DEFAULTS.get(type);
}

export function stateToHash(state) {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    if (!applies(field, state)) continue;
    const v = fieldValue(state, field.key);
    if (v === undefined || linkDefault(field, state, v)) continue;
    params.set(field.key, format(field, v));
  }
  params.set('layers', encodeLayers(hiddenLayers(state)));
  const out = state.config.layers.at(-1);
  if (out.activation !== 'linear' || normOf(out) || out.dropout) params.set('output', layerText(out));
  if (state.preset) params.set('preset', state.preset);
  return `#${params.toString()}`;
}

/** the page's thread counts (createNetwork's threads; the library takes up to 32) */
export const THREAD_CHOICES = [1, 2, 3, 4, 6, 8, 12, 16];

const OTHER_KEYS = ['layers', 'output', 'preset', 'play', 'simd', 'threads', 'compare', 'paper'];
/** what compare mode can train beside this setup ('' = off) */
export const COMPARE_MODES = ['', 'remedy', 'before', 'lr-div10', 'lr-times10', 'dropout-0', 'dropout-0.5', 'relu', 'sigmoid', 'batchnorm'];

/**
 * Reads a hash into a state. `#preset=NAME[:remedy]` starts from that preset;
 * other keys override, in the field table's order (a kind before its
 * settings). A key that is unknown, not valid, or does not apply is not taken
 * and is listed (ignoredText) with why; `optimizer=momentum` (links of the
 * first page) is read as SGD with momentum 0.9 and said so (notes).
 */
export function stateFromHash(hash, base = defaultState()) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const ignored = [];
  const notes = [];
  const skip = (key, why) => ignored.push({ key, value: params.get(key), why });
  for (const key of new Set(params.keys())) if (!Object.hasOwn(FIELD, key) && !OTHER_KEYS.includes(key)) skip(key, 'unknown key');
  let state = clone(base);
  const preset = params.get('preset');
  if (preset) {
    const [name, side = 'failure'] = preset.split(':');
    if (presetSide(name, side)) state = stateFromPreset(name, side, state);
    else skip('preset', 'no such preset');
  }
  const taken = [];
  for (const field of FIELDS) {
    if (!params.has(field.key)) continue;
    const text = params.get(field.key);
    if (field.key === 'optimizer' && text === 'momentum') {
      state = setField(setField(state, 'optimizer', 'sgd'), 'momentum', 0.9);
      notes.push('optimizer=momentum (a link of the first page) is read as SGD with momentum 0.9');
      taken.push(field.key);
      continue;
    }
    const v = parse(field, text);
    if (v === undefined) {
      skip(field.key, `expected ${expected(field)}`);
      continue;
    }
    try {
      state = setField(state, field.key, v);
      taken.push(field.key);
    } catch (err) {
      skip(field.key, err.message.replace(/^playground: /, ''));
    }
  }
  if (params.has('layers')) {
    const layers = decodeLayers(params.get('layers'));
    if (layers) state = { ...state, config: { ...state.config, layers: [...layers, state.config.layers.at(-1)] } };
    else skip('layers', `expected up to ${LAYER_LIMITS.hidden} layers as units:activation:norm:dropout (norm '', bn or ln; units 1–${LAYER_LIMITS.units})`);
  }
  if (params.has('output')) {
    const layer = decodeLayer(params.get('output').split(':'));
    if (layer) state.config.layers = [...state.config.layers.slice(0, -1), { units: state.config.layers.at(-1).units, ...layer }];
    else skip('output', 'expected activation:norm:dropout');
  }
  // a taken field that does not apply to the final setup (momentum for Adam) did nothing: say so
  for (const key of taken) if (!applies(FIELD[key], state)) skip(key, `does not apply to this setup`);
  if (!lossesFor(state.data.dataset).includes(state.config.loss) && state.data.dataset !== 'csv') {
    if (params.has('loss')) skip('loss', `not a loss for the ${state.data.dataset} data`);
    state.config = { ...state.config, loss: lossesFor(state.data.dataset)[0] };
  }
  // the link's fields may restate the preset's own values: then it is still the preset
  if (preset && !state.preset && presetSide(...preset.split(':'))) {
    const [name, side = 'failure'] = preset.split(':');
    const same = stateFromPreset(name, side, state);
    if (['data', 'config', 'fit'].every((k) => JSON.stringify(same[k]) === JSON.stringify(state[k]))) state.preset = same.preset;
  }
  let error = null;
  try {
    state.config = normalizeStateConfig(state.config);
  } catch (err) {
    error = err.message.replace(/^playground: /, '');
    state = clone(base);
  }
  for (const [key, ok] of [
    ['play', ['0', '1']],
    ['simd', ['0', '1']],
    ['threads', THREAD_CHOICES.map(String)],
    ['compare', COMPARE_MODES],
  ]) {
    if (params.has(key) && !ok.includes(params.get(key))) skip(key, `expected one of ${ok.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return {
    state,
    play: params.get('play') === '1',
    simd: params.get('simd') === '0' ? false : params.get('simd') === '1' ? true : undefined,
    threads: THREAD_CHOICES.map(String).includes(params.get('threads')) ? Number(params.get('threads')) : 1,
    compare: COMPARE_MODES.includes(params.get('compare')) ? params.get('compare') : '',
    paper: params.get('paper') ?? null,
    error,
    notes,
    ignored: ignored.map((i) => i.key),
    /** the ignored keys with their values as written in the link and why (for a note) */
    ignoredText: ignored.map((i) => `${i.key}=${i.value ?? ''} (${i.why})`),
  };
}
