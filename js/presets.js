// Presets: named scenarios, each a pair — a network that shows one failure case
// of backpropagation training, and the same task with the usual remedy — plus a
// healthy baseline. runPreset() builds the data and the network, trains with the
// test split as validation, and diagnoses the run. The CLI, the tests and the
// playground all use these same definitions.
import { createNetwork } from './network.js';
import * as datasets from './datasets.js';
import { diagnose } from './diagnose.js';
import { fail } from './validate.js';

const stack = (n, layer) => Array.from({ length: n }, () => ({ ...layer }));

export const presets = {
  healthy: {
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
    remedy: null,
  },
  'vanishing-gradients': {
    title: 'Vanishing gradients',
    description:
      "Eight sigmoid layers: every layer multiplies the backward signal by sigmoid's derivative (at most 0.25), so the first layers get a gradient norm 1e-4 to 1e-7 of the output layer's and barely move; the loss stays at chance. Look at the gradient-norm chart on a log scale: the lines fan out by orders of magnitude. The remedy swaps sigmoid for ReLU with He init and the lines close up.",
    expect: 'vanishing-gradients',
    dataset: { name: 'circle', samples: 400, noise: 0.05 },
    failure: {
      label: '8 x 16 sigmoid, PyTorch init',
      config: { layers: [...stack(8, { units: 16, activation: 'sigmoid' }), { units: 1 }], init: 'pytorch', optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 } },
      fit: { epochs: 30, batchSize: 20 },
    },
    remedy: {
      label: '8 x 16 ReLU, He init',
      config: { layers: [...stack(8, { units: 16, activation: 'relu' }), { units: 1 }], init: 'he', optimizer: { type: 'sgd', learningRate: 0.02, momentum: 0.9 } },
      fit: { epochs: 30, batchSize: 20 },
    },
  },
  'exploding-gradients': {
    title: 'Exploding gradients',
    description:
      'Six ReLU layers initialized with weights about 3x too large (normal, std 0.6) and a high learning rate: activations and gradients grow layer by layer, the first steps see gradient norms in the thousands and the loss turns to NaN (those steps are skipped). The remedy keeps the bad init but adds batch norm, a 10x lower learning rate and gradient clipping.',
    expect: 'exploding-gradients',
    dataset: { name: 'circle', samples: 400, noise: 0.05 },
    failure: {
      label: '6 x 32 ReLU, std 0.6 init, SGD 0.05',
      config: { layers: [...stack(6, { units: 32, activation: 'relu' }), { units: 1 }], init: { type: 'normal', std: 0.6 }, optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 } },
      fit: { epochs: 20, batchSize: 20 },
    },
    remedy: {
      label: '+ batch norm, SGD 0.005, clip 1',
      config: {
        layers: [...stack(6, { units: 32, activation: 'relu', batchNorm: true }), { units: 1 }],
        init: { type: 'normal', std: 0.6 },
        optimizer: { type: 'sgd', learningRate: 0.005, momentum: 0.9 },
        clipNorm: 1,
      },
      fit: { epochs: 20, batchSize: 20 },
    },
  },
  'dead-relu': {
    title: 'Dead ReLU units',
    description:
      'A learning rate of 3 throws the ReLU units\' biases and weights so far that most of them output 0 for every input: they get no gradient and never come back. Watch the dead-ReLU chart climb toward 100% and the gradient norms drop to 0. The remedy uses leaky ReLU (a small slope below 0 keeps a gradient) and a sane learning rate.',
    expect: 'dead-relu',
    dataset: { name: 'moons', samples: 400, noise: 0.1 },
    failure: {
      label: '3 x 32 ReLU, SGD 3',
      config: { layers: [...stack(3, { units: 32, activation: 'relu' }), { units: 1 }], init: 'he', optimizer: { type: 'sgd', learningRate: 3 } },
      fit: { epochs: 20, batchSize: 10 },
    },
    remedy: {
      label: '3 x 32 leaky ReLU, SGD 0.02 + momentum',
      config: { layers: [...stack(3, { units: 32, activation: 'leaky-relu' }), { units: 1 }], init: 'he', optimizer: { type: 'sgd', learningRate: 0.02, momentum: 0.9 } },
      fit: { epochs: 20, batchSize: 10 },
    },
  },
  overfitting: {
    title: 'Overfitting',
    description:
      'Two layers of 128 units trained on 50 noisy examples, a fifth of them mislabelled: the network memorizes the training set (train loss near 0) while the test loss climbs after its best epoch. Dropout 0.6 (with a little L2) keeps train and test loss together.',
    expect: 'overfitting',
    dataset: { name: 'circle', samples: 100, noise: 0.15, labelNoise: 0.2 },
    failure: {
      label: '2 x 128 ReLU, no dropout',
      config: { layers: [...stack(2, { units: 128, activation: 'relu' }), { units: 1 }], init: 'he', optimizer: { type: 'adam', learningRate: 0.01 } },
      fit: { epochs: 150, batchSize: 10 },
    },
    remedy: {
      label: '2 x 128 ReLU, dropout 0.6, L2 1e-3',
      config: {
        layers: [...stack(2, { units: 128, activation: 'relu', dropout: 0.6 }), { units: 1 }],
        init: 'he',
        optimizer: { type: 'adam', learningRate: 0.01, weightDecay: 1e-3 },
      },
      fit: { epochs: 150, batchSize: 10 },
    },
  },
  'dropout-one': {
    title: 'Dropout 1.0',
    description:
      'Dropout 1.0 drops every unit: the layer outputs only zeros, no gradient reaches anything below it and the network learns nothing but the output bias (test accuracy stays at chance). Dropout is a rate in [0, 1]; 0.2 trains normally.',
    expect: 'vanishing-gradients',
    dataset: { name: 'circle', samples: 400, noise: 0.05 },
    failure: {
      label: '2 x 16 ReLU, dropout 1.0',
      config: { layers: [...stack(2, { units: 16, activation: 'relu', dropout: 1 }), { units: 1 }], init: 'he', optimizer: { type: 'adam', learningRate: 0.01 } },
      fit: { epochs: 30, batchSize: 20 },
    },
    remedy: {
      label: '2 x 16 ReLU, dropout 0.2',
      config: { layers: [...stack(2, { units: 16, activation: 'relu', dropout: 0.2 }), { units: 1 }], init: 'he', optimizer: { type: 'adam', learningRate: 0.01 } },
      fit: { epochs: 30, batchSize: 20 },
    },
  },
};

