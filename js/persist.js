// Saving and loading: toJSON's format, and the strict checks loadNetwork and
// setParameters apply before anything is written. A file is valid JSON long
// before it is a state training can produce, so every tensor must be present,
// every value a finite float32, and the optimizer state one that training
// could have reached.
import { normalizeConfig, parameterCount } from './config.js';
import { fail, integer, isPlainObject, checkKeys } from './validate.js';

export const FORMAT = 'gradscope-network';
export const VERSION = 1;
const MAX_STEP = 0x7fffffff - 1; // the core's step counter is a C int that must still count one more

/** the tensors a layer of this config has, in toJSON order */
export function tensorNames(layer) {
  if (layer.batchNorm) return ['weight', 'bias', 'gamma', 'beta', 'runningMean', 'runningVar'];
  return layer.layerNorm ? ['weight', 'bias', 'gamma', 'beta'] : ['weight', 'bias'];
}

/**
 * the optimizer buffers a config's optimizer keeps: m (momentum buffer / first
 * moment), v (second moment / RMSprop square average), a (centered RMSprop's
 * gradient average)
 */
export function optimizerBuffers(optimizer) {
  switch (optimizer.type) {
    case 'adam':
    case 'adamw':
      return ['m', 'v'];
    case 'rmsprop':
      return [...(optimizer.momentum > 0 ? ['m'] : []), 'v', ...(optimizer.centered ? ['a'] : [])];
    default:
      return optimizer.momentum > 0 ? ['m'] : [];
  }
}

const BUFFER_NAMES = {
  m: { sgd: 'the momentum buffer', rmsprop: 'the momentum buffer', adam: "Adam's first moment", adamw: "AdamW's first moment" },
  v: { adam: "Adam's second moment", adamw: "AdamW's second moment", rmsprop: "RMSprop's square average" },
  a: { rmsprop: "centered RMSprop's gradient average" },
};

/**
 * Checks one tensor: an array-like of `length` numbers, each a finite float32
 * (1e39 would silently become Infinity), non-negative where `nonNegative`.
 * Returns it as a Float32Array.
 */
export function checkTensor(where, name, value, length, shape, { nonNegative = false } = {}) {
  const ok = (value instanceof Float32Array || value instanceof Float64Array || Array.isArray(value)) && value.length === length;
  if (!ok) fail(where, name, value, `a Float32Array (or number[]) of length ${length}, shape ${shape}`);
  for (let i = 0; i < length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) fail(where, `${name}[${i}]`, v, 'a finite float32');
    if (nonNegative && !(v >= 0)) fail(where, `${name}[${i}]`, v, 'a number >= 0 (a variance)');
  }
  return value instanceof Float32Array ? value : Float32Array.from(value);
}

/** everything toJSON writes, from the network's current state */
export function serialize({ config, parameters, step, buffers, rng }) {
  const optimizer = { step };
  for (const [key, values] of Object.entries(buffers)) optimizer[key] = Array.from(values);
  return {
    format: FORMAT,
    version: VERSION,
    config,
    parameters: parameters.map((layer) => Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, Array.from(v)]))),
    optimizer,
    rng: Array.from(rng),
  };
}

/**
 * Validates a whole saved state before any network exists:
 * -> { config, parameters: [{ name: Float32Array }], step, buffers: { m?, v? }, rng: Uint32Array }
 */
export function parseState(json, where = 'loadNetwork') {
  let state = json;
  if (typeof json === 'string') {
    try {
      state = JSON.parse(json);
    } catch (err) {
      throw new Error(`${where}: json is not valid JSON (${err.message}); expected the output of net.toJSON()`);
    }
  }
  if (!isPlainObject(state) || state.format !== FORMAT) fail(where, 'json', state, `the output of net.toJSON() (format '${FORMAT}')`);
  checkKeys(where, 'json', state, ['format', 'version', 'config', 'parameters', 'optimizer', 'rng']);
  if (state.version !== VERSION) fail(where, 'json.version', state.version, String(VERSION));
  const config = normalizeConfig(state.config, where);
  const parameters = checkParameters(where, 'json.parameters', state.parameters, config, { complete: true });
  const { step, buffers } = checkOptimizer(where, state.optimizer, config, parameterCount(config));
  const rng = checkRng(where, state.rng);
  return { config, parameters, step, buffers, rng };
}


