// tryRemedies(): every remedy measured before the user applies it. When
// diagnose() raises a finding, each single-change remedy of that finding is
// trained from the same seeds and data for a short budget, next to the
// unchanged scenario ("before"), and measured by the figures that define the
// finding (FINDING_METRICS) and by test accuracy: medians over the seeds, and
// on how many seeds diagnose() still raises the finding. The CLI's
// `train --try-remedies`, the page's worker and the tests all use it.
import { applyChanges, presets, runScenario } from './presets.js';
import { checkScenario, checkSeeds } from './sweep.js';
import { maxFinite, median, sum } from './util.js';
import { checkKeys, fail, integer, isPlainObject } from './validate.js';

const WHERE = 'tryRemedies';
export const FINDING_KINDS = Object.freeze(['vanishing-gradients', 'exploding-gradients', 'dead-relu', 'saturation', 'overfitting', 'non-finite']);
const EPOCHS_MAX = 1_000_000;
// the figures are judged on the last steps, like diagnose()'s window
const RECENT_STEPS = 20;

/**
 * What defines each finding, as measureRun() names it (besides test accuracy,
 * or test loss for regression, which every result reports):
 * vanishing: first layer's gradient norm over the output layer's; exploding:
 * the largest gradient norm of the run and the skipped (non-finite) steps;
 * dead ReLU: the worst hidden layer's dead share (over the last epoch); saturation: the worst
 * sigmoid/tanh layer's saturated share; overfitting: test minus train loss
 * (eval mode); non-finite: skipped steps and the largest gradient norm.
 */
export const FINDING_METRICS = Object.freeze({
  'vanishing-gradients': ['firstToLastGradRatio'],
  'exploding-gradients': ['maxGradNorm', 'skippedSteps'],
  'dead-relu': ['deadFraction'],
  saturation: ['saturatedFraction'],
  overfitting: ['gap'],
  'non-finite': ['skippedSteps', 'maxGradNorm'],
});

// Generic single changes per finding, for scenarios that are not a preset's
// failure (a preset brings its own measured list). [id, label, changes, seed's?]
// 'lr-div10' is filled in with the scenario's own learning rate / 10.
const GENERIC = {
  'vanishing-gradients': [['relu', 'ReLU', { activation: 'relu' }, true], ['batch-norm', 'batch norm', { batchNorm: true }]],
  'exploding-gradients': [['lr-div10', 'learning rate ÷10', null, true], ['batch-norm', 'batch norm', { batchNorm: true }, true], ['clip-norm-1', 'clip norm 1', { clipNorm: 1 }]],
  'dead-relu': [['lr-div10', 'learning rate ÷10', null, true], ['leaky-relu', 'leaky ReLU', { activation: 'leaky-relu' }]],
  saturation: [['relu', 'ReLU', { activation: 'relu' }], ['xavier-init', 'Xavier init', { init: 'xavier' }], ['batch-norm', 'batch norm', { batchNorm: true }]],
  overfitting: [['dropout-0.5', 'dropout 0.5', { dropout: 0.5 }, true], ['l2', 'L2 1e-2', { weightDecay: 1e-2 }]],
  'non-finite': [['lr-div10', 'learning rate ÷10', null], ['clip-norm-1', 'clip norm 1', { clipNorm: 1 }]],
};

const recent = (series) => series.subarray(Math.max(0, series.length - RECENT_STEPS));
const squashing = (a) => a === 'sigmoid' || a === 'tanh';

/**
 * The figures of one finished run ({ net, dataset, history } from runScenario):
 * firstToLastGradRatio, maxGradNorm, skippedSteps, deadFraction,
 * saturatedFraction, trainLoss, testLoss, gap, testAccuracy (classification),
 * firstEpochLoss, lastEpochLoss. Shares and ratios are recent medians per layer.
 */
