// The additions the paper cards need (issue 20), apart from their PyTorch references
// (reference-round3.test.js): validation at the boundary in the library's error grammar,
// the normalized config, persistence and the PyTorch script.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { normalizeConfig } from '../../js/config.js';
import { createNetwork, fromPyTorch, loadPyTorch, toPyTorch } from '../../js/index.js';
import { isStandardError } from './helpers.js';
import { maxOf } from '../../js/util.js';

const base = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }] };

/** createNetwork(config) throws the standard error form naming `name` and `expected` */
async function refused(config, name, expected) {
  await assert.rejects(createNetwork(config), (err) => {
    assert.ok(isStandardError(err), err.message);
    assert.ok(err.message.includes(name), `${err.message} names ${name}`);
    if (expected) assert.ok(err.message.includes(expected), `${err.message} says ${expected}`);
    return true;
  });
}

test('init.bias: zeros, uniform or a float32 std >= 0; the default is not stored', async () => {
  const norm = (init) => normalizeConfig({ ...base, init }).init;
  assert.deepEqual(norm({ type: 'pytorch' }), { type: 'pytorch' });
  assert.deepEqual(norm({ type: 'pytorch', bias: 'uniform' }), { type: 'pytorch' });
  assert.deepEqual(norm({ type: 'pytorch', bias: 'zeros' }), { type: 'pytorch', bias: 'zeros' });
  assert.deepEqual(norm({ type: 'he', bias: 'zeros' }), { type: 'he' });
  assert.deepEqual(norm({ type: 'he', bias: 'uniform' }), { type: 'he', bias: 'uniform' });
  assert.deepEqual(norm({ type: 'normal', std: 0.1, bias: 0.05 }), { type: 'normal', std: 0.1, bias: 0.05 });
  assert.deepEqual(norm({ type: 'uniform', limit: 0.1, bias: 0 }), { type: 'uniform', limit: 0.1, bias: 0 });
  for (const bias of ['ones', null, -0.1, NaN, Infinity, 1e39, 1e-50, true, [0.1]]) {
    await refused({ ...base, init: { type: 'he', bias } }, 'init.bias', bias === 1e39 || bias === 1e-50 ? 'float32' : undefined);
  }
  await refused({ ...base, init: { type: 'he', bias: 'zeros', gain: 1 } }, 'init', 'unknown key "gain"');
});

test("softsign: a layer's activation, nn.Softsign in toPyTorch's script and in the state_dict import", async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'softsign' }, { units: 1 }], seed: 2 });
  assert.match(toPyTorch(net), /nn\.Softsign\(\)/);
  // z / (1 + |z|) of the dense output, from the network's own parameters
  const [{ weight, bias }] = net.getParameters();
  const x = Float32Array.of(0.5, -2);
  const [h] = net.layerOutputs(x);
  for (let u = 0; u < 3; u++) {
    const z = Math.fround(Math.fround(bias[u] + Math.fround(weight[2 * u] * x[0])) + Math.fround(weight[2 * u + 1] * x[1]));
    assert.ok(Math.abs(h[u] - z / (1 + Math.abs(z))) < 1e-6, `unit ${u}: ${h[u]} vs ${z / (1 + Math.abs(z))}`);
  }
  const p = net.getParameters();
  const doc = {
    format: 'gradscope-pytorch-state-dict',
    version: 1,
    loss: 'mse',
    modules: [{ type: 'Linear', in_features: 2, out_features: 3, bias: true }, { type: 'Softsign' }, { type: 'Linear', in_features: 3, out_features: 1, bias: true }],
    state_dict: {
      '0.weight': { shape: [3, 2], data: Array.from(p[0].weight) },
      '0.bias': { shape: [3], data: Array.from(p[0].bias) },
      '2.weight': { shape: [1, 3], data: Array.from(p[1].weight) },
      '2.bias': { shape: [1], data: Array.from(p[1].bias) },
    },
  };
  const { config } = fromPyTorch(doc);
  assert.equal(config.layers[0].activation, 'softsign');
  const back = await loadPyTorch(doc);
  assert.deepEqual(back.predict(x), net.predict(x));
  await refused({ ...base, layers: [{ units: 3, activation: 'soft-sign' }, { units: 1 }] }, 'layers[0].activation', '"softsign"');
  back.dispose();
  net.dispose();
});

