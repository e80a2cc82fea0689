// diagnose(net): reads what a network recorded while training and names the
// failure cases of backpropagation it shows, with the numbers that triggered
// each finding and the usual remedy in plain words.
//
// Statistics are judged on a window of recent steps (the median over it, so a
// single odd batch does not decide), compared where needed with a window at
// the start of the record. One small detector per kind of finding (DETECTORS
// below); every cut-off they use is in THRESHOLDS, and why:
import { FINDING_KINDS, INPUT_KINDS } from './findings.js';
import { deadShares } from './measure.js';
import { compact as fmt, maxFinite, median } from './util.js';
import { checkKeys, fail, integer, isPlainObject, number, rowsOf } from './validate.js';

export const THRESHOLDS = Object.freeze({
  // steps per window: long enough for a stable median, short enough to be "now"
  window: 20,
  // vanishing: a layer's gradient norm below 1% of the output layer's. In a
  // healthy net the ratio stays within about 0.1-10; in a 6-layer sigmoid net
  // it is about 1e-5 (sigmoid' <= 0.25 per layer). Critical below 1e-4.
  vanishingRatio: 1e-2,
  vanishingCritical: 1e-4,
  // a ratio to the output layer says something only with at least two layers
  // below it (in a 2-layer net the first layer's norm is just another scale)
  vanishingMinLayers: 3,
  // exploding: gradient norms this large are far beyond what a step size of
  // 1e-3 .. 1e-1 can use; or norms that grew this many times during training
  // (and are above explodingGrowthMinNorm: 1e-6 -> 1e-3 is growth, not
  // explosion); or updates larger than half the weights themselves in one step.
  explodingNorm: 1e2,
  explodingGrowth: 1e2,
  explodingGrowthMinNorm: 1,
  explodingUpdateRatio: 0.5,
  // critical when the largest norm seen is this big (100x explodingNorm), or
  // when the norms had passed explodingNorm before values turned non-finite
  explodingCriticalNorm: 1e4,
  // clipping advice (the tuning playbook): clip near the 90th percentile of the
  // total gradient norm of normal training, here the steps before any layer's
  // norm passed explodingNorm (at least clipMinSteps of them, else no advice);
  // clipping more than half of the updates is too aggressive
  clipPercentile: 0.9,
  clipMinSteps: 5,
  clipTooAggressive: 0.5,
  // dead ReLU: more than half of a layer's units gave 0 for every example;
  // critical above 90%. Judged on the last fit epoch when the record has it
  // (a unit is dead only if it gave 0 for every example of the whole epoch: on
  // small batches the per-batch share overstates, 34% per batch vs 13% over
  // the training set on the digits network at init), else on the per-batch
  // share's median over the window (trainStep only).
  deadFraction: 0.5,
  deadCritical: 0.9,
  // saturation: more than half of a sigmoid/tanh layer's outputs in the flat
  // tails; critical above 90%
  saturatedFraction: 0.5,
  saturatedCritical: 0.9,
  // overfitting: validation loss this much above its best while training loss
  // kept falling by at least as much since that epoch. 25%, and 0.02 nats at
  // least: the validation loss of a few hundred examples wobbles by about 10%.
  overfitRise: 0.25,
  overfitMinRise: 0.02,
  // The rise is measured relative to max(best validation loss, this floor).
  // Below ~0.1 nats the validation loss is a handful of confidently wrong
  // examples (one example at a logit margin of 10 adds 10/n): a percentage of
  // a best loss of 5e-7 means nothing (the healthy preset trained 100x too
  // long read "18,898,930% above its best"; measured: 2,000 epochs of it move
  // the validation loss 0.002 -> 0.07 at 99.5% test accuracy).
  overfitLossFloor: 0.1,
  // critical when the validation loss is 50% (of that scale) above its best
  overfitCritical: 0.5,
  overfitMinEpochs: 5,
  // inputs (diagnose(net, thresholds, { x })): initializations assume inputs
  // of about mean 0 and std 1. Off-centre when the columns' |mean| averages
  // above inputMean: the digits pixels in [0, 1] average 0.31 (and half the
  // first layer's ReLUs end up dead after one epoch), the 2-D generators
  // 0.01-0.05. Unscaled when a column's std is above inputStd: raw pixel values
  // (0-255) have ~100, an income column ~1e4 (next to age, it reads as
  // exploding gradients). Either adds "Standardize the inputs" to the findings
  // that badly scaled inputs cause (INPUT_KINDS).
  inputMean: 0.2,
  inputStd: 10,
  // a regression target (diagnose(net, thresholds, { x, y }), loss 'mse'): unscaled
  // when its std or |mean| is above targetScale. The squared error is in the
  // target's units squared: house prices (std ~5e4) start at a loss of ~3e9 and
  // gradients to match, which reads as exploding gradients whatever the inputs.
  // Then "Scale the target" leads the advice.
  targetScale: 10,
});

