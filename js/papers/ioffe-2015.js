// Ioffe & Szegedy 2015, "Batch Normalization": Figure 1. A 3×100 sigmoid net
// with and without batch norm: test accuracy over training steps (a), and the
// 15th/50th/85th percentiles of one last-hidden-layer unit's sigmoid input
// over training (b, c). Digits by default; given MNIST, the paper's own setup.
import { createNetwork } from '../network.js';
import { cardData, claim, classifier, dataNote, fmt, line, pct, repeat } from './common.js';
import { maxOf, minOf } from '../util.js';

const HIDDEN = 3;
const WIDTH = 100;
const BATCH = 60;
const UNIT = 0; // "one typical activation from the last hidden layer": the first unit, not picked
const DIGITS = { steps: 3000, every: 60 };
const DATA = { steps: 50000, every: 1000 };
const OPTIMIZER = { type: 'sgd', learningRate: 0.5 };
const INIT = { type: 'normal', std: 0.1 };
const PERCENTILES = [0.15, 0.5, 0.85];
const EARLY = 0.1; // "faster": accuracy after this share of the steps

export const meta = {
  title: 'Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift',
  authors: 'Sergey Ioffe, Christian Szegedy',
  year: 2015,
  venue: 'ICML 2015',
  figures: [
    { id: 'fig1a', caption: 'Fig 1(a): test accuracy over training steps, with and without batch normalization' },
    { id: 'fig1b', caption: 'Fig 1(b): without batch norm, the 15th, 50th and 85th percentiles of one last-hidden-layer unit\'s sigmoid input over training' },
    { id: 'fig1c', caption: 'Fig 1(c): the same unit\'s input percentiles with batch norm' },
  ],
  setup: {
    rows: [
      { item: 'data', paper: 'MNIST, 28×28 binary images', ours: 'digits (8×8, pixels scaled to [0, 1]; 1,437 train / 360 test); with data given (e.g. MNIST as CSV), that data as given' },
      { item: 'network', paper: `784-100-100-100-10, sigmoid, y = g(Wu + b), softmax + cross-entropy; BN added to each hidden layer`, ours: `inputs-${WIDTH}-${WIDTH}-${WIDTH}-10, sigmoid, softmax cross-entropy; batch norm (PyTorch's BatchNorm1d) before each hidden sigmoid` },
      { item: 'init', paper: '"small random Gaussian values" (std not stated)', ours: `N(0, ${INIT.std}²) weights, zero biases (a public reproduction's choice)` },
      { item: 'training', paper: `50,000 steps, ${BATCH} examples per mini-batch; optimizer and learning rate not stated`, ours: `plain SGD, learning rate ${OPTIMIZER.learningRate} (a public reproduction's choice), batch ${BATCH}; ${DIGITS.steps.toLocaleString('en')} steps on digits (${DATA.steps.toLocaleString('en')} with data given)` },
      { item: 'measured', paper: 'test accuracy; {15, 50, 85}th percentiles of a typical last-hidden-layer sigmoid input', ours: `every ${DIGITS.every} steps (${DATA.every} with data): test accuracy, and the percentiles over the test set of unit ${UNIT} of hidden layer ${HIDDEN}'s sigmoid input (net.probe: eval mode, batch norm with its running statistics)` },
    ],
    why: `Digits has 1,437 training images: ${DIGITS.steps.toLocaleString('en')} steps are 125 epochs of it, where 50,000 steps would be 2,000 epochs of memorizing. The paper gives no learning rate or init std, so the card takes a public reproduction's (SGD 0.5, std 0.1) rather than choosing its own.`,
    time: 'about 3–4 s in Node on digits (measured with seed 1 on a busy 2-core machine; a browser takes about 1–1.5× that)',
    timeWithData: 'MNIST (56,000 train rows at testRatio 0.2): the paper\'s 50,000 steps per network, about 2–4 minutes in all',
  },
};

export const total = ({ data }) => 2 * ((data ? DATA : DIGITS).steps / (data ? DATA : DIGITS).every);

