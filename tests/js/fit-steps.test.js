// fit's maxSteps and resume: a fit can stop after any number of optimizer
// steps, mid-epoch, and a following fit with resume: true continues that epoch
// where it stopped. N fits of one step each are the same training as one fit
// of N steps, bit for bit, across epoch boundaries, with validation and
// onEpoch reported when an epoch ends.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { randomFloats } from './helpers.js';

const bits = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

function data(rows, seed) {
  const x = randomFloats(rows * 3, seed);
  const y = new Float32Array(rows).map((_, i) => (x[3 * i] * x[3 * i + 1] > 0 ? 1 : 0));
  return { x, y };
}

// dropout and shuffling draw from the RNG, batch norm keeps running statistics, Adam has state
const CONFIG = {
  inputs: 3,
  layers: [{ units: 8, activation: 'relu', batchNorm: true, dropout: 0.2 }, { units: 6, activation: 'tanh' }, { units: 1 }],
  loss: 'bce',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 7,
};

/** everything that decides the next step: parameters, running stats, optimizer state, RNG */
const state = (net) => JSON.stringify(net.toJSON());
const epochView = (info) => ({ loss: info.loss, valLoss: info.valLoss, valAccuracy: info.valAccuracy, skippedSteps: info.skippedSteps, deadFraction: info.deadFraction, steps: bits(info.steps.loss), grad0: bits(info.steps.layers[0].gradNorm) });

for (const [rows, batchSize, perEpoch] of [
  [50, 8, 7], // a last batch of 2
  [49, 8, 6], // a last batch of 1, which batch norm skips: 6 steps an epoch
]) {
  test(`N fits of maxSteps 1 with resume = one fit of N steps, bit for bit (${rows} rows, batch ${batchSize}: ${perEpoch} steps an epoch)`, async () => {
    const train = data(rows, 1);
    const validation = data(20, 2);
    const N = 2 * perEpoch + 3; // across two epoch boundaries, ending mid-epoch
    const one = await createNetwork(CONFIG);
    const many = await createNetwork(CONFIG);
    const oneEpochs = [];
    const long = await one.fit(train.x, train.y, { epochs: 10, batchSize, maxSteps: N, validation, onEpoch: (i) => oneEpochs.push(epochView(i)) });
    assert.equal(long.steps.loss.length, N);
    assert.equal(long.epochs, 2);
    assert.deepEqual(long.partialEpoch, { stepsDone: 3, stepsPerEpoch: perEpoch });
    assert.equal(long.valLoss.length, 2);

    const manyEpochs = [];
    const losses = [];
    for (let k = 0; k < N; k++) {
      const h = await many.fit(train.x, train.y, { batchSize, maxSteps: 1, resume: true, validation, onEpoch: (i) => manyEpochs.push({ call: k, ...epochView(i) }) });
      assert.equal(h.steps.loss.length, 1, `call ${k}`);
      losses.push(h.steps.loss[0]);
      const ends = (k + 1) % perEpoch === 0;
      // the epoch's end is reported by the call whose step finished it
      assert.equal(h.epochs, ends ? 1 : 0, `call ${k}`);
      assert.deepEqual(h.partialEpoch, ends ? null : { stepsDone: (k + 1) % perEpoch, stepsPerEpoch: perEpoch }, `call ${k}`);
      assert.equal(h.valLoss.length, ends ? 1 : 0);
    }
    assert.equal(bits(Float32Array.from(losses)), bits(long.steps.loss));
    assert.equal(state(many), state(one));
    assert.deepEqual(manyEpochs.map((e) => e.call), [perEpoch - 1, 2 * perEpoch - 1]);
    assert.deepEqual(manyEpochs.map(({ call, ...e }) => e), oneEpochs);
    // the whole epoch's steps reach onEpoch, though they came from several fits
    assert.equal(oneEpochs[0].steps.length / 8, perEpoch);
    // both go on alike: the rest of the open epoch and one more
    const restOne = await one.fit(train.x, train.y, { epochs: 2, batchSize, resume: true, validation });
    const restMany = await many.fit(train.x, train.y, { epochs: 2, batchSize, resume: true, validation });
    assert.equal(restOne.steps.loss.length, perEpoch - 3 + perEpoch);
    assert.equal(bits(restOne.steps.loss), bits(restMany.steps.loss));
    assert.deepEqual(restOne.valLoss, restMany.valLoss);
    assert.equal(state(many), state(one));
    one.dispose();
    many.dispose();
  });
}

