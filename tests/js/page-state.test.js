// The playground speaks the library's whole language: its state holds the
// library's config, so every preset, every remedy, and a battery of model files
// and links covering every option give a page config equal to the library's,
// before and after Reset, a training step, Save and a link round trip. What the
// page cannot show is refused with a sentence naming it; nothing is dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PRESET_NAMES, createNetwork, loadNetwork, presets, presetScenario, remediesFor } from '../../js/index.js';
import { loadDataset } from '../../js/presets.js';
import { applyRemedy } from '../../web/diagnosis.js';
import { FIELDS, ACTIVATIONS, INITS, OPTIMIZERS, DECAYS } from '../../web/fields.js';
import { defaultState, networkConfig, setField, stateFromConfig, stateFromHash, stateFromPreset, stateToHash } from '../../web/state.js';

const shape = (config) => ({ inputs: config.inputs, outputs: config.loss === 'softmax-ce' ? config.layers.at(-1).units : 1 });
const linkRoundTrip = (state) => {
  const link = stateFromHash(stateToHash(state));
  assert.equal(link.error, null);
  assert.deepEqual(link.ignoredText, []);
  return link.state;
};

/** what the page would train (Reset) for a state: the library's own normalized config */
async function resetConfig(state, config) {
  const net = await createNetwork(networkConfig(state, shape(config)));
  try {
    return net.config;
  } finally {
    net.dispose();
  }
}

test('every preset and each of its remedies: the page config equals the library scenario, through a link and Reset', async () => {
  let runs = 0;
  for (const name of PRESET_NAMES) {
    const dataset = await loadDataset({ ...presets[name].dataset, samples: 20 }, 1);
    for (const side of ['failure', ...presets[name].remedies.map((r) => r.id)]) {
      const scenario = presetScenario(name, side);
      const library = await createNetwork({ ...scenario.config, inputs: dataset.inputs, loss: dataset.loss, seed: 1 });
      const state = stateFromPreset(name, side);
      assert.deepEqual(networkConfig(state, dataset), library.config, `${name}:${side}`);
      assert.equal(state.fit.batchSize, scenario.fit.batchSize);
      assert.equal(state.fit.epochs, scenario.fit.epochs);
      const linked = linkRoundTrip(state);
      assert.deepEqual(linked, state, `${name}:${side} through a link`);
      assert.deepEqual(await resetConfig(linked, library.config), library.config, `${name}:${side} after Reset`);
      library.dispose();
      runs++;
    }
  }
  assert.equal(runs, PRESET_NAMES.reduce((n, name) => n + 1 + presets[name].remedies.length, 0));
});

test("a remedy applied in the page gives the library's config for it (one applyChanges, one remedy list)", async () => {
  for (const name of PRESET_NAMES) {
    const preset = presets[name];
    if (!preset.expect) continue;
    const state = stateFromPreset(name);
    const list = remediesFor(state.config, preset.expect, { preset: name });
    assert.equal(list.filter((r) => r.seed).length, 1, `${name}: one remedy marked the seed's`);
    for (const r of list) {
      const applied = applyRemedy(state, { kind: preset.expect }, r.id);
      const expected = stateFromPreset(name, r.id);
      assert.deepEqual(applied.state.config, expected.config, `${name} ${r.id}`);
      assert.equal(applied.state.fit.epochs, preset.failure.fit.epochs, `${name} ${r.id} keeps the run's length`);
    }
    // a finding the preset is not about: the generic list, which also keeps the length (the exploding preset's non-finite finding)
    for (const kind of ['non-finite', 'exploding-gradients', 'dead-relu']) {
      if (kind === preset.expect) continue;
      const generic = remediesFor(state.config, kind, { preset: name });
      assert.ok(generic.filter((r) => r.seed).length <= 1);
      if (!generic.length) continue;
      const applied = applyRemedy(state, { kind });
      assert.equal(applied.state.fit.epochs, preset.failure.fit.epochs, `${name}, ${kind}: the run keeps its length`);
    }
  }
});

