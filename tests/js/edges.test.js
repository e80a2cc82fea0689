// Trust at the edges: sizes that would wrap, every way a step turns
// non-finite, strict loading. A network kept alive beside every refused call
// must stay bit-identical.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createNetwork, loadNetwork } from '../../js/index.js';
import { RECORD_LIMIT } from '../../js/network.js';
import { randomFloats, xorData } from './helpers.js';

let bystander;
let bystanderJSON;
const probe = randomFloats(2 * 16, 77);

before(async () => {
  bystander = await createNetwork({
    inputs: 2,
    layers: [{ units: 6, activation: 'tanh', batchNorm: true }, { units: 3 }],
    loss: 'softmax-ce',
    optimizer: { type: 'adam', learningRate: 0.01 },
    seed: 9,
  });
  const { x } = xorData(16, 4);
  bystander.trainStep(x, Int32Array.from({ length: 16 }, (_, i) => i % 3));
  bystanderJSON = JSON.stringify(bystander.toJSON());
});

after(() => bystander.dispose());

function bystanderUnchanged(after) {
  assert.equal(JSON.stringify(bystander.toJSON()), bystanderJSON, `the other network changed after ${after}`);
}

const bits = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

test('sizes beyond wasm32 are refused with the quantity named, never wrapped', async () => {
  const predictionsBefore = bits(bystander.predict(probe));
  await assert.rejects(
    createNetwork({ inputs: 65536, layers: [{ units: 65536 }] }),
    /^Error: createNetwork: layer 0 needs 65,536 × 65,536 = 4,294,967,296 weights \(16 GiB\);.*WebAssembly memory holds at most 4 GiB/,
  );
  bystanderUnchanged('a 65536 x 65536 layer');
  // exactly 2^28 parameters: 16383 inputs -> 16384 units (+16384 biases)
  await assert.rejects(createNetwork({ inputs: 16383, layers: [{ units: 16384 }] }), /createNetwork: the network needs 268,435,456 parameters; .* 7 GiB, and WebAssembly memory holds at most 4 GiB/);
  bystanderUnchanged('2^28 parameters');

  const wide = await createNetwork({ inputs: 1, layers: [{ units: 65536, activation: 'relu' }, { units: 1 }], seed: 1 });
  assert.throws(() => wide.trainStep(new Float32Array(16384), new Float32Array(16384)), /^Error: trainStep: a batch of 16,384 rows needs \d+ GiB of workspace .*WebAssembly memory holds at most 4 GiB; use smaller batches/);
  bystanderUnchanged('a 16384-row batch');
  // the network that refused still works
  assert.ok(Number.isFinite(wide.trainStep(new Float32Array(8).fill(0.5), new Float32Array(8).fill(1)).loss));
  wide.dispose();

  const broad = await createNetwork({ inputs: 1, layers: [{ units: 65536 }], seed: 1 });
  assert.throws(() => broad.predict(new Float32Array(65536)), /^Error: predict: 65,536 rows × 65,536 outputs = 4,294,967,296 values \(16 GiB\) do not fit: WebAssembly memory holds at most 4 GiB/);
  assert.equal(broad.predict(new Float32Array(2)).length, 2 * 65536);
  broad.dispose();
  bystanderUnchanged('65536 x 65536 outputs');
  assert.equal(bits(bystander.predict(probe)), predictionsBefore);
});

