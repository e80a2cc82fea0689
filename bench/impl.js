// One runner per implementation, environment-agnostic (Node and the browser
// bench page share it). Each returns steps per second for a workload.
import { createNetwork } from '../js/index.js';
import { gradscopeConfig, parameterCount, syntheticData } from './workloads.js';


/**
 * Runs fn (which does `units` of work per call) for at least `seconds`, after
 * a warm-up of at least `warmup` seconds and 3 calls (so the engine has tiered
 * the hot code up before the clock starts).
 */
export async function rate(fn, { seconds = 1, warmup = 0.5 } = {}) {
  const clock = () => performance.now() / 1000;
  let t0 = clock();
  for (let calls = 0; calls < 3 || clock() - t0 < warmup; calls++) await fn();
  let units = 0;
  t0 = clock();
  let t = t0;
  while (t - t0 < seconds) {
    units += await fn();
    t = clock();
  }
  return units / (t - t0);
}

export async function gradscopeRates(w, { seconds, coreOptions } = {}) {
  // fit: the epoch loop in C; each call trains ~1e8 flops' worth of epochs (at least one)
  const flopsPerStep = 6 * parameterCount(w) * w.batch;
  const stepsPerEpoch = flopsPerStep > 1e8 ? 8 : 64;
  const epochs = Math.max(1, Math.round(1e8 / (stepsPerEpoch * flopsPerStep)));
  const { x, y } = syntheticData(w, w.batch * stepsPerEpoch);
  const net = await createNetwork(gradscopeConfig(w), coreOptions);
  const fit = await rate(async () => {
    await net.fit(x, y, { epochs, batchSize: w.batch, shuffle: true });
    return epochs * stepsPerEpoch;
  }, { seconds });
  // trainStep: one call (and one copy into wasm) per step
  const ydim = w.loss === 'softmax-ce' ? 1 : w.outputs;
  const batches = Array.from({ length: 8 }, (_, b) => ({
    x: x.subarray(b * w.batch * w.inputs, (b + 1) * w.batch * w.inputs),
    y: y.subarray(b * w.batch * ydim, (b + 1) * w.batch * ydim),
  }));
  let i = 0;
  const step = await rate(() => {
    const b = batches[i++ % batches.length];
    net.trainStep(b.x, b.y);
    return 1;
  }, { seconds });
  net.dispose();
  return { fit, trainStep: step };
}

/** the same network in TensorFlow.js layers, trained with model.trainOnBatch */
export async function tfjsRate(w, tf, tfl, { seconds } = {}) {
  const model = tfl.sequential();
  w.hidden.forEach((layer, l) => {
    const first = l === 0 ? { inputShape: [w.inputs] } : {};
    model.add(tfl.layers.dense({ units: layer.units, ...first }));
    if (layer.batchNorm) model.add(tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
    model.add(tfl.layers.activation({ activation: layer.activation }));
    if (layer.dropout) model.add(tfl.layers.dropout({ rate: layer.dropout }));
  });
  model.add(tfl.layers.dense({ units: w.outputs }));
  const opt = w.optimizer.momentum ? tf.train.momentum(w.optimizer.learningRate, w.optimizer.momentum) : tf.train.sgd(w.optimizer.learningRate);
  const loss = w.loss === 'softmax-ce' ? (t, p) => tf.losses.softmaxCrossEntropy(t, p) : (t, p) => tf.losses.sigmoidCrossEntropy(t, p);
  model.compile({ optimizer: opt, loss });
  const { x, y } = syntheticData(w, w.batch * 8);
  const batches = Array.from({ length: 8 }, (_, b) => {
    const xs = tf.tensor2d(x.subarray(b * w.batch * w.inputs, (b + 1) * w.batch * w.inputs), [w.batch, w.inputs]);
    const ys =
      w.loss === 'softmax-ce'
        ? tf.oneHot(tf.tensor1d(y.subarray(b * w.batch, (b + 1) * w.batch), 'int32'), w.outputs)
        : tf.tensor2d(y.subarray(b * w.batch * w.outputs, (b + 1) * w.batch * w.outputs), [w.batch, w.outputs]);
    return { xs, ys };
  });
  let i = 0;
  const steps = await rate(async () => {
    const b = batches[i++ % batches.length];
    await model.trainOnBatch(b.xs, b.ys);
    return 1;
  }, { seconds });
  batches.forEach((b) => tf.dispose([b.xs, b.ys]));
  model.dispose();
  return steps;
}

/** the record both runners print for one workload */
export function workloadRecord(w, env, g, tfjs, tfjsSimd) {
  const flopsPerStep = 6 * parameterCount(w) * w.batch;
  return {
    kind: 'workload',
    env,
    workload: w.name,
    params: parameterCount(w),
    batch: w.batch,
    gradscopeFit: g.fit,
    gradscopeTrainStep: g.trainStep,
    tfjs,
    tfjsSimd,
    fitVsTfjs: g.fit / tfjs,
    trainStepVsTfjs: g.trainStep / tfjs,
    trainStepVsFit: g.trainStep / g.fit,
    gflopsFit: (g.fit * flopsPerStep) / 1e9,
    gflopsTfjs: (tfjs * flopsPerStep) / 1e9,
  };
}

/** best of six runs of the peak probe (bench/peak.c), GFLOP/s */
export function peakGflops(instance) {
  instance.exports._initialize?.();
  let best = 0;
  for (let r = 0; r < 6; r++) {
    const n = 2e7;
    const t0 = performance.now();
    instance.exports.peak(n, 0.999, 0.001);
    best = Math.max(best, (n * 128) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return best;
}
