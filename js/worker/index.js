// gradscope/worker: a network that trains in a Web Worker (or a Node worker
// thread) behind the same API as gradscope's, made async: every method returns a
// promise, fit reports progress through onEpoch and stops on an AbortSignal. The
// main thread stays free while C trains. Talks the protocol of protocol.js to
// host.js. Inputs are copied once and the copies transferred; results (predictions,
// histories, parameters) come back as transferred buffers.
import { importNode } from '../loader.js';
import { OP, endpoint, errorFrom, ownArguments, transferables } from './protocol.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const here = () => import.meta.url;

/** a worker running host.js: a module Web Worker in browsers, a worker thread in Node */
async function startWorker() {
  if (!isNode && typeof Worker !== 'undefined') {
    // Vite 6/7's dev pre-bundler moves this module to node_modules/.vite/deps, where the
    // worker below cannot be served: start the package's own host.js instead
    const self = here();
    if (/\/node_modules\/\.vite\/deps\//.test(self)) {
      return new Worker(new URL(self.replace(/\/node_modules\/\.vite\/deps\/.*$/, '/node_modules/gradscope/js/worker/host.js')), { type: 'module' });
    }
    // literal, so bundlers that bundle workers (Vite, webpack 5) find and bundle it
    return new Worker(new URL('./host.js', import.meta.url), { type: 'module' });
  }
  if (!isNode) throw new Error('gradscope/worker: this environment has no Worker; pass options.worker');
  const { Worker: NodeWorker } = await importNode('node:worker_threads');
  return new NodeWorker(new URL('./host.js', here()));
}

/** one connection per worker: request ids, pending calls, failure of the worker itself */
class Connection {
  #ep;
  #worker;
  #next = 1;
  #pending = new Map(); // id -> { resolve, reject, progress, what }
  #dead = null; // the error that ended the worker
  #nodeRef;
  #ending = false;
  owned;
  users = 0;

  constructor(worker, owned) {
    this.#worker = worker;
    this.owned = owned;
    this.#ep = endpoint(worker);
    this.#ep.listen((m) => this.#receive(m));
    const fail = (why) => {
      this.#dead = new Error(`gradscope/worker: the worker ${why}`);
      for (const p of this.#pending.values()) p.reject(this.#dead);
      this.#pending.clear();
    };
    if (typeof worker.on === 'function' && typeof worker.addEventListener !== 'function') {
      worker.on('error', (err) => fail(`failed: ${err?.message ?? err}`));
      worker.on('exit', (code) => fail(`exited (code ${code})`));
      // an idle worker thread does not keep Node running
      // (an ending worker stays ref'd until it has exited: see terminate)
      this.#nodeRef = (on) => (on || this.#ending ? worker.ref() : worker.unref());
      this.#nodeRef(false);
    } else {
      worker.addEventListener('error', (e) => {
        e.preventDefault?.();
        fail(`failed: ${e.message || 'it could not start (check that its script is served, and the CSP worker-src)'}`);
      });
      worker.addEventListener('messageerror', () => fail('sent a message that could not be read'));
    }
  }

  #receive(m) {
    const p = m && this.#pending.get(m.id);
    if (!p) return;
    if ('progress' in m) {
      p.progress?.(m.progress);
      return;
    }
    this.#pending.delete(m.id);
    if (this.#pending.size === 0) this.#nodeRef?.(false);
    if (m.error) p.reject(errorFrom(m.error));
    else p.resolve(m.result);
  }

  /** sends a request; resolves with its result. `progress` receives progress messages */
  request(message, { progress, transfer = [] } = {}) {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, progress, what: message.method ?? message.op });
      this.#nodeRef?.(true);
      try {
        this.#ep.post({ ...message, id }, transfer);
      } catch (err) {
        this.#pending.delete(id);
        reject(err);
      }
    }).finally(() => {
      if (this.#pending.size === 0) this.#nodeRef?.(false);
    });
  }

  /** the id the next request will get (for abort messages naming a fit) */
  get nextId() {
    return this.#next;
  }

  /**
   * Ends the worker. What is still pending is rejected first with `reason(what)` (what:
   * the method or request), so it does not wait for an answer that cannot come. A Node
   * worker is ref'd while it ends: unref'd, its exit would not keep Node running and
   * the returned promise would never settle.
   */
  terminate(reason = () => new Error('gradscope/worker: the worker was terminated')) {
    this.#dead ??= new Error('gradscope/worker: the worker was terminated');
    for (const p of this.#pending.values()) p.reject(reason(p.what));
    this.#pending.clear();
    this.#ending = true;
    this.#nodeRef?.(true);
    return this.#worker.terminate();
  }
}

