// Presets: named scenarios, each a network that shows one failure case of
// backpropagation training, and a list of remedies that each change ONE thing
// in it (named after what they change), plus a healthy baseline. The seed's
// claims come first and are marked `seed: true`: vanishing gradients -> ReLU;
// exploding gradients -> batch normalization, or a lower learning rate; dead
// ReLU units -> a lower learning rate; dropout 0.0 = none, 1.0 = learns
// nothing. `remedy` is the first of them (what "apply remedy" does); where
// the seed names two (exploding gradients), remediesFor() still marks one, the
// first. Catalogue remedies (js/findings.js) are used by id through named().
// runPreset() builds the data and the network, trains with the test split as
// validation, and diagnoses the run. The CLI, the tests, scripts/preset-figures
// and the playground all use these same definitions.
import { createNetwork } from './network.js';
import * as datasets from './datasets.js';
import { diagnose } from './diagnose.js';
import { REMEDIES, REMEDY_CHANGES, applyChanges } from './findings.js';
import { fail, isPlainObject } from './validate.js';

const stack = (n, layer) => Array.from({ length: n }, () => ({ ...layer }));

// applyChanges and the names it takes live with the catalogue of findings
export { applyChanges, REMEDY_CHANGES };

/** a catalogue remedy (js/findings.js) as a preset entry; its changes may depend on the failure config */
const named = (id, seed = false) => [id, REMEDIES[id].label, REMEDIES[id].changes, seed];

/**
 * A preset: its failure run and its single-change remedies, each
 * [id, label, changes, seed?] with `changes` in REMEDY_CHANGES' names, or a
 * function of the failure config (the catalogue's lr-div10).
 */
function preset({ remedies = [], ...p }) {
  const list = remedies.map(([id, label, given, seed = false]) => {
    const changes = typeof given === 'function' ? given(p.failure.config) : given;
    return { id, label, seed, changes, config: applyChanges(p.failure.config, changes), fit: { ...p.failure.fit } };
  });
  return { ...p, remedies: list, remedy: list[0] ?? null };
}