// What each threshold may be: the range where it still means what the comment
// above says. diagnose() refuses anything else, naming the key.
const RANGES = {
  window: { integer: true, min: 1, max: 1_000_000 },
  vanishingRatio: { min: 0, max: 1, minOpen: true },
  vanishingCritical: { min: 0, max: 1, minOpen: true },
  vanishingMinLayers: { integer: true, min: 2, max: 100_000 },
  explodingNorm: { min: 0, minOpen: true },
  explodingGrowth: { min: 1 },
  explodingGrowthMinNorm: { min: 0 },
  explodingUpdateRatio: { min: 0, minOpen: true },
  explodingCriticalNorm: { min: 0, minOpen: true },
  clipPercentile: { min: 0, max: 1, minOpen: true },
  clipMinSteps: { integer: true, min: 1, max: 1_000_000 },
  clipTooAggressive: { min: 0, max: 1, minOpen: true },
  deadFraction: { min: 0, max: 1, maxOpen: true },
  deadCritical: { min: 0, max: 1, maxOpen: true },
  saturatedFraction: { min: 0, max: 1, maxOpen: true },
  saturatedCritical: { min: 0, max: 1, maxOpen: true },
  overfitRise: { min: 0, minOpen: true },
  overfitMinRise: { min: 0 },
  overfitLossFloor: { min: 0 },
  overfitCritical: { min: 0, minOpen: true },
  overfitMinEpochs: { integer: true, min: 2, max: 1_000_000 },
  inputMean: { min: 0 },
  inputStd: { min: 0, minOpen: true },
  targetScale: { min: 0, minOpen: true },
};

/** THRESHOLDS with the caller's overrides, each checked against RANGES. */
export function checkThresholds(thresholds, where = 'diagnose') {
  if (thresholds === undefined) return THRESHOLDS;
  if (!isPlainObject(thresholds)) fail(where, 'thresholds', thresholds, 'an object of threshold overrides');
  checkKeys(where, 'thresholds', thresholds, Object.keys(THRESHOLDS));
  for (const [key, value] of Object.entries(thresholds)) {
    const r = RANGES[key];
    if (r.integer) integer(where, `thresholds.${key}`, value, r.min, r.max);
    else number(where, `thresholds.${key}`, value, r);
  }
  return { ...THRESHOLDS, ...thresholds };
}

const layerList = (layers) => (layers.length === 1 ? `layer ${layers[0]}` : `layers ${layers.join(', ')}`);
const range = (n) => Array.from({ length: n }, (_, i) => i);

/**
 * The numbers every detector reads, each computed once with loops over the
 * record (no spreads): recent and early medians per layer and the scan for
 * non-finite steps.
 */
function context(net, T) {
  const config = net.config;
  const record = net.trainingRecord();
  const { steps, epochs } = record;
  const total = steps.loss.length;
  const w = Math.min(T.window, total);
  const recent = (series) => series.subarray(total - w);
  const early = (series) => series.subarray(0, w);
  const nLayers = config.layers.length;

  // steps that produced NaN or Infinity (and were skipped), and in which layers
  const bad = new Uint8Array(nLayers);
  let badSteps = 0;
  let firstBad = -1;
  for (let s = 0; s < total; s++) {
    let isBad = !Number.isFinite(steps.loss[s]);
    for (let l = 0; l < nLayers; l++) {
      if (steps.layers[l].nonFinite[s]) {
        isBad = true;
        bad[l] = 1;
      }
    }
    if (isBad) {
      badSteps++;
      if (firstBad < 0) firstBad = s;
    }
  }
  return {
    T,
    config,
    steps,
    epochs,
    total,
    w,
    nLayers,
    last: nLayers - 1,
    firstStep: record.firstStep ?? 0,
    badSteps,
    firstBad,
    badLayers: range(nLayers).filter((l) => bad[l]),
    gradNow: steps.layers.map((layer) => median(recent(layer.gradNorm))),
    gradStart: steps.layers.map((layer) => median(early(layer.gradNorm))),
    updateNow: steps.layers.map((layer) => median(recent(layer.updateRatio))),
    deadNow: steps.layers.map((layer) => median(recent(layer.deadFraction))),
    deadStart: steps.layers.map((layer) => median(early(layer.deadFraction))),
    // per layer, the dead share by its one definition (js/measure.js): over the last fit epoch, else per batch
    dead: deadShares(record, config, w),
    saturatedNow: steps.layers.map((layer) => median(recent(layer.saturatedFraction))),
  };
}

