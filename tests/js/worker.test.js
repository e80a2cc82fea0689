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
  assert.deepEqual(await remote.probe(data.test.x, data.test.y, { units: [{ layer: 0, unit: 3 }] }), local.probe(data.test.x, data.test.y, { units: [{ layer: 0, unit: 3 }] }));
  const probe = { x: data.test.x, y: data.test.y, every: 4 };
  const [p1, p2] = [await remote.fit(data.train.x, data.train.y, { epochs: 1, batchSize: 20, probe }), await local.fit(data.train.x, data.train.y, { epochs: 1, batchSize: 20, probe })];
  assert.deepEqual(p1.probes, p2.probes);
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

test('layerOutputs(x) in the worker equals the main thread bit for bit, each layer in an array of its own', async () => {
  // two hidden layers (softsign with layer norm, relu with batch norm) after a few steps, so the
  // running statistics and the order of the blocks matter; NaN rows too: the bytes must agree
  const config = {
    inputs: 2,
    layers: [{ units: 5, activation: 'softsign', layerNorm: true }, { units: 3, activation: 'relu', batchNorm: true }, { units: 1 }],
    loss: 'bce',
    init: { type: 'orthogonal', gain: 1.5, bias: 'uniform' },
    optimizer: { type: 'sgd', learningRate: 0.1, maxNorm: 2 },
    seed: 7,
  };
  const remote = await createNetwork(config);
  const local = await createHere(config);
  try {
    await remote.fit(data.train.x, data.train.y, { epochs: 2, batchSize: 20 });
    await local.fit(data.train.x, data.train.y, { epochs: 2, batchSize: 20 });
    const x = data.test.x.slice();
    x[0] = NaN;
    const bits = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const there = await remote.layerOutputs(x);
    const here = local.layerOutputs(x);
    assert.equal(there.length, 2);
    assert.equal(here.length, 2);
    const rows = x.length / 2;
    for (const [l, units] of [5, 3].entries()) {
      assert.ok(there[l] instanceof Float32Array);
      assert.equal(there[l].length, rows * units);
      assert.equal(there[l].byteOffset, 0);
      assert.equal(there[l].buffer.byteLength, 4 * rows * units, `layer ${l} has a buffer of its own`);
      assert.deepEqual(bits(there[l]), bits(here[l]), `layer ${l}: the same bits`);
    }
    assert.ok(Number.isNaN(there[0][0]), 'a NaN row stays NaN');
    assert.equal(x.length, data.test.x.length, "the caller's x is intact (copied before transfer)");
    assert.deepEqual(await remote.getParameters(), local.getParameters(), 'layerOutputs changed nothing');
    await assert.rejects(remote.layerOutputs(new Float32Array(3)), (err) => {
      assert.throws(() => local.layerOutputs(new Float32Array(3)), { message: err.message });
      return /layerOutputs: x/.test(err.message);
    });
  } finally {
    local.dispose();
    await remote.dispose();
  }
  const single = await createNetwork({ inputs: 2, layers: [{ units: 1 }], seed: 1 });
  assert.deepEqual(await single.layerOutputs(data.test.x), [], 'one layer: no hidden outputs');
  await single.dispose();
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
  assert.ok(METHODS.includes('fit') && METHODS.includes('toJSON') && METHODS.includes('layerOutputs'));
});

// issue 19: dispose during a fit, onEpoch after an abort, detached inputs

test('dispose during a running fit settles, and the fit rejects saying the network was disposed', async () => {
  // a child process, as users run it: top-level await on dispose (an unsettled one exits with code 13)
  const { spawnSync } = await import('node:child_process');
  const script = `
    import { createNetwork } from ${JSON.stringify(new URL('../../js/worker/index.js', import.meta.url).href)};
    import { datasets } from ${JSON.stringify(new URL('../../js/index.js', import.meta.url).href)};
    const data = datasets.circle({ samples: 200, noise: 0.05, seed: 1 });
    const net = await createNetwork(${JSON.stringify(CONFIG)});
    const fit = net.fit(data.train.x, data.train.y, { epochs: 1e6, batchSize: 2 }).then(
      (h) => 'fit resolved after ' + h.epochs + ' epochs',
      (err) => 'fit rejected: ' + err.message,
    );
    await new Promise((r) => setTimeout(r, 300));
    await net.dispose();
    console.log('dispose settled');
    console.log(await fit);
  `;
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/gradscope-dispose-`);
  writeFileSync(`${dir}/dispose.mjs`, script);
  const r = spawnSync(process.execPath, [`${dir}/dispose.mjs`], { encoding: 'utf8', timeout: 60_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, `exit code ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /dispose settled/);
  assert.match(r.stdout, /fit rejected: fit: the network was disposed during training/);
});

