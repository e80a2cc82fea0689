// Run by tests/js/relaxed.test.js in a Node that has relaxed SIMD (Node 20: with
// --experimental-wasm-relaxed-simd): the four bench workloads' networks on the SIMD and the
// relaxed-SIMD core, same seed and data. Prints one JSON line: per workload the gradient
// difference at the first step, the losses of every step and the train loss before and after.
import { WORKLOADS, gradscopeConfig, syntheticData } from '../../bench/workloads.js';
import { createNetwork } from '../../js/index.js';

const STEPS = Number(process.argv[2] ?? 30);
const BATCHES = 4; // the same 4 batches again and again, so the loss must fall

/** ||a - b|| / ||b|| over every layer's weight and bias */
function relDiff(a, b) {
  let num = 0;
  let den = 0;
  a.layers.forEach((layer, l) => {
    for (const key of ['weight', 'bias']) {
      const x = layer[key];
      const y = b.layers[l][key];
      for (let i = 0; i < x.length; i++) {
        num += (x[i] - y[i]) ** 2;
        den += y[i] ** 2;
      }
    }
  });
  return Math.sqrt(num / den);
}

const out = {};
for (const w of WORKLOADS) {
  const rows = w.batch * BATCHES;
  const { x, y } = syntheticData(w, rows);
  const runs = {};
  for (const kind of ['simd', 'relaxed']) {
    const net = await createNetwork(gradscopeConfig(w), kind === 'relaxed' ? { relaxed: true } : { simd: true });
    const batch = (b) => [x.subarray(b * w.batch * w.inputs, (b + 1) * w.batch * w.inputs), y.subarray(b * w.batch * (w.loss === 'softmax-ce' ? 1 : w.outputs), (b + 1) * w.batch * (w.loss === 'softmax-ce' ? 1 : w.outputs))];
    const grads = net.computeGradients(...batch(0));
    const before = net.evaluate(x, y).loss;
    const losses = [];
    for (let s = 0; s < STEPS; s++) losses.push(net.trainStep(...batch(s % BATCHES)).loss);
    const after = net.evaluate(x, y).loss;
    runs[kind] = { simd: net.simd, relaxed: net.relaxed, grads, before, after, losses, params: net.getParameters() };
    net.dispose();
  }
  const { simd, relaxed } = runs;
  let worstStepLoss = 0;
  simd.losses.forEach((l, i) => (worstStepLoss = Math.max(worstStepLoss, Math.abs(relaxed.losses[i] - l) / Math.abs(l))));
  out[w.name] = {
    cores: { simd: [simd.simd, simd.relaxed], relaxed: [relaxed.simd, relaxed.relaxed] },
    firstGradient: relDiff(relaxed.grads, simd.grads),
    firstLossSame: relaxed.grads.loss === simd.grads.loss,
    worstStepLoss,
    finalParameters: relDiff({ layers: relaxed.params }, { layers: simd.params }),
    identical: relaxed.losses.every((l, i) => l === simd.losses[i]),
    before: { simd: simd.before, relaxed: relaxed.before },
    after: { simd: simd.after, relaxed: relaxed.after },
  };
}
console.log(JSON.stringify(out));