/** per step, the total L2 norm of the dense weight and bias gradients (the norm clipNorm limits, less norm parameters) */
function totalGradNorms(c) {
  const total = new Float64Array(c.total);
  for (const { gradNorm, biasGradNorm } of c.steps.layers) {
    for (let s = 0; s < c.total; s++) total[s] += gradNorm[s] ** 2 + (biasGradNorm ? biasGradNorm[s] ** 2 : 0);
  }
  for (let s = 0; s < c.total; s++) total[s] = Math.sqrt(total[s]);
  return total;
}

/** the value below which a share p of the finite values lie (nearest rank) */
function percentile(values, p) {
  const v = Float64Array.from(values).filter(Number.isFinite).sort();
  return v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))] : NaN;
}

/**
 * Clipping advice for an exploding finding: the clipPercentile of the total
 * gradient norm over the steps before the explosion (null when there were too
 * few), and with clipping on, the share of updates it clipped.
 */
function clipAdvice(c) {
  const { T } = c;
  const norms = totalGradNorms(c);
  let healthy = 0;
  while (healthy < c.total && Number.isFinite(norms[healthy]) && c.steps.layers.every((layer) => layer.gradNorm[healthy] <= T.explodingNorm)) healthy++;
  const suggested = healthy >= T.clipMinSteps ? percentile(norms.subarray(0, healthy), T.clipPercentile) : null;
  const clipNorm = c.config.clipNorm;
  let clipped = 0;
  for (let s = 0; s < c.total; s++) clipped += norms[s] > clipNorm;
  return { suggested, healthySteps: healthy, clippedShare: clipNorm > 0 && c.total ? clipped / c.total : null };
}

// --- detectors: each returns a finding or null --------------------------------

function nonFinite(c) {
  if (c.badSteps === 0) return null;
  const where = c.badLayers.length ? ` (in ${layerList(c.badLayers)})` : ' (in the loss)';
  return {
    layers: c.badLayers,
    severity: 'critical',
    evidence: { skippedSteps: c.badSteps, firstStep: c.firstStep + c.firstBad, steps: c.total },
    message: `${c.badSteps} of ${c.total} steps produced NaN or Infinity${where}; those updates were skipped.`,
    remedy: 'Lower the learning rate, turn on gradient clipping (clipNorm), or add batch norm (layer norm when batches are small); when it happens in the first steps, a learning-rate warmup (optimizer.schedule.warmupSteps) together with clipping lets the rate grow safely. Check the inputs for NaN or huge values.',
  };
}

