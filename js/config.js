// Network configuration: defaults, validation, and the numeric codes of the C core.
import { LIMITS } from './contract.js';
import { boolean, checkKeys, fail, integer, isPlainObject, number, oneOf } from './validate.js';

export const ACTIVATIONS = ['linear', 'relu', 'leaky-relu', 'sigmoid', 'tanh'];
export const LOSSES = ['mse', 'bce', 'softmax-ce'];
export const INITS = ['he', 'xavier', 'lecun', 'pytorch', 'normal', 'uniform', 'zeros'];
export const OPTIMIZERS = ['sgd', 'adam'];

const CONFIG_KEYS = ['inputs', 'layers', 'loss', 'init', 'optimizer', 'clipNorm', 'seed', 'throwOnNonFinite'];
const LAYER_KEYS = ['units', 'activation', 'batchNorm', 'dropout'];
const SGD_KEYS = ['type', 'learningRate', 'momentum', 'nesterov', 'weightDecay'];
const ADAM_KEYS = ['type', 'learningRate', 'beta1', 'beta2', 'eps', 'weightDecay'];

function normalizeInit(where, init) {
  if (typeof init === 'string') {
    oneOf(where, 'init', init, INITS.filter((n) => n !== 'normal' && n !== 'uniform'));
    return { type: init };
  }
  if (!isPlainObject(init)) fail(where, 'init', init, `one of ${INITS.join(', ')}, {type:'normal', std} or {type:'uniform', limit}`);
  if (init.type === 'normal') {
    checkKeys(where, 'init', init, ['type', 'std']);
    return { type: 'normal', std: number(where, 'init.std', init.std, { min: 0, float32: true }) };
  }
  if (init.type === 'uniform') {
    checkKeys(where, 'init', init, ['type', 'limit']);
    return { type: 'uniform', limit: number(where, 'init.limit', init.limit, { min: 0, float32: true }) };
  }
  checkKeys(where, 'init', init, ['type']);
  oneOf(where, 'init.type', init.type, INITS);
  return { type: init.type };
}

function normalizeOptimizer(where, opt) {
  if (!isPlainObject(opt)) fail(where, 'optimizer', opt, "an object such as { type: 'sgd', learningRate: 0.01 }");
  const type = opt.type ?? 'sgd';
  oneOf(where, 'optimizer.type', type, OPTIMIZERS);
  const weightDecay = number(where, 'optimizer.weightDecay', opt.weightDecay ?? 0, { min: 0, float32: true });
  if (type === 'sgd') {
    checkKeys(where, 'optimizer', opt, SGD_KEYS);
    const momentum = number(where, 'optimizer.momentum', opt.momentum ?? 0, { min: 0, float32: true });
    const nesterov = boolean(where, 'optimizer.nesterov', opt.nesterov ?? false);
    if (nesterov && momentum === 0) fail(where, 'optimizer.momentum', momentum, 'a momentum > 0 when nesterov is true');
    return {
      type,
      learningRate: number(where, 'optimizer.learningRate', opt.learningRate ?? 0.01, { min: 0, float32: true }),
      momentum,
      nesterov,
      weightDecay,
    };
  }
  checkKeys(where, 'optimizer', opt, ADAM_KEYS);
  return {
    type,
    learningRate: number(where, 'optimizer.learningRate', opt.learningRate ?? 1e-3, { min: 0, float32: true }),
    beta1: number(where, 'optimizer.beta1', opt.beta1 ?? 0.9, { min: 0, max: 1, maxOpen: true, float32: true }),
    beta2: number(where, 'optimizer.beta2', opt.beta2 ?? 0.999, { min: 0, max: 1, maxOpen: true, float32: true }),
    eps: number(where, 'optimizer.eps', opt.eps ?? 1e-8, { min: 0, minOpen: true, float32: true }),
    weightDecay,
  };
}

/** A complete, validated copy of a user's config (the form toJSON stores). */
export function normalizeConfig(config, where = 'createNetwork') {
  if (!isPlainObject(config)) fail(where, 'config', config, 'an object with inputs and layers');
  checkKeys(where, 'config', config, CONFIG_KEYS);
  const inputs = integer(where, 'inputs', config.inputs, 1, 1 << 20);
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    fail(where, 'layers', config.layers, 'a non-empty array of { units, activation?, batchNorm?, dropout? }');
  }
  if (config.layers.length > 256) fail(where, 'layers.length', config.layers.length, 'at most 256 layers');
  const layers = config.layers.map((layer, i) => {
    const name = `layers[${i}]`;
    if (!isPlainObject(layer)) fail(where, name, layer, 'an object { units, activation?, batchNorm?, dropout? }');
    checkKeys(where, name, layer, LAYER_KEYS);
    return {
      units: integer(where, `${name}.units`, layer.units, 1, 1 << 20),
      activation: oneOf(where, `${name}.activation`, layer.activation ?? 'linear', ACTIVATIONS),
      batchNorm: boolean(where, `${name}.batchNorm`, layer.batchNorm ?? false),
      dropout: number(where, `${name}.dropout`, layer.dropout ?? 0, { min: 0, max: 1, float32: true }),
    };
  });
  const loss = oneOf(where, 'loss', config.loss ?? 'mse', LOSSES);
  const outputs = layers[layers.length - 1].units;
  if (loss === 'softmax-ce' && outputs < 2) {
    fail(where, `layers[${layers.length - 1}].units`, outputs, "at least 2 output units for loss 'softmax-ce'");
  }
  return {
    inputs,
    layers,
    loss,
    init: normalizeInit(where, config.init ?? 'he'),
    optimizer: normalizeOptimizer(where, config.optimizer ?? { type: 'sgd' }),
    clipNorm: number(where, 'clipNorm', config.clipNorm ?? 0, { min: 0, float32: true }),
    seed: integer(where, 'seed', config.seed ?? 0, 0, 0xffffffff),
    throwOnNonFinite: boolean(where, 'throwOnNonFinite', config.throwOnNonFinite ?? false),
  };
}

const count = (n) => n.toLocaleString('en-US');

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
    params += weights + layer.units * (layer.batchNorm ? 3 : 1);
    if (layer.batchNorm) runningStats += 2 * layer.units;
    fanIn = layer.units;
  });
  const bytes = 4 * (LIMITS.arenaCopiesPerParam * params + 2 * runningStats);
  if (params > LIMITS.maxParams || bytes >= LIMITS.maxBytes) {
    throw new Error(`${where}: the network needs ${count(params)} parameters; with their gradients and optimizer state that is ${formatBytes(bytes)}, and ${memory}`);
  }
  return { params, bytes };
}