// model files covering every option of the library (and the ones the walk found translated wrongly)
const BATTERY = [
  { inputs: 2, layers: [{ units: 8, activation: 'gelu', layerNorm: true }, { units: 8, activation: 'elu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'adamw', learningRate: 0.003, weightDecay: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6 } },
  { inputs: 2, layers: [{ units: 6, activation: 'silu', dropout: 0.1 }, { units: 1 }], loss: 'bce', optimizer: { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true, alpha: 0.9, eps: 1e-7 } },
  { inputs: 2, layers: [{ units: 6, activation: 'selu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.5, nesterov: true } },
  { inputs: 2, layers: [{ units: 6, activation: 'tanh', batchNorm: true }, { units: 1 }], loss: 'bce', init: 'xavier', optimizer: { type: 'adam', learningRate: 0.01, l1: 1e-4, schedule: { warmupSteps: 100, decay: 'cosine', decaySteps: 1000, minLearningRate: 1e-4 } } },
  { inputs: 2, layers: [{ units: 6, activation: 'leaky-relu' }, { units: 1 }], loss: 'mse', init: { type: 'normal', std: 0.3 }, optimizer: { type: 'sgd', learningRate: 0.01, schedule: { decay: 'step', stepSize: 50, gamma: 0.5 } }, clipNorm: 2 },
  { inputs: 2, layers: [{ units: 6, activation: 'sigmoid' }, { units: 1, activation: 'tanh' }], loss: 'mse', init: { type: 'uniform', limit: 0.5 }, optimizer: { type: 'sgd', learningRate: 0.01, schedule: { warmupSteps: 10, decay: 'exponential', gamma: 0.99 } }, throwOnNonFinite: true },
  { inputs: 64, layers: [{ units: 16, activation: 'relu' }, { units: 10 }], loss: 'softmax-ce', init: 'lecun', optimizer: { type: 'adam', learningRate: 0.001, weightDecay: 1e-3 }, seed: 123 },
  { inputs: 2, layers: [{ units: 4, activation: 'linear' }, { units: 1 }], loss: 'bce', init: 'pytorch', optimizer: { type: 'sgd', learningRate: 0.1 } },
  { inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce', init: 'zeros', optimizer: { type: 'sgd', learningRate: 0.1, schedule: { warmupSteps: 5 } } },
  { inputs: 2, layers: [{ units: 5, activation: 'softsign' }, { units: 1 }], loss: 'bce', init: 'xavier', optimizer: { type: 'sgd', learningRate: 0.1 } },
  // issue 20's additions: init biases (Glorot's 'standard' init is pytorch with zero biases), max-norm
  { inputs: 2, layers: [{ units: 5, activation: 'tanh' }, { units: 1 }], loss: 'bce', init: { type: 'pytorch', bias: 'zeros' }, optimizer: { type: 'sgd', learningRate: 0.1, maxNorm: 3 } },
  { inputs: 2, layers: [{ units: 5, activation: 'relu' }, { units: 1 }], loss: 'bce', init: { type: 'he', bias: 0.05 }, optimizer: { type: 'adam', learningRate: 0.01 } },
  { inputs: 2, layers: [{ units: 5, activation: 'relu' }, { units: 1 }], loss: 'bce', init: { type: 'xavier', bias: 'uniform' }, optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9, maxNorm: 0.5 } },
  { inputs: 2, layers: [{ units: 5, activation: 'tanh' }, { units: 1 }], loss: 'bce', init: { type: 'orthogonal', gain: 1.5 }, optimizer: { type: 'sgd', learningRate: 0.1 } },
];

test('battery of model files: load, Reset, a step, Save and a link round trip keep the config unchanged', async () => {
  const activations = new Set();
  const optimizers = new Set();
  const inits = new Set();
  const decays = new Set();
  for (const given of BATTERY) {
    const trained = await createNetwork(given);
    const json = trained.toJSON();
    trained.dispose();
    const loaded = await loadNetwork(json);
    const config = loaded.config;
    const { state, error } = stateFromConfig(config, defaultState());
    assert.equal(error, undefined, JSON.stringify(given));
    assert.deepEqual(networkConfig(state, shape(config)), config, 'as loaded');
    assert.deepEqual(await resetConfig(state, config), config, 'after Reset');
    const x = new Float32Array(config.inputs * 4).map((_, i) => Math.sin(i));
    const y = config.loss === 'softmax-ce' ? Int32Array.of(0, 1, 2, 3) : new Float32Array(4).fill(0.5);
    loaded.trainStep(x, y);
    const saved = (await loadNetwork(JSON.parse(JSON.stringify(loaded.toJSON())))).config;
    assert.deepEqual(saved, config, 'after a step and Save');
    const linked = linkRoundTrip(state);
    assert.deepEqual(networkConfig(linked, shape(config)), config, 'through a link');
    loaded.dispose();
    config.layers.forEach((l) => activations.add(l.activation));
    optimizers.add(config.optimizer.type);
    inits.add(config.init.type);
    if (config.optimizer.schedule) decays.add(config.optimizer.schedule.decay);
  }
  assert.deepEqual([...activations].sort(), [...ACTIVATIONS].sort(), 'every activation');
  assert.deepEqual([...optimizers].sort(), [...OPTIMIZERS].sort(), 'every optimizer');
  assert.deepEqual([...inits].sort(), [...INITS].sort(), 'every init');
  assert.deepEqual([...decays].sort(), [...DECAYS].sort(), 'every decay');
});

test('what the page cannot show is refused with a sentence naming it', async () => {
  const deep = await createNetwork({ inputs: 2, layers: [...Array(13).fill({ units: 2, activation: 'relu' }), { units: 1 }], loss: 'bce' });
  assert.match(stateFromConfig(deep.config).error, /13 hidden layers; the page shows at most 12/);
  deep.dispose();
  const wide = await createNetwork({ inputs: 2, layers: [{ units: 600 }, { units: 1 }], loss: 'bce' });
  assert.match(stateFromConfig(wide.config).error, /layers\[0\]\.units is 600/);
  wide.dispose();
  const fast = await createNetwork({ inputs: 2, layers: [{ units: 2 }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 20 } });
  assert.match(stateFromConfig(fast.config).error, /optimizer\.learningRate is 20; the page's "Learning rate" takes a number in \[0, 10\]/);
  fast.dispose();
  // a setting no control shows (a library newer than the page): named, not dropped
  const future = { ...(await createNetwork({ inputs: 2, layers: [{ units: 2 }, { units: 1 }], loss: 'bce' })).config };
  future.init = { ...future.init, scale: 'fan_avg' };
  future.optimizer = { ...future.optimizer, lookahead: 5 };
  assert.match(stateFromConfig(future).error, /init\.scale, optimizer\.lookahead, which the page has no control for/);
  assert.match(stateFromConfig({ ...future, inputs: 7, init: { type: 'he' }, optimizer: { type: 'sgd', learningRate: 0.1 } }).error, /takes 7 inputs/);
});

test('links: every field is read back, what is not taken is named with why, old links are read and said so', () => {
  // one link per field kind, through setField and back
  let s = defaultState();
  s = setField(s, 'optimizer', 'rmsprop');
  s = setField(s, 'momentum', 0.5);
  s = setField(s, 'centered', true);
  s = setField(s, 'decay', 'cosine');
  s = setField(s, 'warmupSteps', 20);
  s = setField(s, 'earlyStopping', true);
  s = setField(s, 'patience', 4);
  s = setField(s, 'l1', 1e-5);
  s = setField(s, 'init', 'normal');
  s = setField(s, 'initStd', 0.2);
  s = setField(s, 'initBias', 'normal');
  s = setField(s, 'initBiasStd', 0.03);
  s = setField(s, 'maxNorm', 2);
  assert.deepEqual([s.config.init.bias, s.config.optimizer.maxNorm], [0.03, 2]);
  assert.deepEqual(linkRoundTrip(s), s);
  assert.equal(setField(s, 'maxNorm', 0).config.optimizer.maxNorm, undefined, 'max-norm 0 is off: no maxNorm');
  const keys = new URLSearchParams(stateToHash(s).slice(1));
  for (const key of ['momentum', 'centered', 'decay', 'warmupSteps', 'decaySteps', 'minLearningRate', 'earlyStopping', 'patience', 'minDelta', 'restoreBest', 'l1', 'initStd', 'initBias', 'initBiasStd', 'maxNorm']) assert.ok(keys.has(key), key);
  assert.ok(!keys.has('nesterov') && !keys.has('beta1'), 'fields that do not apply stay out');

  // the walk's link: the page's own layers text with gelu opens
  const gelu = stateFromHash('#layers=8:gelu::0,8:silu:ln:0.1');
  assert.deepEqual(gelu.ignoredText, []);
  assert.deepEqual(gelu.state.config.layers.slice(0, 2).map((l) => [l.activation, l.layerNorm, l.dropout]), [['gelu', false, 0], ['silu', true, 0.1]]);

  const bad = stateFromHash('#optimizer=adam&momentum=0.5&learningRate=abc&init=normalish&layers=8:swish::0&colour=red');
  assert.deepEqual(bad.ignored.sort(), ['colour', 'init', 'layers', 'learningRate', 'momentum'].sort());
  assert.match(bad.ignoredText.find((t) => t.startsWith('momentum')), /momentum=0\.5 \(/);
  assert.match(bad.ignoredText.find((t) => t.startsWith('learningRate')), /expected a number in \[0, 10\]/);
  assert.equal(bad.state.config.optimizer.type, 'adam');

  const old = stateFromHash('#optimizer=momentum&learningRate=0.1');
  assert.deepEqual([old.state.config.optimizer.type, old.state.config.optimizer.momentum], ['sgd', 0.9]);
  assert.match(old.notes[0], /read as SGD with momentum 0\.9/);

  // a combination the library refuses: the link is not opened, and why is said
  const nesterov = stateFromHash('#optimizer=sgd&momentum=0&nesterov=1');
  assert.ok(nesterov.ignoredText.some((t) => /nesterov=1 .*momentum > 0 when nesterov is true/.test(t)), nesterov.ignoredText.join('; '));
});

test('the field table: one row per setting, limits within what the library accepts, every config path covered once', () => {
  const keys = FIELDS.map((f) => f.key);
  assert.equal(new Set(keys).size, keys.length);
  const paths = FIELDS.map((f) => f.path);
  assert.equal(new Set(paths).size, paths.length);
  for (const f of FIELDS) {
    assert.ok(['choice', 'number', 'int', 'bool', 'range'].includes(f.kind), f.key);
    if (f.kind === 'number' || f.kind === 'int' || f.kind === 'range') assert.ok(f.min <= f.max, f.key);
  }
});

test("switching the optimizer keeps what the kinds share: AdamW's decoupled decay is not L2, max-norm stays", () => {
  let s = setField(defaultState(), 'optimizer', 'sgd');
  s = setField(s, 'weightDecay', 1e-3);
  s = setField(s, 'maxNorm', 3);
  const adamw = setField(s, 'optimizer', 'adamw');
  assert.equal(adamw.config.optimizer.weightDecay, 0.01, "AdamW's own default, not SGD's L2");
  assert.equal(adamw.config.optimizer.maxNorm, 3);
  assert.equal(setField(adamw, 'optimizer', 'adam').config.optimizer.weightDecay, 0, "back to L2: Adam's default");
  assert.equal(setField(s, 'optimizer', 'rmsprop').config.optimizer.weightDecay, 1e-3, 'L2 to L2 is kept');
});