test('maxSteps that ends on an epoch boundary trains exactly what the epochs would; no epoch is left open', async () => {
  const train = data(40, 3);
  const a = await createNetwork(CONFIG);
  const b = await createNetwork(CONFIG);
  const ha = await a.fit(train.x, train.y, { epochs: 3, batchSize: 10 });
  const hb = await b.fit(train.x, train.y, { epochs: 100, batchSize: 10, maxSteps: 12 });
  assert.equal(hb.epochs, 3);
  assert.equal(hb.partialEpoch, null);
  assert.equal(ha.partialEpoch, null);
  assert.deepEqual(hb.loss, ha.loss);
  assert.equal(state(a), state(b));
  // resume with nothing open starts a new epoch, like a fit without it
  const ra = await a.fit(train.x, train.y, { batchSize: 10 });
  const rb = await b.fit(train.x, train.y, { batchSize: 10, resume: true });
  assert.equal(bits(ra.steps.loss), bits(rb.steps.loss));
  a.dispose();
  b.dispose();
});

test('a fit without resume ends the open epoch: it starts a new one on its data', async () => {
  const train = data(40, 4);
  const a = await createNetwork(CONFIG);
  const h = await a.fit(train.x, train.y, { batchSize: 10, maxSteps: 2 });
  assert.deepEqual(h.partialEpoch, { stepsDone: 2, stepsPerEpoch: 4 });
  const next = await a.fit(train.x, train.y, { batchSize: 10 });
  assert.equal(next.steps.loss.length, 4);
  assert.equal(next.epochs, 1);
  // nothing is open now: resume has nothing to continue
  const again = await a.fit(train.x, train.y, { batchSize: 10, resume: true, maxSteps: 1 });
  assert.deepEqual(again.partialEpoch, { stepsDone: 1, stepsPerEpoch: 4 });
  a.dispose();
});

test('maxSteps and resume are validated; resume refuses other data, batch size or shuffle, and changes nothing then', async () => {
  const train = data(40, 5);
  const net = await createNetwork(CONFIG);
  const cases = [
    [{ maxSteps: 0 }, /^Error: fit: options\.maxSteps is 0; expected an integer in \[1, 2147483647\]$/],
    [{ maxSteps: 1.5 }, /^Error: fit: options\.maxSteps is 1\.5; expected an integer/],
    [{ maxSteps: '3' }, /^Error: fit: options\.maxSteps is "3"; expected an integer/],
    [{ maxSteps: Infinity }, /^Error: fit: options\.maxSteps is Infinity; expected an integer/],
    [{ resume: 'yes' }, /^Error: fit: options\.resume is "yes"; expected true or false$/],
  ];
  for (const [options, message] of cases) await assert.rejects(net.fit(train.x, train.y, options), (err) => message.test(String(err)), JSON.stringify(options));
  await net.fit(train.x, train.y, { batchSize: 10, maxSteps: 3 });
  const before = state(net);
  const other = data(40, 6);
  const refusals = [
    [other.x, train.y, { batchSize: 10 }, /options\.resume is true; expected the same x as the fit that stopped mid-epoch \(step 3 of 4\), or resume: false to start a new epoch$/],
    [train.x, other.y, { batchSize: 10 }, /expected the same y as/],
    [train.x.subarray(0, 60), train.y.subarray(0, 20), { batchSize: 10 }, /expected the same x as/],
    [train.x, train.y, { batchSize: 20 }, /expected the same batchSize \(10\) as/],
    [train.x, train.y, { batchSize: 10, shuffle: false }, /expected the same shuffle \(true\) as/],
  ];
  for (const [x, y, options, message] of refusals) {
    await assert.rejects(net.fit(x, y, { ...options, resume: true }), (err) => message.test(String(err)), JSON.stringify(options));
    assert.equal(state(net), before);
  }
  // still open after the refusals: the last step of the epoch finishes it
  const h = await net.fit(Float32Array.from(train.x), Float32Array.from(train.y), { batchSize: 10, resume: true });
  assert.equal(h.steps.loss.length, 1);
  assert.equal(h.epochs, 1);
  net.dispose();
});