let nextNetwork = 1;

/** A network in a worker: the Network API, async. Use createNetwork() / loadNetwork() of gradscope/worker. */
export class WorkerNetwork {
  #conn;
  #id;
  #info;
  #disposed = false;

  constructor(conn, id, info) {
    this.#conn = conn;
    this.#id = id;
    this.#info = info;
  }
  /** the validated configuration with defaults filled in (a copy) */
  get config() {
    return structuredClone(this.#info.config);
  }
  get inputs() {
    return this.#info.inputs;
  }
  get outputs() {
    return this.#info.outputs;
  }
  /** true when the worker runs the SIMD build of the core */
  get simd() {
    return this.#info.simd;
  }
  get relaxed() {
    return this.#info.relaxed;
  }
  get threads() {
    return this.#info.threads;
  }

  #call(method, args, extra) {
    if (this.#disposed) return Promise.reject(new Error(`${method}: this network was disposed; create a new one`));
    let sent;
    try {
      sent = ownArguments(method, args);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#conn.request({ op: OP.call, net: this.#id, method, args: sent, ...extra?.message }, { transfer: transferables(sent), progress: extra?.progress });
  }

  trainStep(x, y) {
    return this.#call('trainStep', [x, y]);
  }
  computeGradients(x, y) {
    return this.#call('computeGradients', [x, y]);
  }
  predict(x) {
    return this.#call('predict', [x]);
  }
  evaluate(x, y) {
    return this.#call('evaluate', [x, y]);
  }
  /**
   * Trains in the worker → the history, as Network.fit. With onEpoch or a signal the
   * worker waits after each epoch until onEpoch (and a promise it returns) is done, so an
   * abort, from onEpoch or elsewhere, stops training at the same step as Network.fit does
   * (history.aborted true), and onEpoch is not called once the signal has fired.
   */
  async fit(x, y, options = {}) {
    const { onEpoch, signal, ...rest } = options ?? {};
    if (onEpoch !== undefined && typeof onEpoch !== 'function') throw new Error(`fit: options.onEpoch is ${typeof onEpoch}; expected a function`);
    if (signal !== undefined && typeof signal?.aborted !== 'boolean') throw new Error('fit: options.signal is not an AbortSignal');
    const id = this.#conn.nextId;
    const abort = () => this.#conn.request({ op: OP.abort, target: id }).catch(() => {});
    signal?.addEventListener('abort', abort, { once: true });
    // an error thrown by onEpoch stops training and rejects fit, as Network.fit does
    let thrown = null;
    const lockstep = !!onEpoch || !!signal;
    const progress = lockstep
      ? async (info) => {
          try {
            if (onEpoch && !thrown && !signal?.aborted) await onEpoch(info);
          } catch (err) {
            thrown = err;
          }
          this.#conn.request({ op: OP.epoch, target: id, stop: !!thrown || !!signal?.aborted }).catch(() => {});
        }
      : undefined;
    try {
      const history = await this.#call('fit', [x, y, rest], { message: { progress: !!onEpoch, lockstep, aborted: !!signal?.aborted }, progress });
      if (thrown) throw thrown;
      return history;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }
  layerStats() {
    return this.#call('layerStats', []);
  }
  layerHistograms() {
    return this.#call('layerHistograms', []);
  }
  unitActivity(x) {
    return this.#call('unitActivity', [x]);
  }
  /** net.layerOutputs(x) in the worker: each hidden layer's output gets a buffer of its own */
  layerOutputs(x) {
    return this.#call('layerOutputs', [x]);
  }
  /** net.probe(x, y, options) in the worker */
  probe(x, y, options) {
    return this.#call('probe', options === undefined ? [x, y] : [x, y, options]);
  }
  trainingRecord() {
    return this.#call('trainingRecord', []);
  }
  resetRecord() {
    return this.#call('resetRecord', []);
  }
  getParameters() {
    return this.#call('getParameters', []);
  }
  setParameters(layers) {
    return this.#call('setParameters', [layers]);
  }
  toJSON() {
    return this.#call('toJSON', []);
  }
  toPyTorch() {
    return this.#call('toPyTorch', []);
  }
  /** diagnose(net, thresholds) run in the worker */
  diagnose(thresholds) {
    return this.#call('diagnose', thresholds === undefined ? [] : [thresholds]);
  }
  /** the learning rate the next step will use */
  learningRate() {
    return this.#call('learningRate', []);
  }
  /**
   * Frees the network; the worker ends too unless it was passed in options.worker. A fit
   * still running rejects with "fit: the network was disposed during training".
   */
  async dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      await this.#conn.request({ op: OP.dispose, net: this.#id });
    } finally {
      if (--this.#conn.users === 0 && this.#conn.owned) {
        await this.#conn.terminate((what) => new Error(what === 'fit' ? 'fit: the network was disposed during training' : `${what}: the network was disposed before it answered`));
      }
    }
  }
}

const connections = new WeakMap(); // user-supplied worker -> Connection

async function open(kind, payload, options = {}) {
  if (options === null || typeof options !== 'object') throw new Error(`${kind}Network: options is ${options}; expected an object { simd?, relaxed?, wasm?, threads?, worker? }`);
  const { worker, ...core } = options;
  // what crosses to the worker must survive structured cloning: a URL as its text
  if (core.wasm instanceof URL) core.wasm = core.wasm.href;
  if (typeof Response !== 'undefined' && core.wasm instanceof Response) {
    throw new Error(`${kind}Network: options.wasm is a Response, which cannot be sent to a worker; pass its URL or its bytes`);
  }
  let conn;
  if (worker) {
    if (typeof worker.postMessage !== 'function') throw new Error(`${kind}Network: options.worker is not a Worker; expected a Web Worker or worker_threads Worker running gradscope/worker/host`);
    conn = connections.get(worker);
    if (!conn) connections.set(worker, (conn = new Connection(worker, false)));
  } else {
    conn = new Connection(await startWorker(), true);
  }
  const id = nextNetwork++;
  conn.users++;
  try {
    const info = await conn.request({ op: kind === 'create' ? OP.create : OP.load, net: id, ...payload, options: core });
    return new WorkerNetwork(conn, id, info);
  } catch (err) {
    if (--conn.users === 0 && conn.owned) await conn.terminate();
    throw err;
  }
}

/**
 * createNetwork(config, options) in a worker. options: simd, relaxed and wasm as gradscope's
 * (a wasm URL or bytes; a WebAssembly.Module too), and worker: a Worker of yours whose
 * script imports 'gradscope/worker/host' (several networks may share it); without it
 * each network starts its own worker, ended by dispose().
 */
export function createNetwork(config, options) {
  return open('create', { config }, options);
}

/** loadNetwork(json, options) in a worker (options as createNetwork's) */
export function loadNetwork(json, options) {
  return open('load', { json: typeof json === 'string' ? json : JSON.parse(JSON.stringify(json)) }, options);
}
