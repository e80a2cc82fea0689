// The consumer app: trains in the page, then in a module worker, and puts both
// results (or the first error) on window.__result for the test to read.
import { createNetwork } from 'gradscope/worker';

import { train } from './train.js';

function inWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(`in the worker: ${data.error}`)) : resolve(data.result));
    worker.onerror = (e) => reject(new Error(`the worker failed to start: ${e.message || 'error event'}`));
  });
}

// gradscope/worker: ?worker=auto lets it start its own worker (the bundler must bundle
// it), ?worker=own passes the app's worker running gradscope/worker/host
async function workerApi(mode) {
  const options = mode === 'own' ? { worker: new Worker(new URL('./host.js', import.meta.url), { type: 'module' }) } : {};
  const net = await createNetwork({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1 }], loss: 'bce', optimizer: { type: 'adam', learningRate: 0.05 }, seed: 1 }, options);
  const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
  const y = new Float32Array([0, 1, 1, 0]);
  let epochs = 0;
  const history = await net.fit(x, y, { epochs: 300, batchSize: 4, onEpoch: () => epochs++ });
  const p = Array.from(await net.predict(x));
  const simd = net.simd;
  await net.dispose();
  options.worker?.terminate();
  return { mode, first: history.loss[0], last: history.loss.at(-1), epochs, p, simd };
}

(async () => {
  try {
    const page = await train('page');
    const worker = await inWorker();
    const api = await workerApi(new URLSearchParams(location.search).get('worker') ?? 'auto');
    window.__result = { page, worker, api };
  } catch (err) {
    window.__result = { error: String(err?.stack ?? err) };
  }
  document.getElementById('out').textContent = JSON.stringify(window.__result, null, 2);
})();
