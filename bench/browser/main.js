// The benchmark workloads in a browser page: window.runBench(seconds) resolves
// to the same records bench/run.mjs prints in Node.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

import { gradscopeRates, tfjsRate } from '../impl.js';
import { WORKLOADS, parameterCount } from '../workloads.js';

window.runBench = async (seconds) => {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  const tfjsSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const records = [];
  for (const w of WORKLOADS) {
    document.getElementById('status').textContent = `running ${w.name}`;
    const flopsPerStep = 6 * parameterCount(w) * w.batch;
    const g = await gradscopeRates(w, { seconds });
    const t = await tfjsRate(w, tf, tfl, { seconds });
    records.push({ kind: 'workload', env: `browser (${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? 'unknown'})`, workload: w.name, params: parameterCount(w), batch: w.batch, gradscopeFit: g.fit, gradscopeTrainStep: g.trainStep, tfjs: t, tfjsSimd, fitVsTfjs: g.fit / t, trainStepVsTfjs: g.trainStep / t, trainStepVsFit: g.trainStep / g.fit, gflopsFit: (g.fit * flopsPerStep) / 1e9, gflopsTfjs: (t * flopsPerStep) / 1e9 });
  }
  // the WASM SIMD ceiling in the browser too
  const bytes = await (await fetch('/build/bench/peak.wasm')).arrayBuffer();
  const { instance } = await WebAssembly.instantiate(bytes, {});
  instance.exports._initialize?.();
  let best = 0;
  for (let r = 0; r < 6; r++) {
    const n = 2e7;
    const t0 = performance.now();
    instance.exports.peak(n, 0.999, 0.001);
    best = Math.max(best, (n * 128) / ((performance.now() - t0) / 1000) / 1e9);
  }
  records.push({ kind: 'peak', env: 'browser', probe: '16 independent f32x4 chains c = c*m + a', gflops: best });
  document.getElementById('status').textContent = 'done';
  return records;
};
