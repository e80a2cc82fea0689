// diagnose() beyond the preset pairs: saturation, nothing before training,
// overfitting only with validation data, thresholds that can be overridden,
// and the shape of a finding.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork, datasets, diagnose, THRESHOLDS } from '../../js/index.js';
import { INPUT_KINDS, inputScale } from '../../js/diagnose.js';
import { loadDataset, presetScenario, runScenario } from '../../js/presets.js';

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

test('thresholds are validated at the boundary: unknown keys, ranges, NaN, non-integers', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce' });
  net.trainStep(data.train.x, data.train.y);
  const cases = [
    [{ windw: 5 }, /^Error: diagnose: thresholds has an unknown key "windw"; expected one of window, vanishingRatio, .*overfitMinEpochs, inputMean, inputStd, targetScale$/],
    [{ window: 0 }, /^Error: diagnose: thresholds\.window is 0; expected an integer in \[1, 1000000\]$/],
    [{ window: -3 }, /thresholds\.window is -3; expected an integer in \[1, /],
    [{ window: 2.5 }, /thresholds\.window is 2\.5; expected an integer/],
    [{ window: '20' }, /thresholds\.window is "20"; expected an integer/],
    [{ vanishingRatio: NaN }, /thresholds\.vanishingRatio is NaN; expected a number in \(0, 1\]/],
    [{ vanishingRatio: 0 }, /thresholds\.vanishingRatio is 0; expected a number in \(0, 1\]/],
    [{ deadFraction: 1 }, /thresholds\.deadFraction is 1; expected a number in \[0, 1\)/],
    [{ saturatedCritical: -0.1 }, /thresholds\.saturatedCritical is -0\.1; expected a number in \[0, 1\)/],
    [{ explodingNorm: Infinity }, /thresholds\.explodingNorm is Infinity; expected a finite number > 0/],
    [{ explodingGrowth: 0.5 }, /thresholds\.explodingGrowth is 0\.5; expected a finite number >= 1/],
    [{ overfitLossFloor: -1 }, /thresholds\.overfitLossFloor is -1; expected a finite number >= 0/],
    [{ overfitMinEpochs: 1 }, /thresholds\.overfitMinEpochs is 1; expected an integer in \[2, /],
    [null, /diagnose: thresholds is null; expected an object/],
    [[1], /diagnose: thresholds is an array of length 1; expected an object/],
  ];
  for (const [thresholds, message] of cases) {
    assert.throws(() => diagnose(net, thresholds), (err) => message.test(String(err)), JSON.stringify(thresholds));
  }
  assert.throws(() => diagnose({}), /diagnose: net is \{\}; expected a Network/);
  // every key of THRESHOLDS is accepted at its default value, and the defaults give the same answer
  assert.deepEqual(diagnose(net, { ...THRESHOLDS }), diagnose(net));
  net.dispose();
});

test('a record of 150,000 steps is diagnosed without overflowing the stack', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce', seed: 1 });
  const x = data.train.x.subarray(0, 8);
  const y = data.train.y.subarray(0, 4);
  for (let i = 0; i < 150_000; i++) net.trainStep(x, y);
  const record = net.trainingRecord();
  assert.equal(record.firstStep + record.steps.loss.length, 150_000);
  assert.ok(Array.isArray(diagnose(net)));
  assert.ok(Array.isArray(diagnose(net, { window: 1_000_000 })), 'a window longer than the record');
  net.dispose();
});

/** a stand-in network with a synthetic record: diagnose() needs only config and trainingRecord() */
function fakeNet(layers, steps, epochs = { loss: [], valLoss: [], valAccuracy: [] }, firstStep = 0) {
  const n = steps.loss.length;
  const series = (f) => Float32Array.from({ length: n }, (_, s) => f(s));
  return {
    config: { layers },
    trainingRecord: () => ({
      firstStep,
      steps: {
        loss: steps.loss,
        layers: layers.map((_, l) => ({
          gradNorm: series((s) => steps.gradNorm(l, s)),
          updateRatio: series(() => 1e-3),
          deadFraction: series(() => 0),
          saturatedFraction: series(() => 0),
          nonFinite: series((s) => (steps.nonFinite?.(l, s) ? 1 : 0)),
        })),
      },
      epochs,
    }),
  };
}