export async function run(ctx) {
  const ds = await cardData(ctx);
  const plan = ctx.data ? DATA : DIGITS;
  const results = {};
  for (const bn of [false, true]) {
    const label = bn ? 'with batch norm' : 'without batch norm';
    const config = classifier(ds, repeat(HIDDEN, { units: WIDTH, activation: 'sigmoid', batchNorm: bn }), { init: INIT, optimizer: OPTIMIZER, seed: ctx.seed });
    const net = await createNetwork(config);
    const steps = [];
    const accuracy = [];
    const pcts = PERCENTILES.map(() => []);
    try {
      for (let done = 0; done < plan.steps; ) {
        const take = Math.min(plan.every, plan.steps - done);
        await net.fit(ds.train.x, ds.train.y, { epochs: 1e9, batchSize: BATCH, maxSteps: take, resume: true });
        done += take;
        steps.push(done);
        accuracy.push(net.evaluate(ds.test.x, ds.test.y).accuracy);
        const [unit] = net.probe(ds.test.x, ds.test.y, { units: [{ layer: HIDDEN - 1, unit: UNIT }] }).units;
        [unit.p15, unit.p50, unit.p85].forEach((v, i) => pcts[i].push(v));
        await ctx.advance(`${label}: step ${done.toLocaleString('en')} of ${plan.steps.toLocaleString('en')}`);
      }
    } finally {
      net.dispose();
    }
    results[bn ? 'bn' : 'plain'] = { steps, accuracy, pcts };
    ctx.addRun(label, config, { epochs: Math.ceil((plan.steps * BATCH) / (ds.train.x.length / ds.inputs)), batchSize: BATCH, steps: plan.steps }, [
      line('fig1a', label, steps, 'training step', accuracy, 'test accuracy'),
      ...PERCENTILES.map((q, i) => line(bn ? 'fig1c' : 'fig1b', `${Math.round(q * 100)}th percentile`, steps, 'training step', pcts[i], `sigmoid input of unit ${UNIT}, hidden layer ${HIDDEN}`)),
    ]);
  }
  return claims(ds, plan, results);
}

/** how far the percentiles move over training: the mean over the three of (max - min) after the first measurement */
function movement(pcts) {
  return pcts.reduce((s, p) => s + (maxOf(p) - minOf(p)), 0) / pcts.length;
}

function claims(ds, plan, { plain, bn }) {
  const last = (a) => a[a.length - 1];
  const early = Math.max(0, Math.round(EARLY * plain.steps.length) - 1);
  const out = [];
  out.push(
    claim(
      `Fig 1(a): the batch-normalized network ends with the higher test accuracy (after ${plan.steps.toLocaleString('en')} steps)`,
      { value: 'no number given: "the batch normalized network enjoys the higher test accuracy"', source: 'text', where: '§4.1 (Activations over time), Fig 1(a)' },
      `final test accuracy ${pct(last(bn.accuracy))} with batch norm vs ${pct(last(plain.accuracy))} without (${dataNote(ds)})`,
      last(bn.accuracy) > last(plain.accuracy),
      last(bn.accuracy) > last(plain.accuracy) ? undefined : 'on this seed the network without batch norm ends level or ahead; the paper draws the gap but gives no number',
    ),
  );
  out.push(
    claim(
      `Fig 1(a): it trains faster: after ${pct(EARLY)} of the steps (${plain.steps[early].toLocaleString('en')}) its test accuracy is higher`,
      { value: 'no number given: the batch-normalized curve rises sooner and stays above the other', source: 'figure', where: 'Fig 1(a)' },
      `test accuracy at step ${plain.steps[early].toLocaleString('en')}: ${pct(bn.accuracy[early])} with batch norm vs ${pct(plain.accuracy[early])} without`,
      bn.accuracy[early] > plain.accuracy[early],
    ),
  );
  const moveBn = movement(bn.pcts);
  const movePlain = movement(plain.pcts);
  out.push(
    claim(
      'Fig 1(b, c): with batch norm the unit\'s input distribution is more stable over training: its 15th/50th/85th percentiles move less (mean over the three of max − min)',
      { value: 'no number given: "the distributions in the batch-normalized network are much more stable as training progresses"', source: 'text', where: '§4.1, Fig 1(b, c)' },
      `percentile movement ${fmt(moveBn)} with batch norm vs ${fmt(movePlain)} without; median from ${fmt(bn.pcts[1][0])} to ${fmt(last(bn.pcts[1]))} with, from ${fmt(plain.pcts[1][0])} to ${fmt(last(plain.pcts[1]))} without`,
      moveBn < movePlain,
    ),
  );
  return out;
}
