// Network configuration: defaults, validation, and the numeric codes of the C core.
import { DECAY_CODES, LIMITS } from './contract.js';
import { boolean, checkKeys, fail, given, integer, isPlainObject, number, oneOf } from './validate.js';

export const ACTIVATIONS = ['linear', 'relu', 'leaky-relu', 'sigmoid', 'tanh', 'elu', 'selu', 'gelu', 'silu', 'softsign'];
export const LOSSES = ['mse', 'bce', 'softmax-ce'];
export const INITS = ['he', 'xavier', 'lecun', 'pytorch', 'normal', 'uniform', 'zeros', 'orthogonal'];
export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop'];
/** schedule.decay names: the C core's gs_decay order (contract.js) */
export const DECAYS = DECAY_CODES;

const CONFIG_KEYS = ['inputs', 'layers', 'loss', 'init', 'optimizer', 'clipNorm', 'seed', 'throwOnNonFinite'];
const LAYER_KEYS = ['units', 'activation', 'batchNorm', 'layerNorm', 'dropout'];
const COMMON_KEYS = ['type', 'learningRate', 'weightDecay', 'l1', 'maxNorm', 'schedule'];
const OPTIMIZER_KEYS = {
  sgd: [...COMMON_KEYS, 'momentum', 'nesterov'],
  adam: [...COMMON_KEYS, 'beta1', 'beta2', 'eps'],
  adamw: [...COMMON_KEYS, 'beta1', 'beta2', 'eps'],
  rmsprop: [...COMMON_KEYS, 'alpha', 'eps', 'momentum', 'centered'],
};
// which schedule keys each decay uses (besides warmupSteps and decay)
const DECAY_KEYS = { none: [], step: ['stepSize', 'gamma'], exponential: ['gamma'], cosine: ['decaySteps', 'minLearningRate'] };

/** the bias an init type draws when init.bias is absent: nn.Linear's U(±1/√fan_in) for 'pytorch', else zeros */
export const defaultBias = (type) => (type === 'pytorch' ? 'uniform' : 'zeros');

/**
 * init.bias: 'zeros', 'uniform' (U(±1/√fan_in)) or a number, the std of N(0, std²). The
 * normalized init keeps it only when it differs from the type's default (defaultBias), so
 * a config without it and one that restates the default are the same config.
 */
function normalizeBias(where, init, type) {
  if (init.bias === undefined) return {};
  const bias = init.bias;
  if (typeof bias === 'number') return { bias: number(where, 'init.bias', bias, { min: 0, float32: true }) };
  if (bias !== 'zeros' && bias !== 'uniform') fail(where, 'init.bias', bias, `'zeros', 'uniform' (U(±1/√fan_in)) or a number >= 0 (the std of N(0, std²) biases)`);
  return bias === defaultBias(type) ? {} : { bias };
}

function normalizeInit(where, init) {
  if (typeof init === 'string') {
    oneOf(where, 'init', init, INITS.filter((n) => n !== 'normal' && n !== 'uniform'));
    return init === 'orthogonal' ? { type: init, gain: 1 } : { type: init };
  }
  if (!isPlainObject(init)) fail(where, 'init', init, `one of ${INITS.join(', ')}, {type:'normal', std}, {type:'uniform', limit} or {type:'orthogonal', gain}`);
  if (init.type === 'normal') {
    checkKeys(where, 'init', init, ['type', 'std', 'bias']);
    return { type: 'normal', std: number(where, 'init.std', init.std, { min: 0, float32: true }), ...normalizeBias(where, init, 'normal') };
  }
  if (init.type === 'uniform') {
    checkKeys(where, 'init', init, ['type', 'limit', 'bias']);
    return { type: 'uniform', limit: number(where, 'init.limit', init.limit, { min: 0, float32: true }), ...normalizeBias(where, init, 'uniform') };
  }
  if (init.type === 'orthogonal') {
    // torch.nn.init.orthogonal_(W, gain): gain 1 unless given
    checkKeys(where, 'init', init, ['type', 'gain', 'bias']);
    return { type: 'orthogonal', gain: number(where, 'init.gain', given(init.gain, 1), { min: 0, minOpen: true, float32: true }), ...normalizeBias(where, init, 'orthogonal') };
  }
  checkKeys(where, 'init', init, ['type', 'bias']);
  oneOf(where, 'init.type', init.type, INITS);
  return { type: init.type, ...normalizeBias(where, init, init.type) };
}

