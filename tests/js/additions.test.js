// The remedies added after the first core, beyond the PyTorch comparison:
// validation of every new option, SIMD = scalar bits, and early stopping's
// bookkeeping.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork, datasets } from '../../js/index.js';
import { xorData } from './helpers.js';

const BASE = { inputs: 2, layers: [{ units: 4, activation: 'gelu' }, { units: 1 }] };

test('new options are validated with the parameter, the value and what was expected', async () => {
  const cases = [
    [{ layers: [{ units: 4, batchNorm: true, layerNorm: true }, { units: 1 }] }, /layers\[0\]\.layerNorm is true; expected false when batchNorm is true/],
    [{ layers: [{ units: 4, layerNorm: 1 }, { units: 1 }] }, /layers\[0\]\.layerNorm is 1; expected true or false/],
    [{ layers: [{ units: 4, activation: 'swish' }, { units: 1 }] }, /layers\[0\]\.activation is "swish"; expected one of .*"elu", "selu", "gelu", "silu"/],
    [{ optimizer: { type: 'adamw', momentum: 0.9 } }, /optimizer has an unknown key "momentum"/],
    [{ optimizer: { type: 'rmsprop', alpha: 1 } }, /optimizer\.alpha is 1; expected a number in \[0, 1\)/],
    [{ optimizer: { type: 'rmsprop', centered: 'yes' } }, /optimizer\.centered is "yes"; expected true or false/],
    [{ optimizer: { type: 'sgd', l1: -1 } }, /optimizer\.l1 is -1; expected a finite number >= 0/],
    [{ optimizer: { type: 'sgd', l1: 1e39 } }, /optimizer\.l1 is 1e\+39/],
    [{ optimizer: { type: 'sgd', schedule: { decay: 'linear' } } }, /optimizer\.schedule\.decay is "linear"; expected one of "none", "step", "exponential", "cosine"/],
    [{ optimizer: { type: 'sgd', schedule: { decay: 'cosine' } } }, /optimizer\.schedule\.decaySteps is undefined; expected an integer in \[1, /],
    [{ optimizer: { type: 'sgd', schedule: { decay: 'step', gamma: 0.5 } } }, /optimizer\.schedule\.stepSize is undefined/],
    [{ optimizer: { type: 'sgd', schedule: { decay: 'exponential', gamma: 0 } } }, /optimizer\.schedule\.gamma is 0; expected a finite number > 0/],
    [{ optimizer: { type: 'sgd', schedule: { decay: 'cosine', decaySteps: 10, gamma: 0.5 } } }, /optimizer\.schedule has an unknown key "gamma"/],
    [{ optimizer: { type: 'sgd', learningRate: 0.1, schedule: { decay: 'cosine', decaySteps: 10, minLearningRate: 0.2 } } }, /optimizer\.schedule\.minLearningRate is 0\.2; expected a number in \[0, 0\.1\]/],
    [{ optimizer: { type: 'sgd', schedule: { warmupSteps: -1 } } }, /optimizer\.schedule\.warmupSteps is -1/],
    [{ optimizer: { type: 'sgd', schedule: null } }, /optimizer\.schedule is null; expected an object/],
  ];
  for (const [extra, message] of cases) await assert.rejects(createNetwork({ ...BASE, ...extra }), message);
  const net = await createNetwork(BASE);
  const { x, y } = xorData(16, 1);
  await assert.rejects(net.fit(x, y, { earlyStopping: { patience: 2 } }), /fit: options\.earlyStopping is .*; expected to come with options\.validation/);
  await assert.rejects(net.fit(x, y, { validation: { x, y }, earlyStopping: { patience: 0 } }), /options\.earlyStopping\.patience is 0; expected an integer in \[1, /);
  await assert.rejects(net.fit(x, y, { validation: { x, y }, earlyStopping: { patience: 2, wait: 1 } }), /options\.earlyStopping has an unknown key "wait"/);
  net.dispose();
});

test('every new activation, layer norm, L1, AdamW, RMSprop and schedules: SIMD and scalar give the same bits', async () => {
  const d = datasets.digits ? await datasets.digits({ seed: 2 }) : null;
  const configs = [
    { layers: [{ units: 12, activation: 'elu', layerNorm: true }, { units: 12, activation: 'selu', dropout: 0.1 }, { units: 10 }], optimizer: { type: 'adamw', schedule: { warmupSteps: 4, decay: 'cosine', decaySteps: 20 } } },
    { layers: [{ units: 12, activation: 'gelu' }, { units: 12, activation: 'silu', layerNorm: true }, { units: 10 }], optimizer: { type: 'rmsprop', centered: true, momentum: 0.5, l1: 1e-3, schedule: { decay: 'step', stepSize: 5, gamma: 0.7 } } },
    { layers: [{ units: 12, activation: 'silu', batchNorm: true }, { units: 10 }], optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true, l1: 1e-4, schedule: { decay: 'exponential', gamma: 0.95 } } },
  ];
  for (const extra of configs) {
    const config = { inputs: 64, loss: 'softmax-ce', seed: 5, ...extra };
    const runs = [];
    for (const simd of [true, false]) {
      const net = await createNetwork(config, { simd });
      await net.fit(d.train.x.subarray(0, 64 * 200), d.train.y.subarray(0, 200), { epochs: 3, batchSize: 32 });
      runs.push(JSON.stringify(net.toJSON()));
      net.dispose();
    }
    assert.equal(runs[0], runs[1], JSON.stringify(extra.optimizer));
  }
});

test('early stopping: history says the best and stopped epochs; restoreBest false keeps the last weights', async () => {
  const d = datasets.gaussian({ samples: 80, noise: 0.9, seed: 4 });
  const config = { inputs: 2, layers: [{ units: 64, activation: 'relu' }, { units: 64, activation: 'relu' }, { units: d.outputs }], loss: d.loss, optimizer: { type: 'adam', learningRate: 0.02 }, seed: 3 };
  const options = { epochs: 300, batchSize: 8, validation: d.test, earlyStopping: { patience: 4, minDelta: 0.001, restoreBest: false } };
  const keep = await createNetwork(config);
  const h = await keep.fit(d.train.x, d.train.y, options);
  assert.ok(h.stoppedEpoch !== null && h.stoppedEpoch < 299, `stopped at ${h.stoppedEpoch}`);
  assert.equal(h.epochs, h.stoppedEpoch + 1);
  assert.equal(h.stoppedEpoch - h.bestEpoch, 4);
  for (let e = h.bestEpoch + 1; e <= h.stoppedEpoch; e++) assert.ok(!(h.valLoss[e] < h.valLoss[h.bestEpoch] - 0.001));
  assert.equal(keep.evaluate(d.test.x, d.test.y).loss, h.valLoss.at(-1)); // the last epoch's weights
  const restore = await createNetwork(config);
  const r = await restore.fit(d.train.x, d.train.y, { ...options, earlyStopping: { ...options.earlyStopping, restoreBest: true } });
  assert.deepEqual([r.bestEpoch, r.stoppedEpoch], [h.bestEpoch, h.stoppedEpoch]);
  assert.equal(restore.evaluate(d.test.x, d.test.y).loss, r.valLoss[r.bestEpoch]); // the best epoch's weights
  // no early stop: stoppedEpoch is null
  const full = await createNetwork(config);
  const f = await full.fit(d.train.x, d.train.y, { epochs: 3, batchSize: 8, validation: d.test, earlyStopping: { patience: 50 } });
  assert.equal(f.stoppedEpoch, null);
  assert.ok(f.bestEpoch >= 0 && f.bestEpoch <= 2);
  for (const net of [keep, restore, full]) net.dispose();
});

test('net.learningRate follows the schedule and the record keeps the rate of every step', async () => {
  const net = await createNetwork({ ...BASE, optimizer: { type: 'sgd', learningRate: 0.1, schedule: { warmupSteps: 4, decay: 'step', stepSize: 2, gamma: 0.5 } } });
  const { x, y } = xorData(8, 2);
  const expected = [0.025, 0.05, 0.075, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025];
  const seen = [];
  for (let i = 0; i < expected.length; i++) {
    seen.push(net.learningRate);
    net.trainStep(x, y);
  }
  seen.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-8, `step ${i}: ${v} vs ${expected[i]}`));
  assert.deepEqual(Array.from(net.trainingRecord().steps.learningRate), seen);
  net.dispose();
});