export const presets = {
  healthy: preset({
    title: 'Healthy baseline',
    description:
      'A small ReLU network with He init and Adam on the circle data. Gradient norms of all layers stay within one order of magnitude of each other, no unit dies, and train and test loss fall together.',
    expect: null,
    dataset: { name: 'circle', samples: 400, noise: 0.05 },
    failure: {
      label: '2 x 16 ReLU, He init, Adam 0.01',
      config: { layers: [...stack(2, { units: 16, activation: 'relu' }), { units: 1 }], init: 'he', optimizer: { type: 'adam', learningRate: 0.01 } },
      fit: { epochs: 30, batchSize: 20 },
    },
  }),
  'vanishing-gradients': preset({
    title: 'Vanishing gradients',
    description:
      "Eight sigmoid layers, even with Xavier init (the one made for sigmoid): every layer multiplies the backward signal by sigmoid's derivative (at most 0.25), so the first layer gets a gradient norm about 1e-6 of the output layer's and barely moves; the loss stays at chance. Look at the gradient-norm chart on a log scale: the lines fan out by orders of magnitude. The seed's remedy, ReLU instead of sigmoid (nothing else changed), closes them up; ReLU with He init works too, and batch norm alone (sigmoid kept) gets 83-100% test accuracy on seeds 1-5.",
    expect: 'vanishing-gradients',
    dataset: { name: 'circle', samples: 400, noise: 0.05 },
    failure: {
      label: '8 x 16 sigmoid, Xavier init, SGD 0.02 + momentum',
      config: { layers: [...stack(8, { units: 16, activation: 'sigmoid' }), { units: 1 }], init: 'xavier', optimizer: { type: 'sgd', learningRate: 0.02, momentum: 0.9 } },
      fit: { epochs: 30, batchSize: 20 },
    },
    remedies: [
      named('relu', true),
      named('relu-he'),
      named('batch-norm'),
    ],
  }),
  'exploding-gradients': preset({
    title: 'Exploding gradients',
    description:
      'Six ReLU layers initialized with weights about 3x too large (normal, std 0.6) and a high learning rate: activations and gradients grow layer by layer, the first steps see gradient norms in the thousands and the loss turns to NaN (those steps are skipped). Each remedy alone cures it: the seed\'s two, a 10x lower learning rate or batch norm, and also clipping the gradient norm to 1 or He init. With the lower learning rate alone 38-47% of the units of some layer end up dead over the last epoch (seeds 1-5), though it learns.',
    expect: 'exploding-gradients',
    dataset: { name: 'circle', samples: 400, noise: 0.05 },
    failure: {
      label: '6 x 32 ReLU, std 0.6 init, SGD 0.05 + momentum',
      config: { layers: [...stack(6, { units: 32, activation: 'relu' }), { units: 1 }], init: { type: 'normal', std: 0.6 }, optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 } },
      fit: { epochs: 20, batchSize: 20 },
    },
    remedies: [
      named('lr-div10', true),
      named('batch-norm', true),
      named('clip-norm-1'),
      named('he-init'),
    ],
  }),
  'dead-relu': preset({
    title: 'Dead ReLU units',
    description:
      "A learning rate of 3 throws the ReLU units' biases and weights so far that most of them output 0 for every input: they get no gradient and never come back. Watch the dead-ReLU chart climb toward 100% and the gradient norms drop to 0. The seed's remedy, a 10x lower learning rate, keeps most units alive and the network learns. Leaky ReLU alone does not cure it: its units keep a gradient, but at learning rate 3 the network still learns nothing (or its loss turns to NaN).",
    expect: 'dead-relu',
    dataset: { name: 'moons', samples: 400, noise: 0.1 },
    failure: {
      label: '3 x 32 ReLU, SGD 3',
      config: { layers: [...stack(3, { units: 32, activation: 'relu' }), { units: 1 }], init: 'he', optimizer: { type: 'sgd', learningRate: 3 } },
      fit: { epochs: 20, batchSize: 10 },
    },
    remedies: [
      named('lr-div10', true),
      named('leaky-relu'),
    ],
  }),
  overfitting: preset({
    title: 'Overfitting',
    description:
      'Two layers of 128 units trained on 50 noisy examples, a fifth of them mislabelled: the network memorizes the training set (train loss near 0) while the test loss climbs after its best epoch. Dropout 0.6 alone (the seed: 0.0 is none, values in between regularize) keeps train and test loss together on 4 of seeds 1-5 (on seed 5 a gap of about 1 remains); L2 weight decay 1e-2 alone closes the gap as often, but leaves more ReLUs dead.',
    expect: 'overfitting',
    dataset: { name: 'circle', samples: 100, noise: 0.15, labelNoise: 0.2 },
    failure: {
      label: '2 x 128 ReLU, no dropout, Adam 0.01',
      config: { layers: [...stack(2, { units: 128, activation: 'relu' }), { units: 1 }], init: 'he', optimizer: { type: 'adam', learningRate: 0.01 } },
      fit: { epochs: 150, batchSize: 10 },
    },
    remedies: [
      ['dropout', 'dropout 0.6', { dropout: 0.6 }, true],
      named('l2'),
    ],
  }),
  'dropout-one': preset({
    title: 'Dropout 1.0',
    description:
      "Dropout 1.0 drops every unit: in training the layer outputs only zeros, no gradient reaches anything below it and the network learns nothing but the output bias; the training loss stays at ln 2 = 0.693. In evaluation (dropout off) the network is just its random initialization, so its test accuracy is luck, not learning (56-69% on seeds 1-3). Dropout is a rate in [0, 1] (the seed: 0.0 = none, 1.0 = learns nothing); 0.2 trains normally.",
    expect: 'vanishing-gradients',
    dataset: { name: 'circle', samples: 400, noise: 0.05 },
    failure: {
      label: '2 x 16 ReLU, dropout 1.0',
      config: { layers: [...stack(2, { units: 16, activation: 'relu', dropout: 1 }), { units: 1 }], init: 'he', optimizer: { type: 'adam', learningRate: 0.01 } },
      fit: { epochs: 30, batchSize: 20 },
    },
    remedies: [named('dropout-0.2', true)],
  }),
};

export const PRESET_NAMES = Object.keys(presets);

const GENERATORS = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'regressionPlane', 'regressionGaussian'];

const isDataset = (d) => isPlainObject(d) && isPlainObject(d.train) && isPlainObject(d.test) && d.train.x instanceof Float32Array && Number.isInteger(d.inputs);

/**
 * The dataset a preset (or any { name, ...options } spec) describes. A dataset
 * that is already built (e.g. from datasets.parseCsv: { inputs, outputs, loss,
 * train, test }) is used as it is, whatever the seed.
 */
