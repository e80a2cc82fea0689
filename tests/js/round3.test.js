// The additions the paper cards need (issue 20), apart from their PyTorch references
// (reference-round3.test.js): validation at the boundary in the library's error grammar,
// the normalized config, persistence and the PyTorch script.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { normalizeConfig } from '../../js/config.js';
import { createNetwork, fromPyTorch, loadPyTorch, toPyTorch } from '../../js/index.js';
import { isStandardError } from './helpers.js';

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