test('fit memory is bounded: batch 1 over many rows keeps at most RECORD_LIMIT (+2 chunks) steps', async () => {
  const net = await createNetwork({ inputs: 1, layers: Array.from({ length: 6 }, () => ({ units: 4, activation: 'tanh' })).concat([{ units: 1 }]), optimizer: { type: 'sgd', learningRate: 0.001 }, seed: 2 });
  const rows = 130_000;
  const x = randomFloats(rows, 3);
  const y = x.map((v) => 0.5 * v);
  let epochStepCount = 0;
  const history = await net.fit(x, y, { epochs: 1, batchSize: 1, onEpoch: (info) => (epochStepCount = info.steps.loss.length) });
  const kept = history.steps.loss.length;
  assert.ok(kept >= RECORD_LIMIT && kept <= RECORD_LIMIT + 2048, `kept ${kept}`);
  assert.equal(history.droppedSteps + kept, rows);
  assert.ok(epochStepCount <= 16_384 + 2048, `onEpoch got ${epochStepCount} steps`);
  const record = net.trainingRecord();
  assert.equal(record.firstStep + record.steps.loss.length, rows);
  assert.ok(Number.isFinite(history.loss[0]));
  net.dispose();
  assert.throws(() => net.trainingRecord(), /disposed/);
  bystanderUnchanged('a long fit');
});

test('NaN propagates through ReLU: the step is skipped, predict says NaN', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce', seed: 3 });
  const before = JSON.stringify(net.toJSON());
  const x = new Float32Array([NaN, 0.5, 0.1, 0.2]);
  const result = net.trainStep(x, new Float32Array([1, 0]));
  assert.equal(result.skipped, true);
  assert.equal(result.nonFiniteLayer, 0);
  assert.equal(result.nonFinite, 'activation');
  assert.ok(Number.isNaN(result.loss));
  assert.equal(JSON.stringify(net.toJSON()), before);
  assert.ok(Number.isNaN(net.predict(x)[0]));
  net.dispose();
});

test('an overflowing update is skipped, reported and leaves the network as it was', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 3e38, momentum: 0.9 }, seed: 3 });
  const before = JSON.stringify(net.toJSON());
  const x = randomFloats(16, 5).map((v) => 1000 * v);
  const y = new Float32Array(8).map((_, i) => i % 2);
  const result = net.trainStep(x, y);
  assert.equal(result.skipped, true);
  assert.equal(result.nonFinite, 'update');
  assert.ok(Number.isFinite(result.loss));
  assert.equal(JSON.stringify(net.toJSON()), before);
  assert.equal(net.layerStats()[result.nonFiniteLayer].nonFinite, true);
  const strict = await loadNetwork({ ...JSON.parse(before), config: { ...JSON.parse(before).config, throwOnNonFinite: true } });
  assert.throws(() => strict.trainStep(x, y), /trainStep: a non-finite value \(NaN or Infinity\) appeared in layers\[\d\]; the update was skipped \(non-finite update\)/);
  strict.dispose();
  net.dispose();
});

test('batch-norm variance overflow and an Infinity mse loss are caught; throwOnNonFinite throws', async () => {
  const bn = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu', batchNorm: true }, { units: 1 }], loss: 'bce', seed: 3 });
  const before = JSON.stringify(bn.toJSON());
  const x = randomFloats(16, 6);
  x[0] = 1e20;
  const r = bn.trainStep(x, new Float32Array(8).fill(1));
  assert.deepEqual([r.skipped, r.nonFiniteLayer, r.nonFinite], [true, 0, 'batch-norm statistics']);
  assert.equal(JSON.stringify(bn.toJSON()), before);
  bn.trainStep(randomFloats(16, 7), new Float32Array(8).fill(1));
  assert.ok(bn.getParameters()[0].runningVar.every(Number.isFinite));
  bn.dispose();

  const mse = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], seed: 3, throwOnNonFinite: true });
  assert.throws(() => mse.trainStep(randomFloats(8, 2), new Float32Array(4).fill(1e20)), /appeared in the loss; the update was skipped \(non-finite loss\)/);
  await assert.rejects(mse.fit(randomFloats(8, 2), new Float32Array(4).fill(1e20), { epochs: 2, batchSize: 2 }), /fit: a non-finite value .* the loss/);
  mse.dispose();
});

