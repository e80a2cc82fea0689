// The benchmark workloads in a browser page: window.runBench({ seconds, runs })
// resolves to the same records bench/run.mjs prints in Node.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { measureWorkload, peakGflops, stepCosts, workloadRecord } from '../impl.js';
import { WORKLOADS } from '../workloads.js';

window.runBench = async ({ seconds, runs }) => {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  const tfjsSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const env = `browser (${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'unknown'})`;
  const { instance: peak } = await WebAssembly.instantiate(await (await fetch('/build/bench/peak.wasm')).arrayBuffer(), {});
  const records = [];
  for (const w of WORKLOADS) {
    document.getElementById('status').textContent = `running ${w.name}`;
    const m = await measureWorkload(w, tf, tfl, { seconds, runs, peak: w.name === 'mnist' ? peak : undefined });
    records.push(workloadRecord(w, env, m, tfjsSimd));
  }
  document.getElementById('status').textContent = 'step costs';
  records.push(...(await stepCosts(WORKLOADS.find((w) => w.name === 'mnist'), { seconds })));
  // the WASM SIMD ceiling in the browser too
  records.push({ kind: 'peak', env: 'browser', probe: '16 independent f32x4 chains c = c*m + a', gflops: peakGflops(peak) });
  document.getElementById('status').textContent = 'done';
  return records;
};
