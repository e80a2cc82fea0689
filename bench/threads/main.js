// Threads, side by side in a cross-origin-isolated page (bench/browser.mjs serves it with
// COOP/COEP): gradscope's fit on 1 thread and on n threads (createNetwork's threads), and
// tfjs-wasm's threaded SIMD build (XNNPACK on n threads, picked in an isolated page), in
// interleaved rounds, all in one dedicated worker (worker.js says why). A page of its own
// because tfjs chooses its build once per page.
window.runThreads = (options) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onerror = (e) => reject(new Error(`bench/threads worker: ${e.message}`));
    worker.onmessage = ({ data }) => {
      if (data.status) document.getElementById('status').textContent = data.status;
      if (data.error) reject(new Error(data.error));
      if (data.records) {
        document.getElementById('status').textContent = 'done';
        worker.terminate();
        resolve(data.records);
      }
    };
    worker.postMessage(options);
  });