test('a NaN output is never a correct prediction', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3 }], loss: 'softmax-ce', seed: 1 });
  const x = new Float32Array(20).fill(NaN);
  const ev = net.evaluate(x, Int32Array.from({ length: 10 }, () => 0));
  assert.equal(ev.accuracy, 0);
  const bce = await createNetwork({ inputs: 2, layers: [{ units: 1 }], loss: 'bce', seed: 1 });
  assert.equal(bce.evaluate(x, new Float32Array(10)).accuracy, 0);
  net.dispose();
  bce.dispose();
});

test('a softmax row with an infinite logit is never correct; a layers array with a hole is refused', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'relu' }, { units: 2 }], loss: 'softmax-ce', init: { type: 'uniform', limit: 3.4e38 }, seed: 1 });
  const x = Float32Array.from([0.5, -0.25, 1, 1, -1, 0.5, 0.1, 0.2]);
  assert.ok(net.predict(x).every(Number.isNaN));
  assert.equal(net.evaluate(x, Int32Array.from([0, 1, 0, 1])).accuracy, 0);
  net.dispose();
  // eslint-disable-next-line no-sparse-arrays
  await assert.rejects(createNetwork({ inputs: 1, layers: [{ units: 2 }, , { units: 1 }] }), /createNetwork: layers\[1\] is undefined; expected an object/);
});

test('tanh and sigmoid saturate to exactly 1 where float32 libm does', async () => {
  for (const [activation, z, expected] of [['tanh', 9.01091385, 1], ['tanh', -30, -1], ['sigmoid', 16.6355324, 1], ['sigmoid', -110, 0]]) {
    const net = await createNetwork({ inputs: 1, layers: [{ units: 1, activation }], seed: 1 });
    net.setParameters([{ weight: new Float32Array([1]), bias: new Float32Array([0]) }]);
    assert.equal(net.predict(new Float32Array([z]))[0], expected, `${activation}(${z})`);
    net.dispose();
  }
});

test('setParameters rejects Infinity and values beyond float32, naming the element', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 2, batchNorm: true }, { units: 1 }], seed: 1 });
  const good = net.getParameters();
  const w = Float64Array.from(good[0].weight);
  w[3] = 1e39;
  assert.throws(() => net.setParameters([{ weight: w }, {}]), /^Error: setParameters: layers\[0\]\.weight\[3\] is 1e\+39; expected a finite float32$/);
  assert.throws(() => net.setParameters([{}, { bias: [-Infinity] }]), /layers\[1\]\.bias\[0\] is -Infinity; expected a finite float32/);
  assert.throws(() => net.setParameters([{ runningVar: [1, -0.5] }, {}]), /layers\[0\]\.runningVar\[1\] is -0.5; expected a number >= 0/);
  assert.deepEqual(net.getParameters(), good); // nothing was written
  net.dispose();
});

test('config numbers must survive float32 rounding', async () => {
  const base = { inputs: 2, layers: [{ units: 1 }] };
  const cases = [
    [{ optimizer: { type: 'sgd', learningRate: 1e39 } }, /optimizer\.learningRate is 1e\+39; .*float32 holds \(it overflows to Infinity\)/],
    [{ optimizer: { type: 'adam', eps: 1e-50 } }, /optimizer\.eps is 1e-50; .*\(it rounds to 0\)/],
    [{ optimizer: { type: 'adam', beta1: 1 - 1e-10 } }, /optimizer\.beta1 is 0\.9999999999; .*\(it rounds to 1\)/],
    [{ layers: [{ units: 2, dropout: 1 - 1e-9 }, { units: 1 }] }, /layers\[0\]\.dropout is 0\.999999999; .*\(it rounds to 1\)/],
    [{ clipNorm: 1e300 }, /clipNorm is 1e\+300/],
    [{ init: { type: 'normal', std: 1e-60 } }, /init\.std is 1e-60/],
  ];
  for (const [extra, message] of cases) await assert.rejects(createNetwork({ ...base, ...extra }), message);
});

