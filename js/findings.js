// The catalogue of findings: every kind diagnose() can raise, its title, the
// figures that define it (what tryRemedies measures), and the single-change
// remedies offered for it, the seed's first. diagnose(), tryRemedies(), the
// presets, the CLI and the page all read this one table.
//
// A remedy changes ONE thing, under the names applyChanges() takes (the
// playground's control names): activation, batchNorm and dropout apply to
// every hidden layer; learningRate and weightDecay to the optimizer; init and
// clipNorm to the network.
import { DEFAULT_LEARNING_RATE } from './config.js';
import { fail, isPlainObject } from './validate.js';

// --- single changes --------------------------------------------------------------

const HIDDEN = ['activation', 'batchNorm', 'dropout'];
const OPTIMIZER = ['learningRate', 'weightDecay'];
export const REMEDY_CHANGES = Object.freeze([...HIDDEN, ...OPTIMIZER, 'init', 'clipNorm']);

/** a config with `changes` applied (a new object; `config` is untouched) */
export function applyChanges(config, changes) {
  if (!isPlainObject(config) || !Array.isArray(config.layers)) fail('applyChanges', 'config', config, 'a network config { layers, ... }');
  if (!isPlainObject(changes)) fail('applyChanges', 'changes', changes, `an object of changes named ${REMEDY_CHANGES.join(', ')}`);
  const out = structuredClone(config);
  const last = out.layers.length - 1;
  for (const [key, value] of Object.entries(changes)) {
    if (HIDDEN.includes(key)) out.layers = out.layers.map((layer, l) => (l < last ? { ...layer, [key]: value } : layer));
    else if (OPTIMIZER.includes(key)) out.optimizer = { ...(out.optimizer ?? { type: 'sgd' }), [key]: value };
    else if (key === 'init' || key === 'clipNorm') out[key] = value;
    else fail('applyChanges', 'changes', key, `one of ${REMEDY_CHANGES.join(', ')}`);
  }
  return out;
}

/** the learning rate a config trains with (its optimizer's default when not given) */
function learningRateOf(config) {
  const o = config.optimizer ?? {};
  return o.learningRate ?? DEFAULT_LEARNING_RATE[o.type ?? 'sgd'];
}

/**
 * The named single changes. `changes` is an object, or for lr-div10 a function
 * of the config: its own learning rate / 10 (7 digits: a rate read back as
 * float32, 0.0500000007, gives 0.005).
 */
export const REMEDIES = Object.freeze({
  relu: { label: 'ReLU', changes: { activation: 'relu' } },
  'relu-he': { label: 'ReLU + He init', changes: { activation: 'relu', init: 'he' } },
  'leaky-relu': { label: 'leaky ReLU', changes: { activation: 'leaky-relu' } },
  'batch-norm': { label: 'batch norm', changes: { batchNorm: true } },
  'lr-div10': { label: 'learning rate ÷10', changes: (config) => ({ learningRate: Number((learningRateOf(config) / 10).toPrecision(7)) }) },
  'clip-norm-1': { label: 'clip norm 1', changes: { clipNorm: 1 } },
  'he-init': { label: 'He init', changes: { init: 'he' } },
  'xavier-init': { label: 'Xavier init', changes: { init: 'xavier' } },
  'dropout-0.2': { label: 'dropout 0.2', changes: { dropout: 0.2 } },
  'dropout-0.5': { label: 'dropout 0.5', changes: { dropout: 0.5 } },
  l2: { label: 'L2 1e-2', changes: { weightDecay: 1e-2 } },
});

/** one named remedy for a config: { id, label, changes } (changes a fresh object) */
export function namedRemedy(id, config) {
  const r = Object.hasOwn(REMEDIES, id) ? REMEDIES[id] : null;
  if (!r) fail('namedRemedy', 'id', id, `one of ${Object.keys(REMEDIES).join(', ')}`);
  return { id, label: r.label, changes: typeof r.changes === 'function' ? r.changes(config) : structuredClone(r.changes) };
}

// --- the findings ------------------------------------------------------------------