test('dispose during a fit on a shared worker: dispose settles, the fit rejects, the worker stays up', async () => {
  const worker = new Worker(new URL('../../js/worker/host.js', import.meta.url));
  try {
    const net = await createNetwork(CONFIG, { worker });
    const fit = net.fit(data.train.x, data.train.y, { epochs: 1e6, batchSize: 2, onEpoch: () => {} });
    await new Promise((r) => setTimeout(r, 200));
    await net.dispose();
    await assert.rejects(fit, /^Error: fit: the network was disposed during training$/);
    const other = await createNetwork(CONFIG, { worker });
    assert.equal((await other.predict(data.test.x)).length, data.test.y.length);
    await other.dispose();
  } finally {
    await worker.terminate();
  }
});

test('an abort in onEpoch stops the worker fit at the same step as on the main thread; no onEpoch after the signal fires', async () => {
  const run = async (create) => {
    const net = await create(CONFIG);
    const controller = new AbortController();
    const calls = [];
    const history = await net.fit(data.train.x, data.train.y, {
      epochs: 1000,
      batchSize: 2,
      signal: controller.signal,
      onEpoch: ({ epoch }) => {
        calls.push({ epoch, aborted: controller.signal.aborted });
        if (epoch === 2) controller.abort();
      },
    });
    const params = await net.getParameters();
    await net.dispose();
    return { history, calls, params };
  };
  const here = await run(createHere);
  const there = await run(createNetwork);
  assert.equal(here.history.aborted, true);
  assert.equal(there.history.aborted, true);
  assert.equal(there.history.epochs, here.history.epochs);
  assert.deepEqual(there.history.loss, here.history.loss);
  assert.deepEqual(there.calls, here.calls);
  assert.deepEqual(there.params, here.params, 'the same step: the same parameters');
});

test('a signal aborted from outside (a timer): no onEpoch call sees it fired', async () => {
  const net = await createNetwork(CONFIG);
  const controller = new AbortController();
  const late = [];
  let calls = 0;
  setTimeout(() => controller.abort(), 150);
  const history = await net.fit(data.train.x, data.train.y, {
    epochs: 1e6,
    batchSize: 2,
    signal: controller.signal,
    onEpoch: ({ epoch }) => {
      calls++;
      if (controller.signal.aborted) late.push(epoch);
    },
  });
  assert.equal(history.aborted, true);
  assert.ok(calls > 0, 'epochs ran before the abort');
  assert.deepEqual(late, [], 'onEpoch after the abort');
  assert.ok(history.epochs <= calls + 1, `${history.epochs} epochs trained, ${calls} reported`);
  await net.dispose();
});

test('a detached (transferred) input is refused with an error naming the argument', async () => {
  const net = await createNetwork(CONFIG);
  const detached = () => {
    const x = data.test.x.slice();
    structuredClone(x.buffer, { transfer: [x.buffer] });
    return x;
  };
  await assert.rejects(net.predict(detached()), /^Error: predict: x is a detached Float32Array \(its buffer was transferred\); expected/);
  await assert.rejects(net.evaluate(data.test.x, detached()), /^Error: evaluate: y is a detached Float32Array/);
  await assert.rejects(net.fit(data.train.x, data.train.y, { validation: { x: detached(), y: data.test.y } }), /^Error: fit: options\.validation\.x is a detached Float32Array/);
  assert.equal((await net.predict(data.test.x)).length, data.test.y.length, 'still usable');
  await net.dispose();
});