test('loadNetwork requires every tensor and buffer and rejects impossible state', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'relu', batchNorm: true }, { units: 1 }], loss: 'bce', optimizer: { type: 'adam' }, seed: 4 });
  const { x, y } = xorData(16, 2);
  net.trainStep(x, y);
  const good = net.toJSON();
  const variant = (f) => {
    const copy = structuredClone(good);
    f(copy);
    return copy;
  };
  const cases = [
    [variant((j) => (j.parameters = [{}, {}])), /json\.parameters\[0\]\.weight is undefined; expected the layer's weight/],
    [variant((j) => delete j.parameters[0].runningVar), /json\.parameters\[0\]\.runningVar is undefined/],
    [variant((j) => delete j.optimizer.m), /json\.optimizer\.m is undefined; expected Adam's first moment/],
    [variant((j) => delete j.optimizer.v), /json\.optimizer\.v is undefined; expected Adam's second moment/],
    [variant((j) => (j.optimizer.v[2] = -1e-3)), /json\.optimizer\.v\[2\] is -0\.001; expected a number >= 0/],
    [variant((j) => (j.optimizer.step = -1)), /json\.optimizer\.step is -1/],
    [variant((j) => (j.optimizer.step = 2 ** 31)), /json\.optimizer\.step is 2147483648/],
    [variant((j) => (j.optimizer.step = 0)), /json\.optimizer\.m\[\d+\] is .*; expected 0, since json\.optimizer\.step is 0/],
    [variant((j) => (j.rng = [0, 0, 0, 0])), /json\.rng is an array of length 4; expected a state that is not all zeros/],
    [variant((j) => (j.parameters[1].weight[0] = 1e39)), /json\.parameters\[1\]\.weight\[0\] is 1e\+39; expected a finite float32/],
    [variant((j) => (j.parameters[0].runningVar[0] = -1)), /json\.parameters\[0\]\.runningVar\[0\] is -1; expected a number >= 0/],
    [variant((j) => (j.extra = 1)), /json has an unknown key "extra"/],
  ];
  for (const [json, message] of cases) await assert.rejects(loadNetwork(json), message);
  // a momentum file without its buffer
  const sgd = await createNetwork({ inputs: 2, layers: [{ units: 1 }], optimizer: { type: 'sgd', momentum: 0.9 }, seed: 1 });
  sgd.trainStep(x, y.subarray(0, 16));
  const noMomentum = sgd.toJSON();
  delete noMomentum.optimizer.m;
  await assert.rejects(loadNetwork(noMomentum), /json\.optimizer\.m is undefined; expected the momentum buffer/);
  sgd.dispose();
  // and the good file still loads, bit-identically
  const loaded = await loadNetwork(JSON.stringify(good));
  assert.equal(JSON.stringify(loaded.toJSON()), JSON.stringify(good));
  loaded.dispose();
  net.dispose();
  bystanderUnchanged('refused loads');
});

test('a network the guard kept finite round-trips, even after skipped steps', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }], optimizer: { type: 'adam', learningRate: 1e30 }, seed: 8 });
  const { x, y } = xorData(32, 9);
  for (let i = 0; i < 20; i++) net.trainStep(x, y);
  const json = JSON.stringify(net.toJSON());
  const loaded = await loadNetwork(json);
  assert.equal(JSON.stringify(loaded.toJSON()), json);
  loaded.trainStep(x, y);
  net.trainStep(x, y);
  assert.equal(JSON.stringify(loaded.toJSON()), JSON.stringify(net.toJSON()));
  loaded.dispose();
  net.dispose();
});

