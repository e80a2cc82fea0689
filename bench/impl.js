// One runner per implementation, environment-agnostic (Node and the browser
// bench page share it). Each returns steps per second for a workload.
import { createNetwork } from '../js/index.js';
import { gradscopeConfig, neededFlops, parameterCount, syntheticData } from './workloads.js';


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

/** the median of a list of numbers */
export const median = (v) => {
  const s = v.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** the page's default instruments: fit's histograms of every layer every 10 steps */
export const INSTRUMENTS = { histogramEvery: 10 };

/**
 * gradscope on a workload, one network kept across measurements: fit (the epoch
 * loop in C; each call trains ~1e8 flops' worth of epochs, at least one), fit with
 * the instruments on, and a trainStep loop (one call and one copy into wasm per step).
 */
export async function gradscopeRunner(w, coreOptions) {
  const flopsPerStep = 6 * parameterCount(w) * w.batch;
  const stepsPerEpoch = flopsPerStep > 1e8 ? 8 : 64;
  const epochs = Math.max(1, Math.round(1e8 / (stepsPerEpoch * flopsPerStep)));
  const { x, y } = syntheticData(w, w.batch * stepsPerEpoch);
  const net = await createNetwork(gradscopeConfig(w), coreOptions);
  const fitWith = (extra) => async () => {
    await net.fit(x, y, { epochs, batchSize: w.batch, shuffle: true, ...extra });
    return epochs * stepsPerEpoch;
  };
  const ydim = w.loss === 'softmax-ce' ? 1 : w.outputs;
  const batches = Array.from({ length: 8 }, (_, b) => ({
    x: x.subarray(b * w.batch * w.inputs, (b + 1) * w.batch * w.inputs),
    y: y.subarray(b * w.batch * ydim, (b + 1) * w.batch * ydim),
  }));
  let i = 0;
  const step = () => {
    const b = batches[i++ % batches.length];
    net.trainStep(b.x, b.y);
    return 1;
  };
  return {
    fit: (timing) => rate(fitWith({}), timing),
    fitInstruments: (timing) => rate(fitWith(INSTRUMENTS), timing),
    trainStep: (timing) => rate(step, timing),
    dispose: () => net.dispose(),
  };
}

/**
 * One workload through gradscope and tfjs: `runs` short rounds, each measuring
 * every contender in turn (the order alternating between rounds, so a slow spell
 * of a shared machine falls on all of them); medians, and every round's rates.
 * Only the first round warms up for long: by then the engine has tiered up.
 */
export async function measureWorkload(w, tf, tfl, { seconds, runs = 3, coreOptions, peak, native } = {}) {
  const g = await gradscopeRunner(w, coreOptions);
  const t = await tfjsRunner(w, tf, tfl);
  const contenders = { fit: g.fit, fitInstruments: g.fitInstruments, trainStep: g.trainStep, tfjs: t.rate };
  if (peak) contenders.peak = () => peakGflops(peak); // the ceiling in the same rounds: its share is paired too
  if (native) contenders.native = native; // the native build of the same C, steps/s, timed by itself in each round
  let samples;
  try {
    samples = await interleave(contenders, { runs, seconds });
  } finally {
    g.dispose();
    t.dispose();
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  return { ...medians, samples };
}

/**
 * `runs` rounds, each timing every contender in turn (the order alternating between rounds,
 * so a slow spell of a shared machine falls on all of them): { name: [rate per round] }.
 * Only the first round warms up for long: by then the engine has tiered up.
 */
async function interleave(contenders, { runs, seconds }) {
  const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let run = 0; run < runs; run++) {
    const names = Object.keys(contenders);
    if (run % 2) names.reverse();
    for (const name of names) samples[name].push(await contenders[name]({ seconds, warmup: run === 0 ? 0.5 : 0.1 }));
  }
  return samples;
}

/** the same network in TensorFlow.js layers, trained with model.trainOnBatch: { rate(seconds), dispose() } */
export async function tfjsRunner(w, tf, tfl) {
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
  const step = async () => {
    const b = batches[i++ % batches.length];
    await model.trainOnBatch(b.xs, b.ys);
    return 1;
  };
  return {
    rate: (timing) => rate(step, timing),
    dispose: () => {
      batches.forEach((b) => tf.dispose([b.xs, b.ys]));
      model.dispose();
    },
  };
}

/**
 * the record both runners print for one workload (m: measureWorkload's result);
 * each ratio is the median of the per-round ratios (contenders measured seconds
 * apart, not minutes)
 */
export function workloadRecord(w, env, m, tfjsSimd) {
  const flopsPerStep = 6 * parameterCount(w) * w.batch;
  const ratio = (a, b) => median(m.samples[a].map((v, i) => v / m.samples[b][i]));
  return {
    kind: 'workload',
    env,
    workload: w.name,
    params: parameterCount(w),
    batch: w.batch,
    runs: m.samples.fit.length,
    gradscopeFit: m.fit,
    gradscopeFitInstruments: m.fitInstruments,
    gradscopeTrainStep: m.trainStep,
    tfjs: m.tfjs,
    tfjsSimd,
    fitVsTfjs: ratio('fit', 'tfjs'),
    fitInstrumentsVsTfjs: ratio('fitInstruments', 'tfjs'),
    trainStepVsTfjs: ratio('trainStep', 'tfjs'),
    trainStepVsFit: ratio('trainStep', 'fit'),
    instrumentsCost: ratio('fit', 'fitInstruments') - 1,
    gflopsFit: (m.fit * flopsPerStep) / 1e9,
    gflopsNeededFit: (m.fit * neededFlops(w)) / 1e9,
    gflopsTfjs: (m.tfjs * flopsPerStep) / 1e9,
    ...(m.samples.native && { native: m.native, fitVsNative: ratio('fit', 'native') }),
    ...(m.samples.peak && {
      peak: m.peak,
      ofPeak: median(m.samples.fit.map((v, i) => (v * flopsPerStep) / 1e9 / m.samples.peak[i])),
      neededOfPeak: median(m.samples.fit.map((v, i) => (v * neededFlops(w)) / 1e9 / m.samples.peak[i])),
    }),
    samples: m.samples,
  };
}

/**
 * Cost of a fit step on the mnist network against batch size, and against width
 * (two hidden layers of w units, batch 64): the same code in Node and the browser.
 */
export async function stepCosts(base, { seconds }) {
  const records = [];
  const timeStep = async (w) => {
    const net = await createNetwork(gradscopeConfig(w));
    const rows = Math.max(w.batch * 16, 256);
    const { x, y } = syntheticData(w, rows);
    const steps = Math.ceil(rows / w.batch);
    const r = await rate(async () => {
      await net.fit(x, y, { epochs: 1, batchSize: w.batch });
      return steps;
    }, { seconds, warmup: 0.1 });
    net.dispose();
    return 1e6 / r; // µs per step
  };
  for (const batch of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) {
    const us = await timeStep({ ...base, batch });
    records.push({ kind: 'scaling-batch', workload: base.name, batch, usPerStep: us, usPerExample: us / batch });
  }
  for (const width of [32, 64, 128, 256, 512, 1024]) {
    const w = { ...base, hidden: [width, width].map((units) => ({ units, activation: 'relu' })), batch: 64 };
    const us = await timeStep(w);
    records.push({ kind: 'scaling-params', width, params: parameterCount(w), usPerStep: us, nsPerParamExample: (us * 1000) / parameterCount(w) / w.batch });
  }
  return records;
}

/** best of six runs of the peak probe (bench/peak.c, an instance), GFLOP/s */
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

/**
 * Threads on one workload: gradscope's fit on 1 and on `threads` threads and, given tf (a
 * threaded tfjs-wasm, in a browser), tfjs on its threads, in interleaved rounds as
 * measureWorkload. The two gradscope networks train the same bits (tests/js/threads.test.js).
 */
export async function measureThreads(w, tf, tfl, { seconds, runs = 3, threads = 2 }) {
  const one = await gradscopeRunner(w, { threads: 1 });
  const many = await gradscopeRunner(w, { threads });
  const t = tf ? await tfjsRunner(w, tf, tfl) : null;
  const contenders = { fit1: one.fit, fitN: many.fit, ...(t && { tfjsN: t.rate }) };
  let samples;
  try {
    samples = await interleave(contenders, { runs, seconds });
  } finally {
    one.dispose();
    many.dispose();
    t?.dispose();
  }
  const ratio = (a, b) => median(samples[a].map((v, i) => v / samples[b][i]));
  return {
    kind: 'threads',
    workload: w.name,
    threads,
    runs,
    fit1: median(samples.fit1),
    fitN: median(samples.fitN),
    speedup: ratio('fitN', 'fit1'),
    ...(t && { tfjsN: median(samples.tfjsN), fitNVsTfjsN: ratio('fitN', 'tfjsN') }),
    samples,
  };
}
