// Helpers the paper cards share: the data (digits, standardized with the
// training set's statistics, or a dataset the caller gives), the progress and
// stop logic, the figures' plain-data series, statistics over layer outputs,
// and the claim records. Every card module (js/papers/<id>.js) builds on these.
import { createNetwork } from '../network.js';
import { digits } from '../datasets.js';
import { sci } from '../util.js';

/** a stop requested through the signal: reproduce() resolves with aborted: true */
export class Stopped extends Error {}

/**
 * One card run's context: the seed, the data, progress over a known total of
 * units of work (epochs and passes), and the stop check between them.
 */
export class Context {
  constructor({ id, seed, data, onProgress, signal, total }) {
    Object.assign(this, { id, seed, data, onProgress, signal, total, done: 0, runs: [] });
  }

  /** throws Stopped when the signal fired: checked between runs and epochs */
  check() {
    if (this.signal?.aborted) throw new Stopped();
  }

  /** `units` more units of work done, under `label`; then the stop check */
  async advance(label, units = 1) {
    this.done = Math.min(this.total, this.done + units);
    if (this.onProgress) await this.onProgress({ done: this.done, total: this.total, label });
    this.check();
  }

  /** a finished run: { label, config, fit, series } (series: plain data, see index.d.ts) */
  addRun(label, config, fit, series) {
    const run = { label, config, fit, series };
    this.runs.push(run);
    return run;
  }
}

/** the card's data: the given dataset as is, or digits split by `seed`, standardized either way when asked */
export async function cardData(ctx, { standardize = false } = {}) {
  const ds = ctx.data ?? (await digits({ seed: ctx.seed }));
  if (!standardize) return { ...ds, standardized: false };
  return { ...ds, ...standardized(ds), standardized: true };
}

/** x scaled per column by the training set's mean and std (a constant column stays 0) */
export function standardized(ds) {
  const m = ds.inputs;
  const n = ds.train.x.length / m;
  const mean = new Float64Array(m);
  const sd = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += ds.train.x[i * m + j];
  for (let j = 0; j < m; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) sd[j] += (ds.train.x[i * m + j] - mean[j]) ** 2;
  for (let j = 0; j < m; j++) sd[j] = Math.sqrt(sd[j] / n) || 1;
  const scale = (x) => Float32Array.from(x, (v, k) => (v - mean[k % m]) / sd[k % m]);
  return { train: { x: scale(ds.train.x), y: ds.train.y }, test: { x: scale(ds.test.x), y: ds.test.y } };
}

/** the first `rows` rows of a split (fewer when it has fewer): { x, y, rows } */
export function firstRows(split, inputs, rows) {
  const n = Math.min(rows, split.x.length / inputs);
  return { x: split.x.subarray(0, n * inputs), y: split.y.subarray(0, n), rows: n };
}

/** a fully connected classifier config: hidden layers (each { units, activation, ... }) then the output layer */
export function classifier(ds, hidden, rest) {
  return { inputs: ds.inputs, layers: [...hidden.map((l) => ({ ...l })), { units: ds.outputs }], loss: 'softmax-ce', ...rest };
}

export const repeat = (n, layer) => Array.from({ length: n }, () => ({ ...layer }));

/** mean and std (population) of the values */
export function meanStd(values) {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const mean = s / values.length;
  for (let i = 0; i < values.length; i++) s2 += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(s2 / values.length) };
}

/** the q-quantile (0..1) of the values, linear between order statistics */
export function quantile(values, q) {
  const v = Float64Array.from(values).sort();
  const at = q * (v.length - 1);
  const lo = Math.floor(at);
  return lo + 1 < v.length ? v[lo] + (at - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/** a density histogram over [lo, hi] in `bins` bins: { edges, density } (values outside are left out) */
export function histogram(values, lo, hi, bins) {
  const counts = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((values[i] - lo) / width);
    if (b >= 0 && b < bins) counts[b]++;
    else if (values[i] === hi) counts[bins - 1]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  return { edges, density: Array.from(counts, (c) => c / (values.length * width)) };
}

/** a line of a figure: plain arrays of numbers (see PaperSeries in index.d.ts) */
export const line = (figure, name, x, xLabel, y, yLabel, scale = 'linear') => ({
  figure,
  kind: 'line',
  name,
  x: { label: xLabel, values: Array.from(x, Number) },
  y: { label: yLabel, values: Array.from(y, Number), scale },
});

/** a histogram of a figure: bin edges (bins + 1) and a density per bin */
export const bars = (figure, name, { edges, density }, xLabel) => ({
  figure,
  kind: 'histogram',
  name,
  x: { label: xLabel, edges: Array.from(edges, Number) },
  y: { label: 'density', values: Array.from(density, Number), scale: 'linear' },
});

/**
 * A claim: the paper's value and where it stands, ours on this seed, and
 * whether it holds (null: not measured here; `note` says why and what it needs).
 */
export function claim(text, paper, ours, holds, note) {
  return { text, paper, ours, holds, ...(note ? { note } : {}) };
}

/** a claim the run cannot measure: holds null and what it needs */
export const unmeasured = (text, paper, needs) => claim(text, paper, `not measured: ${needs}`, null, needs);

export const fmt = sci;
export const pct = (v) => `${(100 * v).toFixed(1)}%`;

/**
 * Trains `config` on the data with fit, evaluating the test set after each
 * epoch (progress one unit per epoch; the signal stops it between epochs).
 * prepare(net) runs before training. Resolves to { net, history, accuracy: number[] (per epoch), loss: number[] };
 * the caller disposes net.
 */
export async function trainCurve(ctx, ds, config, { epochs, batchSize, label, onEpoch, prepare }) {
  const net = await createNetwork(config);
  try {
    if (prepare) prepare(net);
    const accuracy = [];
    const history = await net.fit(ds.train.x, ds.train.y, {
      epochs,
      batchSize,
      validation: ds.test,
      signal: ctx.signal,
      onEpoch: async (info) => {
        accuracy.push(info.valAccuracy);
        if (onEpoch) await onEpoch(info, net);
        await ctx.advance(`${label}: epoch ${info.epoch + 1} of ${epochs}`);
      },
    });
    ctx.check();
    return { net, history, accuracy, loss: history.loss };
  } catch (err) {
    net.dispose();
    throw err;
  }
}

/** eval-mode outputs of every hidden layer on x: Float32Array(rows × units) per layer */
export const hiddenOutputs = (net, x) => net.layerOutputs(x);

/** the first index where values reach `level` (null when never) */
export function firstReach(values, level) {
  const i = values.findIndex((v) => v >= level);
  return i < 0 ? null : i;
}

export const dataNote = (ds) => (ds.name === 'digits' ? 'digits (1,797 8×8 images; 1,437 train, 360 test)' : `the data given ("${ds.name}", ${ds.train.x.length / ds.inputs} train and ${ds.test.x.length / ds.inputs} test rows × ${ds.inputs} inputs, ${ds.outputs} classes)`);
