// tryRemedies(): every remedy measured before the user applies it. When
// diagnose() raises a finding, each single-change remedy of that finding is
// trained from the same seeds and data for a short budget, next to the
// unchanged scenario ("before"), and measured by the figures that define the
// finding (FINDING_METRICS) and by test accuracy: medians over the seeds, and
// on how many seeds diagnose() still raises the finding. The CLI's
// `train --try-remedies`, the page's worker and the tests all use it.
import { FINDING_KINDS, FINDING_METRICS, FINDINGS, applyChanges, changesNothing, checkKind, dropsEverything, namedRemedy } from './findings.js';
import { presets, runScenario } from './presets.js';
import { checkScenario, checkSeeds } from './sweep.js';
import { measureRun } from './measure.js';
import { median } from './util.js';
import { checkKeys, fail, integer, isPlainObject } from './validate.js';

export { FINDING_KINDS, FINDING_METRICS, measureRun };
const WHERE = 'tryRemedies';
const EPOCHS_MAX = 1_000_000;

/**
 * The single-change remedies offered for a finding of `kind` on a network
 * with `config` (a config as createNetwork takes it, or net.config): each
 * { id, label, seed, changes }, changes in applyChanges()'s names. Exactly one
 * is marked seed: the first, the seed's remedy (when the seed's first choice
 * would change nothing here, e.g. ReLU on a ReLU network, the next in the
 * catalogue's order of preference).
 * - options.preset: the name of the preset whose failure `config` is. Under
 *   the finding that preset is about (presets[name].expect) it gets the
 *   preset's own measured list, in its order; under any other kind, and
 *   for every other config, the catalogue's list for the kind
 *   (FINDINGS[kind].remedies), less the changes that would change nothing in
 *   this network (ReLU on a ReLU network). lr-div10 is the config's own
 *   learning rate / 10.
 * - vanishing gradients behind a hidden layer with dropout 1 get one remedy,
 *   dropout 0.2: no activation or norm helps a layer that outputs zeros.
 */
export function remediesFor(config, kind, options = {}) {
  const where = 'remediesFor';
  if (!isPlainObject(config) || !Array.isArray(config.layers) || config.layers.length < 1) fail(where, 'config', config, 'a network config { layers, ... }');
  // a finding from diagnose() or its kind
  const k = isPlainObject(kind) ? checkKind(where, 'kind.kind', kind.kind) : checkKind(where, 'kind', kind);
  if (!isPlainObject(options)) fail(where, 'options', options, 'an object { preset? }');
  checkKeys(where, 'options', options, ['preset']);
  const { preset = null } = options;
  if (preset !== null && !(typeof preset === 'string' && Object.hasOwn(presets, preset))) {
    fail(where, 'options.preset', preset, `null or a preset name, one of ${Object.keys(presets).join(', ')}`);
  }
  const p = preset === null ? null : presets[preset];
  if (p && p.expect === k && p.remedies.length) {
    return p.remedies.map(({ id, label, changes }, i) => ({ id, label, seed: i === 0, changes: structuredClone(changes) }));
  }
  const ids = k === 'vanishing-gradients' && dropsEverything(config) ? ['dropout-0.2'] : FINDINGS[k].remedies;
  const out = [];
  for (const id of ids) {
    const r = namedRemedy(id, config);
    if (!changesNothing(config, r.changes)) out.push({ id, label: r.label, seed: out.length === 0, changes: r.changes });
  }
  return out;
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

/** the name of the preset whose failure this scenario is (same config), or null */
function presetOf(scenario) {
  const name = typeof scenario.name === 'string' && Object.hasOwn(presets, scenario.name) ? scenario.name : null;
  return name && same(presets[name].failure.config, scenario.config) ? name : null;
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

  for (const { id, label, seed, changes } of remediesFor(before.runs[0].config, kind, { preset: presetOf(base) })) {
    let result;
    try {
      const after = await side(applyChanges(base.config, changes));
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