test('a million-step record that explodes: exploding and non-finite found, with absolute step numbers', () => {
  const n = 1_000_000;
  const layers = [{ units: 8, activation: 'relu', dropout: 0 }, { units: 8, activation: 'relu', dropout: 0 }, { units: 1, activation: 'linear', dropout: 0 }];
  const loss = new Float32Array(n).fill(0.5);
  loss[n - 10] = NaN;
  const net = fakeNet(layers, { loss, gradNorm: (l, s) => (s < n - 100 ? 1 : 1e6), nonFinite: (l, s) => l === 1 && s === n - 10 }, undefined, 5);
  const findings = diagnose(net);
  assert.deepEqual(findings.map((f) => f.kind), ['non-finite', 'exploding-gradients']);
  assert.equal(findings[0].evidence.firstStep, 5 + n - 10);
  assert.deepEqual(findings[0].layers, [1]);
  assert.equal(findings[1].severity, 'critical');
  assert.equal(findings[1].evidence.maxGradNorm, '1.0e+6');
});

test('overfitting is judged on the loss scale: a tiny best loss does not turn a small rise into millions of percent', () => {
  const layers = [{ units: 8, activation: 'relu', dropout: 0 }, { units: 1, activation: 'linear', dropout: 0 }];
  const steps = { loss: new Float32Array(100).fill(0.1), gradNorm: () => 1 };
  const epochs = (valLoss, loss) => ({ loss, valLoss, valAccuracy: valLoss.map(() => 1) });
  const train = [0.5, 0.1, 1e-3, 1e-5, 1e-7, 1e-9];
  // best 5e-7 -> 0.02: 4,000,000% "above its best", but 0.02 nats is one example
  assert.deepEqual(diagnose(fakeNet(layers, steps, epochs([0.6, 0.1, 5e-7, 0.005, 0.01, 0.02], train))), []);
  // best 5e-7 -> 0.2: a real rise, reported in nats, not in percent of 5e-7
  const [finding] = diagnose(fakeNet(layers, steps, epochs([0.6, 0.1, 5e-7, 0.05, 0.1, 0.2], train)));
  assert.equal(finding.kind, 'overfitting');
  assert.match(finding.message, /validation loss is 0\.2 above its best of 5\.0e-7 \(epoch 3\)/);
  assert.equal(finding.severity, 'critical');
  // above the floor, percentages as before
  const [big] = diagnose(fakeNet(layers, steps, epochs([0.6, 0.4, 0.3, 0.35, 0.4, 0.42], train)));
  assert.match(big.message, /validation loss is 40% above its best \(epoch 3\)/);
  assert.equal(big.severity, 'warning');
  // a NaN epoch does not hide the best one
  const [nan] = diagnose(fakeNet(layers, steps, epochs([NaN, 0.4, 0.3, 0.35, 0.4, 0.6], train)));
  assert.equal(nan.evidence.bestEpoch, 2);
  assert.deepEqual(diagnose(fakeNet(layers, steps, epochs([0.6, 0.1, 5e-7, 0.05, 0.1, 0.2], train)), { overfitLossFloor: 1 }), []);
});

test('inputs far from centred or unscaled: "Standardize the inputs" heads the remedies they explain (issue 9)', async () => {
  // income (mean 5e4, std 2e4) next to age (mean 40, std 12): raw CSV columns
  const moons = await loadDataset({ name: 'moons', samples: 200 }, 1);
  const raw = structuredClone(moons);
  for (const split of [raw.train, raw.test]) {
    for (let i = 0; i < split.x.length; i += 2) {
      split.x[i] = 50000 + 20000 * split.x[i];
      split.x[i + 1] = 40 + 12 * split.x[i + 1];
    }
  }
  const config = { layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }, { units: 1 }], optimizer: { type: 'adam', learningRate: 0.01 } };
  const run = await runScenario({ dataset: raw, config, fit: { epochs: 5, batchSize: 20 } }, { seed: 1 });
  try {
    const kinds = run.findings.map((f) => f.kind);
    assert.ok(kinds.includes('exploding-gradients'), `raw columns read as exploding gradients: ${kinds}`);
    for (const f of run.findings) {
      if (INPUT_KINDS.includes(f.kind)) {
        assert.match(f.remedy, /^Standardize the inputs \(each column to mean 0 and std 1.*the columns' means average 2\.5e\+4 .*column 0 has std 1\.2e\+4, not about 1\. Then, if it persists: /, f.kind);
        assert.deepEqual(Object.keys(f.evidence.inputScale), ['meanAbsMean', 'maxAbsMean', 'maxStd', 'maxStdColumn', 'nonFinite']);
        assert.equal(f.evidence.inputScale.maxStdColumn, 0);
      } else {
        assert.ok(!/Standardize/.test(f.remedy) && !f.evidence.inputScale, f.kind);
      }
    }
    // without the inputs, diagnose sees only the network
    const plain = diagnose(run.net);
    assert.deepEqual(plain.map((f) => f.kind), kinds);
    assert.ok(plain.every((f) => !/^Standardize/.test(f.remedy) && !f.evidence.inputScale));
    // the same findings with the inputs given explicitly
    assert.deepEqual(diagnose(run.net, undefined, { x: raw.train.x }), run.findings);
    assert.throws(() => diagnose(run.net, undefined, { z: 1 }), /diagnose: options has an unknown key "z"; expected one of x, y/);
    assert.throws(() => diagnose(run.net, undefined, null), /diagnose: options is null; expected an object \{ x\?, y\? \}/);
    assert.throws(() => diagnose(run.net, undefined, { x: new Float32Array(3) }), /diagnose: options\.x\.length is 3; expected a positive multiple of 2/);
    assert.throws(() => diagnose(run.net, { inputStd: 0 }, { x: raw.train.x }), /diagnose: thresholds\.inputStd is 0; expected a finite number > 0/);
    // a looser cut-off: nothing to say about these inputs
    assert.ok(diagnose(run.net, { inputMean: 1e9, inputStd: 1e9 }, { x: raw.train.x }).every((f) => !f.evidence.inputScale));
  } finally {
    run.net.dispose();
  }
});

