// Every bad input throws an Error naming the parameter, the value and what was
// expected; afterwards the module (and the same network) keeps working.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork, loadNetwork } from '../../js/index.js';
import { xorData } from './helpers.js';

const GOOD = { inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce' };

const badConfigs = [
  [{ ...GOOD, inputs: 0 }, /inputs is 0; expected an integer in \[1, /],
  [{ ...GOOD, inputs: 2.5 }, /inputs is 2.5; expected an integer/],
  [{ ...GOOD, layers: [] }, /layers is an array of length 0; expected a non-empty array/],
  [{ ...GOOD, layers: [{ units: 0 }] }, /layers\[0\]\.units is 0; expected an integer in \[1, /],
  [{ ...GOOD, layers: [{ units: 4, activation: 'relu6' }, { units: 1 }] }, /layers\[0\]\.activation is "relu6"; expected one of "linear", "relu", "leaky-relu", "sigmoid", "tanh"/],
  [{ ...GOOD, layers: [{ units: 4, dropout: 1.5 }, { units: 1 }] }, /layers\[0\]\.dropout is 1\.5; expected a number in \[0, 1\]/],
  [{ ...GOOD, layers: [{ units: 4, dropout: -0.1 }, { units: 1 }] }, /layers\[0\]\.dropout is -0\.1; expected a number in \[0, 1\]/],
  [{ ...GOOD, layers: [{ units: 4, dropout: NaN }, { units: 1 }] }, /layers\[0\]\.dropout is NaN/],
  [{ ...GOOD, layers: [{ unit: 4 }] }, /layers\[0\] has an unknown key "unit"; expected one of units, activation, batchNorm, layerNorm, dropout/],
  [{ ...GOOD, loss: 'cross-entropy' }, /loss is "cross-entropy"; expected one of "mse", "bce", "softmax-ce"/],
  [{ ...GOOD, loss: 'softmax-ce' }, /layers\[1\]\.units is 1; expected at least 2 output units for loss 'softmax-ce'/],
  [{ ...GOOD, init: 'glorot' }, /init is "glorot"; expected one of "he", "xavier", "lecun", "pytorch", "zeros"/],
  [{ ...GOOD, init: { type: 'normal', std: -1 } }, /init\.std is -1; expected a finite number >= 0/],
  [{ ...GOOD, optimizer: { type: 'lbfgs' } }, /optimizer\.type is "lbfgs"; expected one of "sgd", "adam", "adamw", "rmsprop"/],
  [{ ...GOOD, optimizer: { type: 'sgd', learningRate: -0.1 } }, /optimizer\.learningRate is -0\.1; expected a finite number >= 0/],
  [{ ...GOOD, optimizer: { type: 'sgd', learningRate: NaN } }, /optimizer\.learningRate is NaN; expected a finite number >= 0/],
  [{ ...GOOD, optimizer: { type: 'adam', beta1: 1 } }, /optimizer\.beta1 is 1; expected a number in \[0, 1\)/],
  [{ ...GOOD, optimizer: { type: 'adam', beta2: -0.5 } }, /optimizer\.beta2 is -0\.5; expected a number in \[0, 1\)/],
  [{ ...GOOD, optimizer: { type: 'adam', eps: 0 } }, /optimizer\.eps is 0; expected a finite number > 0/],
  [{ ...GOOD, optimizer: { type: 'sgd', nesterov: true } }, /optimizer\.momentum is 0; expected a momentum > 0 when nesterov is true/],
  [{ ...GOOD, optimizer: { type: 'adam', momentum: 0.9 } }, /optimizer has an unknown key "momentum"/],
  [{ ...GOOD, clipNorm: -1 }, /clipNorm is -1; expected a finite number >= 0/],
  [{ ...GOOD, seed: -3 }, /seed is -3; expected an integer in \[0, 4294967295\]/],
  [{ ...GOOD, optimiser: {} }, /config has an unknown key "optimiser"/],
  [null, /config is null; expected an object/],
];

for (const [config, message] of badConfigs) {
  const expected = message.source.replace(/\\/g, '').split(';')[0];
  test(`createNetwork rejects: ${expected}`, async () => {
    await assert.rejects(createNetwork(config), (err) => err instanceof Error && message.test(err.message));
  });
}

test('bad batches name the parameter, value and expected shape; the network keeps working', async () => {
  const net = await createNetwork(GOOD);
  const { x, y } = xorData(8);
  const cases = [
    [() => net.trainStep(new Float32Array(5), y), /trainStep: x\.length is 5; expected a positive multiple of 2 \(shape \[batch x 2\]\)/],
    [() => net.trainStep(x, new Float32Array(7)), /trainStep: y\.length is 7; expected 8 \(shape \[8 x 1\] for 8 rows of x\)/],
    [() => net.trainStep(Array.from(x), y), /trainStep: x is an array of length 16; expected a Float32Array of shape \[batch x 2\]/],
    [() => net.trainStep(new Float64Array(16), y), /trainStep: x is a Float64Array of length 16; expected a Float32Array/],
    [() => net.trainStep(x, Int32Array.from(y)), /trainStep: y is a Int32Array of length 8; expected a Float32Array of shape \[8 x 1\]/],
    [() => net.computeGradients(new Float32Array(0), y), /computeGradients: x\.length is 0; expected a positive multiple of 2/],
    [() => net.predict(new Float32Array(3)), /predict: x\.length is 3; expected a positive multiple of 2/],
    [() => net.evaluate(x, new Float32Array(1)), /evaluate: y\.length is 1; expected 8/],
    [() => net.setParameters([{ weight: new Float32Array(3) }, {}]), /setParameters: layers\[0\]\.weight is a Float32Array of length 3; expected a Float32Array \(or number\[\]\) of length 8, shape \[4 x 2\]/],
    [() => net.setParameters([{ gamma: new Float32Array(4) }, {}]), /setParameters: layers\[0\] has an unknown key "gamma"/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, message);
  await assert.rejects(net.fit(x, y, { epochs: -1 }), /fit: options\.epochs is -1; expected an integer in \[0, /);
  await assert.rejects(net.fit(x, y, { batchSize: 0 }), /fit: options\.batchSize is 0; expected an integer in \[1, /);
  await assert.rejects(net.fit(x, y, { validation: { x, y: new Float32Array(3) } }), /fit: options\.validation\.y\.length is 3; expected 8/);
  await assert.rejects(net.fit(x, y, { epoch: 3 }), /fit: options has an unknown key "epoch"/);
  // still works, and nothing was changed by the rejected calls
  assert.ok(Number.isFinite(net.trainStep(x, y).loss));
  net.dispose();
});

test('softmax-ce class indices: kind, length and range are checked', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3 }], loss: 'softmax-ce' });
  const x = new Float32Array(8);
  assert.throws(() => net.trainStep(x, Int32Array.of(0, 1, 3, 2)), /trainStep: y\[2\] is 3; expected a class index in \[0, 2\]/);
  assert.throws(() => net.trainStep(x, [0, 1, -1, 2]), /y\[2\] is -1; expected a class index in \[0, 2\]/);
  assert.throws(() => net.trainStep(x, [0, 1, 0.5, 2]), /y\[2\] is 0\.5; expected a class index/);
  assert.throws(() => net.trainStep(x, Float32Array.of(0, 1, 2, 0)), /y is a Float32Array of length 4; expected class indices \(Int32Array, Uint8Array or number\[\]\) of length 4/);
  assert.throws(() => net.trainStep(x, [0, 1]), /y\.length is 2; expected 4 class indices/);
  for (const y of [Int32Array.of(0, 1, 2, 0), Uint8Array.of(0, 1, 2, 0), [0, 1, 2, 0]]) {
    assert.ok(Number.isFinite(net.trainStep(x, y).loss));
  }
  net.dispose();
});

test('a batch of one with batch norm is refused in training, allowed in eval', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, batchNorm: true }, { units: 1 }], loss: 'mse' });
  const x = Float32Array.of(1, 2);
  const y = Float32Array.of(1);
  assert.throws(() => net.trainStep(x, y), /trainStep: x is "1 example"; expected a batch of at least 2 examples, because layers\[0\] uses batchNorm in training/);
  assert.throws(() => net.computeGradients(x, y), /computeGradients: .*at least 2 examples/);
  await assert.rejects(net.fit(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 0), { batchSize: 1 }), /fit: .*at least 2 examples/);
  assert.equal(net.predict(x).length, 1);
  assert.ok(Number.isFinite(net.evaluate(x, y).loss));
  net.dispose();
});

