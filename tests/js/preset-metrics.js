// Measures the phenomenon each preset is about, from a finished run. Used by the
// preset tests and by scripts/preset-figures.mjs (the figures in the README).
import { measureRun } from '../../js/measure.js';

/**
 * firstToLastGradRatio (first layer's gradient norm over the output layer's,
 * recent median), maxGradNorm (largest finite norm of any layer at any step),
 * skippedSteps, deadFraction (worst hidden layer's share of units dead over the last epoch),
 * saturatedFraction, eval-mode trainLoss / testLoss / gap (no dropout noise),
 * testAccuracy, firstEpochLoss, lastEpochLoss: the library's own measurement,
 * the one tryRemedies() reports.
 */
export const measure = measureRun;

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
