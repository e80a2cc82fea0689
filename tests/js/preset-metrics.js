// Measures the phenomenon each preset is about, from a finished run. Used by the
// preset tests and by scripts/preset-figures.mjs (the figures in the README).
import { maxFinite, median, sum } from '../../js/util.js';

const WINDOW = 20;

const recent = (series) => series.subarray(Math.max(0, series.length - WINDOW));

export function measure({ net, dataset, history }) {
  const layers = net.trainingRecord().steps.layers;
  const last = layers.length - 1;
  const grad = layers.map((l) => median(recent(l.gradNorm)));
  const train = net.evaluate(dataset.train.x, dataset.train.y);
  const test = net.evaluate(dataset.test.x, dataset.test.y);
  return {
    // first layer's gradient norm relative to the output layer's (recent median)
    firstToLastGradRatio: grad[0] / grad[last],
    // largest finite gradient norm of any layer at any step
    maxGradNorm: layers.reduce((m, l) => Math.max(m, maxFinite(l.gradNorm, 0)), 0),
    skippedSteps: sum(history.skippedSteps),
    // worst hidden layer's recent median dead-unit share
    deadFraction: layers.slice(0, last).reduce((m, l) => Math.max(m, median(recent(l.deadFraction))), 0),
    // eval-mode losses: the train/test gap without dropout noise
    trainLoss: train.loss,
    testLoss: test.loss,
    gap: test.loss - train.loss,
    testAccuracy: test.accuracy,
    firstEpochLoss: history.loss[0],
    lastEpochLoss: history.loss.at(-1),
  };
}
