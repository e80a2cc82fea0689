// The one catalogue of findings (js/findings.js) and remediesFor(): every kind
// diagnose() raises is in it with a title, its figures and its remedies; one
// remedy per finding is the seed's; a preset's own list only under the finding
// the preset is about; lr-div10 from the config's own learning rate.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FINDINGS, FINDING_KINDS, FINDING_METRICS, PRESET_NAMES, REMEDIES, applyChanges, createNetwork, diagnose, presets, remediesFor, runPreset } from '../../js/index.js';
import { DETECTORS, INPUT_KINDS } from '../../js/diagnose.js';

const relu2 = { layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }, { units: 1 }], init: 'he', optimizer: { type: 'sgd', learningRate: 0.7 } };
const tanh = { layers: [{ units: 8, activation: 'tanh' }, { units: 1 }], init: 'lecun', optimizer: { type: 'adam' } };

test('the catalogue: every kind with a title, its figures and remedies that exist; diagnose detects exactly these kinds', () => {
  assert.deepEqual(FINDING_KINDS, Object.keys(FINDINGS));
  assert.deepEqual(FINDING_KINDS, ['vanishing-gradients', 'exploding-gradients', 'dead-relu', 'saturation', 'overfitting', 'non-finite']);
  assert.deepEqual(DETECTORS.map(([k]) => k).sort(), [...FINDING_KINDS].sort());
  for (const kind of FINDING_KINDS) {
    const f = FINDINGS[kind];
    assert.equal(typeof f.title, 'string', kind);
    assert.ok(f.title.length > 3, kind);
    assert.deepEqual(FINDING_METRICS[kind], f.metrics);
    assert.ok(f.remedies.length >= 2, kind);
    for (const id of f.remedies) assert.ok(Object.hasOwn(REMEDIES, id), `${kind}: ${id}`);
    assert.equal(INPUT_KINDS.includes(kind), f.scaledInputs, kind);
  }
  assert.ok(Object.isFrozen(FINDINGS) && Object.isFrozen(FINDINGS['dead-relu'].remedies));
});

test('remediesFor on any config and kind: exactly one remedy marked seed, the first; each changes one thing that applyChanges applies', () => {
  // [config, the preset whose failure it is]
  const configs = [[relu2, null], [tanh, null], ...PRESET_NAMES.map((n) => [presets[n].failure.config, n])];
  for (const [config, name] of configs) {
    for (const kind of FINDING_KINDS) {
      for (const preset of [null, name]) {
        const list = remediesFor(config, kind, { preset });
        if (!list.length) continue;
        assert.deepEqual(list.map((r) => r.seed), list.map((_, i) => i === 0), `${kind} / ${preset}`);
        for (const r of list) {
          assert.deepEqual(Object.keys(r), ['id', 'label', 'seed', 'changes']);
          assert.notDeepEqual(applyChanges(config, r.changes), config, `${kind}/${r.id} changes something`);
        }
      }
    }
  }
});

test("a preset's own list only under the finding it is about; the exploding preset's failure offers one seed's remedy per finding", async () => {
  const p = presets['exploding-gradients'];
  const own = remediesFor(p.failure.config, 'exploding-gradients', { preset: 'exploding-gradients' });
  assert.deepEqual(own.map((r) => r.id), p.remedies.map((r) => r.id));
  assert.deepEqual(own.map((r) => r.changes), p.remedies.map((r) => r.changes));
  // the preset data names two of the seed's remedies; the offer marks one
  assert.deepEqual(p.remedies.filter((r) => r.seed).map((r) => r.id), ['lr-div10', 'batch-norm']);
  assert.deepEqual(own.filter((r) => r.seed).map((r) => r.id), ['lr-div10']);
  // other findings on the same run get the catalogue's list
  assert.deepEqual(remediesFor(p.failure.config, 'non-finite', { preset: 'exploding-gradients' }).map((r) => r.id), FINDINGS['non-finite'].remedies);
  assert.deepEqual(remediesFor(p.failure.config, 'dead-relu', { preset: 'exploding-gradients' }).map((r) => r.id), ['lr-div10', 'leaky-relu']);
  // the walk: the findings the exploding preset's failure raises, each with exactly one seed's remedy
  const run = await runPreset('exploding-gradients', 'failure', { seed: 1, epochs: 4 });
  try {
    assert.ok(run.findings.length >= 2, run.findings.map((f) => f.kind).join());
    const marked = run.findings.map((f) => remediesFor(run.net.config, f, { preset: 'exploding-gradients' }).filter((r) => r.seed).length);
    assert.deepEqual(marked, run.findings.map(() => 1));
  } finally {
    run.net.dispose();
  }
});