/**
 * layers: one object per layer of tensors. complete: every tensor required
 * (loading); otherwise any subset (setParameters). -> [{ name: Float32Array }]
 */
export function checkParameters(where, name, layers, config, { complete }) {
  const n = config.layers.length;
  if (!Array.isArray(layers) || layers.length !== n) fail(where, name, layers, `an array of ${n} layer objects`);
  return layers.map((tensors, l) => {
    const layer = config.layers[l];
    const fanIn = l === 0 ? config.inputs : config.layers[l - 1].units;
    const label = `${name}[${l}]`;
    if (!isPlainObject(tensors)) fail(where, label, tensors, 'an object of Float32Arrays');
    const allowed = tensorNames(layer);
    checkKeys(where, label, tensors, allowed);
    const out = {};
    for (const tensor of allowed) {
      const value = tensors[tensor];
      if (value === undefined) {
        if (complete) fail(where, `${label}.${tensor}`, value, `the layer's ${tensor} (every tensor of ${allowed.join(', ')} is required)`);
        continue;
      }
      const length = tensor === 'weight' ? layer.units * fanIn : layer.units;
      const shape = tensor === 'weight' ? `[${layer.units} x ${fanIn}]` : `[${layer.units}]`;
      out[tensor] = checkTensor(where, `${label}.${tensor}`, value, length, shape, { nonNegative: tensor === 'runningVar' });
    }
    return out;
  });
}

function checkOptimizer(where, optimizer, config, P) {
  const needed = optimizerBuffers(config.optimizer);
  if (!isPlainObject(optimizer)) fail(where, 'json.optimizer', optimizer, `an object { step${needed.map((k) => `, ${k}`).join('')} }`);
  checkKeys(where, 'json.optimizer', optimizer, ['step', ...needed]);
  const step = integer(where, 'json.optimizer.step', optimizer.step, 0, MAX_STEP);
  const buffers = {};
  for (const key of needed) {
    const what = BUFFER_NAMES[key][config.optimizer.type];
    if (optimizer[key] === undefined) fail(where, `json.optimizer.${key}`, undefined, `${what}: an array of ${P} numbers`);
    buffers[key] = checkTensor(where, `json.optimizer.${key}`, optimizer[key], P, `[${P}]`, { nonNegative: key === 'v' });
    // before the first step the buffers are zeros; anything else no training produces
    if (step === 0) {
      const i = buffers[key].findIndex((v) => v !== 0);
      if (i >= 0) fail(where, `json.optimizer.${key}[${i}]`, buffers[key][i], '0, since json.optimizer.step is 0 (no update has filled the buffer yet)');
    }
  }
  // centered RMSprop divides by sqrt(v - a^2): training keeps it >= 0; a file that does not
  // would make every later step non-finite
  if (buffers.a) {
    for (let i = 0; i < P; i++) {
      if (Math.fround(buffers.v[i] - Math.fround(buffers.a[i] * buffers.a[i])) < 0) {
        fail(where, `json.optimizer.v[${i}]`, buffers.v[i], `at least json.optimizer.a[${i}]^2 = ${Math.fround(buffers.a[i] * buffers.a[i])} (centered RMSprop's variance v - a^2 cannot be negative)`);
      }
    }
  }
  return { step, buffers };
}

function checkRng(where, rng) {
  if (!Array.isArray(rng) || rng.length !== 4) fail(where, 'json.rng', rng, 'an array of 4 unsigned 32-bit integers');
  rng.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) fail(where, `json.rng[${i}]`, w, 'an unsigned 32-bit integer (0 to 4294967295)');
  });
  // xoshiro's all-zero state is a fixed point: every draw would be 0 and dropout would drop everything forever
  if (rng.every((w) => w === 0)) fail(where, 'json.rng', rng, 'a state that is not all zeros (the generator would stay at 0 forever)');
  return Uint32Array.from(rng);
}