test('review findings: skipped steps keep the RNG; computeGradients reports no skipped update; impossible centered-RMSprop state is refused', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu', dropout: 0.5 }, { units: 1 }], seed: 2 });
  const before = JSON.stringify(net.toJSON());
  assert.equal(net.trainStep(new Float32Array([NaN, 1, 2, 3]), new Float32Array([0, 1])).skipped, true);
  assert.equal(JSON.stringify(net.toJSON()), before);
  const g = net.computeGradients(new Float32Array([NaN, 1, 2, 3]), new Float32Array([0, 1]));
  assert.equal(g.skipped, undefined);
  assert.equal(g.nonFinite, 'activation');
  net.dispose();
  const x = new Float32Array([1, 2, 3, 4]);
  const y = new Float32Array([1, 0]);
  const rms = await createNetwork({ inputs: 2, layers: [{ units: 1 }], optimizer: { type: 'rmsprop', centered: true } });
  rms.trainStep(x, y);
  const j = rms.toJSON();
  j.optimizer.v[0] = 0;
  j.optimizer.a[0] = 1;
  await assert.rejects(loadNetwork(j), /json\.optimizer\.v\[0\] is 0; expected at least json\.optimizer\.a\[0\]\^2 = 1/);
  rms.dispose();
  // a rate that is no float32 is still a valid cosine floor equal to the rate
  const adam = await createNetwork({ inputs: 1, layers: [{ units: 1 }], optimizer: { type: 'adam', learningRate: 0.001, schedule: { decay: 'cosine', decaySteps: 10, minLearningRate: 0.001 } } });
  adam.dispose();
  await assert.rejects(createNetwork({ inputs: 1, layers: [{ units: 1, dropout: null }] }), /layers\[0\]\.dropout is null; expected/);
});

test('review findings: stoppedEpoch is null when all epochs ran; fit history keeps a bounded number of epochs', async () => {
  const x = new Float32Array([0, 1, 2, 3]);
  const y = new Float32Array([0, 1, 0, 1]);
  const net = await createNetwork({ inputs: 1, layers: [{ units: 1 }], optimizer: { type: 'sgd', learningRate: 0 } });
  const h = await net.fit(x, y, { epochs: 3, batchSize: 4, validation: { x, y }, earlyStopping: { patience: 2 } });
  assert.deepEqual([h.epochs, h.bestEpoch, h.stoppedEpoch], [3, 0, null]);
  const long = await net.fit(x.subarray(0, 2), y.subarray(0, 2), { epochs: 210_000, batchSize: 2 });
  assert.equal(long.epochs, 210_000);
  assert.equal(long.droppedEpochs + long.loss.length, 210_000);
  assert.ok(long.loss.length <= 200_000);
  net.dispose();
});

// issue 19: a bad rng word is named; after dispose, errors name the function called

test('loadNetwork names the bad rng word', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 1 }], seed: 1 });
  const json = net.toJSON();
  net.dispose();
  const cases = [
    [2, 4294967296, /^Error: loadNetwork: json\.rng\[2\] is 4294967296; expected an unsigned 32-bit integer \(0 to 4294967295\)$/],
    [0, -1, /^Error: loadNetwork: json\.rng\[0\] is -1; expected an unsigned 32-bit integer/],
    [3, 1.5, /^Error: loadNetwork: json\.rng\[3\] is 1\.5; expected an unsigned 32-bit integer/],
    [1, '7', /^Error: loadNetwork: json\.rng\[1\] is "7"; expected an unsigned 32-bit integer/],
  ];
  for (const [i, word, message] of cases) {
    const bad = structuredClone(json);
    bad.rng[i] = word;
    await assert.rejects(loadNetwork(bad), message, `rng[${i}] = ${word}`);
  }
  await assert.rejects(loadNetwork({ ...json, rng: [1, 2, 3] }), /^Error: loadNetwork: json\.rng is an array of length 3; expected an array of 4 unsigned 32-bit integers$/);
});

test('after dispose, diagnose(net) and toPyTorch(net) name themselves, not the methods they call', async () => {
  const { diagnose, toPyTorch } = await import('../../js/index.js');
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce', seed: 1 });
  net.dispose();
  assert.throws(() => diagnose(net), /^Error: diagnose: this network was disposed; create a new one$/);
  assert.throws(() => toPyTorch(net), /^Error: toPyTorch: this network was disposed; create a new one$/);
  assert.throws(() => net.toPyTorch(), /^Error: toPyTorch: this network was disposed; create a new one$/);
  assert.throws(() => net.trainingRecord(), /^Error: trainingRecord: this network was disposed/);
});
