// He, Zhang, Ren, Sun 2015, "Delving deep into rectifiers": the variance
// derivation (§2.2) measured at initialization, and Figs 2/3 (a deep ReLU net
// with N(0, 1/n), the paper's "Xavier", against N(0, 2/n), "ours") scaled to
// fully connected ReLU nets on digits.
import { createNetwork } from '../network.js';
import { cardData, claim, classifier, firstReach, firstRows, fmt, line, meanStd, pct, repeat, trainCurve, dataNote } from './common.js';
import { maxOf, minOf } from '../util.js';

const DEPTHS = [14, 30];
const WIDTH = 100;
const EPOCHS = 15;
const BATCH = 32;
const PROBE_ROWS = 300;
const INITS = [
  { init: 'he', label: 'He: N(0, 2/n)' },
  { init: 'lecun', label: '"Xavier": N(0, 1/n)' },
];
const OPTIMIZER = { type: 'sgd', learningRate: 0.01, momentum: 0.9, weightDecay: 0.0005 };

export const meta = {
  title: 'Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification',
  authors: 'Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun',
  year: 2015,
  venue: 'ICCV 2015',
  figures: [
    { id: 'variance', caption: 'The derivation live (§2.2, eqs. 7–10): the std of each ReLU layer\'s output at initialization over 30 layers, N(0, 1/n) against N(0, 2/n), with the derived 1/√2 per layer' },
    { id: 'gradients', caption: 'Weight-gradient norm per layer at initialization, 30 layers: with N(0, 1/n) "its gradients are all diminishing" (§2.3)' },
    { id: 'fig2', caption: 'Fig 2, scaled: test error over training of a 14-layer ReLU net (the paper: a 22-layer model); both converge, N(0, 2/n) starts reducing error earlier' },
    { id: 'fig3', caption: 'Fig 3, scaled: test error over training of a 30-layer ReLU net; N(0, 1/n) stalls, N(0, 2/n) trains' },
    { id: 'fig2-loss', caption: 'Training loss per epoch of the 14-layer nets' },
    { id: 'fig3-loss', caption: 'Training loss per epoch of the 30-layer nets: N(0, 1/n) stays at ln 10' },
  ],
  setup: {
    rows: [
      { item: 'data', paper: 'ImageNet 2012 (1.28M images, 1000 classes), 224×224 crops', ours: 'digits (8×8 images, 10 classes, 1,437 train / 360 test), each pixel standardized by the training set' },
      { item: 'networks', paper: 'Fig 2: 22-layer model B (conv); Fig 3: 30 layers (27 conv + 3 fc)', ours: `fully connected ReLU: ${DEPTHS.join(' and ')} hidden layers of ${WIDTH} units, softmax output` },
      { item: 'inits compared', paper: '"Xavier" as the paper states it: N(0, 1/n_l) (n_l·Var[w] = 1); "ours": N(0, 2/n_l); biases 0', ours: "'lecun' = N(0, 1/fan_in) and 'he' = N(0, 2/fan_in), biases 0, the same draws scaled" },
      { item: 'training', paper: 'SGD, momentum 0.9, batch 128, weight decay 5e-4, lr 1e-2 → 1e-3 …, dropout 50% in two fc layers', ours: `SGD, momentum 0.9, batch ${BATCH}, weight decay 5e-4, lr 0.01 constant, no dropout, ${EPOCHS} epochs (${Math.ceil(1437 / BATCH)} steps each)` },
      { item: 'measured', paper: 'top-1 error of 3,000 validation images over epochs 0–3 (Fig 2) and 0–9 (Fig 3)', ours: `test error (360 images) after every epoch; at initialization, layer statistics on ${PROBE_ROWS} test images` },
    ],
    why: 'ImageNet-scale conv nets are out of a browser\'s reach; the derivation is about depth, not convolution (n = k²c for conv, the fan-in here), so plain fully connected ReLU nets of the same depths show the same mechanism in seconds. Batch 32 instead of 128 gives digits\' small training set more steps per epoch.',
    time: 'about 6–9 s in Node on digits (measured with seed 1 on a busy 2-core machine; a browser takes about 1–1.5× that)',
    timeWithData: 'scales with the rows given: about 40× digits\' time per epoch on MNIST (60,000 rows), several minutes',
  },
};

export const total = () => 2 + DEPTHS.length * INITS.length * EPOCHS;

const stdOf = (values) => meanStd(values).std;

