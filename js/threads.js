// The opt-in multi-threaded core's worker threads. gradscope_threads.wasm imports its
// memory; the core makes that memory shared, and each worker thread instantiates the
// same compiled module on it, sets its own stack and enters gs_pool_work, where it runs
// its rows of every large matrix product (src/parallel.c). The workers are started from
// source text (a blob URL in browsers, eval in Node), so no bundler has a file to find.
import { LIMITS } from './contract.js';
import { importNode } from './node-import.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** bytes of stack per worker thread: a GEMM part keeps 72 KB of packed panels on it */
const STACK_BYTES = 512 * 1024;

// The worker's whole program. It builds the same imports the loader does (memory, a no-op
// growth notice, stubs that throw for anything else), reports that it is in place, then
// stays in gs_pool_work until the pool stops.
const WORKER_SOURCE = `
const start = ({ module, memory, pool, index, stackTop }) => {
  const imports = {};
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    imports[mod] ??= {};
    if (kind === 'memory') imports[mod][name] = memory;
    else if (kind === 'function') imports[mod][name] = name === 'emscripten_notify_memory_growth' ? () => {} : () => { throw new Error('gradscope thread: unexpected import ' + mod + '.' + name); };
  }
  const e = new WebAssembly.Instance(module, imports).exports;
  e.stackRestore(stackTop);
  post({ started: index });
  post({ left: index, status: e.gs_pool_work(pool, index) });
};
`;

const BROWSER_WORKER = `${WORKER_SOURCE}
const post = (m) => postMessage(m);
onmessage = (event) => start(event.data);`;

// import(), not require: the eval'd source is a module when Node runs with --input-type=module
const NODE_WORKER = `${WORKER_SOURCE}
import('node:worker_threads').then(({ parentPort, workerData }) => {
  post = (m) => parentPort.postMessage(m);
  start(workerData);
});
let post;`;

/** why threads cannot run here, or null: shared memory needs SharedArrayBuffer (a cross-origin-isolated page) */
export function threadsUnavailable() {
  if (typeof SharedArrayBuffer === 'undefined' || (!isNode && globalThis.crossOriginIsolated === false)) {
    return 'SharedArrayBuffer is not available here: a page must be cross-origin isolated (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (!isNode && typeof Worker === 'undefined') return 'this environment has no Worker to run threads in';
  return null;
}

/**
 * The pool of a threaded core: one C pool for up to LIMITS.maxThreads - 1 workers,
 * whose threads start on demand. ensure(n) resolves once workers 1..n-1 are in their loop.
 */
export function createPool(core) {
  const e = core.exports;
  const capacity = LIMITS.maxThreads - 1;
  const pool = e.gs_pool_create(capacity);
  if (!pool) throw new Error('gradscope: the threaded core could not create its thread pool (out of memory)');
  const started = []; // index - 1 -> a promise that the worker is in gs_pool_work
  let failure = null;

  const spawn = async (index) => {
    const stack = e.malloc(STACK_BYTES);
    if (!stack) throw new Error(`gradscope: no memory for thread ${index}'s ${STACK_BYTES / 1024} KB stack`);
    const data = { module: core.module, memory: core.memory, pool, index, stackTop: ((stack >>> 0) + STACK_BYTES) & ~15 };
    await new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m?.started === index) resolve();
        else if (m?.left === index) failure ??= new Error(`gradscope: thread ${index} left its loop (status ${m.status})`);
      };
      const onError = (err) => {
        failure ??= new Error(`gradscope: thread ${index} failed: ${err?.message ?? err}`);
        reject(failure);
      };
      if (isNode) {
        importNode('node:worker_threads').then(({ Worker }) => {
          const worker = new Worker(NODE_WORKER, { eval: true, workerData: data });
          worker.unref(); // a waiting thread does not keep Node running
          // once: a standing 'message' listener would keep Node running despite unref
          worker.once('message', onMessage);
          worker.on('error', onError);
        }, onError);
      } else {
        const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
        const worker = new Worker(url);
        URL.revokeObjectURL(url);
        worker.onmessage = (event) => onMessage(event.data);
        worker.onerror = (event) => {
          event.preventDefault?.();
          onError(new Error(event.message || 'it could not start (check the CSP worker-src allows blob:)'));
        };
        worker.postMessage(data);
      }
    });
  };

  return {
    pool,
    capacity,
    /** workers 1..threads-1 started and in their loop */
    async ensure(threads) {
      if (failure) throw failure;
      for (let index = 1; index < threads; index++) started[index - 1] ??= spawn(index);
      await Promise.all(started.slice(0, threads - 1));
      // each worker posts just before gs_pool_work marks it in: wait for the marks
      for (let tries = 0; e.gs_pool_attached(pool) < threads - 1; tries++) {
        if (failure) throw failure;
        if (tries > 2000) throw new Error(`gradscope: ${threads - 1} threads started but only ${e.gs_pool_attached(pool)} entered their loop`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
  };
}
