// The instruments: histograms (against a JS recomputation from
// computeGradients, getParameters and a forward pass), grad:data and
// update:data ratios, dead-unit masks over an epoch and unitActivity.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { HISTOGRAM_LIMIT } from '../../js/network.js';
import { HIST } from '../../js/contract.js';
import { randomFloats } from './helpers.js';

const total = (h) => h.counts.reduce((a, b) => a + b, 0) + h.zeros + h.below + h.above + h.nonFinite;

/** the slot index a value falls in, as gradscope.h defines the bins */
function linearSlot(v, lo, hi) {
  if (v === 0) return 'zeros';
  if (!Number.isFinite(v)) return 'nonFinite';
  if (v < lo) return 'below';
  if (v > hi) return 'above';
  return Math.min(HIST.bins - 1, Math.floor((v - lo) * (HIST.bins / (hi - lo))));
}
function exponentSlot(v) {
  if (v === 0) return 'zeros';
  if (!Number.isFinite(v)) return 'nonFinite';
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0];
  const e = (bits >>> 23) & 0xff;
  const k = e - 127 - HIST.gradMinExp;
  if (e === 0 || k < 0) return 'below';
  return k >= HIST.bins ? 'above' : k;
}
function histogramOf(values, slot) {
  const h = { counts: new Array(HIST.bins).fill(0), zeros: 0, below: 0, above: 0, nonFinite: 0 };
  for (const v of values) {
    const s = slot(v);
    if (typeof s === 'number') h.counts[s]++;
    else h[s]++;
  }
  return h;
}
// the core's sigmoid saturates exactly as float32 does: 1 from 16.6355324
const sigmoid32 = (z) => (z >= 16.6355324 ? 1 : 1 / (1 + Math.exp(-z)));

const movedValues = (a, b) => {
  let d = Math.abs(a.zeros - b.zeros) + Math.abs(a.below - b.below) + Math.abs(a.above - b.above);
  for (let k = 0; k < HIST.bins; k++) d += Math.abs(a.counts[k] - b.counts[k]);
  return d / 2;
};

const std = (values) => {
  let s = 0;
  let q = 0;
  for (const v of values) (s += v), (q += v * v);
  const m = s / values.length;
  return Math.sqrt(Math.max(0, q / values.length - m * m));
};

test('histograms: fixed edges, every value counted once, bins as a JS recomputation finds them', async () => {
  const config = { inputs: 5, layers: [{ units: 24, activation: 'tanh' }, { units: 16, activation: 'relu' }, { units: 8, activation: 'sigmoid' }, { units: 2 }], init: { type: 'normal', std: 1.2 }, seed: 6 };
  const net = await createNetwork(config);
  assert.deepEqual(net.layerHistograms(), []);
  const B = 40;
  const x = randomFloats(B * 5, 3).map((v) => 2 * v);
  const y = randomFloats(B * 2, 4);
  const { layers: grads } = net.computeGradients(x, y);
  const params = net.getParameters();
  // eval passes in between (one growing the workspace) must not change what the histograms describe
  net.predict(randomFloats(5 * 3000, 5));
  net.evaluate(randomFloats(5 * 7, 6), randomFloats(2 * 7, 7));
  const hist = net.layerHistograms();
  // a float64 forward pass from the same parameters (no dropout, no batch norm: train = eval)
  let input = Float64Array.from(x);
  let fanIn = 5;
  config.layers.forEach((layer, l) => {
    const { weight, bias } = params[l];
    const out = new Float64Array(B * layer.units);
    for (let r = 0; r < B; r++) {
      for (let o = 0; o < layer.units; o++) {
        let z = bias[o];
        for (let i = 0; i < fanIn; i++) z += weight[o * fanIn + i] * input[r * fanIn + i];
        const act = layer.activation ?? 'linear';
        out[r * layer.units + o] = act === 'tanh' ? Math.tanh(z) : act === 'relu' ? Math.max(0, z) : act === 'sigmoid' ? sigmoid32(z) : z;
      }
    }
    const h = hist[l];
    for (const q of HIST.quantities) {
      assert.equal(h[q].edges.length, HIST.bins + 1);
      for (let k = 1; k <= HIST.bins; k++) assert.ok(h[q].edges[k] > h[q].edges[k - 1]);
    }
    assert.equal(total(h.activation), B * layer.units, `layer ${l} activations`);
    assert.equal(total(h.gradient), layer.units * fanIn);
    assert.equal(total(h.weight), layer.units * fanIn);
    const [lo, hi] = [h.activation.edges[0], h.activation.edges[HIST.bins]];
    const expectedAct = histogramOf(out, (v) => linearSlot(v, lo, hi));
    assert.ok(movedValues(expectedAct, h.activation) <= 2, `layer ${l}: ${movedValues(expectedAct, h.activation)} activations in another bin`);
    // gradients and weights are read exactly, so the bins agree exactly
    const g = histogramOf(grads[l].weight, exponentSlot);
    assert.deepEqual([...h.gradient.counts], g.counts);
    assert.deepEqual([h.gradient.zeros, h.gradient.below, h.gradient.above], [g.zeros, g.below, g.above]);
    const w = histogramOf(weight, (v) => linearSlot(v, -HIST.weightLimit, HIST.weightLimit));
    assert.deepEqual([...h.weight.counts], w.counts);
    input = out;
    fanIn = layer.units;
  });
  // sigmoid/tanh ranges; relu's zeros are counted apart; gradient edges are log10 magnitudes
  assert.deepEqual([hist[0].activation.edges[0], hist[0].activation.edges[HIST.bins]], [-1, 1]);
  assert.deepEqual([hist[2].activation.edges[0], hist[2].activation.edges[HIST.bins]], [0, 1]);
  assert.ok(hist[1].activation.zeros > 0);
  assert.ok(Math.abs(hist[0].gradient.edges[0] - HIST.gradMinExp * Math.log10(2)) < 1e-6);
  net.dispose();
});

