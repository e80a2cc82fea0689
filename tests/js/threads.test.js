// The opt-in threaded core (createNetwork(config, { threads })): the same bits for any
// number of threads, through fit, loadNetwork and the worker API; refusals that name the
// option; a Node process that used threads still exits.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { createNetwork, loadCore, loadNetwork } from '../../js/index.js';
import * as worker from '../../js/worker/index.js';

const index = new URL('../../js/index.js', import.meta.url).href;

// products of 2^20 multiply-adds and up are split (src/parallel.c GS_PAR_MIN_MADDS: here
// 64 x 256 x 96 and 64 x 160 x 256), the optimizer from 64k parameters (67k here); the mix of batch
// norm, dropout (the RNG), layer norm and Adam touches every path of a step
const config = {
  inputs: 96,
  layers: [
    { units: 256, activation: 'relu', batchNorm: true, dropout: 0.1 },
    { units: 160, activation: 'gelu', layerNorm: true },
    { units: 10 },
  ],
  loss: 'softmax-ce',
  optimizer: { type: 'adam', learningRate: 1e-3 },
  seed: 11,
};
const rows = 320;
const x = Float32Array.from({ length: rows * config.inputs }, (_, i) => Math.sin(i * 0.731) + 0.3 * Math.cos(i * 0.17));
const y = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 10);
const fitOptions = { epochs: 2, batchSize: 64, histogramEvery: 3, validation: { x: x.subarray(0, 64 * config.inputs), y: y.subarray(0, 64) } };

/** everything a run produced that could differ: the state and the whole history */
async function run(threads) {
  const net = await createNetwork(config, { threads });
  assert.equal(net.threads, threads);
  const history = await net.fit(x, y, fitOptions);
  const out = { json: JSON.stringify(net.toJSON()), history: JSON.stringify(history), predict: Array.from(net.predict(x.subarray(0, 8 * config.inputs))) };
  net.dispose();
  return out;
}

test('1 to 5 threads train to the same bits (state, history, histograms, predictions)', async () => {
  const one = await run(1);
  for (const threads of [2, 3, 4, 5]) {
    const many = await run(threads);
    assert.equal(many.json, one.json, `${threads} threads: the saved network differs from 1 thread's`);
    assert.equal(many.history, one.history, `${threads} threads: the history differs`);
    assert.deepEqual(many.predict, one.predict, `${threads} threads: predictions differ`);
  }
});

test('the threaded build is the SIMD build: a network made on it with 1 thread is the default core bit for bit', async () => {
  const core = await loadCore({ threads: true });
  assert.equal(core.threads, true);
  assert.equal(core.simd, true);
  assert.ok(core.memory.buffer instanceof SharedArrayBuffer);
  const a = await createNetwork(config, { threads: 1 });
  const b = await createNetwork(config, { threads: 1, wasm: new URL('../../dist/gradscope_threads.wasm', import.meta.url) });
  assert.equal(b.threads, 1);
  await a.fit(x, y, { epochs: 2, batchSize: 64 });
  await b.fit(x, y, { epochs: 2, batchSize: 64 });
  assert.equal(JSON.stringify(b.toJSON()), JSON.stringify(a.toJSON()));
  a.dispose();
  b.dispose();
});

