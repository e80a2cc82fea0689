// tryRemedies(): each single-change remedy of a finding trained from the same
// seeds and data for a short budget, measured by the figures that define the
// finding. On every preset the seed's remedy shows the cure in its figures; the
// budgets are small (each preset's call takes well under a few seconds).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PRESET_NAMES, presets, presetScenario } from '../../js/index.js';
import { FINDING_KINDS, FINDING_METRICS, tryRemedies } from '../../js/remedies.js';

const SEEDS = [1, 2];
// short budgets that still show each failure (the presets' own lengths are 20-150 epochs)
const EPOCHS = { 'vanishing-gradients': 15, 'exploding-gradients': 10, 'dead-relu': 10, overfitting: 60, 'dropout-one': 10 };
// the figures that show the seed's remedy cured it: [what, before, after] -> ok
const CURED = {
  'vanishing-gradients': (m) => m.firstToLastGradRatio.before < 1e-4 && m.firstToLastGradRatio.after > 1e-2 && m.testAccuracy.after > 0.9,
  'exploding-gradients': (m) => m.maxGradNorm.before > 1e3 && m.maxGradNorm.after < 1e3 && m.skippedSteps.before > 0 && m.skippedSteps.after === 0 && m.testAccuracy.after > 0.95,
  'dead-relu': (m) => m.deadFraction.before > 0.7 && m.deadFraction.after < 0.5 && m.testAccuracy.after > 0.9,
  overfitting: (m) => m.gap.before > 0.3 && m.gap.after < 0.2,
  // dropout 1.0 leaves no gradient at all: the ratio is 0/0 before
  'dropout-one': (m) => Number.isNaN(m.firstToLastGradRatio.before) && m.firstToLastGradRatio.after > 1e-2 && m.testAccuracy.after > 0.95,
};

const show = (r) => `${r.label}: ${r.error ?? Object.entries(r.metrics).map(([k, v]) => `${k} ${v.before.toPrecision(3)} -> ${v.after.toPrecision(3)}`).join(', ')}, still found ${r.stillFound}/${r.seeds?.length}, ${r.ms?.toFixed(0)} ms`;

for (const name of PRESET_NAMES.filter((n) => presets[n].expect)) {
  test(`tryRemedies on the ${name} preset: the seed's remedy cures it in its figures, in bounded time`, async (t) => {
    const p = presets[name];
    const seen = [];
    const t0 = performance.now();
    const out = await tryRemedies(name, { kind: p.expect }, { epochs: EPOCHS[name], seeds: SEEDS, onResult: (r, i) => seen.push([i, r.id]) });
    const ms = performance.now() - t0;
    for (const r of out.results) t.diagnostic(show(r));
    t.diagnostic(`before: found ${out.before.found}/${SEEDS.length}, ${out.before.ms.toFixed(0)} ms; total ${ms.toFixed(0)} ms`);
    assert.equal(out.kind, p.expect);
    assert.equal(out.scenario, name);
    assert.equal(out.epochs, EPOCHS[name]);
    assert.deepEqual(out.seeds, SEEDS);
    assert.equal(out.aborted, false);
    assert.deepEqual(out.metrics, [...FINDING_METRICS[p.expect], 'testAccuracy']);
    assert.equal(out.before.found, SEEDS.length, 'the short budget still shows the failure');
    // every remedy of the preset, in its order, the seed's first
    assert.deepEqual(out.results.map((r) => r.id), p.remedies.map((r) => r.id));
    assert.deepEqual(seen, p.remedies.map((r, i) => [i, r.id]));
    const seedRemedy = out.results[0];
    assert.ok(seedRemedy.seed);
    assert.ok(CURED[name](seedRemedy.metrics), show(seedRemedy));
    assert.equal(seedRemedy.stillFound, 0, show(seedRemedy));
    for (const r of out.results) {
      assert.deepEqual(r.changes, p.remedies.find((x) => x.id === r.id).changes);
      assert.equal(r.runs.length, SEEDS.length);
      assert.deepEqual(r.runs.map((x) => x.seed), SEEDS);
      // the before side is the same for every remedy
      for (const m of out.metrics) assert.ok(Object.is(r.metrics[m].before, out.before[m]), m);
      assert.ok(r.ms > 0 && r.ms < ms);
    }
    assert.ok(out.ms >= out.before.ms + out.results.reduce((s, r) => s + r.ms, 0) - 1);
    // bounded: small budgets, whatever else shares the machine
    assert.ok(ms < 60_000, `${ms} ms`);
  });
}