test('lr-div10 is the config\'s own learning rate / 10 (the optimizer default when not given, float32 read-back rounded)', async () => {
  const lr = (config) => remediesFor(config, 'dead-relu').find((r) => r.id === 'lr-div10').changes.learningRate;
  assert.equal(lr(relu2), 0.07);
  assert.equal(lr({ ...relu2, optimizer: { type: 'sgd' } }), 0.001);
  assert.equal(lr({ ...relu2, optimizer: { type: 'adam' } }), 0.0001);
  assert.equal(lr(presets['dead-relu'].failure.config), 0.3);
  const net = await createNetwork({ ...relu2, inputs: 2, optimizer: { type: 'sgd', learningRate: Math.fround(0.05) } });
  assert.equal(net.config.optimizer.learningRate, 0.05000000074505806);
  assert.equal(lr(net.config), 0.005);
  net.dispose();
  // the presets' own lr-div10 come from the same rule
  for (const name of ['exploding-gradients', 'dead-relu']) {
    const p = presets[name];
    assert.deepEqual(p.remedies.find((r) => r.id === 'lr-div10').changes, { learningRate: p.failure.config.optimizer.learningRate / 10 });
  }
});

test('remediesFor leaves out changes that change nothing, and dropout 1 gets dropout 0.2', async () => {
  // a ReLU + He network: neither ReLU nor ReLU + He init would change it
  assert.deepEqual(remediesFor(relu2, 'vanishing-gradients').map((r) => [r.id, r.seed]), [['batch-norm', true]]);
  assert.deepEqual(remediesFor(relu2, 'exploding-gradients').map((r) => r.id), ['lr-div10', 'batch-norm', 'clip-norm-1']);
  assert.deepEqual(remediesFor(tanh, 'saturation').map((r) => [r.id, r.seed]), [['relu', true], ['xavier-init', false], ['batch-norm', false]]);
  assert.deepEqual(remediesFor({ ...tanh, clipNorm: 1 }, 'non-finite').map((r) => r.id), ['lr-div10', 'batch-norm']);
  assert.deepEqual(remediesFor({ ...tanh, layers: [{ units: 8, activation: 'tanh', dropout: 0.5 }, { units: 1 }] }, 'overfitting').map((r) => [r.id, r.seed]), [['l2', true]]);
  // the same judged on a normalized config (net.config): defaults filled in
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }] });
  assert.deepEqual(remediesFor(net.config, 'vanishing-gradients').map((r) => r.id), ['batch-norm']);
  net.dispose();
  const dropped = presets['dropout-one'].failure.config;
  assert.deepEqual(remediesFor(dropped, 'vanishing-gradients'), [{ id: 'dropout-0.2', label: 'dropout 0.2', seed: true, changes: { dropout: 0.2 } }]);
  // a finding object works like its kind; the result is a copy
  const a = remediesFor(relu2, { kind: 'dead-relu', layers: [0] });
  a[0].changes.learningRate = 99;
  assert.equal(remediesFor(relu2, 'dead-relu')[0].changes.learningRate, 0.07);
});

test('remediesFor checks its arguments in the standard error form', () => {
  const cases = [
    [[null, 'dead-relu'], /^Error: remediesFor: config is null; expected a network config \{ layers, \.\.\. \}$/],
    [[relu2, 'dead'], /^Error: remediesFor: kind is "dead"; expected one of "vanishing-gradients", "exploding-gradients", "dead-relu", "saturation", "overfitting", "non-finite"$/],
    [[relu2, { kind: 'nope' }], /^Error: remediesFor: kind\.kind is "nope"; expected one of "vanishing-gradients"/],
    [[relu2, 'dead-relu', { preset: 'nope' }], /^Error: remediesFor: options\.preset is "nope"; expected null or a preset name, one of healthy, /],
    [[relu2, 'dead-relu', { presets: 'dead-relu' }], /^Error: remediesFor: options has an unknown key "presets"; expected one of preset$/],
  ];
  for (const [args, message] of cases) assert.throws(() => remediesFor(...args), (err) => message.test(String(err)), JSON.stringify(args));
});

test('diagnose still names each kind of the catalogue by its detector', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu', dropout: 1 }, { units: 1 }], loss: 'bce' });
  const x = new Float32Array(40).map((_, i) => Math.sin(i));
  const y = new Float32Array(20).map((_, i) => i % 2);
  await net.fit(x, y, { epochs: 2, batchSize: 10 });
  const findings = diagnose(net);
  assert.equal(findings[0].kind, 'vanishing-gradients');
  assert.deepEqual(Object.keys(findings[0]), ['kind', 'layers', 'severity', 'evidence', 'message', 'remedy']);
  net.dispose();
});