test('grad:data and update:data ratios are the standard-deviation ratios of gradient and update to the weights', async () => {
  const net = await createNetwork({ inputs: 6, layers: [{ units: 10, activation: 'tanh' }, { units: 3 }], optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 }, seed: 2 });
  const x = randomFloats(30 * 6, 8);
  const y = randomFloats(30 * 3, 9);
  net.trainStep(x, y); // momentum buffer in place
  const before = net.getParameters();
  const { layers: grads } = net.computeGradients(x, y);
  net.trainStep(x, y);
  const after = net.getParameters();
  const stats = net.layerStats();
  stats.forEach((s, l) => {
    const w = before[l].weight;
    const expectedGrad = std(grads[l].weight) / std(w);
    const step = w.map((v, i) => after[l].weight[i] - v);
    const expectedUpdate = std(step) / std(w);
    assert.ok(Math.abs(s.gradDataRatio - expectedGrad) <= 1e-5 * expectedGrad, `layer ${l} grad:data ${s.gradDataRatio} vs ${expectedGrad}`);
    assert.ok(Math.abs(s.updateDataRatio - expectedUpdate) <= 1e-4 * expectedUpdate, `layer ${l} update:data ${s.updateDataRatio} vs ${expectedUpdate}`);
  });
  // the record keeps both per step
  const record = net.trainingRecord();
  assert.equal(record.steps.layers[0].updateDataRatio.length, 2);
  net.computeGradients(x, y);
  assert.equal(net.layerStats()[0].updateDataRatio, 0); // no update applied
  net.dispose();
});

