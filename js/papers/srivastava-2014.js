// Srivastava, Hinton, Krizhevsky, Sutskever, Salakhutdinov 2014, "Dropout":
// Fig 9 (test and training error against the retention probability p, with
// the number of units n fixed and with pn fixed) and Fig 8 (per-unit mean
// activation of an autoencoder's ReLU layer with and without dropout).
// On digits only the underfitting branch (small p) and p = 0.5 against no
// dropout; the whole figure when MNIST (or any classification set) is given.
import { createNetwork } from '../network.js';
import { bars, cardData, claim, classifier, dataNote, firstRows, histogram, line, meanStd, pct, fmt, trainCurve, unmeasured } from './common.js';
import { maxOf, minOf } from '../util.js';

// the paper: n = 2048 in each of 3 hidden layers; pn = 256, 256, 512. Ours: 1/8 of both.
const N_FIXED = 256;
const PN_FIXED = [32, 32, 64];
const DIGITS_P = [0.1, 0.2, 0.5, 1];
const DATA_P = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const DIGITS_FIT = { epochs: 15, batchSize: 32 };
const DATA_FIT = { epochs: 5, batchSize: 100 };
// Appendix B.1's MNIST training: momentum 0.95, max-norm c = 2 (no input dropout in Fig 9)
const OPTIMIZER = { type: 'sgd', learningRate: 0.01, momentum: 0.9, maxNorm: 2 };
const AE = { units: 256, epochs: 20, dataEpochs: 5, batchSize: 32, optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 }, probeRows: 300 };

export const meta = {
  title: 'Dropout: A Simple Way to Prevent Neural Networks from Overfitting',
  authors: 'Nitish Srivastava, Geoffrey Hinton, Alex Krizhevsky, Ilya Sutskever, Ruslan Salakhutdinov',
  year: 2014,
  venue: 'Journal of Machine Learning Research 15',
  figures: [
    { id: 'fig9a', caption: 'Fig 9(a): test and training error against the retention probability p with n fixed (every hidden layer the same width)' },
    { id: 'fig9b', caption: 'Fig 9(b): test and training error against p with pn fixed (the expected number of kept units the same at every p)' },
    { id: 'fig9a-curves', caption: 'Test error over training of each network of Fig 9(a) (n fixed), one line per p' },
    { id: 'fig9b-curves', caption: 'Test error over training of each network of Fig 9(b) (pn fixed), one line per p' },
    { id: 'fig8', caption: 'Fig 8(b): histogram of the per-unit mean activation of an autoencoder\'s 256 ReLU units on test images, without and with dropout (p = 0.5)' },
    { id: 'fig8-activations', caption: 'Fig 8(a): histogram of the hidden activations (all units × test images), without and with dropout' },
  ],
  setup: {
    rows: [
      { item: 'data', paper: 'MNIST (60,000 train / 10,000 test, 28×28)', ours: 'digits (8×8, 1,437 train / 360 test) by default; MNIST as CSV when given (reproduce\'s data, the CLI\'s --csv)' },
      { item: 'Fig 9 network', paper: '784-2048-2048-2048-10; p = retention probability of the hidden units; no input dropout; units not named in §7.3', ours: `inputs-n-n-n-10 ReLU; n fixed = ${N_FIXED}; pn fixed = ${PN_FIXED.join(', ')} (both 1/8 of the paper's 2048 and 256, 256, 512); dropout = 1 − p on each hidden layer, none on the input` },
      { item: 'Fig 9 training', paper: 'not given in §7.3; Appendix B.1 (MNIST): momentum 0.95, max-norm c = 2', ours: `SGD, learning rate ${OPTIMIZER.learningRate}, momentum ${OPTIMIZER.momentum}, max-norm ${OPTIMIZER.maxNorm}; He init with the weights that read a dropped-out layer scaled by √p (see why); digits: ${DIGITS_FIT.epochs} epochs at batch ${DIGITS_FIT.batchSize}; data given: ${DATA_FIT.epochs} epochs at batch ${DATA_FIT.batchSize}` },
      { item: 'Fig 9 grid', paper: 'p from 0.1 to 1.0 on both branches', ours: `digits: p = ${DIGITS_P.join(', ')} (the underfitting branch and p = 0.5 against no dropout); data given: p = ${DATA_P.join(', ')}` },
      { item: 'Fig 8', paper: 'autoencoder 784-256-784, ReLU hidden units, without and with dropout p = 0.5; per-unit mean activation on a test mini-batch', ours: `autoencoder inputs-${AE.units}-inputs (ReLU, mse on the pixels), without and with dropout 0.5, SGD ${AE.optimizer.learningRate} momentum ${AE.optimizer.momentum}, ${AE.epochs} epochs (${AE.dataEpochs} with data given); per-unit means over ${AE.probeRows} test images (net.probe, eval mode)` },
    ],
    why: 'A 3×2048 grid of 20 networks on MNIST takes hours; at 1/8 of the widths it takes seconds on digits and minutes on MNIST. The paper scales weights by p at test time; gradscope\'s inverted dropout scales kept units by 1/p in training instead, which multiplies the forward variance by 1/p per dropped-out layer: with plain He init, p = 0.1 starts with logits near 30 and never trains. Scaling the He-drawn weights that read a dropped-out layer by √p keeps He\'s forward variance at every p (a first try with momentum 0.95 and learning rate 0.05 left even p = 0.5 untrained). On digits, with 1,437 training images and a short budget, the regularizing half of Fig 9 (0.4 ≤ p ≤ 0.8 beating p = 1) need not show; the card says so when it does not, rather than tuning until it does.',
    time: 'about 9–11 s in Node on digits (measured with seed 1 on a busy 2-core machine; a browser takes about 1–1.5× that)',
    timeWithData: `MNIST (56,000 train rows at testRatio 0.2): ${DATA_P.length * 2} networks of ${DATA_FIT.epochs} epochs and two autoencoders of ${AE.dataEpochs}, about 15–25 minutes`,
  },
};