test('use after dispose throws on every method; other networks keep working', async () => {
  const net = await createNetwork(GOOD);
  const other = await createNetwork(GOOD);
  net.dispose();
  net.dispose(); // idempotent
  const { x, y } = xorData(4);
  for (const call of [
    () => net.trainStep(x, y),
    () => net.computeGradients(x, y),
    () => net.predict(x),
    () => net.evaluate(x, y),
    () => net.layerStats(),
    () => net.getParameters(),
    () => net.setParameters([{}, {}]),
    () => net.toJSON(),
  ]) {
    assert.throws(call, /: this network was disposed; create a new one/);
  }
  await assert.rejects(net.fit(x, y), /fit: this network was disposed/);
  assert.ok(Number.isFinite(other.trainStep(x, y).loss));
  other.dispose();
});

test('loadNetwork rejects what toJSON did not produce', async () => {
  await assert.rejects(loadNetwork('{oops'), /loadNetwork: json is not valid JSON/);
  await assert.rejects(loadNetwork({ format: 'other' }), /loadNetwork: json is .*; expected the output of net\.toJSON\(\)/);
  const net = await createNetwork(GOOD);
  const json = net.toJSON();
  json.parameters[0].weight = json.parameters[0].weight.slice(1);
  await assert.rejects(loadNetwork(json), /loadNetwork|setParameters: layers\[0\]\.weight is an array of length 7; expected/);
  const json2 = net.toJSON();
  json2.rng = [1, 2];
  await assert.rejects(loadNetwork(json2), /loadNetwork: json\.rng is an array of length 2; expected an array of 4 unsigned 32-bit integers/);
  net.dispose();
});

test('fit: disposing mid-training stops it cleanly; a second concurrent fit is refused', async () => {
  const { x, y } = xorData(64);
  const net = await createNetwork(GOOD);
  const first = net.fit(x, y, { epochs: 50, batchSize: 8, onEpoch: () => new Promise((r) => setTimeout(r, 1)) });
  await assert.rejects(net.fit(x, y, { epochs: 1 }), /fit: this network is already training in another fit call/);
  await new Promise((r) => setTimeout(r, 5));
  net.dispose();
  await assert.rejects(first, /fit: the network was disposed during training/);
  const other = await createNetwork(GOOD);
  assert.equal((await other.fit(x, y, { epochs: 2 })).epochs, 2, 'the module keeps working');
  other.dispose();
});