test('tryRemedies is honest where a remedy does not cure: leaky ReLU alone on the dead-ReLU preset learns nothing', async () => {
  const out = await tryRemedies(presetScenario('dead-relu'), 'dead-relu', { epochs: 10, seeds: [1] });
  const leaky = out.results.find((r) => r.id === 'leaky-relu');
  // no ReLU is left to die (dead share 0 by definition), but test accuracy stays near chance
  assert.equal(leaky.metrics.deadFraction.after, 0);
  assert.ok(leaky.metrics.testAccuracy.after < 0.7, show(leaky));
  assert.equal(leaky.seed, false);
});

test('a scenario that is not a preset gets generic single changes for the finding; changes that change nothing are left out', async () => {
  const { dataset, config } = presetScenario('dead-relu');
  const custom = { dataset, config, fit: { epochs: 2, batchSize: 10 } };
  const dead = await tryRemedies(custom, 'dead-relu', { epochs: 2 });
  assert.equal(dead.scenario, 'scenario');
  assert.deepEqual(dead.results.map((r) => [r.id, r.label, r.seed]), [['lr-div10', 'learning rate ÷10', true], ['leaky-relu', 'leaky ReLU', false]]);
  assert.deepEqual(dead.results[0].changes, { learningRate: 0.3 });
  assert.deepEqual(dead.seeds, [1]);
  assert.deepEqual(dead.metrics, ['deadFraction', 'testAccuracy']);
  // a ReLU network: "ReLU" would change nothing, so only batch norm is tried for vanishing gradients
  const healthy = presetScenario('healthy');
  const vanishing = await tryRemedies(healthy, 'vanishing-gradients', { epochs: 1 });
  assert.deepEqual(vanishing.results.map((r) => r.id), ['batch-norm']);
  const kinds = {
    'exploding-gradients': ['lr-div10', 'batch-norm', 'clip-norm-1'],
    saturation: ['relu', 'xavier-init', 'batch-norm'],
    overfitting: ['dropout-0.5', 'l2'],
    'non-finite': ['lr-div10', 'clip-norm-1', 'batch-norm'],
  };
  const tanh = { ...custom, config: { ...config, init: 'he', layers: [{ units: 4, activation: 'tanh' }, { units: 1 }] } };
  for (const [kind, ids] of Object.entries(kinds)) {
    const out = await tryRemedies(tanh, kind, { epochs: 1 });
    assert.deepEqual(out.results.map((r) => r.id), ids, kind);
    assert.deepEqual(out.metrics, [...FINDING_METRICS[kind], 'testAccuracy'], kind);
    for (const r of out.results) assert.ok(Number.isFinite(r.metrics.testAccuracy.after), `${kind}/${r.id}`);
  }
});