test('dead units: an epoch mask per unit, epoch shares in the record, and unitActivity in eval mode', async () => {
  const net = await createNetwork({ inputs: 3, layers: [{ units: 8, activation: 'relu' }, { units: 4, activation: 'tanh' }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 0.01 }, seed: 4 });
  const params = net.getParameters();
  // units 1, 4 and 6 can never fire: bias -100 with small weights
  for (const u of [1, 4, 6]) {
    params[0].bias[u] = -100;
    for (let i = 0; i < 3; i++) params[0].weight[u * 3 + i] = 0.01;
  }
  net.setParameters([{ weight: params[0].weight, bias: params[0].bias }, {}, {}]);
  const rows = 64;
  const x = randomFloats(rows * 3, 12);
  const y = new Float32Array(rows).map((_, i) => i % 2);
  await net.fit(x, y, { epochs: 2, batchSize: 4 });
  const [relu, tanh] = net.layerStats();
  assert.deepEqual(Array.from(relu.deadUnits), [0, 1, 0, 0, 1, 0, 1, 0]);
  assert.deepEqual(Array.from(tanh.deadUnits), [0, 0, 0, 0]); // not a ReLU layer
  const record = net.trainingRecord();
  assert.equal(record.epochs.deadFraction.length, 2);
  assert.equal(record.epochs.deadFraction[1][0], 3 / 8);
  // per batch of 4 the share dead is larger than over the epoch: the epoch measure is what counts
  assert.ok(relu.deadFraction >= 3 / 8);
  const activity = net.unitActivity(x);
  assert.equal(activity.length, 3);
  for (const u of [1, 4, 6]) assert.equal(activity[0][u], 0);
  // unitActivity against a JS recomputation for layer 0
  const p = net.getParameters()[0];
  for (let u = 0; u < 8; u++) {
    let active = 0;
    for (let r = 0; r < rows; r++) {
      let z = p.bias[u];
      for (let i = 0; i < 3; i++) z += p.weight[u * 3 + i] * x[r * 3 + i];
      active += z > 1e-6;
    }
    assert.ok(Math.abs(activity[0][u] - active / rows) <= 1 / rows, `unit ${u}: ${activity[0][u]} vs ${active / rows}`);
  }
  assert.throws(() => net.unitActivity(new Float32Array(5)), /unitActivity: x\.length is 5; expected a positive multiple of 3/);
  net.dispose();
});

test('fit records histograms every histogramEvery steps', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 6, activation: 'relu' }, { units: 1 }], seed: 1 });
  const x = randomFloats(2 * 50, 1);
  const y = randomFloats(50, 2);
  const history = await net.fit(x, y, { epochs: 3, batchSize: 10, histogramEvery: 4 }); // 15 steps
  assert.deepEqual(history.histograms.map((h) => h.step), [3, 7, 11]);
  assert.equal(total(history.histograms[0].layers[0].activation), 10 * 6);
  await assert.rejects(net.fit(x, y, { histogramEvery: 0 }), /options\.histogramEvery is 0; expected an integer in \[1, /);
  net.dispose();
});

// The core takes fit's snapshots inside its epoch loop (fit no longer ends a chunk at each one):
// every snapshot is, bit for bit, what layerHistograms() shows after the same step when the
// training is cut into fits of at most `every` steps, and training itself is unchanged.
const SNAPSHOT_CONFIG = {
  inputs: 3,
  layers: [{ units: 8, activation: 'relu', batchNorm: true, dropout: 0.2 }, { units: 6, activation: 'tanh' }, { units: 1 }],
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 7,
};

/** { step, layers } after every `every`-th of `steps` steps, from fits of at most `every` steps with resume */
async function snapshotsByHand(config, x, y, { batchSize, every, steps, probe }) {
  const net = await createNetwork(config);
  const snapshots = [];
  for (let done = 0; done < steps; ) {
    const n = Math.min(every - (done % every), steps - done);
    await net.fit(x, y, { epochs: steps, batchSize, maxSteps: n, resume: true, ...(probe ? { probe } : {}) });
    done += n;
    if (done % every === 0) snapshots.push({ step: done - 1, layers: net.layerHistograms() });
  }
  return { net, snapshots };
}

const plain = (snapshots) => snapshots.map(({ step, layers }) => ({ step, layers }));