function exploding(c) {
  const { T, gradNow, gradStart, updateNow } = c;
  const big = [];
  const grown = [];
  const jumpy = [];
  gradNow.forEach((g, l) => {
    if (g > T.explodingNorm) big.push(l);
    // growth needs two disjoint windows: the start and now
    if (c.total >= 2 * c.w && gradStart[l] > 0 && g / gradStart[l] > T.explodingGrowth && g > T.explodingGrowthMinNorm) grown.push(l);
    if (updateNow[l] > T.explodingUpdateRatio) jumpy.push(l);
  });
  // gradients that blew up to non-finite values also count, when norms had grown first
  const blewUp = c.badSteps > 0 && c.steps.layers.some((layer) => maxFinite(layer.gradNorm, 0, 0, Math.max(1, c.firstBad)) > T.explodingNorm);
  const flagged = range(c.nLayers).filter((l) => big.includes(l) || grown.includes(l) || jumpy.includes(l));
  if (!flagged.length && !blewUp) return null;
  const layers = flagged.length ? flagged : c.badLayers;
  let maxNorm = 0;
  for (const layer of c.steps.layers) maxNorm = Math.max(maxNorm, maxFinite(layer.gradNorm, 0));
  const worstGrowth = grown.reduce((m, l) => Math.max(m, gradNow[l] / gradStart[l]), 0);
  const worstUpdate = jumpy.reduce((m, l) => Math.max(m, updateNow[l]), 0);
  const clip = clipAdvice(c);
  let clipText = '';
  if (clip.clippedShare !== null && clip.clippedShare > T.clipTooAggressive) {
    clipText = ` clipNorm ${c.config.clipNorm} clipped ${Math.round(100 * clip.clippedShare)}% of the updates, more than half: too aggressive${clip.suggested !== null ? `; the ${Math.round(100 * T.clipPercentile)}th percentile of the gradient norm before the explosion is ${fmt(clip.suggested)}` : ''}.`;
  } else if (clip.clippedShare === null && clip.suggested !== null) {
    clipText = ` To clip, start near the ${Math.round(100 * T.clipPercentile)}th percentile of the total gradient norm over the ${clip.healthySteps} steps before the explosion: clipNorm ≈ ${fmt(clip.suggested)}.`;
  }
  return {
    layers,
    severity: blewUp || maxNorm > T.explodingCriticalNorm ? 'critical' : 'warning',
    evidence: {
      recentGradNorm: gradNow.map(fmt),
      startGradNorm: gradStart.map(fmt),
      maxGradNorm: fmt(maxNorm),
      recentUpdateRatio: updateNow.map(fmt),
      suggestedClipNorm: clip.suggested === null ? null : fmt(clip.suggested),
      clippedShare: clip.clippedShare === null ? null : fmt(clip.clippedShare),
    },
    message: `Gradient norms are exploding in ${layerList(layers)}: up to ${fmt(maxNorm)}${grown.length ? `, ${fmt(worstGrowth)}x their size at the start` : ''}${jumpy.length ? `; single updates change weights by ${fmt(worstUpdate)} of their norm` : ''}.`,
    remedy: `Lower the learning rate (e.g. 10x) or add batch norm; clipping the gradient norm (clipNorm 1), an init scaled to the fan-in (He) or layer norm (the one to use when batches are small) also cures it on its own. When the explosion comes in the first steps, a learning-rate warmup (optimizer.schedule.warmupSteps) together with clipping lets the rate reach its full value; warmup alone is not enough (it left most ReLUs dead on the exploding preset).${clipText}`,
  };
}

function vanishing(c) {
  const { T, config, gradNow, gradStart, last } = c;
  // dropout 1.0 zeroes a layer's output: every weight gradient at or below the
  // next layer is exactly 0
  const blockedBy = config.layers.reduce((found, layer, l) => (layer.dropout >= 1 ? l : found), -1);
  if (blockedBy >= 0) {
    const layers = range(Math.min(blockedBy + 2, c.nLayers));
    const rate = config.layers[blockedBy].dropout;
    return {
      layers,
      severity: 'critical',
      evidence: { dropout: rate, dropoutLayer: blockedBy, recentGradNorm: gradNow.map(fmt) },
      message: `No gradient reaches ${layerList(layers)}: dropout ${rate} on layer ${blockedBy} outputs only zeros, so nothing below it (and no weight above it) can learn.`,
      remedy: 'Use a dropout rate below 1 (0.1-0.5 is usual); at 1.0 the network learns nothing but the output bias.',
    };
  }
  if (c.nLayers < T.vanishingMinLayers) return null;
  // judged at the start and now: a converged network's tiny gradients are not vanishing
  const lowIn = (norms) => range(last).filter((l) => norms[last] > 0 && norms[l] < T.vanishingRatio * norms[last]);
  const lowStart = lowIn(gradStart);
  const low = lowIn(gradNow).filter((l) => lowStart.includes(l));
  if (!low.length) return null;
  const ratio = gradNow[low[0]] / gradNow[last];
  return {
    layers: low,
    severity: ratio < T.vanishingCritical ? 'critical' : 'warning',
    evidence: {
      ratios: gradNow.map((g) => fmt(g / gradNow[last])),
      startRatios: gradStart.map((g) => fmt(g / gradStart[last])),
      recentGradNorm: gradNow.map(fmt),
    },
    message: `Gradients vanish on the way down: ${layerList(low)} get${low.length === 1 ? 's' : ''} ${fmt(ratio)} of the output layer's gradient norm, so ${low.length === 1 ? 'it barely moves' : 'they barely move'}.`,
    remedy: 'Use ReLU instead of sigmoid/tanh (with He init it trains best), or add batch norm, or make the network shallower. ELU, or SELU with LeCun init, keep the gradient flowing too (each cures the vanishing preset on seeds 1-5; layer norm alone does not).',
  };
}