export async function run(ctx) {
  const ds = await cardData(ctx, { standardize: true });
  const probe = firstRows(ds.test, ds.inputs, PROBE_ROWS);
  const at = {};

  // the derivation at initialization: 30 layers, each init
  const deep = DEPTHS[DEPTHS.length - 1];
  for (const { init, label } of INITS) {
    const config = classifier(ds, repeat(deep, { units: WIDTH, activation: 'relu' }), { init, optimizer: OPTIMIZER, seed: ctx.seed });
    const net = await createNetwork(config);
    try {
      const stds = net.layerOutputs(probe.x).map(stdOf);
      net.computeGradients(probe.x, probe.y);
      const grads = net.layerStats().map((s) => s.gradNorm);
      at[init] = { stds, grads };
      const layers = stds.map((_, l) => l + 1);
      ctx.addRun(`${label}, ${deep} layers, at initialization`, config, null, [
        line('variance', `${label}: measured`, layers, 'layer', stds, 'std of the layer\'s output', 'log'),
        line('gradients', label, grads.map((_, l) => l + 1), 'layer (31 = output)', grads, 'weight-gradient L2 norm', 'log'),
      ]);
    } finally {
      net.dispose();
    }
    await ctx.advance(`${label}: statistics at initialization`);
  }
  // eq. 9: each layer with n·Var[w] = 1 halves Var[y] against He's ½·n·Var[w] = 1
  const derived = at.he.stds.map((s, l) => s * 2 ** (-(l + 1) / 2));
  ctx.runs[1].series.push(line('variance', '"Xavier": derived, He × 1/√2^L', derived.map((_, l) => l + 1), 'layer', derived, 'std of the layer\'s output', 'log'));

  // Figs 2/3: training at 14 and 30 layers
  const curves = {};
  for (const depth of DEPTHS) {
    for (const { init, label } of INITS) {
      const config = classifier(ds, repeat(depth, { units: WIDTH, activation: 'relu' }), { init, optimizer: OPTIMIZER, seed: ctx.seed });
      const fit = { epochs: EPOCHS, batchSize: BATCH };
      const name = `${label}, ${depth} layers`;
      const { net, accuracy, loss } = await trainCurve(ctx, ds, config, { ...fit, label: name });
      net.dispose();
      curves[`${init}${depth}`] = { accuracy, loss };
      const epochs = accuracy.map((_, e) => e + 1);
      ctx.addRun(name, config, fit, [
        line(depth === DEPTHS[0] ? 'fig2' : 'fig3', label, epochs, 'epoch', accuracy.map((a) => 1 - a), 'test error'),
        line(depth === DEPTHS[0] ? 'fig2-loss' : 'fig3-loss', label, epochs, 'epoch', loss, 'training loss (mean over the epoch)', 'log'),
      ]);
    }
  }
  return claims(ds, at, curves, deep);
}