export const total = ({ data }) => 2 * (data ? DATA_P.length * DATA_FIT.epochs : DIGITS_P.length * DIGITS_FIT.epochs) + 2 * (data ? AE.dataEpochs : AE.epochs);

/** He's forward variance under inverted dropout: weights reading a dropped-out layer (all but the first) × √p */
function keepVariance(net, p) {
  if (p === 1) return;
  const params = net.getParameters();
  for (let l = 1; l < params.length; l++) params[l].weight = params[l].weight.map((w) => w * Math.sqrt(p));
  net.setParameters(params);
}

const figureOf = (branch) => (branch === 'n' ? 'fig9a' : 'fig9b');

/** the share of rows the network gets wrong */
const errorOf = (net, split) => 1 - net.evaluate(split.x, split.y).accuracy;

export async function run(ctx) {
  const ds = await cardData(ctx);
  const grid = ctx.data ? DATA_P : DIGITS_P;
  const fit = ctx.data ? DATA_FIT : DIGITS_FIT;
  const fig9 = { n: [], pn: [] };
  for (const branch of ['n', 'pn']) {
    for (const p of grid) {
      const widths = branch === 'n' ? PN_FIXED.map(() => N_FIXED) : PN_FIXED.map((pn) => Math.round(pn / p));
      const hidden = widths.map((units) => ({ units, activation: 'relu', dropout: Number((1 - p).toFixed(10)) }));
      const config = classifier(ds, hidden, { init: 'he', optimizer: OPTIMIZER, seed: ctx.seed });
      const label = `${branch === 'n' ? 'n fixed' : 'pn fixed'}, p = ${p} (${widths.join('-')})`;
      const { net, accuracy } = await trainCurve(ctx, ds, config, { ...fit, label, prepare: (n) => keepVariance(n, p) });
      try {
        fig9[branch].push({ p, widths, test: errorOf(net, ds.test), train: errorOf(net, ds.train) });
      } finally {
        net.dispose();
      }
      ctx.addRun(label, config, fit, [line(`${figureOf(branch)}-curves`, `p = ${p}`, accuracy.map((_, e) => e + 1), 'epoch', accuracy.map((a) => 1 - a), 'test error')]);
    }
    const rows = fig9[branch];
    const figure = figureOf(branch);
    // the figure's two curves ride on the branch's last run
    ctx.runs[ctx.runs.length - 1].series.push(
      line(figure, 'test error', rows.map((r) => r.p), 'probability of retaining a unit (p)', rows.map((r) => r.test), 'classification error'),
      line(figure, 'training error', rows.map((r) => r.p), 'probability of retaining a unit (p)', rows.map((r) => r.train), 'classification error'),
    );
  }

  // Fig 8: an autoencoder's hidden units without and with dropout
  const probe = firstRows(ds.test, ds.inputs, AE.probeRows);
  const fig8 = {};
  const aeEpochs = ctx.data ? AE.dataEpochs : AE.epochs;
  for (const dropout of [0, 0.5]) {
    const label = dropout ? 'autoencoder with dropout (p = 0.5)' : 'autoencoder without dropout';
    const config = { inputs: ds.inputs, layers: [{ units: AE.units, activation: 'relu', dropout }, { units: ds.inputs }], loss: 'mse', init: 'he', optimizer: AE.optimizer, seed: ctx.seed };
    const net = await createNetwork(config);
    try {
      await net.fit(ds.train.x, ds.train.x, {
        epochs: aeEpochs,
        batchSize: AE.batchSize,
        signal: ctx.signal,
        onEpoch: ({ epoch }) => ctx.advance(`${label}: epoch ${epoch + 1} of ${aeEpochs}`),
      });
      ctx.check();
      const result = net.probe(probe.x, probe.x);
      const unitMean = Array.from(result.layers[0].unitMean);
      const h = net.layerOutputs(probe.x)[0];
      let zeros = 0;
      for (const v of h) zeros += v === 0;
      fig8[dropout ? 'with' : 'without'] = { unitMean, h, mean: meanStd(unitMean).mean, zeroShare: zeros / h.length, loss: net.evaluate(probe.x, probe.x).loss };
      ctx.addRun(label, config, { epochs: aeEpochs, batchSize: AE.batchSize }, []);
    } finally {
      net.dispose();
    }
  }
  // both histograms on the same bins: up to the larger run's highest unit mean, and 99th percentile activation
  const runs = ctx.runs.slice(-2);
  const ae = [fig8.without, fig8.with];
  const meanTop = maxOf(ae.map((r) => maxOf(r.unitMean))) || 1;
  const actTop = maxOf(ae.map((r) => quantile99(r.h))) || 1;
  ae.forEach((r, i) => {
    runs[i].series.push(bars('fig8', runs[i].label, histogram(r.unitMean, 0, meanTop, 40), 'mean activation of a unit'), bars('fig8-activations', runs[i].label, histogram(r.h, 0, actTop, 40), 'activation (the top 1% of values beyond the last bin)'));
    delete r.h;
  });
  return claims(ds, fig9, fig8);
}

