// StepLog: logs that hold another log's rows by reference (appendFrom) read the
// same rows as logs that copy them, across the source's drops, reuse of its
// chunks and clear().
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { StepLog } from '../../js/record.js';
import { ROW_HEAD, STAT_NAMES } from '../../js/contract.js';

const nLayers = 2;
const per = ROW_HEAD + nLayers * STAT_NAMES.length;
const rowsFrom = (first, n) => Float32Array.from({ length: n * per }, (_, i) => first * per + i + 0.5);

test('a follower shows what a copying log holds, while the source keeps it; rows the source filled again count as dropped', () => {
  const source = new StepLog(nLayers, 3000);
  const sizes = [1, 7, 1024, 1000, 300, 2048, 5, 1023, 1, 2500, 17];
  let step = 0;
  const pairs = [];
  for (const [k, n] of sizes.entries()) {
    if (k % 3 === 0) pairs.push({ follower: new StepLog(nLayers, k === 0 ? 10 : 100_000), copy: new StepLog(nLayers, k === 0 ? 10 : 100_000) });
    const rows = rowsFrom(step, n);
    step += n;
    source.appendRows(rows);
    for (const { follower, copy } of pairs) {
      follower.appendFrom(source, n);
      copy.appendRows(rows);
      assert.equal(follower.dropped + follower.length, copy.dropped + copy.length);
    }
  }
  assert.ok(source.dropped > 0, 'the source dropped chunks');
  assert.equal(source.dropped + source.length, step);
  assert.ok(source.chunksAllocated <= Math.ceil(3000 / 1024) + 2, `the source filled its dropped chunks again (${source.chunksAllocated} allocated)`);
  const newest = (series, kept) => ({ loss: series.loss.slice(-kept), learningRate: series.learningRate.slice(-kept), layers: series.layers.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.slice(-kept)]))) });
  for (const { follower, copy } of pairs) {
    // the follower shows its own limit's newest rows of those the source still holds (and of a dropped chunk not yet filled again)
    const limit = copy.dropped ? 10 : 100_000;
    assert.ok(follower.length >= Math.min(copy.length, source.length, limit), `${follower.length} rows shown`);
    assert.ok(follower.length <= Math.min(copy.length, source.length + 1024), `${follower.length} rows shown`);
    assert.deepEqual(follower.series(), newest(copy.series(), follower.length));
  }
  // the source's own rows are the newest, in order
  assert.equal(source.series().loss[source.length - 1], rowsFrom(step - 1, 1)[0]);
});

test('clearing the source leaves what followers hold; a cleared log starts again', () => {
  const source = new StepLog(nLayers, 100);
  const follower = new StepLog(nLayers, 100);
  source.appendRows(rowsFrom(0, 40));
  follower.appendFrom(source, 40);
  const before = follower.series();
  source.clear();
  source.appendRows(rowsFrom(1000, 40)); // rewrites the chunk the follower referenced
  assert.deepEqual(follower.series(), before);
  assert.equal(source.length, 40);
  assert.equal(source.dropped, 0);
  assert.equal(source.series().loss[0], rowsFrom(1000, 1)[0]);
  follower.clear();
  assert.equal(follower.length, 0);
  follower.appendFrom(source, 3);
  assert.equal(follower.series().loss[0], rowsFrom(1037, 1)[0]);
});

test('appendFrom refuses more rows than the source holds', () => {
  const source = new StepLog(nLayers, 100);
  source.appendRows(rowsFrom(0, 2));
  assert.throws(() => new StepLog(nLayers, 100).appendFrom(source, 3), /appendFrom: 3 rows of a log of 2/);
});

test('countsArray: the narrowest type that holds the bound, every count kept', async () => {
  const { countsArray } = await import('../../js/record.js');
  for (const [bound, Type] of [[0, Uint8Array], [255, Uint8Array], [256, Uint16Array], [65535, Uint16Array], [65536, Uint32Array], [2 ** 32 - 1, Uint32Array]]) {
    const counts = Uint32Array.from([0, 1, bound, Math.floor(bound / 2)]);
    const out = countsArray(counts.length, bound);
    out.set(counts);
    assert.ok(out instanceof Type, `bound ${bound}: ${out.constructor.name}`);
    assert.deepEqual(Array.from(out), Array.from(counts));
  }
});

test('appendRow (a trainStep) writes the rows appendRows would, across chunks and mixed with appendRows', () => {
  const single = new StepLog(nLayers, 1500);
  const whole = new StepLog(nLayers, 1500);
  const follower = new StepLog(nLayers, 100_000);
  let step = 0;
  for (const [k, n] of [1, 5, 1030, 3, 700, 2].entries()) {
    const rows = rowsFrom(step, n);
    whole.appendRows(rows);
    if (k % 2) single.appendRows(rows); // fit's chunks between trainSteps
    else for (let r = 0; r < n; r++) single.appendRow(rows[r * per], rows[r * per + 1], rows.subarray(r * per + ROW_HEAD, (r + 1) * per));
    follower.appendFrom(single, n);
    step += n;
  }
  assert.equal(single.dropped + single.length, step);
  assert.equal(single.length, whole.length);
  assert.deepEqual(single.series(), whole.series());
  // the follower's rows are unchanged by later appendRow calls into the same chunk
  const before = follower.series();
  for (let r = 0; r < 50; r++) single.appendRow(-1, -2, new Float32Array(per - ROW_HEAD).fill(-3));
  assert.deepEqual(follower.series(), before);
  assert.equal(before.loss[step - 1], rowsFrom(step - 1, 1)[0]);
});

test('a log fills the chunks of rows it dropped again: chunks stay bounded by its limit; a follower drops those rows, in order', () => {
  const log = new StepLog(nLayers, 5000);
  const early = new StepLog(nLayers, 100_000);
  const late = new StepLog(nLayers, 100_000);
  log.appendRows(rowsFrom(0, 700));
  early.appendFrom(log, 700);
  let step = 700;
  const lateRows = [];
  for (let i = 0; i < 200; i++) {
    const n = 1 + ((i * 37) % 300);
    const rows = rowsFrom(step, n);
    log.appendRows(rows);
    for (let r = 0; r < 3; r++) log.appendRow(-r, -r, new Float32Array(per - ROW_HEAD).fill(step));
    if (i >= 195) {
      late.appendFrom(log, n + 3);
      lateRows.push(...log.series().loss.slice(-(n + 3)));
    }
    step += n + 3;
  }
  assert.ok(step > 6 * 5000, `${step} rows appended`);
  // the newest 5000 rows (plus at most a chunk of 1024) in whole chunks, plus the one being filled
  assert.ok(log.chunksAllocated <= Math.ceil(5000 / 1024) + 2, `${log.chunksAllocated} chunks`);
  assert.equal(log.dropped + log.length, step);
  assert.equal(log.series().loss[log.length - 1], -2);
  // the early rows were filled over: dropped, none shown, however long the follower's own limit
  assert.equal(early.length, 0);
  assert.equal(early.dropped, 700);
  assert.equal(early.series().loss.length, 0);
  // the late ones are still the log's: shown as they were appended
  assert.deepEqual(Array.from(late.series().loss), lateRows);
  assert.equal(late.dropped, 0);
});
