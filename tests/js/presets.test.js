// Each preset measured through the public API on several seeds: the failure
// shows its phenomenon, each of the seed's single-change remedies cures it, and
// diagnose() names the failure on the failing run and not on the remedied one.
// (What the other single remedies do, over 5 seeds: npm run figures.)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PRESET_NAMES, presets, presetScenario, runPreset } from '../../js/index.js';
import { measure } from './preset-metrics.js';

const SEEDS = [1, 2, 3];

async function runBoth(name, seed, remedy) {
  const out = {};
  for (const side of ['failure', remedy]) {
    const run = await runPreset(name, side, { seed });
    out[side === 'failure' ? 'failure' : 'remedy'] = { metrics: measure(run), kinds: run.findings.map((f) => f.kind) };
    run.net.dispose();
  }
  return out;
}

/** every remedy the seed names (the first is `remedy`) against the failure, on each seed */
function pair(name, check) {
  const seedRemedies = presets[name].remedies.filter((r) => r.seed);
  assert.ok(seedRemedies.length >= 1 && seedRemedies[0] === presets[name].remedy, `${name}: the seed's remedy comes first`);
  for (const { id, label } of seedRemedies) for (const seed of SEEDS) {
    test(`${name} (seed ${seed}): failure measured, the seed's remedy "${label}" alone cures it, diagnose names it`, async (t) => {
      const { failure, remedy } = await runBoth(name, seed, id);
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
  // ReLU alone (Xavier init kept): 94-100% on seeds 1-5
  assert.ok(f.testAccuracy < 0.6 && r.testAccuracy > 0.9, `accuracy ${f.testAccuracy} -> ${r.testAccuracy}`);
});

pair('exploding-gradients', (f, r) => {
  assert.ok(f.maxGradNorm > 1e3 && f.skippedSteps > 0, `failure max gradient norm ${f.maxGradNorm}, skipped ${f.skippedSteps}`);
  // a 10x lower learning rate alone peaks at 30-100 (batch norm alone: ~5), against 1e21 and more
  assert.ok(r.maxGradNorm < 1e3 && r.skippedSteps === 0, `remedy max gradient norm ${r.maxGradNorm}, skipped ${r.skippedSteps}`);
  assert.ok(r.testAccuracy > 0.95, `remedy accuracy ${r.testAccuracy}`);
});

pair('dead-relu', (f, r) => {
  assert.ok(f.deadFraction > 0.7, `failure dead fraction ${f.deadFraction}`);
  assert.ok(f.testAccuracy < 0.6, `failure accuracy ${f.testAccuracy}`);
  // a 10x lower learning rate: 13-22% of the units dead instead of 100%, and it learns
  assert.ok(r.deadFraction < 0.5, `remedy dead fraction ${r.deadFraction}`);
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

// what each listed remedy changes, as the issue names them
const EXPECTED_REMEDIES = {
  healthy: [],
  'vanishing-gradients': ['ReLU*', 'ReLU + He init', 'batch norm'],
  'exploding-gradients': ['learning rate ÷10*', 'batch norm*', 'clip norm 1', 'He init'],
  'dead-relu': ['learning rate ÷10*', 'leaky ReLU'],
  overfitting: ['dropout 0.6*', 'L2 1e-2'],
  'dropout-one': ['dropout 0.2*'],
};

test('remedies are single changes, named after what they change; the seed\'s come first', () => {
  for (const name of PRESET_NAMES) {
    const p = presets[name];
    assert.deepEqual(p.remedies.map((r) => `${r.label}${r.seed ? '*' : ''}`), EXPECTED_REMEDIES[name], name);
    assert.equal(p.remedy, p.remedies[0] ?? null);
    for (const r of p.remedies) {
      assert.deepEqual(r.fit, p.failure.fit, `${name}/${r.id}: same training length`);
      // undo the listed changes: what is left is the failure's config exactly
      const undone = structuredClone(r.config);
      const failure = p.failure.config;
      for (const key of Object.keys(r.changes)) {
        if (['activation', 'batchNorm', 'dropout'].includes(key)) {
          undone.layers = undone.layers.map((layer, l) => ({ ...layer, [key]: failure.layers[l][key] }));
          for (const [l, layer] of undone.layers.entries()) if (failure.layers[l][key] === undefined) delete layer[key];
        } else if (key === 'learningRate' || key === 'weightDecay') {
          undone.optimizer = { ...undone.optimizer, [key]: failure.optimizer[key] };
          if (failure.optimizer[key] === undefined) delete undone.optimizer[key];
        } else {
          undone[key] = failure[key];
          if (failure[key] === undefined) delete undone[key];
        }
      }
      assert.deepEqual(undone, failure, `${name}/${r.id} changes only ${Object.keys(r.changes)}`);
      if (r.id === 'lr-div10') assert.equal(r.config.optimizer.learningRate, failure.optimizer.learningRate / 10);
      const scenario = presetScenario(name, r.id);
      assert.equal(scenario.name, `${name}:${r.id}`);
      assert.equal(scenario.config, r.config);
    }
  }
  assert.equal(presetScenario('dead-relu', 'remedy').config, presets['dead-relu'].remedies[0].config);
  assert.throws(() => presetScenario('dead-relu', 'cure'), /preset: side is "cure"; expected one of "failure", "remedy", "lr-div10", "leaky-relu" \(preset dead-relu\)/);
  assert.throws(() => presetScenario('healthy', 'remedy'), /preset: side is "remedy"; expected one of "failure" \(preset healthy\)/);
  assert.throws(() => presetScenario('toString'), /preset: name is "toString"; expected one of healthy/);
});