export async function loadDataset(spec, seed = 0) {
  if (isDataset(spec)) return spec;
  if (!isPlainObject(spec)) fail('loadDataset', 'dataset', spec, 'a spec { name, ...options } or a dataset { inputs, outputs, loss, train, test }');
  const { name, ...options } = spec;
  if (name === 'digits') return datasets.digits({ seed, ...options });
  if (!GENERATORS.includes(name)) fail('loadDataset', 'dataset.name', name, `one of ${GENERATORS.join(', ')}, digits`);
  return datasets[name]({ seed, ...options });
}

const ofData = (dataset) => `the dataset${dataset.name ? ` (${dataset.name})` : ''}`;
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A scenario's config with the dataset's inputs and loss where it names none; where it
 * names others, it does not fit the data and is refused, naming both (a config that is
 * not an object, or values of the wrong type, are left to createNetwork to refuse).
 */
function fitToData(config, dataset, seed) {
  const given = isPlainObject(config) ? config : {};
  const where = 'runScenario';
  if (Number.isInteger(given.inputs) && given.inputs !== dataset.inputs) {
    throw new Error(`${where}: the network has ${plural(given.inputs, 'input')} (config.inputs); ${ofData(dataset)} has ${plural(dataset.inputs, 'input column')}; expected them to agree (or no config.inputs: it is taken from the dataset)`);
  }
  if (typeof given.loss === 'string' && given.loss !== dataset.loss) {
    throw new Error(`${where}: config.loss is ${JSON.stringify(given.loss)}; ${ofData(dataset)} is labelled for ${JSON.stringify(dataset.loss)}; expected ${JSON.stringify(dataset.loss)} (or no config.loss: it is taken from the dataset)`);
  }
  // the last layer's units against the dataset's targets: classes for softmax-ce, else target columns
  const units = Array.isArray(given.layers) ? given.layers.at(-1)?.units : undefined;
  if (Number.isInteger(units) && units >= 1 && units !== dataset.outputs) {
    const targets = dataset.loss === 'softmax-ce' ? `${dataset.outputs} ${dataset.outputs === 1 ? 'class' : 'classes'}` : plural(dataset.outputs, 'target column');
    throw new Error(`${where}: the network has ${plural(units, 'output')} (its last layer's units); ${ofData(dataset)} has ${targets}; expected a last layer of ${plural(dataset.outputs, 'unit')}`);
  }
  return { ...config, inputs: given.inputs ?? dataset.inputs, loss: given.loss ?? dataset.loss, seed };
}

/**
 * Trains one side of a preset (or a custom { dataset, config, fit } scenario)
 * with the test split as validation.
 * Resolves to { net, dataset, history, findings }; the caller disposes net.
 */
export async function runScenario({ dataset: spec, config, fit }, { seed = 1, epochs, onEpoch, signal, coreOptions } = {}) {
  const dataset = await loadDataset(spec, seed);
  const net = await createNetwork(fitToData(config, dataset, seed), coreOptions);
  try {
    const history = await net.fit(dataset.train.x, dataset.train.y, {
      ...fit,
      ...(epochs !== undefined ? { epochs } : {}),
      validation: dataset.test,
      onEpoch,
      signal,
    });
    return { net, dataset, history, findings: diagnose(net, undefined, { x: dataset.train.x }) };
  } catch (err) {
    net.dispose();
    throw err;
  }
}

/**
 * Scenario for one run of a preset: side 'failure' (default), 'remedy' (its
 * first remedy, the seed's) or a remedy id from preset.remedies (e.g. 'batch-norm').
 */
export function presetScenario(name, side = 'failure') {
  const preset = Object.hasOwn(presets, name) ? presets[name] : null;
  if (!preset) fail('preset', 'name', name, `one of ${PRESET_NAMES.join(', ')}`);
  const ids = preset.remedies.map((r) => r.id);
  const sides = ['failure', ...(preset.remedy ? ['remedy'] : []), ...ids].map((x) => JSON.stringify(x)).join(', ');
  if (side === 'failure') return { name, label: preset.failure.label, dataset: preset.dataset, config: preset.failure.config, fit: preset.failure.fit };
  const run = side === 'remedy' ? preset.remedy : preset.remedies.find((r) => r.id === side);
  if (!run) fail('preset', 'side', side, `one of ${sides} (preset ${name})`);
  return { name: `${name}:${side}`, label: run.label, dataset: preset.dataset, config: run.config, fit: run.fit };
}

export function runPreset(name, side = 'failure', options = {}) {
  return runScenario(presetScenario(name, side), options);
}
