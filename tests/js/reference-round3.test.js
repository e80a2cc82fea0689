// The additions the paper cards need (issue 20) against PyTorch:
// tests/fixtures/generate_round3.py writes torch_round3.json. Init bias against
// nn.Linear's default bias; softsign training against nn.Softsign; max-norm against
// torch.renorm(W, 2, 0, maxNorm) after each optimizer step; probe against an eval-mode
// forward and backward in torch; orthogonal init against torch.nn.init.orthogonal_ on the
// Gaussian gradscope draws. The worst differences per feature are printed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { createNetwork, loadNetwork } from '../../js/index.js';
import { HIST } from '../../js/contract.js';
import { summarizeProbe } from '../../js/probe.js';
import { fixture, maxAbs, tensorDiff } from './helpers.js';
import { maxOf } from '../../js/util.js';

const round3 = fixture('torch_round3.json');
const TOL = { loss: 1e-5, gradient: 1e-4, parameter: 1e-4, prediction: 1e-5, statistic: 0.03, probe: 1e-5, weight: 1e-5 };
const worst = new Map(); // feature -> kind -> diff

function record(feature, kind, where, diff) {
  const byKind = worst.get(feature) ?? new Map();
  worst.set(feature, byKind);
  if (diff > (byKind.get(kind) ?? -1)) byKind.set(kind, diff);
  assert.ok(diff <= TOL[kind], `${where}: ${kind} differs from PyTorch by ${diff.toExponential(2)} (tolerance ${TOL[kind]})`);
}

const labels = (config, values) => (config.loss === 'softmax-ce' ? Int32Array.from(values) : Float32Array.from(values));
const relative = (a, b) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const moments = (values) => {
  let s = 0;
  let s2 = 0;
  for (const v of values) (s += v), (s2 += v * v);
  const mean = s / values.length;
  return { mean, std: Math.sqrt(s2 / values.length - mean * mean) };
};

/**
 * A fixture training run (generate_round3.py train_case) on one build: first-pass loss and
 * gradients, every step's loss, final parameters, eval predictions and loss; also that the
 * state round-trips and training continues identically. Returns the final parameters.
 */
async function trainCase(feature, c, simd, extra = () => {}) {
  const net = await createNetwork({ ...c.config, seed: 1 }, { simd });
  net.setParameters(c.initial);
  const x = Float32Array.from(c.x);
  const y = labels(c.config, c.y);
  const g = net.computeGradients(x, y);
  record(feature, 'loss', `${c.name} loss0`, relative(g.loss, c.loss0));
  let gradScale = 0;
  for (const layer of c.grads0) for (const values of Object.values(layer)) gradScale = Math.max(gradScale, maxAbs(values));
  c.grads0.forEach((layer, l) => {
    for (const [name, expected] of Object.entries(layer)) record(feature, 'gradient', `${c.name} layers[${l}].${name}`, tensorDiff(g.layers[l][name], expected, 0.01 * gradScale));
  });
  c.losses.forEach((expected, s) => {
    const { loss, skipped } = net.trainStep(x, y);
    assert.equal(skipped, undefined);
    record(feature, 'loss', `${c.name} step ${s}`, relative(loss, expected));
    extra(net, s);
  });
  const params = net.getParameters();
  c.final.forEach((layer, l) => {
    for (const [name, expected] of Object.entries(layer)) record(feature, 'parameter', `${c.name} final layers[${l}].${name}`, tensorDiff(params[l][name], expected));
  });
  record(feature, 'prediction', `${c.name} predictions`, tensorDiff(net.predict(Float32Array.from(c.xTest)), c.predictions));
  record(feature, 'loss', `${c.name} eval loss`, relative(net.evaluate(Float32Array.from(c.xTest), labels(c.config, c.yTest)).loss, c.evalLoss));
  const copy = await loadNetwork(JSON.stringify(net.toJSON()), { simd });
  assert.deepEqual(copy.config, net.config);
  assert.deepEqual(copy.trainStep(x, y), net.trainStep(x, y));
  assert.deepEqual(copy.getParameters(), net.getParameters());
  copy.dispose();
  net.dispose();
  return params;
}

/** torch's s, h and dC/ds as gs_net_probe lays them out: per layer three (rows, units) blocks */
function torchBlocks(c, rows) {
  const out = [];
  c.config.layers.forEach((_, l) => out.push(...c.pre[l], ...c.post[l], ...c.grad[l]));
  assert.equal(out.length, 3 * rows * c.config.layers.reduce((n, layer) => n + layer.units, 0));
  return Float64Array.from(out);
}

/** a layer's activation histogram edges, as layerHistograms and the probe use them */
function edgesOf(activation) {
  const [lo, hi] = activation === 'sigmoid' ? [0, 1] : activation === 'tanh' || activation === 'softsign' ? [-1, 1] : [-HIST.actLimit, HIST.actLimit];
  return Float32Array.from({ length: HIST.bins + 1 }, (_, k) => lo + ((hi - lo) * k) / HIST.bins);
}

const finals = new Map(); // case name -> final parameters of the SIMD build

