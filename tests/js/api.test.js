// The public API end to end: determinism, SIMD/scalar agreement, fit and its
// history, abort, statistics, gradients without side effects, JSON round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork, loadNetwork, STAT_NAMES } from '../../js/index.js';
import { randomFloats, tensorDiff, xorData } from './helpers.js';

const CONFIG = {
  inputs: 2,
  layers: [
    { units: 16, activation: 'relu', batchNorm: true, dropout: 0.2 },
    { units: 12, activation: 'tanh', dropout: 0.1 },
    { units: 1 },
  ],
  loss: 'bce',
  optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
  clipNorm: 5,
  seed: 42,
};

const sameBits = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

function allParams(net) {
  return net.getParameters().flatMap((layer) => Object.values(layer).flatMap((t) => Array.from(t)));
}

test('same seed and build give bit-identical training; another seed does not', async () => {
  const { x, y } = xorData(64, 3);
  const runs = [];
  for (const seed of [42, 42, 7]) {
    const net = await createNetwork({ ...CONFIG, seed });
    for (let s = 0; s < 30; s++) net.trainStep(x, y);
    await net.fit(x, y, { epochs: 3, batchSize: 16 });
    runs.push(Float32Array.from(allParams(net)));
    net.dispose();
  }
  assert.ok(sameBits(runs[0], runs[1]), 'seed 42 twice must give the same bits');
  assert.ok(!sameBits(runs[0], runs[2]), 'seed 7 must differ');
});

test('SIMD and scalar builds agree', async (t) => {
  const { x, y } = xorData(64, 5);
  const nets = [await createNetwork(CONFIG, { simd: true }), await createNetwork(CONFIG, { simd: false })];
  assert.equal(nets[0].simd, true);
  assert.equal(nets[1].simd, false);
  const losses = nets.map((net) => Array.from({ length: 20 }, () => net.trainStep(x, y).loss));
  const diff = tensorDiff(Float32Array.from(allParams(nets[0])), allParams(nets[1]));
  t.diagnostic(`SIMD vs scalar after 20 steps: parameter difference ${diff.toExponential(2)}`);
  assert.ok(diff < 1e-4, `parameters differ by ${diff}`);
  losses[0].forEach((l, i) => assert.ok(Math.abs(l - losses[1][i]) < 1e-4, `step ${i}: ${l} vs ${losses[1][i]}`));
  nets.forEach((n) => n.dispose());
});

test('fit learns XOR and returns a complete history', async () => {
  const train = xorData(200, 1);
  const val = xorData(100, 2);
  const net = await createNetwork({ ...CONFIG, optimizer: { type: 'adam', learningRate: 0.01 } });
  const seen = [];
  const history = await net.fit(train.x, train.y, {
    epochs: 40,
    batchSize: 20,
    validation: val,
    onEpoch: (info) => seen.push(info),
  });
  assert.equal(history.epochs, 40);
  assert.equal(history.loss.length, 40);
  assert.equal(history.valLoss.length, 40);
  assert.equal(history.valAccuracy.length, 40);
  assert.deepEqual(history.skippedSteps, new Array(40).fill(0));
  assert.equal(history.aborted, false);
  assert.equal(seen.length, 40);
  assert.deepEqual(Object.keys(seen[0]).sort(), ['deadFraction', 'epoch', 'loss', 'skippedSteps', 'steps', 'valAccuracy', 'valLoss']);
  assert.equal(seen[0].steps.loss.length, 10);
  assert.deepEqual(seen[39].steps.layers[0].gradNorm, history.steps.layers[0].gradNorm.slice(390));
  assert.ok(history.loss[39] < 0.5 * history.loss[0], `train loss ${history.loss[0]} -> ${history.loss[39]}`);
  assert.ok(history.valAccuracy[39] > 0.9, `val accuracy ${history.valAccuracy[39]}`);
  // per-step series: 10 steps per epoch, every statistic for every layer
  assert.equal(history.steps.loss.length, 400);
  assert.equal(history.steps.layers.length, 3);
  for (const layer of history.steps.layers) {
    assert.deepEqual(Object.keys(layer), STAT_NAMES);
    assert.equal(layer.gradNorm.length, 400);
    assert.ok(layer.gradNorm.every((v) => v > 0 && Number.isFinite(v)));
  }
  // the last step's stats are what layerStats reports
  const last = net.layerStats();
  history.steps.layers.forEach((layer, l) => assert.equal(layer.gradNorm[399], last[l].gradNorm));
  const evaluated = net.evaluate(val.x, val.y);
  assert.ok(Math.abs(evaluated.loss - history.valLoss[39]) < 1e-6);
  net.dispose();
});

