// diagnose() beyond the preset pairs: saturation, nothing before training,
// overfitting only with validation data, thresholds that can be overridden,
// and the shape of a finding.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork, datasets, diagnose, THRESHOLDS } from '../../js/index.js';

const data = datasets.circle({ samples: 200, seed: 3 });

test('no record, no findings', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'sigmoid' }, { units: 1 }], loss: 'bce' });
  assert.deepEqual(diagnose(net), []);
  net.computeGradients(data.train.x, data.train.y); // not an update: not recorded
  assert.deepEqual(diagnose(net), []);
  net.dispose();
});

test('saturated tanh and sigmoid layers are named, with evidence', async () => {
  const net = await createNetwork({
    inputs: 2,
    layers: [{ units: 32, activation: 'tanh' }, { units: 32, activation: 'sigmoid' }, { units: 1 }],
    loss: 'bce',
    init: { type: 'normal', std: 10 },
    optimizer: { type: 'sgd', learningRate: 0.01 },
  });
  await net.fit(data.train.x, data.train.y, { epochs: 3, batchSize: 20 });
  const findings = diagnose(net);
  const saturation = findings.find((f) => f.kind === 'saturation');
  assert.ok(saturation, JSON.stringify(findings.map((f) => f.kind)));
  assert.deepEqual(saturation.layers, [0, 1]);
  assert.equal(saturation.evidence.saturatedFraction.length, 3);
  for (const f of findings) {
    assert.deepEqual(Object.keys(f).sort(), ['evidence', 'kind', 'layers', 'message', 'remedy', 'severity']);
    assert.ok(['warning', 'critical'].includes(f.severity));
    assert.ok(f.message.length > 20 && f.remedy.length > 20);
  }
  net.dispose();
});

test('overfitting needs validation losses; thresholds can be overridden', async () => {
  const tiny = datasets.circle({ samples: 60, noise: 0.2, labelNoise: 0.2, seed: 1 });
  const config = { inputs: 2, layers: [{ units: 128, activation: 'relu' }, { units: 128, activation: 'relu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'adam', learningRate: 0.01 }, seed: 1 };
  const withVal = await createNetwork(config);
  await withVal.fit(tiny.train.x, tiny.train.y, { epochs: 150, batchSize: 10, validation: tiny.test });
  assert.ok(diagnose(withVal).some((f) => f.kind === 'overfitting'));
  assert.ok(!diagnose(withVal, { overfitRise: 100 }).some((f) => f.kind === 'overfitting'), 'a higher threshold turns it off');
  const without = await createNetwork(config);
  await without.fit(tiny.train.x, tiny.train.y, { epochs: 150, batchSize: 10 });
  assert.ok(!diagnose(without).some((f) => f.kind === 'overfitting'));
  assert.equal(Object.isFrozen(THRESHOLDS), true);
  withVal.dispose();
  without.dispose();
});

test('resetRecord forgets the past: a cured network is judged on what it does now', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 16, activation: 'relu' }, { units: 1 }], loss: 'bce', init: { type: 'normal', std: 50 }, optimizer: { type: 'sgd', learningRate: 10 } });
  await net.fit(data.train.x, data.train.y, { epochs: 3, batchSize: 20 });
  assert.ok(diagnose(net).length > 0);
  net.resetRecord();
  assert.deepEqual(diagnose(net), []);
  assert.equal(net.trainingRecord().steps.loss.length, 0);
  net.dispose();
});
