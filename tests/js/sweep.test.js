// sweep(): one scenario trained at several dropout rates or learning rates,
// medians over seeds; the shapes the CLI and the page read, and argument checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { datasets } from '../../js/index.js';
import { loadDataset, presetScenario } from '../../js/presets.js';
import { sweep } from '../../js/sweep.js';

const KEYS = ['value', 'trainLoss', 'testLoss', 'testAccuracy', 'deadFraction', 'maxGradNorm', 'skippedSteps', 'diverged', 'seeds', 'runs'];

test('learning-rate sweep on the dead-ReLU preset: the seed\'s "lower the learning rate", measured', async () => {
  const points = [];
  const rows = await sweep('dead-relu', { param: 'learningRate', values: [0.3, 3], seeds: 2, epochs: 10, onPoint: (row, i) => points.push([i, row.value]) });
  assert.deepEqual(points, [[0, 0.3], [1, 3]]);
  assert.deepEqual(rows.map((r) => r.value), [0.3, 3]);
  for (const r of rows) {
    assert.deepEqual(Object.keys(r).sort(), [...KEYS].sort());
    assert.deepEqual(r.seeds, [1, 2]);
    assert.equal(r.runs.length, 2);
    assert.ok(r.deadFraction >= 0 && r.deadFraction <= 1);
    assert.ok(r.maxGradNorm > 0 && Number.isFinite(r.maxGradNorm));
    assert.ok(r.testAccuracy >= 0 && r.testAccuracy <= 1);
    // the row is the median of its runs (two runs: their mean)
    assert.ok(Math.abs(r.testLoss - (r.runs[0].testLoss + r.runs[1].testLoss) / 2) < 1e-6);
  }
  // learning rate 3 kills most ReLUs and learns nothing; 0.3 learns
  assert.ok(rows[1].deadFraction > 0.7 && rows[1].testAccuracy < 0.6, JSON.stringify(rows[1]));
  assert.ok(rows[0].deadFraction < 0.5 && rows[0].testAccuracy > 0.9, JSON.stringify(rows[0]));
});

test('dropout sweep on a custom scenario: explicit seeds, regression has no accuracy, dropout 1 learns nothing', async () => {
  const scenario = {
    dataset: { name: 'regressionPlane', samples: 200 },
    config: { layers: [{ units: 16, activation: 'relu' }, { units: 1 }], optimizer: { type: 'adam', learningRate: 0.01 } },
    fit: { epochs: 15, batchSize: 20 },
  };
  const rows = await sweep(scenario, { param: 'dropout', values: [0, 1], seeds: [7] });
  assert.equal(rows.length, 2);
  assert.equal(rows[0].testAccuracy, undefined);
  assert.ok(!('testAccuracy' in rows[0]));
  assert.deepEqual(rows[0].seeds, [7]);
  assert.ok(rows[0].testLoss < rows[1].testLoss, JSON.stringify(rows.map((r) => r.testLoss)));
  assert.equal(rows[1].maxGradNorm >= 0, true);
  // the scenario itself is not changed
  assert.equal(scenario.config.layers[0].dropout, undefined);
});

test('an aborted sweep returns the points it finished', async () => {
  const controller = new AbortController();
  const rows = await sweep(presetScenario('healthy'), {
    param: 'dropout',
    values: [0, 0.2, 0.4],
    epochs: 2,
    signal: controller.signal,
    onPoint: () => controller.abort(),
  });
  assert.deepEqual(rows.map((r) => r.value), [0]);
});

test('arguments are checked before anything trains', async () => {
  const cases = [
    [['nope', { param: 'dropout', values: [0] }], /^Error: preset: name is "nope"; expected one of healthy/],
    [[42, { param: 'dropout', values: [0] }], /sweep: scenario is 42; expected a preset name or a scenario/],
    [[{ dataset: { name: 'circle' } }, { param: 'dropout', values: [0] }], /sweep: scenario\.config is undefined; expected an object/],
    [['healthy'], /sweep: options is undefined; expected an object/],
    [['healthy', { param: 'momentum', values: [0] }], /sweep: options\.param is "momentum"; expected "dropout" or "learningRate"/],
    [['healthy', { param: 'dropout', values: [] }], /sweep: options\.values is an array of length 0; expected an array of 1 to 100 numbers/],
    [['healthy', { param: 'dropout', values: 0.5 }], /options\.values is 0\.5; expected an array/],
    [['healthy', { param: 'dropout', values: [0, 1.5] }], /sweep: options\.values\[1\] is 1\.5; expected a number in \[0, 1\]/],
    [['healthy', { param: 'dropout', values: [NaN] }], /options\.values\[0\] is NaN; expected a number in \[0, 1\]/],
    [['healthy', { param: 'learningRate', values: [0] }], /options\.values\[0\] is 0; expected a number in \(0, 1000000\]/],
    [['healthy', { param: 'learningRate', values: [1e39] }], /options\.values\[0\] is 1e\+39; expected a number in \(0, 1000000\]/],
    [['healthy', { param: 'dropout', values: [0], seeds: 0 }], /options\.seeds is 0; expected an integer in \[1, 100\]/],
    [['healthy', { param: 'dropout', values: [0], seeds: [1, -1] }], /options\.seeds\[1\] is -1; expected an integer in \[0, 4294967295\]/],
    [['healthy', { param: 'dropout', values: [0], seeds: 'all' }], /options\.seeds is "all"; expected a count in \[1, 100\] or an array/],
    [['healthy', { param: 'dropout', values: [0], epochs: 0 }], /options\.epochs is 0; expected an integer in \[1, 1000000\]/],
    [['healthy', { param: 'dropout', values: [0], epoch: 3 }], /sweep: options has an unknown key "epoch"; expected one of param, values, epochs, seeds/],
    [['healthy', { param: 'dropout', values: [0], onPoint: 1 }], /options\.onPoint is 1; expected a function/],
  ];
  for (const [args, message] of cases) await assert.rejects(sweep(...args), message, JSON.stringify(args));
});

test('a dataset that is already built (a parsed CSV) can be swept; loadDataset refuses non-generators', async () => {
  const lines = ['x1;x2;kind'];
  for (let i = 0; i < 120; i++) lines.push(`${(i % 12) / 6 - 1};${Math.floor(i / 12) / 5 - 1};${(i % 12) / 6 - 1 > 0 ? 'right' : 'left'}`);
  const csv = datasets.parseCsv(lines.join('\n'), { labelColumn: 'kind', delimiter: ';', testRatio: 0.25 });
  const rows = await sweep(
    { dataset: csv, config: { layers: [{ units: 8, activation: 'relu' }, { units: 2 }], optimizer: { type: 'adam', learningRate: 0.02 } }, fit: { epochs: 30, batchSize: 10 } },
    { param: 'learningRate', values: [0.02], seeds: [1, 2] },
  );
  assert.ok(rows[0].testAccuracy > 0.9, JSON.stringify(rows[0]));
  await assert.rejects(loadDataset({ name: 'csvColumnInfo' }), /loadDataset: dataset\.name is "csvColumnInfo"; expected one of circle, xor, gaussian, spiral, moons, regressionPlane, regressionGaussian, digits/);
  await assert.rejects(loadDataset(null), /loadDataset: dataset is null; expected a spec/);
});
