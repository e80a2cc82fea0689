// Each preset pair measured through the public API on several seeds: the
// failure shows its phenomenon, the remedy cures it, and diagnose() names the
// failure on the failing run and not on the remedied one.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PRESET_NAMES, presets, runPreset } from '../../js/index.js';
import { measure } from './preset-metrics.js';

const SEEDS = [1, 2, 3];

async function runBoth(name, seed) {
  const out = {};
  for (const side of ['failure', 'remedy']) {
    const run = await runPreset(name, side, { seed });
    out[side] = { metrics: measure(run), kinds: run.findings.map((f) => f.kind) };
    run.net.dispose();
  }
  return out;
}

function pair(name, check) {
  for (const seed of SEEDS) {
    test(`${name} (seed ${seed}): failure measured, remedy cures it, diagnose names it`, async (t) => {
      const { failure, remedy } = await runBoth(name, seed);
      const show = (m) => Object.entries(m).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toPrecision(3) : v}`).join(', ');
      t.diagnostic(`problem run: ${show(failure.metrics)} | findings ${failure.kinds.join(', ')}`);
      t.diagnostic(`remedy run: ${show(remedy.metrics)} | findings ${remedy.kinds.join(', ') || 'none'}`);
      check(failure.metrics, remedy.metrics);
      const expected = presets[name].expect;
      assert.ok(failure.kinds.includes(expected), `diagnose must name ${expected} on the failing run, got ${failure.kinds}`);
      assert.ok(!remedy.kinds.includes(expected), `diagnose must not name ${expected} on the remedy, got ${remedy.kinds}`);
    });
  }
}

pair('vanishing-gradients', (f, r) => {
  assert.ok(f.firstToLastGradRatio < 1e-4, `failure first/last gradient ratio ${f.firstToLastGradRatio}`);
  assert.ok(r.firstToLastGradRatio > 1e-2, `remedy first/last gradient ratio ${r.firstToLastGradRatio}`);
  assert.ok(f.testAccuracy < 0.6 && r.testAccuracy > 0.95, `accuracy ${f.testAccuracy} -> ${r.testAccuracy}`);
});

pair('exploding-gradients', (f, r) => {
  assert.ok(f.maxGradNorm > 1e3 && f.skippedSteps > 0, `failure max gradient norm ${f.maxGradNorm}, skipped ${f.skippedSteps}`);
  assert.ok(r.maxGradNorm < 50 && r.skippedSteps === 0, `remedy max gradient norm ${r.maxGradNorm}, skipped ${r.skippedSteps}`);
  assert.ok(r.testAccuracy > 0.95, `remedy accuracy ${r.testAccuracy}`);
});

pair('dead-relu', (f, r) => {
  assert.ok(f.deadFraction > 0.7, `failure dead fraction ${f.deadFraction}`);
  assert.ok(f.testAccuracy < 0.6, `failure accuracy ${f.testAccuracy}`);
  // leaky ReLU has no dead units by construction; what matters is that it learns
  assert.equal(r.deadFraction, 0);
  assert.ok(r.testAccuracy > 0.95, `remedy accuracy ${r.testAccuracy}`);
});

pair('overfitting', (f, r) => {
  assert.ok(f.gap > 0.5, `failure train/test gap ${f.gap}`);
  assert.ok(f.trainLoss < 0.1, `failure memorizes the training set: train loss ${f.trainLoss}`);
  assert.ok(r.gap < 0.2, `remedy train/test gap ${r.gap}`);
  assert.ok(r.testLoss < f.testLoss, `remedy test loss ${r.testLoss} vs ${f.testLoss}`);
});

pair('dropout-one', (f, r) => {
  // trains nothing: the training loss never leaves chance (ln 2 = 0.693)
  assert.ok(Math.abs(f.lastEpochLoss - Math.LN2) < 0.01, `failure training loss ${f.lastEpochLoss}`);
  assert.ok(r.lastEpochLoss < 0.2 && r.testAccuracy > 0.95, `remedy loss ${r.lastEpochLoss}, accuracy ${r.testAccuracy}`);
});

for (const seed of SEEDS) {
  test(`healthy baseline (seed ${seed}) learns and diagnose finds nothing`, async () => {
    const run = await runPreset('healthy', 'failure', { seed });
    const m = measure(run);
    assert.deepEqual(run.findings, []);
    assert.ok(m.testAccuracy > 0.95);
    assert.ok(m.firstToLastGradRatio > 0.05 && m.firstToLastGradRatio < 20, `ratio ${m.firstToLastGradRatio}`);
    run.net.dispose();
  });
}

test('every preset is documented and complete', () => {
  for (const name of PRESET_NAMES) {
    const p = presets[name];
    assert.ok(p.title && p.description.split('. ').length >= 2, `${name}: title and a few sentences`);
    assert.ok(p.failure.config.layers.length >= 2 && p.failure.fit.epochs > 0);
    if (name !== 'healthy') assert.ok(p.remedy && p.expect, `${name}: a remedy and the finding it cures`);
  }
});
