// What a finished run measured: one definition of each figure for
// diagnose(), tryRemedies(), sweep(), the CLI and the preset figures.
//
// The dead share, one definition: a ReLU unit is dead when it output 0 for
// every example of the last completed fit epoch (the core's epoch mask, over
// the epoch's applied updates). It is what layerStats().deadUnits marks, what
// the record's epochs.deadFraction and onEpoch's deadFraction hold per layer,
// what diagnose's dead-relu finding reports (evidence.deadUnits of
// evidence.units) and what measureRun() / sweep() report (the worst hidden
// layer's share). Without a completed epoch (trainStep only) diagnose has no
// epoch to judge and falls back to the per-batch share's recent median
// (measuredOver 'batch'), while deadUnits marks the units silent on every
// update since the network was made or resetRecord().
//
// Not the same quantity, and never smaller: layerStats().deadFraction is the
// share of units that gave 0 for every example of ONE batch (a unit dead over
// the epoch is silent on its last batch too), and the activation histogram's
// `zeros` counts output VALUES (unit x example) that are 0 in the last batch.
// On the dead-ReLU preset (seed 1) layer 0 has 26 of 32 units dead over the
// last epoch (81%), 31 of 32 silent on the last batch (97%) and 99.7% zero
// values in it.
import { maxFinite, median, sum } from './util.js';

// the figures that are judged on the last steps, like diagnose()'s window
export const RECENT_STEPS = 20;

const recent = (series, w) => series.subarray(Math.max(0, series.length - w));
const squashing = (a) => a === 'sigmoid' || a === 'tanh';

/**
 * Per layer, the dead share by the one definition above, from a training
 * record (net.trainingRecord()) and the network's config:
 * { over: 'last epoch' | 'batch', share: number[], dead: number[] (units),
 *   units: number[] }; layers that are not ReLU read 0. Over 'batch' (no
 * completed epoch) share is the median over the last `window` steps of the
 * per-batch share and dead its rounded unit count.
 */
export function deadShares(record, config, window = RECENT_STEPS) {
  const perEpoch = record.epochs.deadFraction;
  const epoch = perEpoch?.length ? perEpoch[perEpoch.length - 1] : null;
  const share = config.layers.map((layer, l) => (layer.activation !== 'relu' ? 0 : epoch ? epoch[l] : median(recent(record.steps.layers[l].deadFraction, window))));
  return {
    over: epoch ? 'last epoch' : 'batch',
    share,
    dead: share.map((s, l) => (Number.isFinite(s) ? Math.round(s * config.layers[l].units) : 0)),
    units: config.layers.map((layer) => layer.units),
  };
}

/**
 * The figures of one finished run ({ net, dataset, history } from runScenario):
 * firstToLastGradRatio, maxGradNorm, skippedSteps, deadFraction (the worst
 * hidden layer's dead share), deadUnits and reluUnits (dead hidden ReLU units
 * and all of them, the same mask), saturatedFraction, trainLoss, testLoss, gap,
 * testAccuracy (classification), firstEpochLoss, lastEpochLoss. Gradient
 * ratios and saturation are recent medians per layer; losses are eval mode.
 */
export function measureRun({ net, dataset, history }) {
  const record = net.trainingRecord();
  const { layers } = record.steps;
  const config = net.config;
  const last = layers.length - 1;
  const grad = layers.map((l) => median(recent(l.gradNorm, RECENT_STEPS)));
  let maxGradNorm = 0;
  for (const l of layers) maxGradNorm = Math.max(maxGradNorm, maxFinite(l.gradNorm, 0));
  const dead = deadShares(record, config);
  let deadFraction = 0;
  let deadUnits = 0;
  let reluUnits = 0;
  let saturatedFraction = 0;
  for (let l = 0; l < last; l++) {
    deadFraction = Math.max(deadFraction, dead.share[l]);
    if (config.layers[l].activation === 'relu') {
      deadUnits += dead.dead[l];
      reluUnits += dead.units[l];
    }
    if (squashing(config.layers[l].activation)) saturatedFraction = Math.max(saturatedFraction, median(recent(layers[l].saturatedFraction, RECENT_STEPS)));
  }
  const train = net.evaluate(dataset.train.x, dataset.train.y);
  const test = dataset.test.y.length ? net.evaluate(dataset.test.x, dataset.test.y) : { loss: NaN };
  return {
    firstToLastGradRatio: grad[0] / grad[last],
    maxGradNorm,
    skippedSteps: sum(history.skippedSteps),
    deadFraction,
    deadUnits,
    reluUnits,
    saturatedFraction,
    trainLoss: train.loss,
    testLoss: test.loss,
    gap: test.loss - train.loss,
    ...(test.accuracy !== undefined ? { testAccuracy: test.accuracy } : {}),
    firstEpochLoss: history.loss[0],
    lastEpochLoss: history.loss.at(-1),
  };
}