test('inputScale: the digits pixels in [0, 1] are off-centre, the 2-D generators are not; NaN counted apart', async () => {
  const digits = await datasets.digits({ seed: 1 });
  const d = inputScale(digits.train.x, digits.inputs);
  assert.ok(d.offCentre && !d.unscaled, JSON.stringify(d));
  assert.ok(d.meanAbsMean > 0.25 && d.meanAbsMean < 0.4, `${d.meanAbsMean}`);
  for (const name of ['circle', 'moons', 'xor', 'spiral', 'gaussian']) {
    const s = inputScale(datasets[name]({ seed: 1 }).train.x, 2);
    assert.ok(!s.offCentre && !s.unscaled && s.nonFinite === 0, `${name}: ${JSON.stringify(s)}`);
  }
  const x = new Float32Array([1, 100, NaN, 300, 3, Infinity]);
  const s = inputScale(x, 2);
  assert.equal(s.rows, 3);
  assert.equal(s.nonFinite, 2);
  assert.equal(s.maxAbsMean, 200);
  assert.equal(s.maxStdColumn, 1);
  assert.ok(s.unscaled && s.offCentre);
  assert.throws(() => inputScale(x, 0), /inputScale: inputs is 0; expected an integer in \[1, 2147483647\]/);
  assert.throws(() => inputScale([1, 2], 2), /inputScale: x is an array of length 2; expected a Float32Array of shape \[batch x 2\]/);
  assert.throws(() => inputScale(x, 2, { inputMean: -1 }), /inputScale: thresholds\.inputMean is -1; expected a finite number >= 0/);
});

test('dead ReLUs are judged over the last fit epoch (issue 11), per batch without fit; the message says which', async () => {
  const run = await runScenario(presetScenario('dead-relu'), { seed: 1 });
  try {
    const dead = run.findings.find((f) => f.kind === 'dead-relu');
    assert.ok(dead, 'the dead-ReLU preset');
    assert.equal(dead.evidence.measuredOver, 'last epoch');
    assert.match(dead.message, /output 0 for every example of the last epoch: \d+ of 32 in layer 0, /);
    const epochShare = run.net.trainingRecord().epochs.deadFraction.at(-1);
    assert.deepEqual(dead.evidence.deadFraction, epochShare.map((v) => Number(v.toPrecision(3))));
    assert.equal(dead.evidence.batchDeadFraction.length, 4);
  } finally {
    run.net.dispose();
  }
  const { dataset, config } = presetScenario('dead-relu');
  const d = await loadDataset(dataset, 1);
  const net = await createNetwork({ ...config, inputs: 2, loss: 'bce', seed: 1 });
  for (let i = 0; i < 40; i++) net.trainStep(d.train.x.subarray(20 * (i % 10), 20 * (i % 10) + 20), d.train.y.subarray(10 * (i % 10), 10 * (i % 10) + 10));
  const [byBatch] = diagnose(net).filter((f) => f.kind === 'dead-relu');
  assert.equal(byBatch.evidence.measuredOver, 'batch');
  assert.match(byBatch.message, /output 0 for every example of a batch \(median over the last 20 steps\): /);
  net.dispose();
});

