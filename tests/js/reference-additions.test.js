// The remedies added after the first core against PyTorch (float64):
// tests/fixtures/generate_additions.py. ELU/SELU/GELU/SiLU, layer norm (also
// on one example), L1, AdamW, RMSprop, schedules (the rate of every step
// compared too) and early stopping's restored weights. Same tolerances as
// reference.test.js; the worst differences per feature are printed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { fixture, maxAbs, tensorDiff } from './helpers.js';

const { cases, earlyStopping, torch } = fixture('torch_additions.json');
const TOL = { loss: 1e-5, gradient: 1e-4, parameter: 1e-4, prediction: 1e-5, rate: 1e-6 };
const worst = new Map(); // feature -> kind -> [where, diff]

function record(feature, kind, where, diff) {
  const byKind = worst.get(feature) ?? new Map();
  worst.set(feature, byKind);
  if (diff > (byKind.get(kind)?.[1] ?? -1)) byKind.set(kind, [where, diff]);
  assert.ok(diff <= TOL[kind], `${where}: ${kind} differs from PyTorch by ${diff.toExponential(2)} (tolerance ${TOL[kind]})`);
}

const labels = (config, values) => (config.loss === 'softmax-ce' ? Int32Array.from(values) : Float32Array.from(values));
const relative = (a, b) => Math.abs(a - b) / Math.max(1, Math.abs(b));

for (const simd of [true, false]) {
  for (const c of cases) {
    test(`${c.name} matches PyTorch ${torch} (${simd ? 'SIMD' : 'scalar'})`, async () => {
      const feature = c.name;
      const net = await createNetwork({ ...c.config, seed: 1 }, { simd });
      net.setParameters(c.initial);
      const x = Float32Array.from(c.x);
      const y = labels(c.config, c.y);
      const g = net.computeGradients(x, y);
      record(feature, 'loss', `${c.name} loss0`, relative(g.loss, c.loss0));
      let gradScale = 0;
      for (const layer of c.grads0) for (const values of Object.values(layer)) gradScale = Math.max(gradScale, maxAbs(values));
      c.grads0.forEach((layer, l) => {
        for (const [name, expected] of Object.entries(layer)) {
          record(feature, 'gradient', `${c.name} layers[${l}].${name}`, tensorDiff(g.layers[l][name], expected, 0.01 * gradScale));
        }
      });
      c.losses.forEach((expected, s) => {
        record(feature, 'rate', `${c.name} learning rate of step ${s}`, Math.abs(net.learningRate - c.learningRates[s]) / c.learningRates[s]);
        const { loss, skipped } = net.trainStep(x, y);
        assert.equal(skipped, undefined);
        record(feature, 'loss', `${c.name} step ${s}`, relative(loss, expected));
      });
      const rates = net.trainingRecord().steps.learningRate;
      c.learningRates.forEach((rate, s) => record(feature, 'rate', `${c.name} recorded rate ${s}`, Math.abs(rates[s] - rate) / rate));
      const params = net.getParameters();
      c.final.forEach((layer, l) => {
        for (const [name, expected] of Object.entries(layer)) {
          record(feature, 'parameter', `${c.name} final layers[${l}].${name}`, tensorDiff(params[l][name], expected));
        }
      });
      record(feature, 'prediction', `${c.name} predictions`, tensorDiff(net.predict(Float32Array.from(c.xTest)), c.predictions));
      const { loss } = net.evaluate(Float32Array.from(c.xTest), labels(c.config, c.yTest));
      record(feature, 'loss', `${c.name} eval loss`, relative(loss, c.evalLoss));
      // the state round-trips and training goes on identically
      const copy = await (await import('../../js/index.js')).loadNetwork(JSON.stringify(net.toJSON()), { simd });
      assert.equal(copy.learningRate, net.learningRate);
      assert.deepEqual(copy.trainStep(x, y), net.trainStep(x, y));
      assert.deepEqual(copy.getParameters(), net.getParameters());
      copy.dispose();
      net.dispose();
    });
  }

  test(`early stopping restores the best epoch's weights as PyTorch finds them (${simd ? 'SIMD' : 'scalar'})`, async () => {
    const e = earlyStopping;
    const net = await createNetwork({ ...e.config, seed: 1 }, { simd });
    net.setParameters(e.initial);
    const rows = e.x.length / e.config.inputs;
    const history = await net.fit(Float32Array.from(e.x), Float32Array.from(e.y), {
      epochs: 200,
      batchSize: rows,
      shuffle: false,
      validation: { x: Float32Array.from(e.xVal), y: Float32Array.from(e.yVal) },
      earlyStopping: { patience: 3, minDelta: 0, restoreBest: true },
    });
    assert.equal(history.bestEpoch, e.bestEpoch);
    assert.equal(history.stoppedEpoch, e.stoppedEpoch);
    assert.equal(history.epochs, e.stoppedEpoch + 1);
    history.valLoss.forEach((v, i) => record('early stopping', 'loss', `val loss of epoch ${i}`, relative(v, e.valLoss[i])));
    const params = net.getParameters();
    e.best.forEach((layer, l) => {
      for (const [name, expected] of Object.entries(layer)) {
        record('early stopping', 'parameter', `restored layers[${l}].${name}`, tensorDiff(params[l][name], expected));
      }
    });
    net.dispose();
  });
}

after(() => {
  for (const [feature, byKind] of worst) {
    const parts = [...byKind].map(([kind, [, diff]]) => `${kind} ${diff.toExponential(1)}`);
    console.log(`# worst vs PyTorch, ${feature}: ${parts.join(', ')}`);
  }
});