test('memory grows while threads run: a network past the initial 16 MiB trains to the same bits', async () => {
  const big = { inputs: 784, layers: [{ units: 512, activation: 'relu' }, { units: 512, activation: 'relu' }, { units: 10 }], loss: 'softmax-ce', seed: 5 };
  const bx = Float32Array.from({ length: 256 * 784 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
  const by = Int32Array.from({ length: 256 }, (_, i) => i % 10);
  const nets = [await createNetwork(big, { threads: 1 }), await createNetwork(big, { threads: 2 })];
  const core = await loadCore({ threads: true });
  assert.ok(core.memory.buffer.byteLength > 16 * 2 ** 20, `${core.memory.buffer.byteLength} bytes`);
  for (const net of nets) await net.fit(bx, by, { epochs: 1, batchSize: 128 });
  assert.equal(JSON.stringify(nets[1].toJSON()), JSON.stringify(nets[0].toJSON()));
  for (const net of nets) net.dispose();
});

test('loadNetwork and the worker API take threads', async () => {
  const base = await createNetwork(config);
  await base.fit(x, y, { epochs: 1, batchSize: 64 });
  const saved = base.toJSON();
  const loaded = await loadNetwork(saved, { threads: 3 });
  assert.equal(loaded.threads, 3);
  for (const net of [base, loaded]) await net.fit(x, y, { epochs: 1, batchSize: 64 });
  assert.equal(JSON.stringify(loaded.toJSON()), JSON.stringify(base.toJSON()));

  const remote = await worker.createNetwork(config, { threads: 2 });
  try {
    assert.equal(remote.threads, 2);
    const local = await createNetwork(config);
    const [h1, h2] = [await remote.fit(x, y, { epochs: 1, batchSize: 64 }), await local.fit(x, y, { epochs: 1, batchSize: 64 })];
    assert.deepEqual(h1.loss, h2.loss);
    assert.equal(JSON.stringify(await remote.toJSON()), JSON.stringify(local.toJSON()));
    local.dispose();
  } finally {
    await remote.dispose();
  }
  base.dispose();
  loaded.dispose();
});

test('refusals name the option, the value and what was expected', async () => {
  const tiny = { inputs: 2, layers: [{ units: 1 }] };
  for (const [threads, words] of [[0, 'a whole number from 1 to 32'], [33, 'a whole number from 1 to 32'], [1.5, 'a whole number'], ['2', 'a whole number'], [null, 'a whole number'], [NaN, 'a whole number']]) {
    await assert.rejects(createNetwork(tiny, { threads }), (err) => err.message.startsWith(`createNetwork: options.threads is ${threads === '2' ? '"2"' : String(threads)}`) && err.message.includes(words), String(threads));
  }
  await assert.rejects(createNetwork(tiny, { threads: 2, simd: false }), /options.threads is 2; expected 1 with simd: false/);
  await assert.rejects(createNetwork(tiny, { threads: 2, relaxed: true }), /options.threads is 2; expected 1 with relaxed: true/);
  await assert.rejects(loadNetwork((await createNetwork(tiny)).toJSON(), { threads: -1 }), /^Error: loadNetwork: options.threads is -1/);
  await assert.rejects(loadCore({ threads: 'yes' }), /loadCore: threads is "yes"; expected true/);
  await assert.rejects(loadCore({ threads: 40 }), /loadCore: threads is 40; expected true .* or a thread count from 1 to 32/);
  assert.equal((await loadCore({ threads: 2 })).threads, true);
  assert.equal((await loadCore({ threads: 1 })).threads, false);
  await assert.rejects(loadCore({ threads: true, wasm: new URL('../../dist/gradscope_simd.wasm', import.meta.url) }), /threads is true but the wasm passed in is not the threaded build/);
  // the module keeps working after a refusal
  assert.equal((await createNetwork(tiny, { threads: 2 })).threads, 2);
});

test('without SharedArrayBuffer, threads > 1 is refused with the reason and threads 1 still works', () => {
  const script = `
    import { createNetwork } from ${JSON.stringify(index)};
    const tiny = { inputs: 2, layers: [{ units: 1 }] };
    try { await createNetwork(tiny, { threads: 2 }); console.log('made'); } catch (e) { console.log(e.message); }
    console.log((await createNetwork(tiny, { threads: 1 })).threads);`;
  const out = execFileSync(process.execPath, ['--no-harmony-sharedarraybuffer', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.match(out, /^createNetwork: options\.threads is 2; expected 1: SharedArrayBuffer is not available here: a page must be cross-origin isolated/);
  assert.match(out, /\n1\n$/);
});

test('a Node process that trained with threads exits by itself', () => {
  const script = `
    import { createNetwork } from ${JSON.stringify(index)};
    const net = await createNetwork({ inputs: 128, layers: [{ units: 256 }, { units: 1 }] }, { threads: 3 });
    net.fit(new Float32Array(128 * 128).fill(0.5), new Float32Array(128).fill(1), { epochs: 1, batchSize: 128 });
    console.log('trained');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.signal, null, 'it had to be killed: a worker thread kept it running');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'trained\n');
});
