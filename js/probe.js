// The probe (net.probe, fit's options.probe): statistics of a fixed set of examples in eval
// mode, as Glorot & Bengio measured on "a fixed set of 300 test examples". The core's
// gs_net_probe computes, per layer, s (the activation's input: the dense output after batch or
// layer norm), h (the layer's output) and dC/ds (the gradient of the mean loss over the probe
// rows with respect to s), with no update; this module checks the options and turns those
// values into the result index.d.ts describes (ProbeResult).
import { HIST } from './contract.js';
import { checkKeys, fail, integer, isPlainObject, number } from './validate.js';

/** probes fit keeps in history.probes (the newest) */
export const PROBE_LIMIT = 1000;
/** the percentiles of a chosen unit's s */
export const PERCENTILES = Object.freeze([15, 50, 85]);

/** options.units: [{ layer, unit }] within the network's layers and units */
function checkUnits(where, name, units, config) {
  if (units === undefined) return [];
  if (!Array.isArray(units)) fail(where, name, units, 'an array of { layer, unit }');
  const n = config.layers.length;
  return Array.from(units, (u, i) => {
    const label = `${name}[${i}]`;
    if (!isPlainObject(u)) fail(where, label, u, 'an object { layer, unit }');
    checkKeys(where, label, u, ['layer', 'unit']);
    const layer = integer(where, `${label}.layer`, u.layer, 0, n - 1);
    const unit = integer(where, `${label}.unit`, u.unit, 0, config.layers[layer].units - 1);
    return { layer, unit };
  });
}

/** net.probe's options: { units?, gradientLimit? } -> { units, gradientLimit (0 = from the values) } */
export function checkProbeOptions(where, name, options, config, extra = []) {
  if (!isPlainObject(options)) fail(where, name, options, 'an object { units?, gradientLimit? }');
  checkKeys(where, name, options, ['units', 'gradientLimit', ...extra]);
  const gradientLimit = options.gradientLimit === undefined ? 0 : number(where, `${name}.gradientLimit`, options.gradientLimit, { min: 0, minOpen: true, float32: true });
  return { units: checkUnits(where, `${name}.units`, options.units, config), gradientLimit };
}

/** fixed linear bins as gs_hist_linear counts them: each value in one of bins, zeros, below, above, nonFinite */
export function linearHistogram(values, edges) {
  const bins = edges.length - 1;
  const counts = new Uint32Array(bins);
  const lo = edges[0];
  const hi = edges[bins];
  const scale = bins / (hi - lo);
  let zeros = 0;
  let below = 0;
  let above = 0;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === 0) zeros++;
    else if (!Number.isFinite(v)) nonFinite++;
    else if (v < lo) below++;
    else if (v > hi) above++;
    else {
      let b = Math.min(bins - 1, Math.floor((v - lo) * scale)); // a guess; the edges decide
      while (b > 0 && v < edges[b]) b--;
      while (b < bins - 1 && v >= edges[b + 1]) b++;
      counts[b]++;
    }
  }
  return { edges, counts, zeros, below, above, nonFinite };
}

/** mean and population std of a (rows, units) block, in double */
function moments(values) {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) (s += values[i]), (s2 += values[i] * values[i]);
  const mean = s / values.length;
  return { mean, std: Math.sqrt(Math.max(0, s2 / values.length - mean * mean)) };
}

/** the q-th percentile (0-100) of sorted values, linear between closest ranks (numpy's and torch.quantile's default) */
function percentile(sorted, q) {
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * ProbeResult from gs_net_probe's output: values holds per layer (rows, units) blocks of s, h
 * and dC/ds. activationEdges(activation) gives the layer's activation bins (layerHistograms').
 */
export function summarizeProbe(values, rows, loss, config, { units, gradientLimit }, activationEdges) {
  const blocks = [];
  let at = 0;
  for (const layer of config.layers) {
    const n = rows * layer.units;
    blocks.push({ s: values.subarray(at, at + n), h: values.subarray(at + n, at + 2 * n), g: values.subarray(at + 2 * n, at + 3 * n) });
    at += 3 * n;
  }
  let limit = gradientLimit;
  if (!limit) {
    // every layer's gradients on one set of edges: the largest finite |dC/ds| of this probe
    for (const { g } of blocks) for (let i = 0; i < g.length; i++) if (Number.isFinite(g[i])) limit = Math.max(limit, Math.abs(g[i]));
    limit = limit > 0 ? Math.fround(limit) : 1;
  }
  const gradientEdges = new Float32Array(HIST.bins + 1);
  for (let k = 0; k <= HIST.bins; k++) gradientEdges[k] = -limit + (2 * limit * k) / HIST.bins;
  const layers = config.layers.map((layer, l) => {
    const { h, g } = blocks[l];
    const a = moments(h);
    const d = moments(g);
    const unitMean = new Float32Array(layer.units);
    for (let u = 0; u < layer.units; u++) {
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += h[r * layer.units + u];
      unitMean[u] = sum / rows;
    }
    return {
      activationMean: a.mean,
      activationStd: a.std,
      activation: linearHistogram(h, activationEdges(layer.activation).slice()),
      gradientMean: d.mean,
      gradientStd: d.std,
      gradient: linearHistogram(g, gradientEdges.slice()),
      unitMean,
    };
  });
  const chosen = units.map(({ layer, unit }) => {
    const width = config.layers[layer].units;
    const s = Float64Array.from({ length: rows }, (_, r) => blocks[layer].s[r * width + unit]).sort();
    const [p15, p50, p85] = PERCENTILES.map((q) => percentile(s, q));
    return { layer, unit, p15, p50, p85 };
  });
  return { rows, loss, gradientLimit: limit, layers, units: chosen };
}
