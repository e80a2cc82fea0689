// gradscope against PyTorch (float64) reference runs: tests/fixtures/generate.py.
// Tolerances fit float32 arithmetic; the worst differences are printed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { fixture, maxAbs, tensorDiff } from './helpers.js';

const { cases, torch } = fixture('torch_reference.json');
const worst = { loss: ['', 0], gradient: ['', 0], parameter: ['', 0], prediction: ['', 0] };
const TOL = { loss: 1e-5, gradient: 1e-4, parameter: 1e-4, prediction: 1e-5 };

function record(kind, where, diff) {
  if (diff > worst[kind][1]) worst[kind] = [where, diff];
  assert.ok(diff <= TOL[kind], `${where}: ${kind} differs from PyTorch by ${diff.toExponential(2)} (tolerance ${TOL[kind]})`);
}

const labels = (c, values) => (c.config.loss === 'softmax-ce' ? Int32Array.from(values) : Float32Array.from(values));

for (const simd of [true, false]) {
  for (const c of cases) {
    test(`${c.name} matches PyTorch ${torch} (${simd ? 'SIMD' : 'scalar'})`, async () => {
      const net = await createNetwork({ ...c.config, seed: 1 }, { simd });
      net.setParameters(c.initial);
      const x = Float32Array.from(c.x);
      const y = labels(c, c.y);
      const g = net.computeGradients(x, y);
      record('loss', `${c.name} loss0`, Math.abs(g.loss - c.loss0) / Math.max(1, Math.abs(c.loss0)));
      // float32 rounding is relative to the gradients flowing through the network
      const gradScale = Math.max(...c.grads0.flatMap((layer) => Object.values(layer).map(maxAbs)));
      c.grads0.forEach((layer, l) => {
        for (const [name, expected] of Object.entries(layer)) {
          const diff = tensorDiff(g.layers[l][name], expected, 0.01 * gradScale);
          record('gradient', `${c.name} layers[${l}].${name}`, diff);
        }
      });
      c.losses.forEach((expected, s) => {
        const { loss } = net.trainStep(x, y);
        record('loss', `${c.name} step ${s}`, Math.abs(loss - expected) / Math.max(1, Math.abs(expected)));
      });
      const params = net.getParameters();
      c.final.forEach((layer, l) => {
        for (const [name, expected] of Object.entries(layer)) {
          record('parameter', `${c.name} final layers[${l}].${name}`, tensorDiff(params[l][name], expected));
        }
      });
      const pred = net.predict(Float32Array.from(c.xTest));
      record('prediction', `${c.name} predictions`, tensorDiff(pred, c.predictions));
      const { loss } = net.evaluate(Float32Array.from(c.xTest), labels(c, c.yTest));
      record('loss', `${c.name} eval loss`, Math.abs(loss - c.evalLoss) / Math.max(1, Math.abs(c.evalLoss)));
      net.dispose();
    });
  }
}

after(() => {
  for (const [kind, [where, diff]] of Object.entries(worst)) {
    console.log(`# worst ${kind} difference vs PyTorch: ${diff.toExponential(2)} (${where})`);
  }
});