function deadRelu(c) {
  const { T, config } = c;
  const { over, share, dead: counts, units } = c.dead;
  const overEpoch = over === 'last epoch';
  const dead = range(c.nLayers).filter((l) => config.layers[l].activation === 'relu' && config.layers[l].dropout < 1 && share[l] > T.deadFraction);
  if (!dead.length) return null;
  const worst = dead.reduce((m, l) => Math.max(m, share[l]), 0);
  // each layer's own count, so the text agrees with layerStats().deadUnits unit for unit
  const perLayer = dead.map((l) => `${counts[l]} of ${units[l]} in layer ${l}`);
  const listed = perLayer.length > 1 ? `${perLayer.slice(0, -1).join(', ')} and ${perLayer.at(-1)}` : perLayer[0];
  const total = dead.length > 1 ? ` (${dead.reduce((n, l) => n + counts[l], 0)} of ${dead.reduce((n, l) => n + units[l], 0)})` : '';
  return {
    layers: dead,
    severity: worst > T.deadCritical ? 'critical' : 'warning',
    evidence: {
      deadFraction: share.map(fmt),
      deadUnits: counts,
      units,
      measuredOver: over,
      batchDeadFraction: c.deadNow.map(fmt),
      startDeadFraction: c.deadStart.map(fmt),
    },
    message: overEpoch
      ? `ReLU units that output 0 for every example of the last epoch: ${listed}${total}; they get no gradient and cannot recover.`
      : `ReLU units that output 0 for every example of a batch (median over the last ${c.w} steps): ${listed}; they get no gradient and cannot recover.`,
    remedy: 'Lower the learning rate (e.g. 10x). Leaky ReLU, ELU and SELU (with LeCun init) have no flat zero region, so no unit can die; but on their own they do not make a network learn at a learning rate that kills ReLUs (on the dead-ReLU preset they learn nothing or turn to NaN).',
  };
}

function saturation(c) {
  const { T, config, saturatedNow } = c;
  const squashing = (a) => a === 'sigmoid' || a === 'tanh';
  const saturated = range(c.nLayers).filter((l) => squashing(config.layers[l].activation) && saturatedNow[l] > T.saturatedFraction);
  if (!saturated.length) return null;
  const worst = saturated.reduce((m, l) => Math.max(m, saturatedNow[l]), 0);
  return {
    layers: saturated,
    severity: worst > T.saturatedCritical ? 'critical' : 'warning',
    evidence: { saturatedFraction: saturatedNow.map(fmt) },
    message: `${Math.round(100 * worst)}% of the outputs of ${layerList(saturated)} sit in the flat tails of the activation, where its derivative is nearly 0.`,
    remedy: 'Use a smaller initialization (Xavier), add batch norm before the activation (layer norm when batches are small), lower the learning rate, or switch to ReLU.',
  };
}

function overfitting(c) {
  const { T } = c;
  const { loss: trainLoss, valLoss } = c.epochs;
  // needs fit with validation data, every epoch
  if (valLoss.length < T.overfitMinEpochs || valLoss.length !== trainLoss.length) return null;
  let best = -1;
  for (let e = 0; e < valLoss.length; e++) if (Number.isFinite(valLoss[e]) && (best < 0 || valLoss[e] < valLoss[best])) best = e;
  const end = valLoss.length - 1;
  if (best < 0 || best === end) return null;
  const absRise = valLoss[end] - valLoss[best];
  const scale = Math.max(valLoss[best], T.overfitLossFloor);
  const rise = absRise / scale;
  const trainDrop = trainLoss[best] > 0 ? 1 - trainLoss[end] / trainLoss[best] : NaN;
  if (!(rise > T.overfitRise && absRise > T.overfitMinRise && trainDrop > T.overfitRise)) return null;
  const risen = valLoss[best] >= T.overfitLossFloor ? `${Math.round(100 * rise)}% above its best` : `${fmt(absRise)} above its best of ${fmt(valLoss[best])}`;
  return {
    layers: [],
    severity: rise > T.overfitCritical ? 'critical' : 'warning',
    evidence: {
      bestEpoch: best,
      bestValLoss: fmt(valLoss[best]),
      lastValLoss: fmt(valLoss[end]),
      trainLossAtBest: fmt(trainLoss[best]),
      lastTrainLoss: fmt(trainLoss[end]),
      gap: fmt(valLoss[end] - trainLoss[end]),
    },
    message: `Overfitting: validation loss is ${risen} (epoch ${best + 1}) while training loss fell another ${Math.round(100 * trainDrop)}%.`,
    remedy: 'Add dropout (0.2-0.5) or L2 weight decay (with Adam, AdamW decouples it), use more training data, a smaller network, or stop at the best epoch (fit\'s earlyStopping with restoreBest).',
  };
}