test('exploding: clip advice from the 90th percentile of the gradient norm before the explosion; clipping most updates is called too aggressive', async () => {
  const { createNetwork, diagnose } = await import('../../js/index.js');
  // linear regression just past the stable step size: the error grows ~1.5x a step,
  // so the first steps are ordinary and the norms pass 1e2 only later
  const rows = 64;
  const x = new Float32Array(rows * 2).map((_, i) => Math.sin(i * 1.7));
  const y = new Float32Array(rows).map((_, r) => x[2 * r] - 0.5 * x[2 * r + 1]);
  const make = (clipNorm) => createNetwork({ inputs: 2, layers: [{ units: 1 }], optimizer: { type: 'sgd', learningRate: 2.4 }, clipNorm, init: 'zeros', seed: 1 });
  const net = await make(0);
  for (let s = 0; s < 60; s++) net.trainStep(x, y);
  const finding = diagnose(net).find((f) => f.kind === 'exploding-gradients');
  assert.ok(finding, 'exploding found');
  const { gradNorm, biasGradNorm } = net.trainingRecord().steps.layers[0];
  let healthy = 0;
  while (gradNorm[healthy] <= 100) healthy++;
  const early = Array.from({ length: healthy }, (_, s) => Math.hypot(gradNorm[s], biasGradNorm[s])).sort((a, b) => a - b);
  const p90 = early[Math.ceil(0.9 * healthy) - 1];
  assert.ok(healthy >= 5, `${healthy} steps before the explosion`);
  assert.ok(Math.abs(finding.evidence.suggestedClipNorm - p90) <= 0.01 * p90, `${finding.evidence.suggestedClipNorm} vs ${p90}`);
  assert.match(finding.remedy, /clipNorm ≈ /);
  net.dispose();
  // a two-layer net at learning rate 10 explodes even with clipNorm 1, which clips every update
  const tight = await createNetwork({ inputs: 2, layers: [{ units: 4 }, { units: 1 }], optimizer: { type: 'sgd', learningRate: 10 }, clipNorm: 1, init: 'xavier', seed: 1 });
  for (let s = 0; s < 60; s++) tight.trainStep(x, y);
  const t = diagnose(tight).find((f) => f.kind === 'exploding-gradients');
  assert.ok(t, 'exploding found with clipping on');
  assert.equal(t.evidence.clippedShare, 1);
  assert.match(t.remedy, /clipNorm 1 clipped 100% of the updates, more than half: too aggressive/);
  tight.dispose();
});

test('a regression target in the tens of thousands: "Scale the target" leads the advice, and scaling it cures the run (house prices)', async () => {
  const n = 200;
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[3 * i + j] = Math.sin(i * (j + 1));
    y[i] = 180000 + 50000 * Math.sin(i * 0.7) + 20000 * x[3 * i];
  }
  let mean = 0;
  for (const v of y) mean += v / n;
  let sq = 0;
  for (const v of y) sq += (v - mean) ** 2 / n;
  const scaled = y.map((v) => (v - mean) / Math.sqrt(sq));
  const run = async (target) => {
    const net = await createNetwork({ inputs: 3, layers: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }, { units: 1 }], loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 }, seed: 1 });
    await net.fit(x, target, { epochs: 30, batchSize: 20 });
    const findings = diagnose(net, undefined, { x, y: target });
    net.dispose();
    return findings;
  };
  const raw = await run(y);
  assert.ok(raw.length > 0, 'the raw target raises a finding');
  for (const f of raw.filter((f) => f.evidence.targetScale)) assert.match(f.remedy, /^Scale the target .*std is 3\.\de\+4/);
  assert.ok(raw.some((f) => f.evidence.targetScale), raw.map((f) => f.kind).join(', '));
  assert.deepEqual(await run(scaled), [], 'the standardized target trains healthy');
  // y is read for regression only, and checked
  const bce = await createNetwork({ inputs: 3, layers: [{ units: 1 }], loss: 'bce' });
  await bce.fit(x, new Float32Array(n), { epochs: 1, batchSize: 20 });
  assert.throws(() => diagnose(bce, undefined, { y }), /diagnose: options\.y is .*; expected absent for loss 'bce'/);
  bce.dispose();
  const mse = await createNetwork({ inputs: 3, layers: [{ units: 2 }], loss: 'mse' });
  assert.throws(() => diagnose(mse, undefined, { y: new Float32Array(3) }), /options\.y/);
  mse.dispose();
});
