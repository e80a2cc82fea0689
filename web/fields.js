// The page's one field table. Every setting a person can change in the
// playground is one row: where it lives in the page state (a path into
// { data, config, fit, view }), its kind and limits, its label, the group it
// is shown in and when it applies. The controls (controls.js), the URL codec
// and validation (state.js) and the edit handlers (main.js) all read this
// table; no other file repeats a limit. `config` is the library's own config
// (createNetwork's), so a name here is the library's name.
import { ACTIVATIONS, DECAYS, INITS, LOSSES, OPTIMIZERS } from '../js/config.js';

export { ACTIVATIONS, DECAYS, INITS, LOSSES, OPTIMIZERS };

export const DATASETS_2D = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'regressionPlane', 'regressionGaussian'];
export const REGRESSION = ['regressionPlane', 'regressionGaussian'];
export const DATASETS = [...DATASETS_2D, 'digits', 'csv'];
export const NORMS = ['', 'batchNorm', 'layerNorm'];
/** epochs per second; 0 = as fast as possible; negative: slow motion, -n = n optimizer steps a second */
export const SPEEDS = [-1, -2, -5, -10, -20, 1, 2, 5, 10, 30, 100, 0];
export const speedLabel = (s) => (s === 0 ? 'max' : s < 0 ? `${-s} step${s === -1 ? '' : 's'}/s` : `${s} epoch${s === 1 ? '' : 's'}/s`);
/** how often (in optimizer steps) the histograms are sampled for the distributions view */
export const HISTOGRAM_EVERY = [1, 10, 100];

/** the page's limits on the network's shape (the library allows more; the page draws every unit) */
export const LAYER_LIMITS = { hidden: 12, units: 512 };

const opt = (s) => s.config.optimizer;
const schedule = (s) => opt(s).schedule;
const isGenerated = (s) => DATASETS_2D.includes(s.data.dataset);

/**
 * kind: 'choice' (choices, labels) | 'number' | 'int' | 'bool' | 'range' (a slider)
 * group: 'data' | 'network' | 'training' | 'advanced' | 'view'
 * when(state): the field applies to this state (shown, linked, validated); absent = always
 * min/max (and minOpen): the page's limits, inclusive unless open
 */
