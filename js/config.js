// Network configuration: defaults, validation, and the numeric codes of the C core.
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
    return { type: 'normal', std: number(where, 'init.std', init.std, { min: 0 }) };
  }
  if (init.type === 'uniform') {
    checkKeys(where, 'init', init, ['type', 'limit']);
    return { type: 'uniform', limit: number(where, 'init.limit', init.limit, { min: 0 }) };
  }
  checkKeys(where, 'init', init, ['type']);
  oneOf(where, 'init.type', init.type, INITS);
  return { type: init.type };
}

function normalizeOptimizer(where, opt) {
  if (!isPlainObject(opt)) fail(where, 'optimizer', opt, "an object such as { type: 'sgd', learningRate: 0.01 }");
  const type = opt.type ?? 'sgd';
  oneOf(where, 'optimizer.type', type, OPTIMIZERS);
  const weightDecay = number(where, 'optimizer.weightDecay', opt.weightDecay ?? 0, { min: 0 });
  if (type === 'sgd') {
    checkKeys(where, 'optimizer', opt, SGD_KEYS);
    const momentum = number(where, 'optimizer.momentum', opt.momentum ?? 0, { min: 0 });
    const nesterov = boolean(where, 'optimizer.nesterov', opt.nesterov ?? false);
    if (nesterov && momentum === 0) fail(where, 'optimizer.momentum', momentum, 'a momentum > 0 when nesterov is true');
    return {
      type,
      learningRate: number(where, 'optimizer.learningRate', opt.learningRate ?? 0.01, { min: 0 }),
      momentum,
      nesterov,
      weightDecay,
    };
  }
  checkKeys(where, 'optimizer', opt, ADAM_KEYS);
  return {
    type,
    learningRate: number(where, 'optimizer.learningRate', opt.learningRate ?? 1e-3, { min: 0 }),
    beta1: number(where, 'optimizer.beta1', opt.beta1 ?? 0.9, { min: 0, max: 1, maxOpen: true }),
    beta2: number(where, 'optimizer.beta2', opt.beta2 ?? 0.999, { min: 0, max: 1, maxOpen: true }),
    eps: number(where, 'optimizer.eps', opt.eps ?? 1e-8, { min: 0, minOpen: true }),
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
      dropout: number(where, `${name}.dropout`, layer.dropout ?? 0, { min: 0, max: 1 }),
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
    clipNorm: number(where, 'clipNorm', config.clipNorm ?? 0, { min: 0 }),
    seed: integer(where, 'seed', config.seed ?? 0, 0, 0xffffffff),
    throwOnNonFinite: boolean(where, 'throwOnNonFinite', config.throwOnNonFinite ?? false),
  };
}