function quantile99(values) {
  const v = Float64Array.from(values).sort();
  return v[Math.floor(0.99 * (v.length - 1))];
}

const at = (rows, p) => rows.find((r) => r.p === p);

function claims(ds, fig9, fig8) {
  const out = [];
  const given = ds.name !== 'digits';
  const n1 = at(fig9.n, 0.1);
  const n5 = at(fig9.n, 0.5);
  const n10 = at(fig9.n, 1);
  const pn1 = at(fig9.pn, 0.1);
  out.push(
    claim(
      'Fig 9(a), n fixed: a small p underfits: at p = 0.1 the training error is high too (above 2× its value at p = 0.5, and above 5%)',
      { value: 'for small p "the training error is also high" (underfitting)', source: 'text', where: '§7.3, Fig 9(a)' },
      `training error at p = 0.1: ${pct(n1.train)}; at p = 0.5: ${pct(n5.train)} (test ${pct(n1.test)} and ${pct(n5.test)}; ${dataNote(ds)})`,
      n1.train > 2 * n5.train && n1.train > 0.05,
    ),
  );
  out.push(
    claim(
      'Fig 9(b): keeping pn fixed helps most at small p: at p = 0.1 the test error is lower with pn fixed than with n fixed',
      { value: '"For p = 0.1 it fell from 2.7% to 1.7%" (test error, n fixed → pn fixed)', source: 'text', where: '§7.3, Fig 9(b)' },
      `test error at p = 0.1: ${pct(n1.test)} with n fixed (${n1.widths.join('-')}) → ${pct(pn1.test)} with pn fixed (${pn1.widths.join('-')})`,
      pn1.test < n1.test,
      pn1.test < n1.test
        ? undefined
        : `not on this seed: at p = 0.1 both networks are still far from trained after ${(given ? DATA_FIT : DIGITS_FIT).epochs} epochs (test error ${pct(n1.test)} and ${pct(pn1.test)}), so which one is lower varies with the seed; the paper's reached 2.7% and 1.7%`,
    ),
  );
  const beats = n5.test < n10.test;
  out.push(
    claim(
      'Fig 9(a): dropout regularizes: at p = 0.5 the test error is below no dropout\'s (p = 1)',
      { value: 'test error "becomes flat when 0.4 ≤ p ≤ 0.8 and then increases as p becomes close to 1"', source: 'text', where: '§7.3, Fig 9(a)' },
      `test error at p = 0.5: ${pct(n5.test)}; at p = 1 (no dropout): ${pct(n10.test)}`,
      beats,
      beats
        ? undefined
        : given
          ? `not on the data given at this budget (${DATA_FIT.epochs} epochs, widths 1/8 of the paper's)`
          : `not on digits on this seed in ${DIGITS_FIT.epochs} epochs: with 1,437 training images and ${N_FIXED}-unit layers the network without dropout overfits little, so dropout's noise need not pay (360 test images: one image is 0.28 points); the paper's 3×2048 nets trained far longer on 60,000 MNIST images`,
    ),
  );
  const mnistNeeds = 'needs MNIST (or another large classification set) given as data: reproduce(\'srivastava-2014\', { data }) or gradscope paper srivastava-2014 --csv mnist.csv; runs the whole p grid, minutes';
  if (given) {
    const mid = fig9.n.filter((r) => r.p >= 0.4 && r.p <= 0.8).map((r) => r.test);
    const spread = maxOf(mid) - minOf(mid);
    const best = fig9.pn.reduce((a, r) => (r.test < a.test ? r : a));
    out.push(
      claim(
        'Fig 9(a): the test error is flat for 0.4 ≤ p ≤ 0.8 (within 0.5 points) and rises as p nears 1 (p = 1 above the flat part\'s best)',
        { value: '"becomes flat when 0.4 ≤ p ≤ 0.8 and then increases as p becomes close to 1"', source: 'text', where: '§7.3, Fig 9(a)' },
        `test error for 0.4 ≤ p ≤ 0.8: ${mid.map(pct).join(', ')} (spread ${(100 * spread).toFixed(2)} points); p = 1: ${pct(n10.test)}`,
        spread <= 0.005 && n10.test > minOf(mid),
      ),
    );
    out.push(
      claim(
        'Fig 9(b): with pn fixed the best p is near 0.6 (between 0.4 and 0.8)',
        { value: '"values of p that are close to 0.6 seem to perform best"', source: 'text', where: '§7.3, Fig 9(b)' },
        `lowest test error with pn fixed at p = ${best.p} (${pct(best.test)})`,
        best.p >= 0.4 && best.p <= 0.8,
      ),
    );
  } else {
    out.push(unmeasured('Fig 9(a): the test error is flat for 0.4 ≤ p ≤ 0.8 and rises as p nears 1', { value: '"becomes flat when 0.4 ≤ p ≤ 0.8 and then increases as p becomes close to 1"', source: 'text', where: '§7.3, Fig 9(a)' }, mnistNeeds));
    out.push(unmeasured('Fig 9(b): with pn fixed the best p is near 0.6', { value: '"values of p that are close to 0.6 seem to perform best"', source: 'text', where: '§7.3, Fig 9(b)' }, mnistNeeds));
  }
  const { with: w, without: wo } = fig8;
  out.push(
    claim(
      'Fig 8: dropout lowers the hidden units\' mean activation (mean over units of each unit\'s mean on test images)',
      { value: 'mean activation "about 2.0" without dropout, "about 0.7" with', source: 'text', where: '§7.2, Fig 8(b)' },
      `${fmt(wo.mean)} without dropout, ${fmt(w.mean)} with (ratio ${fmt(w.mean / wo.mean)}; the paper's 0.35); reconstruction mse ${fmt(wo.loss)} vs ${fmt(w.loss)}`,
      w.mean < wo.mean,
    ),
  );
  out.push(
    claim(
      'Fig 8: with dropout the activations are sparser: a larger share of them is exactly 0',
      { value: 'no number: with dropout the activations\' histogram has a "sharp peak at zero"', source: 'text', where: '§7.2, Fig 8(a)' },
      `share of activations at 0: ${pct(wo.zeroShare)} without dropout, ${pct(w.zeroShare)} with`,
      w.zeroShare > wo.zeroShare,
    ),
  );
  return out;
}