export const FIELDS = [
  { key: 'dataset', path: 'data.dataset', kind: 'choice', choices: DATASETS, group: 'data', label: 'Dataset', labels: { regressionPlane: 'regression: plane', regressionGaussian: 'regression: gaussian', digits: 'digits (8×8, 10 classes)', csv: 'CSV upload…' }, static: true },
  { key: 'samples', path: 'data.samples', kind: 'int', min: 20, max: 5000, step: 10, group: 'data', label: 'Samples', when: isGenerated },
  { key: 'noise', path: 'data.noise', kind: 'range', min: 0, max: 0.5, step: 0.01, group: 'data', label: 'Noise', when: isGenerated },
  { key: 'testRatio', path: 'data.testRatio', kind: 'range', min: 0.1, max: 0.9, step: 0.05, group: 'data', label: 'Test share', when: (s) => s.data.dataset !== 'csv' },
  { key: 'labelNoise', path: 'data.labelNoise', kind: 'range', min: 0, max: 0.5, step: 0.05, group: 'data', label: 'Label noise', when: (s) => s.data.dataset !== 'csv' && !REGRESSION.includes(s.data.dataset) },
  { key: 'standardize', path: 'data.standardize', kind: 'bool', group: 'data', label: 'standardize inputs', title: "Each input column to mean 0 and std 1, with the training split's statistics (applied to train and test)" },
  { key: 'standardizeTarget', path: 'data.standardizeTarget', kind: 'bool', group: 'data', label: 'standardize the target', title: "Regression: the target to mean 0 and std 1 with the training split's statistics; losses are then in units of the target's variance", when: (s) => s.config.loss === 'mse' },

  { key: 'init', path: 'config.init.type', kind: 'choice', choices: INITS, group: 'network', label: 'Init' },
  { key: 'initStd', path: 'config.init.std', kind: 'number', min: 0, max: 10, step: 0.05, group: 'network', label: 'Init std', when: (s) => s.config.init.type === 'normal' },
  { key: 'initLimit', path: 'config.init.limit', kind: 'number', min: 0, max: 10, step: 0.05, group: 'network', label: 'Init limit (±)', when: (s) => s.config.init.type === 'uniform' },
  { key: 'initGain', path: 'config.init.gain', kind: 'number', min: 0, minOpen: true, max: 10, step: 0.1, group: 'network', label: 'Init gain', when: (s) => s.config.init.type === 'orthogonal' },
  { key: 'loss', path: 'config.loss', kind: 'choice', choices: LOSSES, group: 'network', label: 'Loss' },

  { key: 'optimizer', path: 'config.optimizer.type', kind: 'choice', choices: OPTIMIZERS, group: 'training', label: 'Optimizer', labels: { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop' } },
  { key: 'learningRate', path: 'config.optimizer.learningRate', kind: 'number', min: 0, max: 10, group: 'training', label: 'Learning rate' },
  { key: 'momentum', path: 'config.optimizer.momentum', kind: 'number', min: 0, max: 10, step: 0.1, group: 'training', label: 'Momentum', when: (s) => opt(s).type === 'sgd' || opt(s).type === 'rmsprop' },
  { key: 'weightDecay', path: 'config.optimizer.weightDecay', kind: 'number', min: 0, max: 1, group: 'training', label: 'L2 weight decay', labelIf: (s) => (opt(s).type === 'adamw' ? 'Weight decay (decoupled)' : 'L2 weight decay') },
  { key: 'clipNorm', path: 'config.clipNorm', kind: 'number', min: 0, max: 100, group: 'training', label: 'Clip norm (0 = off)' },
  { key: 'epochs', path: 'fit.epochs', kind: 'int', min: 0, max: 1e6, group: 'training', label: 'Epochs (0 = until paused)', title: 'Play stops after this many epochs (a preset sets its own length); 0 trains until you pause' },
  { key: 'batchSize', path: 'fit.batchSize', kind: 'int', min: 1, max: 2000, group: 'training', label: 'Batch size' },
  { key: 'seed', path: 'config.seed', kind: 'int', min: 0, max: 0xffffffff, group: 'training', label: 'Seed' },

  { key: 'nesterov', path: 'config.optimizer.nesterov', kind: 'bool', group: 'advanced', label: 'Nesterov momentum', when: (s) => opt(s).type === 'sgd' },
  { key: 'beta1', path: 'config.optimizer.beta1', kind: 'number', min: 0, max: 1, maxOpen: true, group: 'advanced', label: 'β1', when: (s) => opt(s).type === 'adam' || opt(s).type === 'adamw' },
  { key: 'beta2', path: 'config.optimizer.beta2', kind: 'number', min: 0, max: 1, maxOpen: true, group: 'advanced', label: 'β2', when: (s) => opt(s).type === 'adam' || opt(s).type === 'adamw' },
  { key: 'alpha', path: 'config.optimizer.alpha', kind: 'number', min: 0, max: 1, maxOpen: true, group: 'advanced', label: 'α (square-average decay)', when: (s) => opt(s).type === 'rmsprop' },
  { key: 'eps', path: 'config.optimizer.eps', kind: 'number', min: 0, minOpen: true, max: 1, group: 'advanced', label: 'ε', when: (s) => opt(s).type !== 'sgd' },
  { key: 'centered', path: 'config.optimizer.centered', kind: 'bool', group: 'advanced', label: 'centered', when: (s) => opt(s).type === 'rmsprop' },
  { key: 'initBias', path: 'config.init.bias', kind: 'choice', choices: ['zeros', 'uniform', 'normal'], group: 'advanced', label: 'Init biases', labels: { uniform: 'uniform ±1/√fan-in', normal: 'normal (std below)' }, title: "'pytorch' draws nn.Linear's uniform biases by default; every other init zeros" },
  { key: 'initBiasStd', path: 'config.init.biasStd', kind: 'number', min: 0, max: 10, step: 0.01, group: 'advanced', label: 'Init bias std', when: (s) => typeof s.config.init.bias === 'number' },
  { key: 'maxNorm', path: 'config.optimizer.maxNorm', kind: 'number', min: 0, max: 100, group: 'advanced', label: 'Max-norm per unit (0 = off)', title: "After each update, each unit's incoming weight vector is scaled to an L2 norm of at most this (Srivastava et al.'s max-norm, torch.renorm)" },
  { key: 'l1', path: 'config.optimizer.l1', kind: 'number', min: 0, max: 1, group: 'advanced', label: 'L1 (l1 · sign(W))' },
  { key: 'decay', path: 'config.optimizer.schedule.decay', kind: 'choice', choices: DECAYS, group: 'advanced', label: 'Learning-rate decay', labels: { none: 'none (constant)' } },
  { key: 'warmupSteps', path: 'config.optimizer.schedule.warmupSteps', kind: 'int', min: 0, max: 1e6, group: 'advanced', label: 'Warm-up steps' },
  { key: 'stepSize', path: 'config.optimizer.schedule.stepSize', kind: 'int', min: 1, max: 1e6, group: 'advanced', label: 'Decay every (steps)', when: (s) => schedule(s)?.decay === 'step' },
  { key: 'gamma', path: 'config.optimizer.schedule.gamma', kind: 'number', min: 0, minOpen: true, max: 1, group: 'advanced', label: 'γ (decay factor)', when: (s) => schedule(s)?.decay === 'step' || schedule(s)?.decay === 'exponential' },
  { key: 'decaySteps', path: 'config.optimizer.schedule.decaySteps', kind: 'int', min: 1, max: 1e6, group: 'advanced', label: 'Cosine over (steps)', when: (s) => schedule(s)?.decay === 'cosine' },
  { key: 'minLearningRate', path: 'config.optimizer.schedule.minLearningRate', kind: 'number', min: 0, max: 10, group: 'advanced', label: 'Minimum learning rate', when: (s) => schedule(s)?.decay === 'cosine' },
  { key: 'earlyStopping', path: 'fit.earlyStopping', kind: 'bool', group: 'advanced', label: 'early stopping (on the test loss)', object: true },
  { key: 'patience', path: 'fit.earlyStopping.patience', kind: 'int', min: 1, max: 10000, group: 'advanced', label: 'Patience (epochs)', when: (s) => !!s.fit.earlyStopping },
  { key: 'minDelta', path: 'fit.earlyStopping.minDelta', kind: 'number', min: 0, max: 1e6, group: 'advanced', label: 'Min. improvement', when: (s) => !!s.fit.earlyStopping },
  { key: 'restoreBest', path: 'fit.earlyStopping.restoreBest', kind: 'bool', group: 'advanced', label: 'restore the best epoch', when: (s) => !!s.fit.earlyStopping },
  { key: 'throwOnNonFinite', path: 'config.throwOnNonFinite', kind: 'bool', group: 'advanced', label: 'stop on a non-finite step (instead of skipping it)' },

  { key: 'speed', path: 'view.speed', kind: 'choice', choices: SPEEDS, group: 'view', label: 'Speed', static: true },
  { key: 'histogramEvery', path: 'view.histogramEvery', kind: 'choice', choices: HISTOGRAM_EVERY, group: 'view', label: 'sampled every', static: true },
];

export const FIELD = Object.fromEntries(FIELDS.map((f) => [f.key, f]));

/** the value at a field's path ('a.b.c'), undefined where a step is missing */
export function getPath(obj, path) {
  let v = obj;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? v[k] : undefined;
  return v;
}

/** a copy of obj with the value at path set (objects on the way copied, missing ones made) */
export function setPath(obj, path, value) {
  const [k, ...rest] = path.split('.');
  const out = Array.isArray(obj) ? [...obj] : { ...obj };
  out[k] = rest.length ? setPath(obj?.[k] ?? {}, rest.join('.'), value) : value;
  return out;
}

/** the field applies to this state */
export const applies = (field, state) => !field.when || field.when(state);

/** "a number in [0, 10]" / "an integer in [1, 2000]" / "one of …": what a field expects */
export function expected(field) {
  if (field.kind === 'choice') return `one of ${field.choices.join(', ')}`;
  if (field.kind === 'bool') return 'on or off (1 or 0 in a link)';
  const lo = field.minOpen ? '(' : '[';
  const hi = field.maxOpen ? ')' : ']';
  return `${field.kind === 'int' ? 'an integer' : 'a number'} in ${lo}${field.min}, ${field.max}${hi}`;
}

/** the field's value is within its limits */
export function valid(field, value) {
  if (field.kind === 'choice') return field.choices.includes(value);
  if (field.kind === 'bool') return typeof value === 'boolean' || (field.object && (value === null || typeof value === 'object'));
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (field.kind === 'int' && !Number.isInteger(value)) return false;
  return (field.minOpen ? value > field.min : value >= field.min) && (field.maxOpen ? value < field.max : value <= field.max);
}

/** text from a control or a link → the field's value, or undefined when it is not one */
export function parse(field, text) {
  const t = String(text).trim();
  if (field.kind === 'bool') return t === '1' || t === 'true' ? true : t === '0' || t === 'false' ? false : undefined;
  if (field.kind === 'choice') {
    const v = field.choices.find((c) => String(c) === t);
    return v;
  }
  if (t === '') return undefined;
  const v = Number(t);
  return valid(field, v) ? v : undefined;
}

/** the value as a control or a link writes it */
export const format = (field, value) => (field.kind === 'bool' ? (value ? '1' : '0') : String(value));
