// The benchmark workloads in a browser page: window.runWorkload({ name, seconds, runs })
// and window.runExtras({ seconds }) resolve to the records bench/run.mjs prints in Node.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { measureWorkload, peakGflops, stepCosts, workloadRecord } from '../impl.js';
import { WORKLOADS } from '../workloads.js';

// tfjs on its wasm backend, one thread, once for the page
const ready = (async () => {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  const tfjsSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const env = `browser (${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'unknown'})`;
  const { instance: peak } = await WebAssembly.instantiate(await (await fetch('/build/bench/peak.wasm')).arrayBuffer(), {});
  return { tfjsSimd, env, peak };
})();

/** one workload's rounds; the driver's gsNativeRate(name), when it exposes one, times the
 * native build in each round (outside the browser, as one more contender) */
window.runWorkload = async ({ name, seconds, runs }) => {
  const { tfjsSimd, env, peak } = await ready;
  const w = WORKLOADS.find((x) => x.name === name);
  document.getElementById('status').textContent = `running ${w.name}`;
  const native = typeof window.gsNativeRate === 'function' ? () => window.gsNativeRate(name) : undefined;
  const m = await measureWorkload(w, tf, tfl, { seconds, runs, peak: w.name === 'mnist' ? peak : undefined, native });
  return workloadRecord(w, env, m, tfjsSimd);
};

/** the step costs against batch size and parameter count, and the WASM SIMD ceiling in the browser */
window.runExtras = async ({ seconds }) => {
  const { peak } = await ready;
  document.getElementById('status').textContent = 'step costs';
  const records = await stepCosts(WORKLOADS.find((w) => w.name === 'mnist'), { seconds });
  records.push({ kind: 'peak', env: 'browser', probe: '16 independent f32x4 chains c = c*m + a', gflops: peakGflops(peak) });
  document.getElementById('status').textContent = 'done';
  return records;
};
