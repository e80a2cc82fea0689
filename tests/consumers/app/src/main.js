// The consumer app: trains in the page, then in a module worker, and puts both
// results (or the first error) on window.__result for the test to read.
import { train } from './train.js';

function inWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(`in the worker: ${data.error}`)) : resolve(data.result));
    worker.onerror = (e) => reject(new Error(`the worker failed to start: ${e.message || 'error event'}`));
  });
}

(async () => {
  try {
    const page = await train('page');
    const worker = await inWorker();
    window.__result = { page, worker };
  } catch (err) {
    window.__result = { error: String(err?.stack ?? err) };
  }
  document.getElementById('out').textContent = JSON.stringify(window.__result, null, 2);
})();