/**
 * One detector per kind of the catalogue (js/findings.js), in the order
 * findings are listed: [kind, detector]; a detector returns the finding
 * without its kind, or null.
 */
export const DETECTORS = Object.freeze([
  ['non-finite', nonFinite],
  ['exploding-gradients', exploding],
  ['vanishing-gradients', vanishing],
  ['dead-relu', deadRelu],
  ['saturation', saturation],
  ['overfitting', overfitting],
]);
if (DETECTORS.length !== FINDING_KINDS.length || !FINDING_KINDS.every((k) => DETECTORS.some(([kind]) => kind === k))) {
  throw new Error('diagnose: DETECTORS must cover the catalogue FINDING_KINDS one to one');
}

// --- inputs -------------------------------------------------------------------

export { INPUT_KINDS };

/**
 * Column statistics of inputs x (Float32Array, rows x `inputs`), one pass:
 * { rows, meanAbsMean (the columns' |mean| averaged), maxAbsMean, maxStd,
 * maxStdColumn, nonFinite (values that are NaN or infinite, left out of the
 * statistics), offCentre, unscaled } judged by THRESHOLDS.inputMean / inputStd.
 */
export function inputScale(x, inputs, thresholds) {
  const T = checkThresholds(thresholds, 'inputScale');
  integer('inputScale', 'inputs', inputs, 1, 0x7fffffff);
  const rows = rowsOf('inputScale', 'x', x, inputs);
  const sum = new Float64Array(inputs);
  const sq = new Float64Array(inputs);
  const n = new Float64Array(inputs);
  let nonFinite = 0;
  for (let i = 0, k = 0; i < rows; i++) {
    for (let j = 0; j < inputs; j++, k++) {
      const v = x[k];
      if (!Number.isFinite(v)) {
        nonFinite++;
        continue;
      }
      sum[j] += v;
      sq[j] += v * v;
      n[j]++;
    }
  }
  let absMeans = 0;
  let maxAbsMean = 0;
  let maxStd = 0;
  let maxStdColumn = 0;
  for (let j = 0; j < inputs; j++) {
    const mean = n[j] ? sum[j] / n[j] : 0;
    const std = n[j] ? Math.sqrt(Math.max(0, sq[j] / n[j] - mean * mean)) : 0;
    absMeans += Math.abs(mean);
    maxAbsMean = Math.max(maxAbsMean, Math.abs(mean));
    if (std > maxStd) {
      maxStd = std;
      maxStdColumn = j;
    }
  }
  const meanAbsMean = absMeans / inputs;
  return { rows, meanAbsMean, maxAbsMean, maxStd, maxStdColumn, nonFinite, offCentre: meanAbsMean > T.inputMean, unscaled: maxStd > T.inputStd };
}

/** "Standardize the inputs" at the head of the remedies that badly scaled inputs explain */
function inputAdvice(findings, scale) {
  if (!(scale.offCentre || scale.unscaled || scale.nonFinite)) return findings;
  const why = [
    scale.nonFinite ? `${scale.nonFinite} values are NaN or infinite` : null,
    scale.offCentre ? `the columns' means average ${fmt(scale.meanAbsMean)} (up to ${fmt(scale.maxAbsMean)}), not 0` : null,
    scale.unscaled ? `column ${scale.maxStdColumn} has std ${fmt(scale.maxStd)}, not about 1` : null,
  ].filter(Boolean);
  const evidence = { meanAbsMean: fmt(scale.meanAbsMean), maxAbsMean: fmt(scale.maxAbsMean), maxStd: fmt(scale.maxStd), maxStdColumn: scale.maxStdColumn, nonFinite: scale.nonFinite };
  return findings.map((f) =>
    INPUT_KINDS.includes(f.kind)
      ? {
          ...f,
          evidence: { ...f.evidence, inputScale: evidence },
          remedy: `Standardize the inputs (each column to mean 0 and std 1, with the training set's statistics${scale.nonFinite ? ', after removing or filling the NaN/infinite values' : ''}): ${why.join('; ')}. Then, if it persists: ${f.remedy}`,
        }
      : f,
  );
}

