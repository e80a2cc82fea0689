// diagnose(net): reads what a network recorded while training and names the
// failure cases of backpropagation it shows, with the numbers that triggered
// each finding and the usual remedy in plain words.
//
// Statistics are judged on a window of recent steps (the median over it, so a
// single odd batch does not decide), compared where needed with a window at
// the start of the record. The thresholds, and why:
export const THRESHOLDS = Object.freeze({
  // steps per window: long enough for a stable median, short enough to be "now"
  window: 20,
  // vanishing: a layer's gradient norm below 1% of the output layer's. In a
  // healthy net the ratio stays within about 0.1-10; in a 6-layer sigmoid net
  // it is about 1e-5 (sigmoid' <= 0.25 per layer).
  vanishingRatio: 1e-2,
  vanishingCritical: 1e-4,
  // exploding: gradient norms this large are far beyond what a step size of
  // 1e-3 .. 1e-1 can use; or norms that grew this many times during training;
  // or updates larger than half the weights themselves in one step.
  explodingNorm: 1e2,
  explodingGrowth: 1e2,
  explodingUpdateRatio: 0.5,
  // dead ReLU: more than half of a layer's units gave 0 for every example
  deadFraction: 0.5,
  deadCritical: 0.9,
  // saturation: more than half of a sigmoid/tanh layer's outputs in the flat tails
  saturatedFraction: 0.5,
  // overfitting: validation loss this much above its best while training loss
  // kept falling by at least as much since that epoch. 25%, and 0.02 nats at
  // least: the validation loss of a few hundred examples wobbles by about 10%.
  overfitRise: 0.25,
  overfitMinRise: 0.02,
  overfitMinEpochs: 5,
});

const median = (values) => {
  const v = Array.from(values).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

const fmt = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)));

function layerList(layers) {
  return layers.length === 1 ? `layer ${layers[0]}` : `layers ${layers.join(', ')}`;
}

/**
 * @param net a Network that has trained (trainStep or fit)
 * @returns findings: [{ kind, layers, severity: 'warning' | 'critical', evidence, message, remedy }]
 */