/**
 * Per kind: title; metrics, the figures that define it as tryRemedies measures
 * them (vanishing: first layer's gradient norm over the output layer's;
 * exploding: the largest gradient norm of the run and the skipped steps; dead
 * ReLU: the worst hidden layer's dead share over the last epoch; saturation:
 * the worst sigmoid/tanh layer's saturated share; overfitting: test minus train
 * loss, eval mode; non-finite: skipped steps and the largest gradient norm);
 * remedies, the ids of its single changes, the seed's first (the DESIGN's
 * table: ReLU for vanishing gradients, a lower learning rate for exploding
 * gradients and dead ReLUs, dropout for overfitting; NaN/Infinity is where
 * exploding gradients end; saturation is the sigmoid/tanh cause of vanishing);
 * scaledInputs: badly scaled inputs cause it (diagnose's "Standardize the inputs").
 */
export const FINDINGS = Object.freeze({
  'vanishing-gradients': { title: 'Vanishing gradients', metrics: ['firstToLastGradRatio'], remedies: ['relu', 'relu-he', 'batch-norm'], scaledInputs: false },
  'exploding-gradients': { title: 'Exploding gradients', metrics: ['maxGradNorm', 'skippedSteps'], remedies: ['lr-div10', 'batch-norm', 'clip-norm-1', 'he-init'], scaledInputs: true },
  'dead-relu': { title: 'Dead ReLU units', metrics: ['deadFraction'], remedies: ['lr-div10', 'leaky-relu'], scaledInputs: true },
  saturation: { title: 'Saturated units', metrics: ['saturatedFraction'], remedies: ['relu', 'xavier-init', 'batch-norm'], scaledInputs: true },
  overfitting: { title: 'Overfitting', metrics: ['gap'], remedies: ['dropout-0.5', 'l2'], scaledInputs: false },
  'non-finite': { title: 'NaN or Infinity', metrics: ['skippedSteps', 'maxGradNorm'], remedies: ['lr-div10', 'clip-norm-1', 'batch-norm'], scaledInputs: true },
});
for (const f of Object.values(FINDINGS)) Object.freeze(f.metrics), Object.freeze(f.remedies), Object.freeze(f);

export const FINDING_KINDS = Object.freeze(Object.keys(FINDINGS));
export const FINDING_METRICS = Object.freeze(Object.fromEntries(FINDING_KINDS.map((k) => [k, FINDINGS[k].metrics])));
/** the findings that badly scaled inputs cause (and standardizing them cures) */
export const INPUT_KINDS = Object.freeze(FINDING_KINDS.filter((k) => FINDINGS[k].scaledInputs));

/** `kind`, checked against the catalogue */
export function checkKind(where, name, kind) {
  if (!FINDING_KINDS.includes(kind)) fail(where, name, kind, `one of ${FINDING_KINDS.map((k) => JSON.stringify(k)).join(', ')}`);
  return kind;
}

// --- does a change change anything? ------------------------------------------------------

const sameInit = (a, b) => {
  const norm = (i) => (typeof i === 'string' ? { type: i } : i ?? { type: 'he' });
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
};
const LAYER_DEFAULTS = { activation: 'linear', batchNorm: false, dropout: 0 };

/** true when applying `changes` to `config` would train the same network (defaults filled in) */
export function changesNothing(config, changes) {
  const hidden = config.layers.slice(0, -1);
  const o = config.optimizer ?? {};
  return Object.entries(changes).every(([key, value]) => {
    if (HIDDEN.includes(key)) return hidden.every((layer) => (layer[key] ?? LAYER_DEFAULTS[key]) === value);
    if (key === 'learningRate') return Math.fround(learningRateOf(config)) === Math.fround(value);
    if (key === 'weightDecay') return Math.fround(o.weightDecay ?? (o.type === 'adamw' ? 0.01 : 0)) === Math.fround(value);
    if (key === 'init') return sameInit(config.init, value);
    if (key === 'clipNorm') return (config.clipNorm ?? 0) === value;
    return false;
  });
}

/** true when a hidden layer drops every unit (dropout 1): nothing below it learns, whatever the activation */
export const dropsEverything = (config) => config.layers.slice(0, -1).some((layer) => layer.dropout >= 1);
