// A fit's history shows the network's record: history.steps and history.histograms
// are the rows of that fit the network still keeps (its newest RECORD_LIMIT steps,
// HISTOGRAM_LIMIT snapshots) when first read, and the history's own from then on.
// Nothing a history holds grows the network's memory, however many are kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { HISTOGRAM_LIMIT, RECORD_LIMIT } from '../../js/network.js';
import { randomFloats } from './helpers.js';

const ROWS = 10;
const x = randomFloats(ROWS * 2, 3);
const y = new Float32Array(ROWS).map((_, i) => i % 2);
const CONFIG = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 0.01 }, seed: 5 };
const fit = (net, epochs, extra = {}) => net.fit(x, y, { epochs, batchSize: 1, shuffle: false, ...extra }); // ROWS steps an epoch

test('a history read later shows the steps the record still keeps; the older ones count as dropped', async () => {
  const net = await createNetwork(CONFIG);
  const readEarly = await fit(net, 30);
  const early = { loss: readEarly.steps.loss.slice(), dropped: readEarly.droppedSteps };
  const unread = await fit(net, 30); // 300 steps, not read until the network trained on
  const before = net.trainingRecord().steps.loss.slice(-300);
  const again = await fit(net, 3); // a few more steps: still kept
  assert.deepEqual(Array.from(unread.steps.loss), Array.from(before));
  assert.equal(unread.droppedSteps, 0);
  const gone = await fit(net, 30);
  const longFit = await fit(net, Math.ceil((RECORD_LIMIT + 2048) / ROWS)); // the record keeps its newest RECORD_LIMIT: gone's rows are filled over
  assert.equal(gone.droppedSteps, 300, 'droppedSteps counts what the record no longer keeps');
  assert.equal(gone.steps.loss.length, 0);
  // read first, a history keeps what it read
  assert.deepEqual({ loss: readEarly.steps.loss, dropped: readEarly.droppedSteps }, early);
  assert.equal(again.steps.loss.length + again.droppedSteps, 30);
  // the long fit's own history: its newest RECORD_LIMIT (to + 1024) steps, and the count of the rest
  const total = Math.ceil((RECORD_LIMIT + 2048) / ROWS) * ROWS;
  assert.equal(longFit.steps.loss.length + longFit.droppedSteps, total);
  assert.ok(longFit.steps.loss.length >= RECORD_LIMIT && longFit.steps.loss.length <= RECORD_LIMIT + 1024, `${longFit.steps.loss.length} steps`);
  assert.deepEqual(Array.from(longFit.steps.loss.slice(-5)), Array.from(net.trainingRecord().steps.loss.slice(-5)));
  net.dispose();
});

test('droppedSteps read before steps agrees with them; resetRecord and dispose leave a history as it was', async () => {
  const net = await createNetwork(CONFIG);
  const a = await fit(net, 5);
  const b = await fit(net, 5);
  const recorded = net.trainingRecord().steps.loss;
  net.resetRecord();
  await fit(net, 50); // rows of a new record, not over a's and b's
  assert.equal(a.droppedSteps, 0);
  assert.deepEqual(Array.from(a.steps.loss), Array.from(recorded.slice(0, 50)));
  net.dispose();
  assert.deepEqual(Array.from(b.steps.loss), Array.from(recorded.slice(50)));
});

test('history.histograms: the snapshots the network still keeps (its newest HISTOGRAM_LIMIT) when first read', async () => {
  const net = await createNetwork(CONFIG);
  const kept = await fit(net, 2, { histogramEvery: 1 });
  const unread = await fit(net, 2, { histogramEvery: 1 });
  const read = kept.histograms;
  assert.deepEqual(read.map((h) => h.step), Array.from({ length: 20 }, (_, i) => i));
  const snapshot = JSON.stringify(read);
  const long = await fit(net, Math.ceil((HISTOGRAM_LIMIT + 200) / ROWS), { histogramEvery: 1 });
  assert.equal(unread.histograms.length, 0, 'filled over by the long fit before it was read');
  assert.equal(JSON.stringify(kept.histograms), snapshot, 'read first, kept');
  assert.equal(long.histograms.length, HISTOGRAM_LIMIT);
  assert.equal(long.histograms.at(-1).step, Math.ceil((HISTOGRAM_LIMIT + 200) / ROWS) * ROWS - 1);
  assert.deepStrictEqual(long.histograms.at(-1).layers, net.layerHistograms());
  net.dispose();
});

test('review findings: histograms every step of an epoch longer than the network keeps; resetRecord mid-fit leaves no gap; a resumed epoch keeps every step', async () => {
  // one chunk of the core's steps (up to 1,024) takes more snapshots than the network keeps (1,000)
  const rows = 1064;
  const xl = randomFloats(rows * 2, 9);
  const yl = new Float32Array(rows).map((_, i) => i % 2);
  const net = await createNetwork(CONFIG);
  const long = await net.fit(xl, yl, { epochs: 2, batchSize: 1, histogramEvery: 1 });
  assert.equal(long.histograms.length, HISTOGRAM_LIMIT);
  assert.deepEqual(long.histograms.map((h) => h.step), Array.from({ length: HISTOGRAM_LIMIT }, (_, i) => 2 * rows - HISTOGRAM_LIMIT + i));
  assert.deepStrictEqual(long.histograms.at(-1).layers, net.layerHistograms());

  // resetRecord in the first epoch, then the record filled over in the second: what is shown is the newest, with no gap
  const perEpoch = [];
  const x1 = x.subarray(0, 2);
  const y1 = y.subarray(0, 1);
  const h = await fit(net, 3, {
    onEpoch: ({ epoch, steps }) => {
      perEpoch.push(Array.from(steps.loss));
      if (epoch === 0) net.resetRecord();
      if (epoch === 1) for (let k = 0; k < RECORD_LIMIT + 2500; k++) net.trainStep(x1, y1);
    },
  });
  assert.equal(h.steps.loss.length + h.droppedSteps, 30);
  assert.deepEqual(Array.from(h.steps.loss), perEpoch.flat().slice(h.droppedSteps), 'the newest steps, in order');
  assert.equal(net.trainingRecord().firstStep + net.trainingRecord().steps.loss.length, 20 + RECORD_LIMIT + 2500, 'the record counts from resetRecord');

  // an epoch stopped by maxSteps and resumed after the record was filled over: onEpoch still sees all of it
  const twin = await createNetwork(CONFIG);
  let whole = null;
  await fit(twin, 1, { onEpoch: ({ steps }) => (whole = Array.from(steps.loss)) });
  let resumed = null;
  const net2 = await createNetwork(CONFIG);
  await fit(net2, 1, { maxSteps: 5, onEpoch: () => assert.fail('the epoch is not over') });
  for (let k = 0; k < RECORD_LIMIT + 2500; k++) net2.trainStep(x1, y1); // changes the weights: compare the first 5 steps only
  await fit(net2, 1, { resume: true, onEpoch: ({ steps }) => (resumed = Array.from(steps.loss)) });
  assert.equal(resumed.length, ROWS);
  assert.deepEqual(resumed.slice(0, 5), whole.slice(0, 5));
  for (const n of [net, twin, net2]) n.dispose();
});
