// gradscope/worker in Node: the network lives in a worker thread behind the same
// API, async; results equal the same network trained on the main thread; fit's
// progress and abort; transferred inputs stay usable; errors cross back; dispose
// ends the worker; a worker of one's own running gradscope/worker/host can be shared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { createNetwork as createHere, datasets, loadNetwork as loadHere } from '../../js/index.js';
import { createNetwork, loadNetwork } from '../../js/worker/index.js';
import { METHODS, ownCopies, transferables } from '../../js/worker/protocol.js';

const CONFIG = {
  inputs: 2,
  layers: [{ units: 16, activation: 'relu', batchNorm: true }, { units: 1 }],
  loss: 'bce',
  optimizer: { type: 'adam', learningRate: 0.02 },
  seed: 3,
};
const data = datasets.circle({ samples: 200, noise: 0.05, seed: 1 });

test('a network in a worker thread trains exactly as on the main thread', async () => {
  const remote = await createNetwork(CONFIG);
  const local = await createHere(CONFIG);
  assert.equal(remote.inputs, 2);
  assert.equal(remote.outputs, 1);
  assert.equal(remote.simd, local.simd);
  assert.deepEqual(remote.config, local.config);
  const epochs = [];
  const h1 = await remote.fit(data.train.x, data.train.y, { epochs: 5, batchSize: 20, onEpoch: (info) => epochs.push(info.epoch) });
  const h2 = await local.fit(data.train.x, data.train.y, { epochs: 5, batchSize: 20 });
  assert.deepEqual(epochs, [0, 1, 2, 3, 4]);
  assert.deepEqual(h1.loss, h2.loss);
  assert.deepEqual(await remote.predict(data.test.x), local.predict(data.test.x));
  assert.deepEqual(await remote.evaluate(data.test.x, data.test.y), local.evaluate(data.test.x, data.test.y));
  assert.deepEqual(await remote.trainStep(data.train.x, data.train.y), local.trainStep(data.train.x, data.train.y));
  assert.deepEqual(await remote.layerStats(), local.layerStats());
  assert.deepEqual(await remote.getParameters(), local.getParameters());
  assert.deepEqual((await remote.computeGradients(data.test.x, data.test.y)).layers, local.computeGradients(data.test.x, data.test.y).layers);
  assert.deepEqual(await remote.toJSON(), local.toJSON());
  assert.equal((await remote.trainingRecord()).steps.loss.length, local.trainingRecord().steps.loss.length);
  assert.deepEqual(await remote.diagnose(), []);
  assert.equal(await remote.learningRate(), local.learningRate);
  assert.deepEqual(await remote.layerHistograms(), local.layerHistograms());
  assert.deepEqual(await remote.unitActivity(data.test.x), local.unitActivity(data.test.x));
  assert.equal(await remote.toPyTorch(), (await import('../../js/pytorch.js')).toPyTorch(local));
  // the inputs were copied before transfer: the caller's arrays are intact
  assert.equal(data.train.x.length, 2 * data.train.y.length);
  assert.ok(data.train.x.buffer.byteLength > 0);
  // the saved state loads on either side
  const back = await loadHere(await remote.toJSON());
  assert.deepEqual(back.predict(data.test.x), local.predict(data.test.x));
  const there = await loadNetwork(JSON.stringify(local.toJSON()));
  assert.deepEqual(await there.predict(data.test.x), local.predict(data.test.x));
  await there.dispose();
  back.dispose();
  local.dispose();
  await remote.dispose();
  await assert.rejects(remote.predict(data.test.x), /predict: this network was disposed; create a new one/);
  await remote.dispose(); // twice is fine
});

test('fit stops on abort, as Network.fit: history.aborted', async () => {
  const net = await createNetwork(CONFIG);
  const controller = new AbortController();
  let seen = 0;
  const history = await net.fit(data.train.x, data.train.y, {
    epochs: 100_000,
    batchSize: 2,
    signal: controller.signal,
    onEpoch: () => {
      if (++seen === 2) controller.abort();
    },
  });
  assert.equal(history.aborted, true);
  assert.ok(history.epochs >= 2 && history.epochs < 100, `${history.epochs} epochs ran`);
  const already = AbortSignal.abort();
  const none = await net.fit(data.train.x, data.train.y, { epochs: 10, signal: already });
  assert.equal(none.aborted, true);
  assert.equal(none.epochs, 0);
  // the worker is still usable
  assert.equal((await net.predict(data.test.x)).length, data.test.y.length);
  await net.dispose();
});

test('errors cross back with the message the library gives', async () => {
  await assert.rejects(createNetwork({ inputs: 2, layers: [{ units: 1, activation: 'relu6' }] }), /activation/);
  const net = await createNetwork(CONFIG);
  await assert.rejects(net.predict(new Float32Array(3)), /predict: x/);
  await assert.rejects(net.fit(data.train.x, data.train.y, { onEpoch: 5 }), /onEpoch/);
  let calls = 0;
  await assert.rejects(
    net.fit(data.train.x, data.train.y, { epochs: 100_000, batchSize: 2, onEpoch: () => { calls++; throw new Error('stop from onEpoch'); } }),
    /stop from onEpoch/,
  );
  assert.equal(calls, 1);
  assert.equal((await net.predict(data.test.x)).length, data.test.y.length, 'still usable');
  await net.dispose();
});

test("a worker of one's own running gradscope/worker/host is shared and stays up", async () => {
  const worker = new Worker(new URL('../../js/worker/host.js', import.meta.url));
  try {
    const a = await createNetwork(CONFIG, { worker });
    const b = await createNetwork({ ...CONFIG, seed: 4 }, { worker, wasm: new URL('../../dist/gradscope_scalar.wasm', import.meta.url) });
    assert.equal(b.simd, false);
    await a.fit(data.train.x, data.train.y, { epochs: 2, batchSize: 20 });
    assert.notDeepEqual(await a.predict(data.test.x), await b.predict(data.test.x));
    await a.dispose();
    assert.equal((await b.predict(data.test.x)).length, data.test.y.length, 'the shared worker outlives a dispose');
    await b.dispose();
  } finally {
    await worker.terminate();
  }
});

test('a worker that dies rejects what is pending, with a clear message', async () => {
  const worker = new Worker('setTimeout(() => process.exit(3), 50)', { eval: true });
  await assert.rejects(createNetwork(CONFIG, { worker }), /gradscope\/worker: the worker exited \(code 3\)/);
});

test('protocol: transfer lists and copies', () => {
  const a = new Float32Array(4);
  const b = new Float32Array(a.buffer, 4, 2);
  assert.deepEqual(transferables({ a, nested: [b, { c: new Uint8Array(1) }] }).length, 2);
  const copy = ownCopies([b]);
  assert.notEqual(copy[0].buffer, a.buffer);
  assert.equal(copy[0].buffer.byteLength, 8);
  assert.ok(METHODS.includes('fit') && METHODS.includes('toJSON'));
});
