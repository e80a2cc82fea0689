// The worker side of gradscope/worker: holds networks by id and answers the
// requests of protocol.js. Runs as a module Web Worker or a Node worker thread.
// Started by gradscope/worker itself, or by a worker script of your own that
// imports 'gradscope/worker/host' (for bundlers that do not bundle workers
// found in dependencies).
import { diagnose } from '../diagnose.js';
import { importNode } from '../loader.js';
import { createNetwork, loadNetwork } from '../network.js';
import { toPyTorch } from '../pytorch.js';
import { METHODS, OP, VERSION, endpoint, errorData, ownCopies, transferables } from './protocol.js';

const inWebWorker = typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope;

async function port() {
  const { parentPort } = await importNode('node:worker_threads');
  if (!parentPort) throw new Error('gradscope/worker/host: not running in a worker; start it with gradscope/worker');
  return endpoint(parentPort);
}

/** answers requests on `ep` (exported for tests: any { post, listen } pair works) */
export function serve(ep) {
  const networks = new Map(); // id -> Network
  const fits = new Map(); // request id -> { controller, net, resume } of a running fit (resume: ends the wait after an epoch)
  const reply = (id, result) => {
    try {
      ep.post({ id, result }, transferables(result));
    } catch (err) {
      ep.post({ id, error: errorData(err) });
    }
  };
  const get = (id) => {
    const net = networks.get(id);
    if (!net) throw new Error('gradscope/worker: this network was disposed; create a new one');
    return net;
  };
  async function handle(m) {
    switch (m.op) {
      case OP.create:
      case OP.load: {
        const net = m.op === OP.create ? await createNetwork(m.config, m.options) : await loadNetwork(m.json, m.options);
        networks.set(m.net, net);
        return { version: VERSION, config: net.config, inputs: net.inputs, outputs: net.outputs, simd: net.simd, relaxed: net.relaxed, threads: net.threads };
      }
      case OP.dispose:
        networks.get(m.net)?.dispose();
        networks.delete(m.net);
        // a fit of this network waiting after an epoch goes on, finds it disposed and says so
        for (const fit of fits.values()) if (fit.net === m.net) fit.resume?.();
        return null;
      case OP.abort:
        fits.get(m.target)?.controller.abort(m.reason ?? 'aborted');
        return null;
      case OP.epoch: {
        const fit = fits.get(m.target);
        if (fit && m.stop) fit.controller.abort('aborted');
        fit?.resume?.();
        return null;
      }
      case OP.call: {
        const net = get(m.net);
        if (!METHODS.includes(m.method)) throw new Error(`gradscope/worker: unknown method ${JSON.stringify(m.method)}`);
        if (m.method === 'diagnose') return diagnose(net, ...m.args);
        if (m.method === 'learningRate') return net.learningRate;
        if (m.method === 'toPyTorch') return toPyTorch(net);
        if (typeof net[m.method] !== 'function') throw new Error(`gradscope/worker: this version of gradscope has no ${m.method}()`);
        if (m.method !== 'fit') return ownResult(net[m.method](...m.args));
        const [x, y, options = {}] = m.args;
        const controller = new AbortController();
        const fit = { controller, net: m.net, resume: null };
        fits.set(m.id, fit);
        if (m.aborted) controller.abort('aborted');
        try {
          const fitOptions = { ...options, signal: controller.signal };
          // lockstep: after each epoch, wait for the caller's go-ahead (OP.epoch), which
          // says whether onEpoch or the caller's signal stopped the fit
          if (m.lockstep) {
            fitOptions.onEpoch = (info) =>
              new Promise((resolve) => {
                fit.resume = () => {
                  fit.resume = null;
                  resolve();
                };
                ep.post({ id: m.id, progress: m.progress ? info : { epoch: info.epoch } });
              });
          } else if (m.progress) {
            fitOptions.onEpoch = (info) => ep.post({ id: m.id, progress: info });
          }
          return await net.fit(x, y, fitOptions);
        } finally {
          fits.delete(m.id);
        }
      }
      default:
        throw new Error(`gradscope/worker: unknown request ${JSON.stringify(m.op)}`);
    }
  }
  // results that are live views or shared objects are copied before they are transferred away
  const ownResult = (r) => (r && typeof r.then === 'function' ? r.then(ownCopies) : ownCopies(r));
  ep.listen((m) => {
    if (!m || typeof m !== 'object' || m.id === undefined) return;
    Promise.resolve()
      .then(() => handle(m))
      .then(
        (result) => reply(m.id, result),
        (err) => ep.post({ id: m.id, error: errorData(err) }),
      );
  });
}

// no top-level await: bundlers build workers as classic scripts (Vite's default is iife)
if (inWebWorker) {
  serve(endpoint(globalThis));
} else if (typeof process !== 'undefined' && process.versions?.node) {
  port().then(serve, () => {}); // in Node's main thread (imported for serve()): nothing to answer
}
