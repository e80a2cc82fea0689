// The four bench workloads' networks on the SIMD and the relaxed-SIMD core, same seed and
// data: per workload the gradient difference at the first step, the step losses and the
// train loss before and after. Run by tests/js/relaxed.test.js in a Node that has relaxed
// SIMD (Node 20: with --experimental-wasm-relaxed-simd; prints one JSON line), and imported
// by tests/browser/relaxed.test.js in chromium (browser-safe: no Node imports).
import { WORKLOADS, gradscopeConfig, syntheticData } from '../../bench/workloads.js';
import { createNetwork } from '../../js/index.js';

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

/** steps: training steps per core and workload; coreOptions: how to load each core */
export async function parity(steps = 30, coreOptions = { simd: { simd: true }, relaxed: { relaxed: true } }) {
  const out = {};
  for (const w of WORKLOADS) {
    const rows = w.batch * BATCHES;
    const { x, y } = syntheticData(w, rows);
    const runs = {};
    for (const kind of ['simd', 'relaxed']) {
      const net = await createNetwork(gradscopeConfig(w), coreOptions[kind]);
      const batch = (b) => [x.subarray(b * w.batch * w.inputs, (b + 1) * w.batch * w.inputs), y.subarray(b * w.batch * (w.loss === 'softmax-ce' ? 1 : w.outputs), (b + 1) * w.batch * (w.loss === 'softmax-ce' ? 1 : w.outputs))];
      const grads = net.computeGradients(...batch(0));
      const before = net.evaluate(x, y).loss;
      const losses = [];
      for (let s = 0; s < steps; s++) losses.push(net.trainStep(...batch(s % BATCHES)).loss);
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
  return out;
}

// Observed on x86-64 with FMA (V8 fuses relaxed_madd), Node 20 and chromium 156: first
// gradients 1.6e-7..3.2e-7, step losses <= 1.2e-7, parameters after 30 steps <= 3.5e-8
// (relative). 1e-5 leaves ~30x room for other machines while still catching a wrong kernel
// (a dropped or swapped operand is O(1)).
export const TOLERANCE = 1e-5;

/** asserts parity()'s result (assert: node:assert/strict); returns the worst relative difference */
export function checkParity(out, assert) {
  const TOL = TOLERANCE;
  assert.deepEqual(Object.keys(out), ['playground', 'digits', 'mnist', 'deepsigmoid']);
  for (const [name, r] of Object.entries(out)) {
    assert.deepEqual(r.cores, { simd: [true, false], relaxed: [true, true] }, `${name}: cores`);
    assert.ok(r.firstGradient <= TOL, `${name}: first gradients differ by ${r.firstGradient} relative; expected <= ${TOL}`);
    assert.ok(r.worstStepLoss <= TOL, `${name}: step losses differ by up to ${r.worstStepLoss} relative; expected <= ${TOL}`);
    assert.ok(r.finalParameters <= TOL, `${name}: parameters after the steps differ by ${r.finalParameters} relative; expected <= ${TOL}`);
    assert.ok(r.after.relaxed < r.before.relaxed, `${name}: the relaxed core's train loss did not fall (${r.before.relaxed} -> ${r.after.relaxed})`);
    assert.ok(Math.abs(r.after.relaxed - r.after.simd) <= TOL * Math.abs(r.after.simd), `${name}: final train loss ${r.after.relaxed} vs SIMD ${r.after.simd}`);
  }
  let worst = 0;
  for (const r of Object.values(out)) worst = Math.max(worst, r.firstGradient, r.worstStepLoss, r.finalParameters);
  const differing = Object.values(out).filter((r) => !r.identical).length;
  return `${differing} of 4 workloads not bit-identical to the SIMD build (0 is possible on a machine without FMA); worst relative difference ${worst.toExponential(2)}`;
}

if (typeof process !== 'undefined' && process.argv?.[1] && import.meta.url.endsWith(process.argv[1])) {
  console.log(JSON.stringify(await parity(Number(process.argv[2] ?? 30))));
}
