// sweep(): train one scenario at several values of one parameter (the dropout
// rate of every hidden layer, or the learning rate) on one or more seeds, and
// measure each final network. The CLI's sweep command, the playground's sweeps
// and the tests all use it. Per value it reports the median over seeds of the
// final train and test loss (eval mode: no dropout noise), test accuracy, the
// dead-ReLU share (the worst hidden layer's share of units dead over the last
// epoch, as diagnose() judges it) and the largest gradient norm of the run,
// each measured by measureRun() (js/measure.js), as tryRemedies() measures.
import { presetScenario, runScenario } from './presets.js';
import { measureRun } from './measure.js';
import { median } from './util.js';
import { checkKeys, fail, integer, isPlainObject, number } from './validate.js';

const WHERE = 'sweep';
export const SWEEP_PARAMS = Object.freeze(['dropout', 'learningRate']);
const LIMITS = { values: 100, seeds: 100, epochs: 1_000_000, learningRate: 1e6 };

/** a preset name (its failure run) or { dataset, config, fit } -> a scenario with `fit` */
export function checkScenario(scenario, where = WHERE) {
  if (typeof scenario === 'string') return presetScenario(scenario, 'failure');
  if (!isPlainObject(scenario)) fail(where, 'scenario', scenario, 'a preset name or a scenario { dataset, config, fit }');
  for (const key of ['dataset', 'config']) {
    if (!isPlainObject(scenario[key])) fail(where, `scenario.${key}`, scenario[key], 'an object');
  }
  if (scenario.fit !== undefined && !isPlainObject(scenario.fit)) fail(where, 'scenario.fit', scenario.fit, 'an object { epochs, batchSize }');
  if (!Array.isArray(scenario.config.layers) || scenario.config.layers.length < 1) {
    fail(where, 'scenario.config.layers', scenario.config.layers, 'an array of layers');
  }
  return { fit: {}, ...scenario };
}

function checkValues(param, values) {
  if (!Array.isArray(values) || values.length < 1 || values.length > LIMITS.values) {
    fail(WHERE, 'options.values', values, `an array of 1 to ${LIMITS.values} numbers`);
  }
  values.forEach((v, i) => {
    if (param === 'dropout') number(WHERE, `options.values[${i}]`, v, { min: 0, max: 1 });
    else number(WHERE, `options.values[${i}]`, v, { min: 0, minOpen: true, max: LIMITS.learningRate });
  });
  return values.slice();
}

/** a count n (seeds 1..n) or an array of seeds -> the seeds (default [1]) */
export function checkSeeds(seeds, where = WHERE) {
  if (seeds === undefined) return [1];
  if (Number.isInteger(seeds)) return Array.from({ length: integer(where, 'options.seeds', seeds, 1, LIMITS.seeds) }, (_, i) => i + 1);
  if (!Array.isArray(seeds) || seeds.length < 1 || seeds.length > LIMITS.seeds) {
    fail(where, 'options.seeds', seeds, `a count in [1, ${LIMITS.seeds}] or an array of 1 to ${LIMITS.seeds} seeds`);
  }
  seeds.forEach((s, i) => integer(where, `options.seeds[${i}]`, s, 0, 0xffffffff));
  return seeds.slice();
}

/** the scenario with `param` set to `value` */
export function withParam(scenario, param, value) {
  const config = structuredClone(scenario.config);
  if (param === 'dropout') {
    const last = config.layers.length - 1;
    config.layers = config.layers.map((layer, l) => (l < last ? { ...layer, dropout: value } : layer));
  } else {
    config.optimizer = { ...(config.optimizer ?? { type: 'sgd' }), learningRate: value };
  }
  return { ...scenario, name: `${scenario.name ?? 'scenario'} ${param}=${value}`, config };
}

/** median where a run that diverged (non-finite) counts as the worst (+Infinity) */
function medianWorst(values) {
  const m = median(values.map((v) => (Number.isFinite(v) ? v : Number.MAX_VALUE)));
  return m >= Number.MAX_VALUE ? Infinity : m;
}

/**
 * @param scenario a preset name (its failure run) or { dataset, config, fit } as runScenario takes
 * @param options { param: 'dropout' | 'learningRate', values: number[], epochs?, seeds?: number | number[],
 *                  onPoint?(row, index), signal?, coreOptions? }
 * @returns Promise of one row per value, in the order given:
 *   { value, trainLoss, testLoss, testAccuracy?, deadFraction, maxGradNorm, skippedSteps, diverged, seeds }
 *   each figure the median over seeds (a diverged run, non-finite loss, counts as +Infinity;
 *   `diverged` says on how many seeds); `runs` holds each seed's figures.
 */
export async function sweep(scenario, options) {
  const base = checkScenario(scenario);
  if (!isPlainObject(options)) fail(WHERE, 'options', options, "an object { param: 'dropout' | 'learningRate', values, epochs?, seeds? }");
  checkKeys(WHERE, 'options', options, ['param', 'values', 'epochs', 'seeds', 'onPoint', 'signal', 'coreOptions']);
  const { param, onPoint, signal, coreOptions } = options;
  if (!SWEEP_PARAMS.includes(param)) fail(WHERE, 'options.param', param, '"dropout" or "learningRate"');
  const values = checkValues(param, options.values);
  const seeds = checkSeeds(options.seeds);
  const epochs = integer(WHERE, 'options.epochs', options.epochs ?? base.fit.epochs ?? 1, 1, LIMITS.epochs);
  if (onPoint !== undefined && typeof onPoint !== 'function') fail(WHERE, 'options.onPoint', onPoint, 'a function');
  if (signal !== undefined && typeof signal?.aborted !== 'boolean') fail(WHERE, 'options.signal', signal, 'an AbortSignal');

  const rows = [];
  for (const value of values) {
    const runs = [];
    for (const seed of seeds) {
      if (signal?.aborted) return rows;
      const run = await runScenario(withParam(base, param, value), { seed, epochs, coreOptions, signal });
      if (signal?.aborted) {
        run.net.dispose(); // a partly trained network is no point of the curve
        return rows;
      }
      try {
        runs.push({ seed, ...measureRun(run) });
      } finally {
        run.net.dispose();
      }
    }
    const pick = (key) => runs.map((r) => r[key]);
    const row = {
      value,
      trainLoss: medianWorst(pick('trainLoss')),
      testLoss: medianWorst(pick('testLoss')),
      ...(runs[0].testAccuracy !== undefined ? { testAccuracy: median(pick('testAccuracy')) } : {}),
      deadFraction: median(pick('deadFraction')),
      maxGradNorm: median(pick('maxGradNorm')),
      skippedSteps: median(pick('skippedSteps')),
      diverged: runs.filter((r) => !Number.isFinite(r.trainLoss)).length,
      seeds: seeds.slice(),
      runs,
    };
    rows.push(row);
    if (onPoint) await onPoint(row, rows.length - 1);
  }
  return rows;
}