test('an AbortSignal stops fit between epochs', async () => {
  const { x, y } = xorData(64);
  const net = await createNetwork(CONFIG);
  const controller = new AbortController();
  const history = await net.fit(x, y, {
    epochs: 100,
    batchSize: 8,
    signal: controller.signal,
    onEpoch: ({ epoch }) => epoch === 2 && controller.abort(),
  });
  assert.equal(history.aborted, true);
  assert.equal(history.epochs, 3);
  assert.equal(history.steps.loss.length, 24);
  net.dispose();
});

test('computeGradients changes nothing; the next step sees the same gradients', async () => {
  const { x, y } = xorData(32);
  const a = await createNetwork(CONFIG);
  const b = await createNetwork(CONFIG);
  a.trainStep(x, y);
  b.trainStep(x, y);
  const before = JSON.stringify(a.toJSON());
  const g1 = a.computeGradients(x, y);
  const g2 = a.computeGradients(x, y);
  assert.equal(JSON.stringify(a.toJSON()), before, 'state changed');
  assert.equal(g1.loss, g2.loss);
  g1.layers.forEach((layer, l) => {
    for (const name of Object.keys(layer)) assert.ok(sameBits(layer[name], g2.layers[l][name]), `${name} differs`);
  });
  assert.deepEqual(Object.keys(g1.layers[0]).sort(), ['beta', 'bias', 'gamma', 'weight']);
  assert.deepEqual(Object.keys(g1.layers[1]).sort(), ['bias', 'weight']);
  assert.equal(g1.layers[0].weight.length, 16 * 2);
  assert.equal(a.trainStep(x, y).loss, b.trainStep(x, y).loss, 'a gradients-only pass must not shift the RNG');
  assert.ok(sameBits(Float32Array.from(allParams(a)), Float32Array.from(allParams(b))));
  a.dispose();
  b.dispose();
});

test('layerStats reports every statistic per layer, with sane values', async () => {
  const net = await createNetwork({
    inputs: 4,
    layers: [{ units: 32, activation: 'relu' }, { units: 16, activation: 'sigmoid' }, { units: 8, activation: 'tanh' }, { units: 3 }],
    loss: 'softmax-ce',
    init: { type: 'normal', std: 3 },
  });
  assert.deepEqual(net.layerStats(), []);
  const x = randomFloats(64 * 4, 9);
  const y = Int32Array.from({ length: 64 }, (_, i) => i % 3);
  net.trainStep(x, y);
  const stats = net.layerStats();
  assert.equal(stats.length, 4);
  for (const [l, s] of stats.entries()) {
    assert.deepEqual(Object.keys(s), [...STAT_NAMES, 'deadUnits']);
    assert.equal(s.deadUnits.length, [32, 16, 8, 3][l]);
    assert.ok(s.gradNorm >= 0 && s.weightNorm > 0 && s.updateRatio > 0);
    assert.equal(s.nonFinite, false);
  }
  // std 3 weights saturate sigmoid and tanh; relu kills some units
  assert.ok(stats[1].saturatedFraction > 0.3, `sigmoid saturation ${stats[1].saturatedFraction}`);
  assert.ok(stats[2].saturatedFraction > 0.3, `tanh saturation ${stats[2].saturatedFraction}`);
  assert.equal(stats[0].saturatedFraction, 0);
  assert.equal(stats[1].deadFraction, 0);
  assert.ok(stats[0].activationMean > 0);
  net.dispose();
});