function claims(ds, at, curves, deep) {
  const L = deep;
  const chance = 1 / ds.outputs;
  const out = [];
  // eq. 9 forward: 1/√2^L of He's std after L layers
  const ratio = at.lecun.stds[L - 1] / at.he.stds[L - 1];
  const expected = 2 ** (-L / 2);
  out.push(
    claim(
      `With N(0, 1/n) the std after L = ${L} ReLU layers is 1/√2^L of He's`,
      { value: '1/√2^L of our derived std', source: 'text', where: '§2.2, comparison with "Xavier" init' },
      `std ratio at layer ${L}: ${fmt(ratio)}; 1/√2^${L} = ${fmt(expected)} (${dataNote(ds)}, ${PROBE_ROWS} test rows)`,
      Math.abs(Math.log(ratio / expected)) < Math.log(1.1),
    ),
  );
  // eq. 8 per layer: ½·n·Var[w]·Var[y_{l-1}] -> a factor 1 per layer with He, 1/√2 in std with N(0, 1/n)
  const perLayer = (stds) => (stds[L - 1] / stds[0]) ** (1 / (L - 1));
  const he = perLayer(at.he.stds);
  const lecun = perLayer(at.lecun.stds);
  out.push(
    claim(
      `With N(0, 2/n) (½·n·Var[w] = 1) each layer keeps the std: the factor per layer (geometric mean over layers 2–${L}) is within [0.9, 1.1], where N(0, 1/n) gives 1/√2 ≈ 0.707 of that`,
      { value: '½·n_l·Var[w_l] = 1 for every layer: the product of eq. 9 neither reduces nor magnifies the signal exponentially', source: 'text', where: '§2.2, eqs. 8–10' },
      `std factor per layer with N(0, 2/n): ${fmt(he)} (layer ${L} / layer 1: ${fmt(at.he.stds[L - 1] / at.he.stds[0])}); with N(0, 1/n): ${fmt(lecun)}`,
      he >= 0.9 && he <= 1.1,
      'Var[y_l] = Var[y_{l-1}] holds in expectation; at width 100 each layer\'s own draw moves the std by a few percent and the moves compound, so layer 30 / layer 1 itself lands anywhere from about 0.2 to 2.',
    ),
  );
  // gradients at initialization
  const gradRatios = at.lecun.grads.map((g, l) => g / at.he.grads[l]);
  const worst = maxOf(gradRatios);
  out.push(
    claim(
      `At ${L} layers with N(0, 1/n) the gradients are all diminishing: every layer's weight-gradient norm is below 1% of He's`,
      { value: '"we also verify that its gradients are all diminishing"', source: 'text', where: '§2.3, discussion of Fig 3' },
      `largest per-layer ratio N(0, 1/n) / N(0, 2/n): ${fmt(worst)} (smallest ${fmt(minOf(gradRatios))})`,
      worst < 0.01,
    ),
  );
  // Fig 3: stalls vs trains
  const x30 = curves[`lecun${L}`];
  const h30 = curves[`he${L}`];
  const stallBest = maxOf(x30.accuracy);
  const lnC = Math.log(ds.outputs);
  out.push(
    claim(
      `${L} layers, N(0, 1/n) completely stalls: test accuracy stays at chance (≤ ${pct(chance + 0.05)}) and the training loss at ln ${ds.outputs} through ${EPOCHS} epochs`,
      { value: '"the \'Xavier\' init … completely stalls … It does not converge even given more epochs"', source: 'text', where: '§2.3, Fig 3 (30-layer model)' },
      `best test accuracy ${pct(stallBest)}; last-epoch loss ${fmt(x30.loss[x30.loss.length - 1])} (ln ${ds.outputs} = ${fmt(lnC)})`,
      stallBest <= chance + 0.05 && Math.abs(x30.loss[x30.loss.length - 1] - lnC) < 0.01 * lnC,
    ),
  );
  const trainsBest = maxOf(h30.accuracy);
  const trainsFinal = h30.accuracy[h30.accuracy.length - 1];
  const diverged = h30.loss.findIndex((v) => !Number.isFinite(v));
  out.push(
    claim(
      `${L} layers, N(0, 2/n) trains: the test error falls far below chance (accuracy reaches 3× chance, ${pct(3 * chance)}, within ${EPOCHS} epochs)`,
      { value: 'no number: in Fig 3 the error with "ours" falls over epochs 0–9 while "Xavier" stalls', source: 'figure', where: 'Fig 3 (30-layer model)' },
      `best test accuracy ${pct(trainsBest)}, final ${pct(trainsFinal)}`,
      trainsBest >= 3 * chance,
      trainsFinal < trainsBest - 0.1
        ? `on this seed the run later turned unstable (final ${pct(trainsFinal)}${diverged >= 0 ? `; from epoch ${diverged + 1} its loss is not finite and every step is skipped` : ''}): a plain ${L}-layer ReLU net at a constant learning rate 0.01 with momentum 0.9 (the paper lowers the rate when the error plateaus)`
        : undefined,
    ),
  );
  const h14 = curves[`he${DEPTHS[0]}`];
  const x14 = curves[`lecun${DEPTHS[0]}`];
  const last = (c) => c.accuracy[c.accuracy.length - 1];
  out.push(
    claim(
      `Going deeper does not help: the ${L}-layer net ends worse than the ${DEPTHS[0]}-layer one (both N(0, 2/n))`,
      { value: '30 layers: 38.56/16.59 top-1/top-5 error, against 33.82/13.34 for the 14-layer model', source: 'text', where: '§2.3 (ImageNet, single model)' },
      `final test error ${pct(1 - last(h30))} (${L} layers) vs ${pct(1 - last(h14))} (${DEPTHS[0]} layers)`,
      last(h30) < last(h14),
    ),
  );
  // Fig 2: both converge; He starts earlier
  const reachHe = firstReach(h14.accuracy, 0.5);
  const reachX = firstReach(x14.accuracy, 0.5);
  const epochText = (e) => (e === null ? 'never' : `epoch ${e + 1}`);
  out.push(
    claim(
      `${DEPTHS[0]} layers: both converge (final test accuracy ≥ 80%), but N(0, 2/n) starts reducing the error earlier (reaches 50% accuracy at an earlier epoch)`,
      { value: '"Both … lead to convergence, but ours starts reducing error earlier"', source: 'figure', where: 'Fig 2 (22-layer model B)' },
      `final test accuracy ${pct(last(h14))} vs ${pct(last(x14))}; 50% accuracy reached at ${epochText(reachHe)} vs ${epochText(reachX)}`,
      last(h14) >= 0.8 && last(x14) >= 0.8 && reachHe !== null && (reachX === null || reachHe < reachX),
    ),
  );
  const gap = last(h14) - last(x14);
  out.push(
    claim(
      `${DEPTHS[0]} layers: no clear superiority at the end: final test accuracies within 3 points`,
      { value: '33.90/13.44 ("Xavier") vs 33.82/13.34 (ours) top-1/top-5 error: "no clear superiority"', source: 'text', where: '§2.3 (14-layer model)' },
      `final test accuracy ${pct(last(h14))} vs ${pct(last(x14))} (difference ${(100 * gap).toFixed(1)} points)`,
      Math.abs(gap) <= 0.03,
      Math.abs(gap) > 0.03 ? `N(0, 1/n) starts late and ${EPOCHS} epochs do not let it catch up on this seed; the paper trained both to convergence` : undefined,
    ),
  );
  return out;
}