for (const { name, every, epochs, config = SNAPSHOT_CONFIG, bad = true, probe = false } of [
  { name: 'every step', every: 1, epochs: 3 },
  { name: 'every 3 steps', every: 3, epochs: 3 },
  { name: 'every 10 steps (more than an epoch)', every: 10, epochs: 4 },
  { name: 'every 3 steps, one step a chunk (throwOnNonFinite)', every: 3, epochs: 3, config: { ...SNAPSHOT_CONFIG, throwOnNonFinite: true }, bad: false },
  { name: 'every 3 steps, chunks ending at probe steps', every: 3, epochs: 3, probe: true },
]) {
  test(`fit histograms ${name}: bit for bit layerHistograms() after the same step, across epochs${bad ? ' and skipped steps' : ''}`, async () => {
    const rows = 50;
    const batchSize = 8; // 7 steps an epoch, the last batch of 2
    const x = randomFloats(rows * 3, 1);
    if (bad) x[3 * 5] = x[3 * 30 + 1] = 3e38; // rows 5 and 30 overflow: their steps are skipped
    const y = randomFloats(rows, 2);
    const probeSet = probe ? { x: randomFloats(12 * 3, 3), y: randomFloats(12, 4), every: 5 } : null;
    const net = await createNetwork(config);
    const history = await net.fit(x, y, { epochs, batchSize, histogramEvery: every, ...(probeSet ? { probe: probeSet } : {}) });
    if (bad) assert.ok(history.skippedSteps.every((n) => n > 0), `skipped steps ${history.skippedSteps}`);
    if (bad && every === 1) assert.ok(history.histograms.some((s) => s.layers[0].activation.nonFinite > 0), 'a skipped step\'s snapshot counts its non-finite values');
    const steps = 7 * epochs;
    const byHand = await snapshotsByHand(config, x, y, { batchSize, every, steps, probe: probeSet });
    assert.equal(history.histograms.length, Math.floor(steps / every));
    assert.deepStrictEqual(plain(history.histograms), byHand.snapshots);
    assert.equal(JSON.stringify(net.toJSON()), JSON.stringify(byHand.net.toJSON()));
    // and the same training as a fit without histograms
    const without = await createNetwork(config);
    const h = await without.fit(x, y, { epochs, batchSize, ...(probeSet ? { probe: probeSet } : {}) });
    assert.equal(JSON.stringify(net.toJSON()), JSON.stringify(without.toJSON()));
    assert.deepStrictEqual(history.loss, h.loss);
    for (const n of [net, byHand.net, without]) n.dispose();
  });
}

test('fit histograms across chunks of LIMITS.logSteps steps, bounded to the newest HISTOGRAM_LIMIT', async () => {
  const config = { inputs: 3, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], optimizer: { type: 'sgd', learningRate: 0.01 }, seed: 3 };
  const rows = 2500; // batch 1: one epoch of 2500 steps, three chunks
  const x = randomFloats(rows * 3, 5);
  const y = randomFloats(rows, 6);
  const net = await createNetwork(config);
  const history = await net.fit(x, y, { batchSize: 1, histogramEvery: 7 });
  const byHand = await snapshotsByHand(config, x, y, { batchSize: 1, every: 7, steps: rows });
  assert.deepStrictEqual(plain(history.histograms), byHand.snapshots);
  // every step: 2500 snapshots, the newest 1000 kept; the last is the fit's last step
  const all = await net.fit(x, y, { batchSize: 1, histogramEvery: 1 });
  assert.equal(all.histograms.length, HISTOGRAM_LIMIT);
  assert.deepEqual(all.histograms.map((h) => h.step), Array.from({ length: HISTOGRAM_LIMIT }, (_, i) => rows - HISTOGRAM_LIMIT + i));
  assert.deepStrictEqual(all.histograms.at(-1).layers, net.layerHistograms());
  for (const n of [net, byHand.net]) n.dispose();
});

test('review findings: eval passes keep the training histograms; values on an edge fall in the bin it starts; no unit is dead before an update', async () => {
  const cfg = { inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1 }], seed: 1 };
  const x = new Float32Array([1, 2, 3, 4, -1, 0.5, 2, -3]);
  const y = new Float32Array([1, 0, 1, 0]);
  const a = await createNetwork(cfg);
  const b = await createNetwork(cfg);
  a.trainStep(x, y);
  b.trainStep(x, y);
  b.evaluate(new Float32Array(8).fill(100), new Float32Array(4)); // fits the workspace: no growth
  assert.deepEqual(b.layerHistograms()[0].activation.counts, a.layerHistograms()[0].activation.counts);
  // a value equal to an edge lands in the bin that edge opens
  const edge = await createNetwork({ inputs: 1, layers: [{ units: 1, activation: 'relu' }, { units: 1 }], seed: 1 });
  edge.setParameters([{ weight: [1], bias: [0] }, {}]);
  edge.computeGradients(new Float32Array([0.5, 1]), new Float32Array([0, 0]));
  const e = edge.layerHistograms()[0].activation.edges;
  for (const k of [26, 29, 32, 37, 40]) {
    edge.computeGradients(new Float32Array([e[k], e[k]]), new Float32Array([0, 0]));
    const counts = edge.layerHistograms()[0].activation.counts;
    assert.equal(counts[k], 2, `value ${e[k]} = edges[${k}] counted in bin ${counts.indexOf(2)}`);
  }
  assert.deepEqual(Array.from(edge.layerStats()[0].deadUnits), [0]); // no update yet: nothing known
  for (const net of [a, b, edge]) net.dispose();
});