test('a remedy the network refuses is reported with its error; regression reports test loss', async () => {
  const scenario = {
    dataset: { name: 'regressionPlane', samples: 60 },
    config: { layers: [{ units: 4, activation: 'tanh', layerNorm: true }, { units: 1 }], optimizer: { type: 'adam', learningRate: 0.01 } },
    fit: { epochs: 1, batchSize: 20 },
  };
  const out = await tryRemedies(scenario, { kind: 'vanishing-gradients', layers: [0] });
  assert.deepEqual(out.metrics, ['firstToLastGradRatio', 'testLoss']);
  assert.deepEqual(out.results.map((r) => r.id), ['relu', 'relu-he', 'batch-norm']);
  assert.ok(Number.isFinite(out.results[0].metrics.testLoss.after));
  const bn = out.results[2];
  assert.equal(bn.id, 'batch-norm');
  assert.match(bn.error, /layerNorm is true; expected false when batchNorm is true/);
  assert.equal(bn.metrics, undefined);
});

test('an aborted tryRemedies returns the remedies it finished', async () => {
  const controller = new AbortController();
  const out = await tryRemedies('exploding-gradients', 'exploding-gradients', { epochs: 2, signal: controller.signal, onResult: () => controller.abort() });
  assert.equal(out.aborted, true);
  assert.deepEqual(out.results.map((r) => r.id), ['lr-div10']);
  const early = new AbortController();
  early.abort();
  const none = await tryRemedies('exploding-gradients', 'exploding-gradients', { epochs: 2, signal: early.signal });
  assert.equal(none.aborted, true);
  assert.equal(none.before, null);
  assert.deepEqual(none.results, []);
});

test('tryRemedies checks every argument, in the standard error form', async () => {
  const cases = [
    [[42, 'dead-relu'], /tryRemedies: scenario is 42; expected a preset name or a scenario \{ dataset, config, fit \}$/],
    [['nope', 'dead-relu'], /preset: name is "nope"; expected one of healthy/],
    [[{ dataset: { name: 'circle' } }, 'dead-relu'], /tryRemedies: scenario\.config is undefined; expected an object$/],
    [['dead-relu'], /tryRemedies: finding is undefined; expected a finding from diagnose\(\) \{ kind, \.\.\. \} or its kind, one of "vanishing-gradients", "exploding-gradients", "dead-relu", "saturation", "overfitting", "non-finite"$/],
    [['dead-relu', 'dead'], /tryRemedies: finding is "dead"; expected a finding from diagnose/],
    [['dead-relu', { kind: 'overfit' }], /tryRemedies: finding\.kind is "overfit"; expected a finding from diagnose/],
    [['dead-relu', 'dead-relu', null], /tryRemedies: options is null; expected an object/],
    [['dead-relu', 'dead-relu', { epoch: 3 }], /tryRemedies: options has an unknown key "epoch"; expected one of epochs, seeds, onResult, signal, coreOptions$/],
    [['dead-relu', 'dead-relu', { epochs: 0 }], /tryRemedies: options\.epochs is 0; expected an integer in \[1, 1000000\]$/],
    [['dead-relu', 'dead-relu', { epochs: 1.5 }], /tryRemedies: options\.epochs is 1\.5; expected an integer/],
    [['dead-relu', 'dead-relu', { seeds: 0 }], /tryRemedies: options\.seeds is 0; expected an integer in \[1, 100\]$/],
    [['dead-relu', 'dead-relu', { seeds: [1, -1] }], /tryRemedies: options\.seeds\[1\] is -1; expected an integer in \[0, 4294967295\]$/],
    [['dead-relu', 'dead-relu', { seeds: [] }], /tryRemedies: options\.seeds is an array of length 0; expected a count in \[1, 100\] or an array of 1 to 100 seeds$/],
    [['dead-relu', 'dead-relu', { onResult: 'log' }], /tryRemedies: options\.onResult is "log"; expected a function$/],
    [['dead-relu', 'dead-relu', { signal: {} }], /tryRemedies: options\.signal is \{\}; expected an AbortSignal$/],
  ];
  for (const [args, message] of cases) await assert.rejects(tryRemedies(...args), message, JSON.stringify(args));
  assert.deepEqual(FINDING_KINDS, ['vanishing-gradients', 'exploding-gradients', 'dead-relu', 'saturation', 'overfitting', 'non-finite']);
});