test("init 'orthogonal': gain a float32 > 0 (default 1), bias as the other types, kept by toJSON", async () => {
  const norm = (init) => normalizeConfig({ ...base, init }).init;
  assert.deepEqual(norm('orthogonal'), { type: 'orthogonal', gain: 1 });
  assert.deepEqual(norm({ type: 'orthogonal' }), { type: 'orthogonal', gain: 1 });
  assert.deepEqual(norm({ type: 'orthogonal', gain: 1.5, bias: 0.1 }), { type: 'orthogonal', gain: 1.5, bias: 0.1 });
  assert.deepEqual(norm({ type: 'orthogonal', bias: 'zeros' }), { type: 'orthogonal', gain: 1 });
  for (const gain of [0, -1, NaN, Infinity, 1e39, 1e-50, '1', null]) {
    await refused({ ...base, init: { type: 'orthogonal', gain } }, 'init.gain', gain === 1e39 || gain === 1e-50 ? 'float32' : '> 0');
  }
  await refused({ ...base, init: { type: 'orthogonal', std: 1 } }, 'init', 'unknown key "std"');
  await refused({ ...base, init: { type: 'orthogonal', bias: 'normal' } }, 'init.bias');
  const net = await createNetwork({ ...base, init: { type: 'orthogonal', gain: 2 } });
  const json = net.toJSON();
  assert.deepEqual(json.config.init, { type: 'orthogonal', gain: 2 });
  // a 3 x 2 layer: its 2 columns are orthogonal with norm 2
  const w = net.getParameters()[0].weight;
  const col = (j) => [w[j], w[2 + j], w[4 + j]];
  const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
  assert.ok(Math.abs(dot(col(0), col(0)) - 4) < 1e-5 && Math.abs(dot(col(1), col(1)) - 4) < 1e-5 && Math.abs(dot(col(0), col(1))) < 1e-5);
  net.dispose();
});

test('optimizer.maxNorm: a float32 > 0, kept by toJSON and written into the PyTorch script; absent means off', async () => {
  const norm = (optimizer) => normalizeConfig({ ...base, optimizer }).optimizer;
  assert.equal('maxNorm' in norm({ type: 'sgd' }), false);
  assert.equal(norm({ type: 'adam', maxNorm: 2 }).maxNorm, 2);
  assert.equal(norm({ type: 'rmsprop', maxNorm: 0.5 }).maxNorm, 0.5);
  for (const maxNorm of [0, -1, NaN, Infinity, 1e39, 1e-50, '2', null]) {
    await refused({ ...base, optimizer: { type: 'sgd', maxNorm } }, 'optimizer.maxNorm', maxNorm === 1e39 || maxNorm === 1e-50 ? 'float32' : '> 0');
  }
  const net = await createNetwork({ ...base, optimizer: { type: 'adamw', learningRate: 0.01, maxNorm: 1.5 } });
  assert.equal(net.toJSON().config.optimizer.maxNorm, 1.5);
  const script = toPyTorch(net);
  assert.match(script, /^MAX_NORM = 1\.5 /m);
  assert.match(script, /optimizer\.step\(\)\n    if MAX_NORM > 0:\n        with torch\.no_grad\(\):\n            for w in _dense:\n                w\.copy_\(torch\.renorm\(w, 2, 0, MAX_NORM\)\)/);
  assert.match(toPyTorch(await createNetwork(base)), /^MAX_NORM = 0 /m);
  net.dispose();
});

// ---- probe ----------------------------------------------------------------------------

const probeConfig = { inputs: 3, layers: [{ units: 6, activation: 'tanh', batchNorm: true, dropout: 0.2 }, { units: 5, activation: 'relu' }, { units: 2 }], loss: 'bce', optimizer: { type: 'adam', learningRate: 0.01 }, seed: 4 };
const probeData = (rows, seed) => ({
  x: Float32Array.from({ length: rows * 3 }, (_, i) => Math.sin(seed * 7.1 + i * 1.3)),
  y: Float32Array.from({ length: rows * 2 }, (_, i) => (Math.cos(seed + i * 2.7) > 0 ? 1 : 0)),
});