export function diagnose(net, thresholds = {}) {
  const T = { ...THRESHOLDS, ...thresholds };
  const config = net.config;
  const { steps, epochs } = net.trainingRecord();
  const total = steps.loss.length;
  const findings = [];
  if (total === 0) return findings;
  const nLayers = config.layers.length;
  const last = nLayers - 1;
  const w = Math.min(T.window, total);
  const recent = (series) => series.subarray(total - w);
  const early = (series) => series.subarray(0, w);

  // --- non-finite values: steps that were skipped ---------------------------
  const badLayers = [];
  let badSteps = 0;
  let firstBad = -1;
  for (let s = 0; s < total; s++) {
    let bad = !Number.isFinite(steps.loss[s]);
    steps.layers.forEach((layer, l) => {
      if (layer.nonFinite[s]) {
        bad = true;
        if (!badLayers.includes(l)) badLayers.push(l);
      }
    });
    if (bad) {
      badSteps++;
      if (firstBad < 0) firstBad = s;
    }
  }
  if (badSteps > 0) {
    findings.push({
      kind: 'non-finite',
      layers: badLayers.sort((a, b) => a - b),
      severity: 'critical',
      evidence: { skippedSteps: badSteps, firstStep: firstBad, steps: total },
      message: `${badSteps} of ${total} steps produced NaN or Infinity${badLayers.length ? ` (in ${layerList(badLayers)})` : ' (in the loss)'}; those updates were skipped.`,
      remedy: 'Lower the learning rate, turn on gradient clipping (clipNorm), or add batch norm; check the inputs for NaN or huge values.',
    });
  }

  // recent medians per layer
  const finite = (series) => Array.from(series).filter(Number.isFinite);
  const gradNow = steps.layers.map((layer) => median(finite(recent(layer.gradNorm))));
  const gradStart = steps.layers.map((layer) => median(finite(early(layer.gradNorm))));
  const updateNow = steps.layers.map((layer) => median(finite(recent(layer.updateRatio))));

  // --- exploding gradients --------------------------------------------------
  {
    const big = [];
    const grown = [];
    const jumpy = [];
    gradNow.forEach((g, l) => {
      if (g > T.explodingNorm) big.push(l);
      if (total >= 2 * w && gradStart[l] > 0 && g / gradStart[l] > T.explodingGrowth && g > 1) grown.push(l);
      if (updateNow[l] > T.explodingUpdateRatio) jumpy.push(l);
    });
    // gradients that blew up to non-finite values also count, when norms had grown first
    const blewUp = badSteps > 0 && steps.layers.some((layer) => {
      const before = finite(layer.gradNorm.subarray(0, Math.max(1, firstBad)));
      return before.length > 0 && Math.max(...before) > T.explodingNorm;
    });
    const layers = [...new Set([...big, ...grown, ...jumpy])].sort((a, b) => a - b);
    if (layers.length || blewUp) {
      const maxNorm = Math.max(...steps.layers.map((layer) => Math.max(0, ...finite(layer.gradNorm))));
      findings.push({
        kind: 'exploding-gradients',
        layers: layers.length ? layers : badLayers,
        severity: blewUp || maxNorm > T.explodingNorm * 100 ? 'critical' : 'warning',
        evidence: {
          recentGradNorm: gradNow.map(fmt),
          startGradNorm: gradStart.map(fmt),
          maxGradNorm: fmt(maxNorm),
          recentUpdateRatio: updateNow.map(fmt),
        },
        message: `Gradient norms are exploding in ${layerList(layers.length ? layers : badLayers)}: up to ${fmt(maxNorm)}${grown.length ? `, ${fmt(Math.max(...grown.map((l) => gradNow[l] / gradStart[l])))}x their size at the start` : ''}${jumpy.length ? `; single updates change weights by ${fmt(Math.max(...jumpy.map((l) => updateNow[l])))} of their norm` : ''}.`,
        remedy: 'Add batch norm, lower the learning rate (e.g. 10x), and clip the gradient norm (clipNorm 1); an init scaled to the fan-in (He or Xavier) also helps.',
      });
    }
  }

  // --- vanishing gradients --------------------------------------------------
  // dropout 1.0 zeroes a layer's output: every weight gradient at or below the
  // next layer is exactly 0
  const blockedBy = config.layers.reduce((found, layer, l) => (layer.dropout >= 1 ? l : found), -1);
  if (blockedBy >= 0) {
    const layers = Array.from({ length: Math.min(blockedBy + 2, nLayers) }, (_, l) => l);
    findings.push({
      kind: 'vanishing-gradients',
      layers,
      severity: 'critical',
      evidence: { dropout: config.layers[blockedBy].dropout, dropoutLayer: blockedBy, recentGradNorm: gradNow.map(fmt) },
      message: `No gradient reaches ${layerList(layers)}: dropout ${config.layers[blockedBy].dropout} on layer ${blockedBy} outputs only zeros, so nothing below it (and no weight above it) can learn.`,
      remedy: 'Use a dropout rate below 1 (0.1-0.5 is usual); at 1.0 the network learns nothing but the output bias.',
    });
  } else if (nLayers >= 3) {
    // judged at the start and now: a converged network's tiny gradients are not vanishing
    const lowIn = (norms) => norms.slice(0, last).flatMap((g, l) => (norms[last] > 0 && g < T.vanishingRatio * norms[last] ? [l] : []));
    const lowNow = lowIn(gradNow);
    const lowStart = new Set(lowIn(gradStart));
    const low = lowNow.filter((l) => lowStart.has(l));
    if (low.length) {
      const ratio = gradNow[low[0]] / gradNow[last];
      findings.push({
        kind: 'vanishing-gradients',
        layers: low,
        severity: ratio < T.vanishingCritical ? 'critical' : 'warning',
        evidence: {
          ratios: gradNow.map((g) => fmt(g / gradNow[last])),
          startRatios: gradStart.map((g) => fmt(g / gradStart[last])),
          recentGradNorm: gradNow.map(fmt),
        },
        message: `Gradients vanish on the way down: ${layerList(low)} get${low.length === 1 ? 's' : ''} ${fmt(ratio)} of the output layer's gradient norm, so ${low.length === 1 ? 'it barely moves' : 'they barely move'}.`,
        remedy: 'Use ReLU (or leaky ReLU) instead of sigmoid/tanh with He init, add batch norm, or make the network shallower.',
      });
    }
  }

  // --- dead ReLU units --------------------------------------------------------
  {
    const dead = [];
    const fractions = steps.layers.map((layer) => median(recent(layer.deadFraction)));
    config.layers.forEach((layer, l) => {
      if (layer.activation === 'relu' && layer.dropout < 1 && fractions[l] > T.deadFraction) dead.push(l);
    });
    if (dead.length) {
      const worst = Math.max(...dead.map((l) => fractions[l]));
      findings.push({
        kind: 'dead-relu',
        layers: dead,
        severity: worst > T.deadCritical ? 'critical' : 'warning',
        evidence: { deadFraction: fractions.map(fmt), startDeadFraction: steps.layers.map((layer) => fmt(median(early(layer.deadFraction)))) },
        message: `${Math.round(100 * worst)}% of the ReLU units in ${layerList(dead)} output 0 for every example; they get no gradient and cannot recover.`,
        remedy: 'Lower the learning rate, use leaky ReLU, and initialize with He init (batch norm also keeps units alive).',
      });
    }
  }

  // --- saturation --------------------------------------------------------------
  {
    const fractions = steps.layers.map((layer) => median(recent(layer.saturatedFraction)));
    const saturated = [];
    config.layers.forEach((layer, l) => {
      if ((layer.activation === 'sigmoid' || layer.activation === 'tanh') && fractions[l] > T.saturatedFraction) saturated.push(l);
    });
    if (saturated.length) {
      const worst = Math.max(...saturated.map((l) => fractions[l]));
      findings.push({
        kind: 'saturation',
        layers: saturated,
        severity: worst > 0.9 ? 'critical' : 'warning',
        evidence: { saturatedFraction: fractions.map(fmt) },
        message: `${Math.round(100 * worst)}% of the outputs of ${layerList(saturated)} sit in the flat tails of the activation, where its derivative is nearly 0.`,
        remedy: 'Use a smaller initialization (Xavier), add batch norm before the activation, lower the learning rate, or switch to ReLU.',
      });
    }
  }

  // --- overfitting (needs fit with validation) --------------------------------
  const { loss: trainLoss, valLoss } = epochs;
  if (valLoss.length >= T.overfitMinEpochs && valLoss.length === trainLoss.length) {
    let best = 0;
    valLoss.forEach((v, e) => {
      if (v < valLoss[best]) best = e;
    });
    const end = valLoss.length - 1;
    const rise = valLoss[end] / valLoss[best] - 1;
    const trainDrop = 1 - trainLoss[end] / trainLoss[best];
    const risen = rise > T.overfitRise && valLoss[end] - valLoss[best] > T.overfitMinRise;
    if (best < end && risen && trainDrop > T.overfitRise) {
      findings.push({
        kind: 'overfitting',
        layers: [],
        severity: rise > 0.5 ? 'critical' : 'warning',
        evidence: {
          bestEpoch: best,
          bestValLoss: fmt(valLoss[best]),
          lastValLoss: fmt(valLoss[end]),
          trainLossAtBest: fmt(trainLoss[best]),
          lastTrainLoss: fmt(trainLoss[end]),
          gap: fmt(valLoss[end] - trainLoss[end]),
        },
        message: `Overfitting: validation loss is ${Math.round(100 * rise)}% above its best (epoch ${best + 1}) while training loss fell another ${Math.round(100 * trainDrop)}%.`,
        remedy: 'Add dropout (0.2-0.5) or L2 weight decay, use more training data, a smaller network, or stop at the best epoch.',
      });
    }
  }
  return findings;
}