/** per target column mean and std (finite values only); the largest |mean| and std */
function targetScale(y, outputs, T) {
  const rows = y.length / outputs;
  let maxAbsMean = 0;
  let maxStd = 0;
  for (let j = 0; j < outputs; j++) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < rows; i++) {
      const v = y[i * outputs + j];
      if (!Number.isFinite(v)) continue;
      n++;
      sum += v;
      sq += v * v;
    }
    const mean = n ? sum / n : 0;
    maxAbsMean = Math.max(maxAbsMean, Math.abs(mean));
    maxStd = Math.max(maxStd, n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0);
  }
  return { maxAbsMean, maxStd, unscaled: maxStd > T.targetScale || maxAbsMean > T.targetScale };
}

/** "Scale the target" at the head of the remedies that a badly scaled regression target explains */
function targetAdvice(findings, scale) {
  if (!scale.unscaled) return findings;
  const evidence = { maxAbsMean: fmt(scale.maxAbsMean), maxStd: fmt(scale.maxStd) };
  const squared = fmt(scale.maxStd ** 2 + scale.maxAbsMean ** 2);
  return findings.map((f) =>
    INPUT_KINDS.includes(f.kind)
      ? {
          ...f,
          evidence: { ...f.evidence, targetScale: evidence },
          remedy: `Scale the target (to mean 0 and std 1 with the training set's statistics; undo it on the predictions): its std is ${fmt(scale.maxStd)} and |mean| ${fmt(scale.maxAbsMean)}, so the squared error starts near ${squared} and the gradients are that large, whatever the inputs. Then, if it persists: ${f.remedy}`,
        }
      : f,
  );
}

/**
 * @param net a Network that has trained (trainStep or fit)
 * @param thresholds overrides for THRESHOLDS (checked: unknown keys, ranges)
 * @param options { x }: the training inputs (Float32Array, rows x net.config.inputs); when
 *   they are far from centred or unscaled (THRESHOLDS.inputMean / inputStd), the findings
 *   badly scaled inputs cause (INPUT_KINDS) get evidence.inputScale and a remedy that
 *   starts with "Standardize the inputs"; { y }: the training targets (loss 'mse' only,
 *   Float32Array rows x outputs): when their std or |mean| is above THRESHOLDS.targetScale,
 *   those findings get evidence.targetScale and a remedy that starts with "Scale the target"
 * @returns findings: [{ kind, layers, severity: 'warning' | 'critical', evidence, message, remedy }]
 */
export function diagnose(net, thresholds, options) {
  const T = checkThresholds(thresholds);
  if (net === null || typeof net !== 'object' || typeof net.trainingRecord !== 'function') fail('diagnose', 'net', net, 'a Network');
  if (options !== undefined) {
    if (!isPlainObject(options)) fail('diagnose', 'options', options, 'an object { x?, y? }');
    checkKeys('diagnose', 'options', options, ['x', 'y']);
    if (options.x !== undefined) rowsOf('diagnose', 'options.x', options.x, net.config.inputs);
    if (options.y !== undefined) {
      if (net.config.loss !== 'mse') fail('diagnose', 'options.y', options.y, `absent for loss '${net.config.loss}' (the target's scale is read for regression, loss 'mse')`);
      if (!(options.y instanceof Float32Array)) fail('diagnose', 'options.y', options.y, 'a Float32Array of targets, rows x outputs');
      rowsOf('diagnose', 'options.y', options.y, net.config.layers.at(-1).units);
    }
  }
  const c = context(net, T);
  if (c.total === 0) return [];
  const findings = [];
  for (const [kind, detect] of DETECTORS) {
    const found = detect(c);
    if (found) findings.push({ kind, ...found });
  }
  if (!findings.length) return findings;
  // the target's advice leads when both apply: added last, it goes first
  const withInputs = options?.x !== undefined ? inputAdvice(findings, inputScale(options.x, net.config.inputs, T)) : findings;
  return options?.y !== undefined ? targetAdvice(withInputs, targetScale(options.y, net.config.layers.at(-1).units, T)) : withInputs;
}