test('a non-finite batch skips the update and names the layer; throwOnNonFinite throws', async () => {
  const { x, y } = xorData(16);
  const net = await createNetwork({ ...CONFIG, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }] });
  net.trainStep(x, y);
  const before = allParams(net);
  const bad = x.slice();
  bad[5] = NaN;
  const result = net.trainStep(bad, y);
  assert.equal(result.skipped, true);
  assert.equal(result.nonFiniteLayer, 0);
  assert.equal(net.layerStats()[0].nonFinite, true);
  assert.deepEqual(allParams(net), before);
  assert.equal(net.trainStep(x, y).skipped, undefined);
  const strict = await createNetwork({ ...CONFIG, throwOnNonFinite: true });
  assert.throws(() => strict.trainStep(bad, y), /non-finite value .* in layers\[0\]; the update was skipped/);
  strict.dispose();
  net.dispose();
});

test('toJSON / loadNetwork is a lossless round trip that continues training identically', async () => {
  const { x, y } = xorData(48);
  for (const optimizer of [CONFIG.optimizer, { type: 'adam', learningRate: 0.01, weightDecay: 1e-4 }]) {
    const a = await createNetwork({ ...CONFIG, optimizer });
    for (let s = 0; s < 5; s++) a.trainStep(x, y);
    const json = JSON.stringify(a.toJSON());
    const b = await loadNetwork(json);
    assert.deepEqual(b.config, a.config);
    assert.deepEqual(allParams(b), allParams(a));
    for (let s = 0; s < 5; s++) assert.equal(b.trainStep(x, y).loss, a.trainStep(x, y).loss);
    await a.fit(x, y, { epochs: 2, batchSize: 16 });
    await b.fit(x, y, { epochs: 2, batchSize: 16 });
    assert.ok(sameBits(Float32Array.from(allParams(a)), Float32Array.from(allParams(b))));
    assert.deepEqual(b.predict(x), a.predict(x));
    a.dispose();
    b.dispose();
  }
});

test('predict returns probabilities for bce and softmax-ce and raw values for mse', async () => {
  const x = randomFloats(10 * 3, 4);
  const soft = await createNetwork({ inputs: 3, layers: [{ units: 5, activation: 'tanh' }, { units: 4 }], loss: 'softmax-ce' });
  const p = soft.predict(x);
  assert.equal(p.length, 40);
  for (let r = 0; r < 10; r++) {
    const row = p.subarray(r * 4, r * 4 + 4);
    assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-6);
  }
  const bce = await createNetwork({ inputs: 3, layers: [{ units: 2 }], loss: 'bce', init: { type: 'normal', std: 5 } });
  assert.ok(bce.predict(x).every((v) => v >= 0 && v <= 1));
  const mse = await createNetwork({ inputs: 3, layers: [{ units: 2 }], loss: 'mse', init: { type: 'normal', std: 5 } });
  const raw = mse.predict(x);
  assert.ok(raw.some((v) => v < 0) && raw.some((v) => v > 1));
  assert.equal(mse.evaluate(x, new Float32Array(20)).accuracy, undefined);
  [soft, bce, mse].forEach((n) => n.dispose());
});