export function measureRun({ net, dataset, history }) {
  const record = net.trainingRecord();
  const { layers } = record.steps;
  const config = net.config;
  const last = layers.length - 1;
  const grad = layers.map((l) => median(recent(l.gradNorm)));
  let maxGradNorm = 0;
  for (const l of layers) maxGradNorm = Math.max(maxGradNorm, maxFinite(l.gradNorm, 0));
  // dead share as diagnose() judges it: over the last fit epoch when recorded, else per batch
  const perEpoch = record.epochs.deadFraction;
  const deadEpoch = perEpoch?.length ? perEpoch[perEpoch.length - 1] : null;
  let deadFraction = 0;
  let saturatedFraction = 0;
  for (let l = 0; l < last; l++) {
    deadFraction = Math.max(deadFraction, deadEpoch ? deadEpoch[l] : median(recent(layers[l].deadFraction)));
    if (squashing(config.layers[l].activation)) saturatedFraction = Math.max(saturatedFraction, median(recent(layers[l].saturatedFraction)));
  }
  const train = net.evaluate(dataset.train.x, dataset.train.y);
  const test = dataset.test.y.length ? net.evaluate(dataset.test.x, dataset.test.y) : { loss: NaN };
  return {
    firstToLastGradRatio: grad[0] / grad[last],
    maxGradNorm,
    skippedSteps: sum(history.skippedSteps),
    deadFraction,
    saturatedFraction,
    trainLoss: train.loss,
    testLoss: test.loss,
    gap: test.loss - train.loss,
    ...(test.accuracy !== undefined ? { testAccuracy: test.accuracy } : {}),
    firstEpochLoss: history.loss[0],
    lastEpochLoss: history.loss.at(-1),
  };
}

/** median where a diverged run (non-finite loss) counts as the worst, +Infinity */
function medianWorst(values) {
  const m = median(values.map((v) => (Number.isFinite(v) ? v : Number.MAX_VALUE)));
  return m >= Number.MAX_VALUE ? Infinity : m;
}
const WORST_WHEN_NOT_FINITE = ['trainLoss', 'testLoss', 'gap'];

/** medians over seeds of the named figures */
function summarize(runs, names) {
  const out = {};
  for (const name of names) {
    const values = runs.map((r) => r.metrics[name]);
    out[name] = WORST_WHEN_NOT_FINITE.includes(name) ? medianWorst(values) : median(values);
  }
  return out;
}

