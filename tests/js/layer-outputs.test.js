// net.layerOutputs(x): every hidden layer's output, computed by the core's own
// forward pass in eval mode, checked for every activation with batch norm and
// layer norm against an independent float64 forward pass from getParameters;
// and it changes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ACTIVATIONS, createNetwork } from '../../js/index.js';
import { randomFloats } from './helpers.js';

// erf to ~1e-15 (Abramowitz-Stegun 7.1.26 is only 1.5e-7): the series for |x| < 3, else the
// continued fraction of erfc
function erf(x) {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (a + f);
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
  return Math.sign(x) * (1 - erfc);
}

const SELU = { lambda: 1.0507009873554805, alpha: 1.6732632423543772 };
const ACT = {
  linear: (v) => v,
  relu: (v) => Math.max(0, v),
  'leaky-relu': (v) => (v > 0 ? v : 0.01 * v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => SELU.lambda * (v > 0 ? v : SELU.alpha * Math.expm1(v)),
  gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
  silu: (v) => v / (1 + Math.exp(-v)),
  softsign: (v) => v / (1 + Math.abs(v)),
};

/** float64 eval-mode forward from getParameters: per hidden layer Float64Array(rows × units) */
function reference(config, params, x, rows) {
  let input = Float64Array.from(x);
  let width = config.inputs;
  const out = [];
  config.layers.forEach((layer, l) => {
    const p = params[l];
    const U = layer.units;
    const h = new Float64Array(rows * U);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < U; u++) {
        let z = p.bias[u];
        for (let i = 0; i < width; i++) z += p.weight[u * width + i] * input[r * width + i];
        h[r * U + u] = z;
      }
      if (layer.layerNorm) {
        let mean = 0;
        for (let u = 0; u < U; u++) mean += h[r * U + u] / U;
        let v = 0;
        for (let u = 0; u < U; u++) v += (h[r * U + u] - mean) ** 2 / U;
        for (let u = 0; u < U; u++) h[r * U + u] = ((h[r * U + u] - mean) / Math.sqrt(v + 1e-5)) * p.gamma[u] + p.beta[u];
      }
      if (layer.batchNorm) {
        for (let u = 0; u < U; u++) h[r * U + u] = ((h[r * U + u] - p.runningMean[u]) / Math.sqrt(p.runningVar[u] + 1e-5)) * p.gamma[u] + p.beta[u];
      }
      for (let u = 0; u < U; u++) h[r * U + u] = ACT[layer.activation](h[r * U + u]);
    }
    if (l < config.layers.length - 1) out.push(h);
    input = h;
    width = U;
  });
  return out;
}