test('probe changes nothing: parameters, optimizer state, RNG, running statistics, layerStats, histograms, the record', async () => {
  const net = await createNetwork(probeConfig);
  const train = probeData(16, 1);
  const set = probeData(40, 2);
  net.trainStep(train.x, train.y);
  const before = { json: JSON.stringify(net.toJSON()), stats: net.layerStats(), hist: net.layerHistograms(), record: net.trainingRecord() };
  const first = net.probe(set.x, set.y, { units: [{ layer: 0, unit: 5 }] });
  assert.equal(JSON.stringify(net.toJSON()), before.json);
  const evaluated = net.evaluate(set.x, set.y).loss;
  assert.deepEqual(net.layerStats(), before.stats);
  assert.deepEqual(net.layerHistograms(), before.hist);
  assert.deepEqual(net.trainingRecord(), before.record);
  // the same set gives the same probe; training after it is the training without it
  assert.deepEqual(net.probe(set.x, set.y, { units: [{ layer: 0, unit: 5 }] }), first);
  const twin = await createNetwork(probeConfig);
  twin.trainStep(train.x, train.y);
  assert.deepEqual(net.trainStep(train.x, train.y), twin.trainStep(train.x, train.y));
  assert.deepEqual(net.getParameters(), twin.getParameters());
  // its shape: every layer, h's histogram on layerHistograms' edges, the chosen unit
  assert.equal(first.rows, 40);
  assert.equal(first.layers.length, 3);
  assert.deepEqual(first.layers.map((l) => l.unitMean.length), [6, 5, 2]);
  assert.deepEqual(first.layers[0].activation.edges, net.layerHistograms()[0].activation.edges);
  assert.deepEqual(first.layers[0].gradient.edges[0], -first.gradientLimit);
  assert.deepEqual(first.units.map((u) => [u.layer, u.unit]), [[0, 5]]);
  assert.ok(first.units[0].p15 <= first.units[0].p50 && first.units[0].p50 <= first.units[0].p85);
  // the loss is evaluate's (both eval mode, a mean over the rows); unitMean of a ReLU layer is non-negative
  assert.ok(Math.abs(first.loss - evaluated) <= 1e-6 * Math.max(1, evaluated), `${first.loss} vs ${evaluated}`);
  assert.ok(first.layers[1].unitMean.every((m) => m >= 0));
  net.dispose();
  twin.dispose();
});

test("probe's numbers from its definition: a float64 eval pass of a one-layer network", async () => {
  // one dense layer, mse: s = xW^T + b, h = s (linear), dC/ds = 2 (s - y) / (rows * outputs)
  const net = await createNetwork({ inputs: 2, layers: [{ units: 2 }], loss: 'mse', seed: 1 });
  net.setParameters([{ weight: [0.5, -1, 2, 0.25], bias: [0.1, -0.2] }]);
  const x = Float32Array.of(1, 2, -1, 0.5, 3, -2, 0, 0);
  const y = Float32Array.of(0, 1, 1, 0, -1, 2, 0.5, 0.5);
  const p = net.probe(x, y, { units: [{ layer: 0, unit: 0 }, { layer: 0, unit: 1 }] });
  const s = [];
  for (let r = 0; r < 4; r++) s.push([0.5 * x[2 * r] - x[2 * r + 1] + 0.1, 2 * x[2 * r] + 0.25 * x[2 * r + 1] - 0.2]);
  const g = s.map((row, r) => row.map((v, u) => (2 * (v - y[2 * r + u])) / 8));
  const flat = (a) => a.flat();
  const mean = (a) => a.reduce((t, v) => t + v, 0) / a.length;
  const std = (a) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));
  const close = (a, b, what) => assert.ok(Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  close(p.loss, mean(flat(s.map((row, r) => row.map((v, u) => (v - y[2 * r + u]) ** 2)))), 'loss');
  close(p.layers[0].activationMean, mean(flat(s)), 'activationMean');
  close(p.layers[0].activationStd, std(flat(s)), 'activationStd');
  close(p.layers[0].gradientMean, mean(flat(g)), 'gradientMean');
  close(p.layers[0].gradientStd, std(flat(g)), 'gradientStd');
  close(p.gradientLimit, maxOf(flat(g).map(Math.abs)), 'gradientLimit');
  [0, 1].forEach((u) => close(p.layers[0].unitMean[u], mean(s.map((row) => row[u])), `unitMean[${u}]`));
  // percentiles, linear between closest ranks: of 4 sorted values the 15th is at 0.45, the 50th at 1.5, the 85th at 2.55
  [0, 1].forEach((u) => {
    const v = s.map((row) => row[u]).sort((a, b) => a - b);
    const at = (pos) => v[Math.floor(pos)] + (v[Math.ceil(pos)] - v[Math.floor(pos)]) * (pos - Math.floor(pos));
    close(p.units[u].p15, at(0.45), `unit ${u} p15`);
    close(p.units[u].p50, at(1.5), `unit ${u} p50`);
    close(p.units[u].p85, at(2.55), `unit ${u} p85`);
  });
  // the largest |dC/ds| sits in the last bin (or the first), every value in a bin
  const hist = p.layers[0].gradient;
  assert.equal(hist.counts.reduce((a, b) => a + b, 0) + hist.zeros, 8);
  assert.equal(hist.below + hist.above + hist.nonFinite, 0);
  assert.equal(hist.counts[0] + hist.counts[47] >= 1, true);
  net.dispose();
});