function normalizeSchedule(where, schedule, learningRate) {
  const name = 'optimizer.schedule';
  if (!isPlainObject(schedule)) fail(where, name, schedule, "an object such as { warmupSteps: 100, decay: 'cosine', decaySteps: 1000 }");
  const decay = oneOf(where, `${name}.decay`, given(schedule.decay, 'none'), DECAYS);
  checkKeys(where, name, schedule, ['warmupSteps', 'decay', ...DECAY_KEYS[decay]]);
  const out = { warmupSteps: integer(where, `${name}.warmupSteps`, given(schedule.warmupSteps, 0), 0, 0x7fffffff), decay };
  if (decay === 'step') out.stepSize = integer(where, `${name}.stepSize`, schedule.stepSize, 1, 0x7fffffff);
  if (decay === 'step' || decay === 'exponential') {
    out.gamma = number(where, `${name}.gamma`, schedule.gamma, { min: 0, minOpen: true, float32: true });
  }
  if (decay === 'cosine') {
    out.decaySteps = integer(where, `${name}.decaySteps`, schedule.decaySteps, 1, 0x7fffffff);
    out.minLearningRate = number(where, `${name}.minLearningRate`, given(schedule.minLearningRate, 0), { min: 0, float32: true });
    // compared as the core will see both: 0.001 is not a float32, yet min = base is fine
    if (Math.fround(out.minLearningRate) > Math.fround(learningRate)) {
      fail(where, `${name}.minLearningRate`, out.minLearningRate, `a number in [0, ${learningRate}] (at most optimizer.learningRate)`);
    }
  }
  return out;
}

export const DEFAULT_LEARNING_RATE = { sgd: 0.01, adam: 1e-3, adamw: 1e-3, rmsprop: 0.01 };

function normalizeOptimizer(where, opt) {
  if (!isPlainObject(opt)) fail(where, 'optimizer', opt, "an object such as { type: 'sgd', learningRate: 0.01 }");
  const type = given(opt.type, 'sgd');
  oneOf(where, 'optimizer.type', type, OPTIMIZERS);
  checkKeys(where, 'optimizer', opt, OPTIMIZER_KEYS[type]);
  const rate = (key, fallback, range = { min: 0 }) => number(where, `optimizer.${key}`, given(opt[key], fallback), { ...range, float32: true });
  const beta = (key, fallback) => rate(key, fallback, { min: 0, max: 1, maxOpen: true });
  const out = { type, learningRate: rate('learningRate', DEFAULT_LEARNING_RATE[type]) };
  if (type === 'sgd') {
    out.momentum = rate('momentum', 0);
    out.nesterov = boolean(where, 'optimizer.nesterov', given(opt.nesterov, false));
    if (out.nesterov && out.momentum === 0) fail(where, 'optimizer.momentum', out.momentum, 'a momentum > 0 when nesterov is true');
  } else if (type === 'rmsprop') {
    out.alpha = beta('alpha', 0.99);
    out.eps = rate('eps', 1e-8, { min: 0, minOpen: true });
    out.momentum = rate('momentum', 0);
    out.centered = boolean(where, 'optimizer.centered', given(opt.centered, false));
  } else {
    out.beta1 = beta('beta1', 0.9);
    out.beta2 = beta('beta2', 0.999);
    out.eps = rate('eps', 1e-8, { min: 0, minOpen: true });
  }
  out.weightDecay = rate('weightDecay', type === 'adamw' ? 0.01 : 0);
  out.l1 = rate('l1', 0);
  // present only when given (a normalized config never holds an "off" value that validation refuses)
  if (opt.maxNorm !== undefined) out.maxNorm = rate('maxNorm', undefined, { min: 0, minOpen: true });
  if (opt.schedule !== undefined) out.schedule = normalizeSchedule(where, opt.schedule, out.learningRate);
  return out;
}

