// Measures the phenomenon each preset is about, from a finished run. Used by the
// preset tests and by scripts/preset-figures.mjs (the figures in the README).
const WINDOW = 20;

function median(values) {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
}

const recent = (series) => series.subarray(Math.max(0, series.length - WINDOW));

export function measure({ net, dataset, history }) {
  const layers = history.steps.layers;
  const last = layers.length - 1;
  const grad = layers.map((l) => median(recent(l.gradNorm)));
  const train = net.evaluate(dataset.train.x, dataset.train.y);
  const test = net.evaluate(dataset.test.x, dataset.test.y);
  return {
    // first layer's gradient norm relative to the output layer's (recent median)
    firstToLastGradRatio: grad[0] / grad[last],
    // largest finite gradient norm of any layer at any step
    maxGradNorm: Math.max(...layers.map((l) => Math.max(0, ...Array.from(l.gradNorm).filter(Number.isFinite)))),
    skippedSteps: history.skippedSteps.reduce((a, b) => a + b, 0),
    // worst hidden layer's recent median dead-unit share
    deadFraction: Math.max(...layers.slice(0, last).map((l) => median(recent(l.deadFraction)))),
    // eval-mode losses: the train/test gap without dropout noise
    trainLoss: train.loss,
    testLoss: test.loss,
    gap: test.loss - train.loss,
    testAccuracy: test.accuracy,
    firstEpochLoss: history.loss[0],
    lastEpochLoss: history.loss.at(-1),
  };
}