test('fit probe: history.probes every `every` steps, each equal to net.probe at that step, training unchanged', async () => {
  const train = probeData(20, 3);
  const set = probeData(30, 4);
  const units = [{ layer: 1, unit: 2 }];
  const a = await createNetwork(probeConfig);
  const history = await a.fit(train.x, train.y, { epochs: 3, batchSize: 6, probe: { x: set.x, y: set.y, every: 4, units } });
  // 3 epochs of 4 steps: probes after steps 3, 7 and 11 (0-based, within this fit)
  assert.deepEqual(history.probes.map((p) => p.step), [3, 7, 11]);
  const b = await createNetwork(probeConfig);
  for (let k = 0; k < 3; k++) {
    await b.fit(train.x, train.y, { epochs: 3, batchSize: 6, maxSteps: 4, resume: true });
    const { step, ...entry } = history.probes[k];
    assert.equal(step, 4 * k + 3);
    assert.deepEqual(entry, b.probe(set.x, set.y, { units }));
  }
  assert.deepEqual(a.getParameters(), b.getParameters());
  const c = await createNetwork(probeConfig);
  await c.fit(train.x, train.y, { epochs: 3, batchSize: 6 });
  assert.deepEqual(a.getParameters(), c.getParameters());
  assert.equal('probes' in (await c.fit(train.x, train.y, { epochs: 1 })), false);
  for (const n of [a, b, c]) n.dispose();
});

test('fit probe: history.probes keeps the newest 1,000', async () => {
  const net = await createNetwork({ inputs: 1, layers: [{ units: 2, activation: 'tanh' }, { units: 1 }], seed: 1 });
  const x = Float32Array.of(0.5, -0.5);
  const y = Float32Array.of(1, 0);
  const history = await net.fit(x, y, { epochs: 1100, batchSize: 2, probe: { x, y, every: 1 } });
  assert.equal(history.probes.length, 1000);
  assert.equal(history.probes[0].step, 100);
  assert.equal(history.probes.at(-1).step, 1099);
  net.dispose();
});

test('probe options and fit probe options are checked at the boundary', async () => {
  const net = await createNetwork(probeConfig);
  const set = probeData(8, 5);
  const refusedCall = (fn, name, expected) =>
    assert.throws(fn, (err) => {
      assert.ok(isStandardError(err), err.message);
      assert.ok(err.message.includes(name), `${err.message} names ${name}`);
      if (expected) assert.ok(err.message.includes(expected), `${err.message} says ${expected}`);
      return true;
    });
  refusedCall(() => net.probe(set.x, set.y, { units: [{ layer: 3, unit: 0 }] }), 'options.units[0].layer', '[0, 2]');
  refusedCall(() => net.probe(set.x, set.y, { units: [{ layer: 1, unit: 5 }] }), 'options.units[0].unit', '[0, 4]');
  refusedCall(() => net.probe(set.x, set.y, { units: [{ layer: 0, unit: 0 }, { layer: 0 }] }), 'options.units[1].unit');
  refusedCall(() => net.probe(set.x, set.y, { units: [{ layer: 0, unit: 0, name: 'a' }] }), 'options.units[0]', 'unknown key "name"');
  refusedCall(() => net.probe(set.x, set.y, { units: { layer: 0, unit: 0 } }), 'options.units', 'an array');
  refusedCall(() => net.probe(set.x, set.y, { gradientLimit: 0 }), 'options.gradientLimit', '> 0');
  refusedCall(() => net.probe(set.x, set.y, { gradientLimit: 1e39 }), 'options.gradientLimit', 'float32');
  refusedCall(() => net.probe(set.x, set.y, { every: 3 }), 'options', 'unknown key "every"');
  refusedCall(() => net.probe(set.x, Float32Array.of(1)), 'y.length');
  refusedCall(() => net.probe(set.x.subarray(1), set.y), 'x.length');
  const fitRefused = (probe, name, expected) =>
    assert.rejects(net.fit(set.x, set.y, { probe }), (err) => {
      assert.ok(isStandardError(err), err.message);
      assert.ok(err.message.includes(name), `${err.message} names ${name}`);
      if (expected) assert.ok(err.message.includes(expected), `${err.message} says ${expected}`);
      return true;
    });
  await fitRefused({ x: set.x, y: set.y, every: 0 }, 'options.probe.every', '[1, 2147483647]');
  await fitRefused({ x: set.x, y: set.y, every: 2.5 }, 'options.probe.every');
  await fitRefused({ x: set.x, y: set.y, every: '10' }, 'options.probe.every');
  await fitRefused({ x: set.x, every: 10 }, 'options.probe.y');
  await fitRefused({ x: set.x.subarray(1), y: set.y }, 'options.probe.x.length');
  await fitRefused({ x: set.x, y: set.y, units: [{ layer: -1, unit: 0 }] }, 'options.probe.units[0].layer');
  await fitRefused({ x: set.x, y: set.y, batchSize: 2 }, 'options.probe', 'unknown key "batchSize"');
  await fitRefused([set.x, set.y], 'options.probe', 'an object');
  // a refused fit changed nothing and trained nothing
  assert.deepEqual(net.layerStats(), []);
  net.dispose();
});