/** A complete, validated copy of a user's config (the form toJSON stores). */
export function normalizeConfig(config, where = 'createNetwork') {
  if (!isPlainObject(config)) fail(where, 'config', config, 'an object with inputs and layers');
  checkKeys(where, 'config', config, CONFIG_KEYS);
  const inputs = integer(where, 'inputs', config.inputs, 1, LIMITS.maxUnits);
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    fail(where, 'layers', config.layers, 'a non-empty array of { units, activation?, batchNorm?, layerNorm?, dropout? }');
  }
  if (config.layers.length > LIMITS.maxLayers) fail(where, 'layers.length', config.layers.length, `at most ${LIMITS.maxLayers} layers`);
  // Array.from visits holes too (map skips them): [{...}, , {...}] fails on layers[1]
  const layers = Array.from(config.layers, (layer, i) => {
    const name = `layers[${i}]`;
    if (!isPlainObject(layer)) fail(where, name, layer, 'an object { units, activation?, batchNorm?, layerNorm?, dropout? }');
    checkKeys(where, name, layer, LAYER_KEYS);
    const out = {
      units: integer(where, `${name}.units`, layer.units, 1, LIMITS.maxUnits),
      activation: oneOf(where, `${name}.activation`, given(layer.activation, 'linear'), ACTIVATIONS),
      batchNorm: boolean(where, `${name}.batchNorm`, given(layer.batchNorm, false)),
      layerNorm: boolean(where, `${name}.layerNorm`, given(layer.layerNorm, false)),
      dropout: number(where, `${name}.dropout`, given(layer.dropout, 0), { min: 0, max: 1, float32: true }),
    };
    if (out.batchNorm && out.layerNorm) fail(where, `${name}.layerNorm`, true, 'false when batchNorm is true (a layer has one normalization)');
    return out;
  });
  const loss = oneOf(where, 'loss', given(config.loss, 'mse'), LOSSES);
  const outputs = layers[layers.length - 1].units;
  if (loss === 'softmax-ce' && outputs < 2) {
    fail(where, `layers[${layers.length - 1}].units`, outputs, "at least 2 output units for loss 'softmax-ce'");
  }
  return {
    inputs,
    layers,
    loss,
    init: normalizeInit(where, given(config.init, 'he')),
    optimizer: normalizeOptimizer(where, given(config.optimizer, { type: 'sgd' })),
    clipNorm: number(where, 'clipNorm', given(config.clipNorm, 0), { min: 0, float32: true }),
    seed: integer(where, 'seed', given(config.seed, 0), 0, 0xffffffff),
    throwOnNonFinite: boolean(where, 'throwOnNonFinite', given(config.throwOnNonFinite, false)),
  };
}

/** "1,234,567": a count for messages */
export const count = (n) => n.toLocaleString('en-US');

/** trainable parameters: dense weights and biases, normalization gamma and beta */
export function parameterCount(config) {
  let fanIn = config.inputs;
  let total = 0;
  for (const layer of config.layers) {
    total += layer.units * fanIn + layer.units * (layer.batchNorm || layer.layerNorm ? 3 : 1);
    fanIn = layer.units;
  }
  return total;
}

/** "16 GiB", "1.5 MiB": a byte count for messages */
export function formatBytes(bytes) {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return `${u === 0 ? v : Number(v.toPrecision(3))} ${units[u]}`;
}

/**
 * Refuses, before the core is asked, a network whose parameters cannot fit in
 * WebAssembly memory (wasm32 addresses 4 GiB), naming the quantity and size.
 */
export function checkNetworkSize(where, config) {
  const memory = `WebAssembly memory holds at most ${formatBytes(LIMITS.maxBytes)}`;
  let fanIn = config.inputs;
  let params = 0;
  let runningStats = 0;
  config.layers.forEach((layer, l) => {
    const weights = layer.units * fanIn;
    if (weights > LIMITS.maxParams) {
      throw new Error(`${where}: layer ${l} needs ${count(layer.units)} × ${count(fanIn)} = ${count(weights)} weights (${formatBytes(4 * weights)}); a layer can hold at most ${count(LIMITS.maxParams)} weights and ${memory}`);
    }
    params += weights + layer.units * (layer.batchNorm || layer.layerNorm ? 3 : 1);
    if (layer.batchNorm) runningStats += 2 * layer.units;
    fanIn = layer.units;
  });
  const o = config.optimizer;
  const copies = LIMITS.arenaCopiesPerParam + (o.type === 'rmsprop' && o.centered ? LIMITS.centeredExtraCopies : 0);
  const bytes = 4 * (copies * params + 2 * runningStats);
  if (params > LIMITS.maxParams || bytes >= LIMITS.maxBytes) {
    throw new Error(`${where}: the network needs ${count(params)} parameters; with their gradients and optimizer state that is ${formatBytes(bytes)}, and ${memory}`);
  }
  return { params, bytes };
}