/** a finding (or its kind) -> its kind */
function checkFinding(finding) {
  const expected = `a finding from diagnose() { kind, ... } or its kind, one of ${FINDING_KINDS.map((k) => JSON.stringify(k)).join(', ')}`;
  if (isPlainObject(finding)) {
    if (!FINDING_KINDS.includes(finding.kind)) fail(WHERE, 'finding.kind', finding.kind, expected);
    return finding.kind;
  }
  if (!FINDING_KINDS.includes(finding)) fail(WHERE, 'finding', finding, expected);
  return finding;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** the preset whose failure this scenario is (same config), or null */
function presetOf(scenario) {
  const p = typeof scenario.name === 'string' && Object.hasOwn(presets, scenario.name) ? presets[scenario.name] : null;
  return p && p.remedies.length && same(p.failure.config, scenario.config) ? p : null;
}

/**
 * The single-change remedies to try: the preset's own list when the scenario
 * is a preset's failure, else GENERIC[kind] without the changes that would
 * change nothing in this network (`normalized` is net.config of the before run).
 */
export function remediesFor(scenario, kind, normalized) {
  const p = presetOf(scenario);
  if (p) return p.remedies.map(({ id, label, seed, changes, config }) => ({ id, label, seed, changes, config }));
  const out = [];
  for (const [id, label, fixed, seed = false] of GENERIC[kind]) {
    // (7 digits: a rate read back as float32, 0.0500000007, gives 0.005)
    const changes = fixed ?? { learningRate: Number((normalized.optimizer.learningRate / 10).toPrecision(7)) };
    if (same(applyChanges(normalized, changes), normalized)) continue; // already so: nothing to try
    out.push({ id, label, seed, changes, config: applyChanges(scenario.config, changes) });
  }
  return out;
}

/**
 * @param scenario a preset name (its failure run) or { name?, dataset, config, fit } as runScenario takes
 * @param finding a finding from diagnose() (or its kind)
 * @param options { epochs? (default: the scenario's), seeds?: count | number[] (default [1]),
 *                  onResult?(result, index), signal?: AbortSignal, coreOptions? }
 * @returns Promise of { kind, scenario, epochs, seeds, metrics: names compared,
 *   before: { <metric>: median, found: seeds on which diagnose raised `kind`, ms, runs },
 *   results: [{ id, label, seed, changes, metrics: { <metric>: { before, after } },
 *               stillFound: seeds on which diagnose still raises `kind`, seeds, ms, runs } | { id, label, seed, changes, error }],
 *   aborted, ms }
 *   Each metric is the median over seeds (a non-finite loss counts as +Infinity); `runs` holds each seed's figures.
 */
export async function tryRemedies(scenario, finding, options = {}) {
  const base = checkScenario(scenario, WHERE);
  const kind = checkFinding(finding);
  if (!isPlainObject(options)) fail(WHERE, 'options', options, 'an object { epochs?, seeds?, onResult?, signal? }');
  checkKeys(WHERE, 'options', options, ['epochs', 'seeds', 'onResult', 'signal', 'coreOptions']);
  const { onResult, signal, coreOptions } = options;
  const seeds = checkSeeds(options.seeds, WHERE);
  const epochs = integer(WHERE, 'options.epochs', options.epochs ?? base.fit.epochs ?? 1, 1, EPOCHS_MAX);
  if (onResult !== undefined && typeof onResult !== 'function') fail(WHERE, 'options.onResult', onResult, 'a function');
  if (signal !== undefined && typeof signal?.aborted !== 'boolean') fail(WHERE, 'options.signal', signal, 'an AbortSignal');

  const t0 = performance.now();
  const out = { kind, scenario: base.name ?? 'scenario', epochs, seeds: seeds.slice(), metrics: [], before: null, results: [], aborted: false, ms: 0 };
  const finish = (aborted) => Object.assign(out, { aborted, ms: performance.now() - t0 });

  /** one seed: its figures and whether diagnose raised `kind`; null when aborted */
  const train = async (config, seed) => {
    const run = await runScenario({ ...base, config }, { seed, epochs, signal, coreOptions });
    try {
      if (run.history.aborted || signal?.aborted) return null; // a partly trained run measures nothing
      return { seed, metrics: measureRun(run), found: run.findings.some((f) => f.kind === kind), config: run.net.config };
    } finally {
      run.net.dispose();
    }
  };
  /** all seeds of one side; null when aborted */
  const side = async (config) => {
    const start = performance.now();
    const runs = [];
    for (const seed of seeds) {
      if (signal?.aborted) return null;
      const r = await train(config, seed);
      if (!r) return null;
      runs.push(r);
    }
    return { runs, ms: performance.now() - start };
  };

  const before = await side(base.config);
  if (!before) return finish(true);
  const names = [...FINDING_METRICS[kind], 'testAccuracy' in before.runs[0].metrics ? 'testAccuracy' : 'testLoss'];
  const beforeFigures = summarize(before.runs, names);
  const strip = (runs) => runs.map(({ seed, metrics, found }) => ({ seed, found, ...metrics }));
  out.metrics = names;
  out.before = { ...beforeFigures, found: before.runs.filter((r) => r.found).length, ms: before.ms, runs: strip(before.runs) };

  for (const remedy of remediesFor(base, kind, before.runs[0].config)) {
    const { id, label, seed, changes } = remedy;
    let result;
    try {
      const after = await side(remedy.config);
      if (!after) return finish(true);
      const figures = summarize(after.runs, names);
      result = {
        id,
        label,
        seed,
        changes,
        metrics: Object.fromEntries(names.map((n) => [n, { before: beforeFigures[n], after: figures[n] }])),
        stillFound: after.runs.filter((r) => r.found).length,
        seeds: seeds.slice(),
        ms: after.ms,
        runs: strip(after.runs),
      };
    } catch (err) {
      // a remedy this network's config refuses (e.g. batch norm on a layer-norm
      // layer) is reported, not thrown; anything else is a bug
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      result = { id, label, seed, changes, error: err.message };
    }
    out.results.push(result);
    if (onResult) await onResult(result, out.results.length - 1);
  }
  return finish(false);
}