/** max |a - b| / (1 + |b|) */
function worst(actual, expected) {
  let w = 0;
  for (let i = 0; i < expected.length; i++) w = Math.max(w, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  return w;
}

const bits = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('the activations the test covers are all of them', () => {
  assert.deepEqual(Object.keys(ACT).sort(), [...ACTIVATIONS].sort());
  // the erf above against known values
  assert.ok(Math.abs(erf(0.5) - 0.5204998778130465) < 1e-15);
  assert.ok(Math.abs(erf(-2) + 0.9953222650189527) < 1e-15);
  assert.ok(Math.abs(erf(3.5) - 0.9999992569016276) < 1e-15);
});

for (const norm of ['none', 'batchNorm', 'layerNorm']) {
  test(`layerOutputs = a float64 forward pass from getParameters, every activation, ${norm}`, async (t) => {
    const rows = 37;
    const x = randomFloats(rows * 3, 11).map((v) => 2 * v);
    for (const activation of ACTIVATIONS) {
      const flag = norm === 'none' ? {} : { [norm]: true };
      const config = {
        inputs: 3,
        // dropout in training: eval must ignore it
        layers: [{ units: 7, activation, dropout: 0.3, ...flag }, { units: 5, activation, ...flag }, { units: 2 }],
        loss: 'mse',
        init: { type: 'normal', std: 0.8 },
        optimizer: { type: 'sgd', learningRate: 0.05 },
        seed: 3,
      };
      const net = await createNetwork(config);
      // a few steps, so the weights, gamma, beta and running statistics are not their initial values
      await net.fit(x, randomFloats(rows * 2, 12), { epochs: 2, batchSize: 8 });
      const outputs = net.layerOutputs(x);
      const expected = reference(net.config, net.getParameters(), x, rows);
      assert.equal(outputs.length, 2);
      outputs.forEach((o, l) => {
        assert.ok(o instanceof Float32Array);
        assert.equal(o.length, rows * config.layers[l].units);
        const w = worst(o, expected[l]);
        t.diagnostic(`${activation} ${norm} layer ${l}: worst ${w.toExponential(2)}`);
        assert.ok(w < 2e-5, `${activation} ${norm} layer ${l}: ${w}`);
      });
      // not constant: the comparison says something
      assert.ok(new Set(outputs[1]).size > rows, activation);
      net.dispose();
    }
  });
}

test('layerOutputs changes nothing: parameters, optimizer state, RNG, running statistics, layerStats, histograms, what follows', async () => {
  const config = { inputs: 2, layers: [{ units: 16, activation: 'relu', batchNorm: true, dropout: 0.2 }, { units: 8, activation: 'gelu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'adam', learningRate: 0.01 }, seed: 5 };
  const x = randomFloats(200, 1);
  const y = new Float32Array(100).map((_, i) => (x[2 * i] > 0 ? 1 : 0));
  const a = await createNetwork(config);
  const b = await createNetwork(config);
  await a.fit(x, y, { epochs: 2, batchSize: 16, maxSteps: 9 });
  await b.fit(x, y, { epochs: 2, batchSize: 16, maxSteps: 9 });
  const before = { json: JSON.stringify(a.toJSON()), stats: JSON.stringify(a.layerStats()), hist: JSON.stringify(a.layerHistograms()), record: a.trainingRecord().steps.loss.length };
  // many rows (more than one eval chunk) and a single row
  const big = randomFloats(2 * 2500, 2);
  const outs = a.layerOutputs(big);
  assert.deepEqual(outs.map((o) => o.length), [2500 * 16, 2500 * 8]);
  assert.equal(a.layerOutputs(big.subarray(0, 2))[1].length, 8);
  // the chunks agree with row-by-row passes
  const row = a.layerOutputs(big.subarray(2 * 2400, 2 * 2401));
  assert.equal(bits(row[1]), bits(outs[1].subarray(2400 * 8, 2401 * 8)));
  assert.equal(JSON.stringify(a.toJSON()), before.json);
  assert.equal(JSON.stringify(a.layerStats()), before.stats);
  assert.equal(JSON.stringify(a.layerHistograms()), before.hist);
  assert.equal(a.trainingRecord().steps.loss.length, before.record);
  // training goes on exactly as on a twin that never called it, the open epoch included
  const ha = await a.fit(x, y, { epochs: 1, batchSize: 16, resume: true });
  const hb = await b.fit(x, y, { epochs: 1, batchSize: 16, resume: true });
  assert.equal(bits(ha.steps.loss), bits(hb.steps.loss));
  assert.equal(JSON.stringify(a.toJSON()), JSON.stringify(b.toJSON()));
  a.dispose();
  b.dispose();
});

test('layerOutputs checks x like predict; a network without hidden layers has none; a disposed one refuses', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }] });
  assert.throws(() => net.layerOutputs(new Float32Array(3)), /^Error: layerOutputs: x\.length is 3; expected a positive multiple of 2 \(shape \[batch x 2\]\)$/);
  assert.throws(() => net.layerOutputs([1, 2]), /^Error: layerOutputs: x is/);
  assert.throws(() => net.layerOutputs(new Float32Array(0)), /^Error: layerOutputs: x/);
  const single = await createNetwork({ inputs: 2, layers: [{ units: 1 }] });
  assert.deepEqual(single.layerOutputs(new Float32Array([1, 2])), []);
  single.dispose();
  net.dispose();
  assert.throws(() => net.layerOutputs(new Float32Array(2)), /^Error: layerOutputs: this network was disposed/);
});