for (const simd of [true, false]) {
  const build = simd ? 'SIMD' : 'scalar';

  for (const c of round3.softsign) {
    test(`${c.name} trains as nn.Softsign in PyTorch ${round3.torch} (${build})`, async () => {
      const params = await trainCase('softsign', c, simd);
      // the SIMD and scalar builds train bit for bit alike
      if (simd) finals.set(c.name, params);
      else assert.deepEqual(params, finals.get(c.name));
    });
  }

  for (const c of round3.maxNorm) {
    test(`${c.name} trains as torch.renorm(W, 2, 0, maxNorm) after each step in PyTorch ${round3.torch} (${build})`, async () => {
      const maxNorm = c.config.optimizer.maxNorm;
      let bound = 0;
      const params = await trainCase('max-norm', c, simd, (net, s) => {
        // after every step each layer's longest incoming row is torch's, at most maxNorm
        net.getParameters().forEach((p, l) => {
          const fanIn = p.weight.length / p.bias.length;
          let longest = 0;
          for (let o = 0; o < p.bias.length; o++) longest = Math.max(longest, Math.hypot(...p.weight.subarray(o * fanIn, (o + 1) * fanIn)));
          assert.ok(longest <= maxNorm * (1 + 1e-6), `step ${s} layer ${l}: a row of norm ${longest} > ${maxNorm}`);
          record('max-norm', 'parameter', `step ${s} layer ${l} longest row`, Math.abs(longest - c.rowNormMax[s][l]) / maxNorm);
          bound += longest > maxNorm * (1 - 1e-6);
        });
      });
      assert.ok(bound >= c.losses.length, `the constraint bound in ${bound} layer-steps`); // it did something
      if (simd) finals.set(c.name, params);
      else assert.deepEqual(params, finals.get(c.name));
    });
  }

  for (const c of round3.probe) {
    test(`probe: ${c.name}: activation and dC/ds statistics, unit means and percentiles as an eval-mode backward in PyTorch ${round3.torch} (${build})`, async () => {
      const net = await createNetwork({ ...c.config, seed: 1 }, { simd });
      net.setParameters(c.parameters);
      const rows = c.x.length / c.config.inputs;
      // torch's largest |dC/ds| with room: both sides bin on the same edges
      const gradientLimit = Math.fround(1.01 * maxOf(c.grad.map(maxAbs)));
      const units = c.config.layers.flatMap((layer, l) => Array.from({ length: layer.units }, (_, unit) => ({ layer: l, unit })));
      const p = net.probe(Float32Array.from(c.x), labels(c.config, c.y), { units, gradientLimit });
      assert.equal(p.rows, rows);
      assert.equal(p.gradientLimit, gradientLimit);
      record('probe', 'probe', `${c.name} loss`, relative(p.loss, c.loss));
      const want = summarizeProbe(torchBlocks(c, rows), rows, c.loss, net.config, { units, gradientLimit }, edgesOf);
      p.layers.forEach((layer, l) => {
        const t = want.layers[l];
        const aScale = Math.max(1e-3, t.activationStd);
        const gScale = maxOf(c.grad[l].map(Math.abs));
        record('probe', 'probe', `${c.name} layers[${l}].activationMean`, Math.abs(layer.activationMean - t.activationMean) / aScale);
        record('probe', 'probe', `${c.name} layers[${l}].activationStd`, Math.abs(layer.activationStd - t.activationStd) / aScale);
        record('probe', 'probe', `${c.name} layers[${l}].gradientMean`, Math.abs(layer.gradientMean - t.gradientMean) / gScale);
        record('probe', 'probe', `${c.name} layers[${l}].gradientStd`, Math.abs(layer.gradientStd - t.gradientStd) / gScale);
        record('probe', 'probe', `${c.name} layers[${l}].unitMean`, tensorDiff(layer.unitMean, t.unitMean, aScale));
        for (const q of ['activation', 'gradient']) {
          assert.deepEqual(layer[q].edges, t[q].edges);
          // a value within rounding of an edge may land in the next bin: at most two such moves
          let moved = 0;
          layer[q].counts.forEach((n, k) => (moved += Math.abs(n - t[q].counts[k])));
          assert.ok(moved <= 2 && layer[q].below === t[q].below && layer[q].above === t[q].above && layer[q].zeros === t[q].zeros, `${c.name} layers[${l}].${q} histogram: ${moved} values in other bins`);
          assert.equal(layer[q].counts.reduce((a, b) => a + b, 0) + layer[q].zeros + layer[q].below + layer[q].above + layer[q].nonFinite, rows * c.config.layers[l].units);
        }
      });
      p.units.forEach((u, i) => {
        const t = want.units[i];
        assert.deepEqual([u.layer, u.unit], [t.layer, t.unit]);
        const scale = Math.max(1, Math.abs(t.p85 - t.p15));
        for (const key of ['p15', 'p50', 'p85']) record('probe', 'probe', `${c.name} layers[${u.layer}] unit ${u.unit} ${key}`, Math.abs(u[key] - t[key]) / scale);
      });
      net.dispose();
    });
  }

  for (const c of round3.orthogonal) {
    test(`orthogonal init, ${c.name}: torch.nn.init.orthogonal_ of the Gaussian gradscope draws, and its properties (${build})`, async () => {
      const config = { inputs: c.inputs, layers: c.units.map((units) => ({ units, activation: 'tanh' })), init: { type: 'orthogonal', gain: c.gain }, seed: c.seed };
      const net = await createNetwork(config, { simd });
      const params = net.getParameters();
      c.weights.forEach((expected, l) => record('orthogonal', 'weight', `${c.name} layers[${l}].weight`, tensorDiff(params[l].weight, expected)));
      params.forEach((p, l) => {
        const out = c.units[l];
        const fanIn = l ? c.units[l - 1] : c.inputs;
        // the Gram matrix of the shorter side is gain² I
        const n = Math.min(out, fanIn);
        const len = Math.max(out, fanIn);
        const at = (i, t) => (out <= fanIn ? p.weight[i * fanIn + t] : p.weight[t * fanIn + i]);
        let off = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let dot = 0;
            for (let t = 0; t < len; t++) dot += at(i, t) * at(j, t);
            off = Math.max(off, Math.abs(dot - (i === j ? c.gain ** 2 : 0)));
          }
        }
        assert.ok(off < 1e-5 * c.gain ** 2, `${c.name} layers[${l}]: |Gram - gain² I| = ${off}`);
        assert.ok(p.bias.every((b) => b === 0));
      });
      // bit for bit the same in the other build (the QR runs in plain double loops in both)
      if (simd) finals.set(c.name, params);
      else assert.deepEqual(params, finals.get(c.name));
      net.dispose();
    });
  }

  test(`init 'pytorch' draws its biases as nn.Linear does, and bias: 'zeros' | 'uniform' | std changes only the biases (${build})`, async () => {
    for (const t of round3.initBias) {
      const units = 20000;
      const config = { inputs: t.fanIn, layers: [{ units }], seed: 3 };
      const torchLike = await createNetwork({ ...config, init: 'pytorch' }, { simd });
      const [{ weight, bias }] = torchLike.getParameters();
      const { mean, std } = moments(bias);
      // the same bound (to float32), the same spread as torch's 20,000 biases
      assert.ok(maxAbs(bias) <= Math.fround(t.bound) && maxAbs(bias) > 0.999 * t.bound, `fan_in ${t.fanIn}: max |b| ${maxAbs(bias)}, torch's bound ${t.bound}`);
      record('init bias', 'statistic', `fan_in ${t.fanIn} bias std`, Math.abs(std - t.std) / t.std);
      assert.ok(Math.abs(mean) < 0.03 * t.bound, `fan_in ${t.fanIn}: bias mean ${mean}`);
      // bias: 'zeros' keeps pytorch's weights (drawn first) and zeroes the biases (Glorot's "standard" init)
      const standard = await createNetwork({ ...config, init: { type: 'pytorch', bias: 'zeros' } }, { simd });
      const p = standard.getParameters()[0];
      assert.deepEqual(p.weight, weight);
      assert.ok(p.bias.every((b) => b === 0));
      // 'uniform' on another type: the same U(±1/√fan_in)
      const he = await createNetwork({ ...config, init: { type: 'he', bias: 'uniform' } }, { simd });
      const hb = he.getParameters()[0].bias;
      assert.ok(maxAbs(hb) <= Math.fround(t.bound));
      record('init bias', 'statistic', `fan_in ${t.fanIn} he + uniform bias std`, Math.abs(moments(hb).std - t.std) / t.std);
      // a number: N(0, std²)
      const normal = await createNetwork({ ...config, init: { type: 'lecun', bias: 0.25 } }, { simd });
      record('init bias', 'statistic', `fan_in ${t.fanIn} bias std 0.25`, Math.abs(moments(normal.getParameters()[0].bias).std - 0.25) / 0.25);
      for (const net of [torchLike, standard, he, normal]) net.dispose();
    }
  });

  test(`init bias survives toJSON / loadNetwork and other types keep zero biases (${build})`, async () => {
    const net = await createNetwork({ inputs: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }], init: { type: 'xavier', bias: 0.5 }, seed: 9 }, { simd });
    assert.deepEqual(net.config.init, { type: 'xavier', bias: 0.5 });
    assert.ok(net.getParameters().every((l) => l.bias.some((b) => b !== 0)));
    const copy = await loadNetwork(JSON.stringify(net.toJSON()), { simd });
    assert.deepEqual(copy.config.init, net.config.init);
    assert.deepEqual(copy.getParameters(), net.getParameters());
    const plain = await createNetwork({ inputs: 3, layers: [{ units: 4 }], init: 'xavier' }, { simd });
    assert.ok(plain.getParameters()[0].bias.every((b) => b === 0));
    for (const n of [net, copy, plain]) n.dispose();
  });
}

after(() => {
  for (const [feature, byKind] of worst) {
    const parts = [...byKind].map(([kind, diff]) => `${kind} ${diff.toExponential(1)}`);
    console.log(`# worst vs PyTorch, ${feature}: ${parts.join(', ')}`);
  }
});