test('batch norm: batch statistics in training, running statistics in eval', async () => {
  const net = await createNetwork({ inputs: 3, layers: [{ units: 4, batchNorm: true }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0 } });
  const x = randomFloats(8 * 3, 2).map((v) => 3 * v + 2);
  const y = new Float32Array(32);
  const params = net.getParameters()[0];
  assert.deepEqual(Array.from(params.runningMean), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(params.runningVar), [1, 1, 1, 1]);
  const trainOut = net.computeGradients(x, y).loss; // mean square of a normalized output is 1
  assert.ok(Math.abs(trainOut - 1) < 1e-4, `training-mode output mean square ${trainOut}`);
  for (let s = 0; s < 200; s++) net.trainStep(x, y);
  const { runningMean, runningVar, weight, bias } = net.getParameters()[0];
  const pred = net.predict(x);
  for (let c = 0; c < 4; c++) {
    const z = Array.from({ length: 8 }, (_, r) => bias[c] + weight[c * 3] * x[r * 3] + weight[c * 3 + 1] * x[r * 3 + 1] + weight[c * 3 + 2] * x[r * 3 + 2]);
    const mean = z.reduce((s, v) => s + v, 0) / 8;
    const unbiased = z.reduce((s, v) => s + (v - mean) ** 2, 0) / 7;
    assert.ok(Math.abs(runningMean[c] - mean) < 1e-4, `running mean ${runningMean[c]} vs ${mean}`);
    assert.ok(Math.abs(runningVar[c] - unbiased) < 1e-3 * unbiased, `running var ${runningVar[c]} vs ${unbiased}`);
    for (let r = 0; r < 8; r++) {
      assert.ok(Math.abs(pred[r * 4 + c] - (z[r] - mean) / Math.sqrt(unbiased + 1e-5)) < 1e-4);
    }
  }
  net.dispose();
});

test('dropout: p = 0 is the identity, p = 1 outputs zeros and trains nothing below it, eval ignores it', async () => {
  const base = { inputs: 3, layers: [{ units: 64, activation: 'relu' }, { units: 1 }], loss: 'mse', seed: 5 };
  const x = randomFloats(16 * 3, 8);
  const y = randomFloats(16, 9);
  const none = await createNetwork(base);
  const zero = await createNetwork({ ...base, layers: [{ units: 64, activation: 'relu', dropout: 0 }, { units: 1 }] });
  const half = await createNetwork({ ...base, layers: [{ units: 64, activation: 'relu', dropout: 0.5 }, { units: 1 }] });
  const one = await createNetwork({ ...base, layers: [{ units: 64, activation: 'relu', dropout: 1 }, { units: 1 }] });
  assert.deepEqual(half.predict(x), none.predict(x), 'eval mode ignores dropout');
  const gHalf = half.computeGradients(x, y);
  const gNone = none.computeGradients(x, y);
  assert.equal(zero.trainStep(x, y).loss, none.trainStep(x, y).loss);
  assert.notDeepEqual(gHalf.layers[0].weight, gNone.layers[0].weight, 'training mode applies dropout');
  const before = one.getParameters()[0];
  for (let s = 0; s < 10; s++) assert.ok(Number.isFinite(one.trainStep(x, y).loss));
  const g = one.computeGradients(x, y);
  assert.ok(g.layers[0].weight.every((v) => v === 0) && g.layers[0].bias.every((v) => v === 0));
  assert.ok(g.layers[1].weight.every((v) => v === 0));
  assert.deepEqual(one.getParameters()[0], before, 'the layer under dropout 1.0 never changes');
  // what it learns is only the output bias: the mean target
  for (let s = 0; s < 500; s++) one.trainStep(x, y);
  const meanY = y.reduce((s, v) => s + v, 0) / 16;
  assert.ok(Math.abs(one.getParameters()[1].bias[0] - meanY) < 1e-3);
  [none, zero, half, one].forEach((n) => n.dispose());
});

test('the training record keeps the newest 100,000 steps', async () => {
  const net = await createNetwork({ inputs: 1, layers: [{ units: 1 }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 0 } });
  const x = new Float32Array(1024);
  await net.fit(x, new Float32Array(1024), { epochs: 100, batchSize: 1, shuffle: false });
  let record = net.trainingRecord();
  assert.equal(record.firstStep + record.steps.loss.length, 102_400);
  assert.ok(record.firstStep > 0, 'the oldest steps were dropped');
  net.trainStep(x.subarray(0, 1), new Float32Array(1));
  await net.fit(x, new Float32Array(1024), { epochs: 1, batchSize: 1, shuffle: false });
  record = net.trainingRecord();
  assert.equal(record.firstStep + record.steps.loss.length, 102_400 + 1 + 1024, 'every step is counted');
  assert.ok(record.steps.loss.length >= 100_000 && record.steps.loss.length < 100_000 + 1024, `${record.steps.loss.length} steps kept`);
  assert.equal(record.epochs.loss.length, 101);
  net.dispose();
});