export const PRESET_NAMES = Object.keys(presets);

/** The dataset a preset (or any { name, ...options } spec) describes. */
export async function loadDataset(spec, seed = 0) {
  const { name, ...options } = spec;
  if (name === 'digits') return datasets.digits({ seed, ...options });
  const make = datasets[name];
  if (typeof make !== 'function' || ['parseCsv', 'digits'].includes(name)) {
    fail('loadDataset', 'dataset.name', name, `one of circle, xor, gaussian, spiral, moons, regressionPlane, regressionGaussian, digits`);
  }
  return make({ seed, ...options });
}

/**
 * Trains one side of a preset (or a custom { dataset, config, fit } scenario)
 * with the test split as validation.
 * Resolves to { net, dataset, history, findings }; the caller disposes net.
 */
export async function runScenario({ dataset: spec, config, fit }, { seed = 1, epochs, onEpoch, signal, coreOptions } = {}) {
  const dataset = await loadDataset(spec, seed);
  const net = await createNetwork({ ...config, inputs: dataset.inputs, loss: dataset.loss, seed }, coreOptions);
  try {
    const history = await net.fit(dataset.train.x, dataset.train.y, {
      ...fit,
      ...(epochs !== undefined ? { epochs } : {}),
      validation: dataset.test,
      onEpoch,
      signal,
    });
    return { net, dataset, history, findings: diagnose(net) };
  } catch (err) {
    net.dispose();
    throw err;
  }
}

/** Scenario for a preset side: 'failure' (default) or 'remedy'. */
export function presetScenario(name, side = 'failure') {
  const preset = presets[name];
  if (!preset) fail('preset', 'name', name, `one of ${PRESET_NAMES.join(', ')}`);
  if (side !== 'failure' && side !== 'remedy') fail('preset', 'side', side, '"failure" or "remedy"');
  const run = preset[side];
  if (!run) fail('preset', 'side', side, `"failure": preset ${name} has no remedy`);
  return { name: `${name}${side === 'remedy' ? ':remedy' : ''}`, label: run.label, dataset: preset.dataset, config: run.config, fit: run.fit };
}

export function runPreset(name, side = 'failure', options = {}) {
  return runScenario(presetScenario(name, side), options);
}
