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

/**
 * Whether one remedy run cured its preset's failure, judged on the measured
 * figures (remedy run r, failure run f of the same seed) and on diagnose():
 * [cured, why not]. The preset tests assert the same bounds on the seed's remedies.
 */
export const CURED = {
  'vanishing-gradients': (r) => [
    ['first/last gradient ratio > 1e-2', r.firstToLastGradRatio > 1e-2],
    ['test accuracy > 90%', r.testAccuracy > 0.9],
  ],
  'exploding-gradients': (r) => [
    ['no skipped steps', r.skippedSteps === 0],
    ['max gradient norm < 1e3', r.maxGradNorm < 1e3],
    ['test accuracy > 95%', r.testAccuracy > 0.95],
  ],
  'dead-relu': (r) => [
    ['dead share < 50%', r.deadFraction < 0.5],
    ['test accuracy > 95%', r.testAccuracy > 0.95],
  ],
  overfitting: (r, f) => [
    ['train/test gap < 0.2', r.gap < 0.2],
    ['lower test loss than the failure', r.testLoss < f.testLoss],
  ],
  'dropout-one': (r) => [
    ['training loss < 0.2', r.lastEpochLoss < 0.2],
    ['test accuracy > 95%', r.testAccuracy > 0.95],
  ],
};

/** [cured, the criteria it missed] for one remedy run */
export function judgeRemedy(name, remedyMetrics, failureMetrics, remedyKinds, expected) {
  const missed = CURED[name](remedyMetrics, failureMetrics).filter(([, ok]) => !ok).map(([what]) => what);
  if (remedyKinds.includes(expected)) missed.push(`diagnose still names ${expected}`);
  return [missed.length === 0, missed];
}
