// Network: the JS face of one network handle in the WebAssembly core. Inputs
// are validated here (clear errors, no state touched on bad input); data is
// copied into wasm memory and results are copied out, so no caller ever holds
// a view that memory growth could detach. The training record lives in
// record.js, saving and loading in persist.js.
import { ACTIVATIONS, INITS, LOSSES, checkNetworkSize, count, formatBytes, normalizeConfig } from './config.js';
import { BIAS_CODES, C_ERRORS, DECAY_CODES, HIST, LIMITS, NONFINITE_KINDS, NORMS, PARAM_CODES, ROW_HEAD, STATUS, STAT_NAMES } from './contract.js';
import { EarlyStopper, checkEarlyStopping } from './early-stopping.js';
import { loadCore } from './loader.js';
import { threadsUnavailable } from './threads.js';
import { checkParameters, optimizerBuffers, parseState, serialize } from './persist.js';
import { PROBE_LIMIT, checkProbeOptions, summarizeProbe } from './probe.js';
import { asPyTorchExport, readPyTorch, toPyTorch } from './pytorch.js';
import { EpochLog, StepLog, countsArray, firstNonFinite } from './record.js';
import { RowLog } from './row-log.js';
import { boolean, checkKeys, checkTargets, fail, given, integer, isPlainObject, number, rowsOf } from './validate.js';

export { STAT_NAMES };
const STAT_COUNT = STAT_NAMES.length;
const MEMORY = `WebAssembly memory holds at most ${formatBytes(LIMITS.maxBytes)}`;

/** steps kept by a network's training record (about 150 bytes a step for a 3-layer net) */
export const RECORD_LIMIT = 100_000;
/** epochs kept by the record's per-epoch losses */
export const EPOCH_RECORD_LIMIT = 100_000;
/** steps of one epoch handed to fit's onEpoch (the newest) */
export const EPOCH_STEPS_LIMIT = 16_384;
/** histogram snapshots fit keeps with histogramEvery (the newest) */
export const HISTOGRAM_LIMIT = 1000;

const registry =
  typeof FinalizationRegistry !== 'undefined'
    ? new FinalizationRegistry(({ core, handle }) => core.exports.gs_net_free(handle))
    : null;

/** throws for a C error status; `explainNomem` names what did not fit */
function checkStatus(where, status, explainNomem) {
  if (status >= 0) return status;
  if (status === STATUS.ERR_NOMEM && explainNomem) throw new Error(`${where}: ${explainNomem()}`);
  throw new Error(`${where}: the core failed: ${C_ERRORS[status] ?? `status ${status}`}`);
}

/** "...; WebAssembly memory holds at most 4 GiB" or "... could not grow", for `bytes` needed */
function memoryVerdict(bytes) {
  return bytes >= LIMITS.maxBytes ? MEMORY : `WebAssembly memory could not grow to hold it (${MEMORY})`;
}

const YIELD_MS = 8; // fit yields to the event loop between epochs this often

// One channel for every yield: creating a MessageChannel per yield cost chromium ~0.1 ms each
// (1.2% of a playground fit). In Node its port holds the process open only while a fit waits on it.
let turnChannel = null;
const turnWaiters = [];
function nextTurn() {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!turnChannel) {
    turnChannel = new MessageChannel();
    turnChannel.port1.onmessage = () => {
      turnWaiters.shift()?.();
      if (!turnWaiters.length) turnChannel.port1.unref?.();
    };
    turnChannel.port1.unref?.();
  }
  return new Promise((resolve) => {
    turnWaiters.push(resolve);
    turnChannel.port1.ref?.();
    turnChannel.port2.postMessage(null);
  });
}

export class Network {
  #core;
  #handle;
  #config;
  #trained = false;
  #bnLayer; // the first batch-norm layer, -1 without
  // what diagnose() reads: every update's [loss, stats...] row, and fit's epochs (both bounded)
  #record;
  #fitting = false; // a fit is under way (it owns the dataset buffers between epochs)
  // the epoch a fit with maxSteps left unfinished, for fit's resume: { rows, batchSize, shuffle, done, steps, log }
  #openEpoch = null;
  // fit's histogram snapshots, [step (low, high 32 bits), counts...] rows: the newest HISTOGRAM_LIMIT (a history shows its own)
  #snapshots = null;
  // the steps of the epoch under way, for onEpoch and a resumed epoch (one fit at a time uses it)
  #epochLog = null;
  #unitCount; // units over all layers
  #threads = 1;

  /** Use createNetwork(). */
  constructor(core, config, threads = 1) {
    const where = 'createNetwork';
    const { params, bytes } = checkNetworkSize(where, config);
    const e = core.exports;
    const handle = e.gs_net_create(config.inputs, LOSSES.indexOf(config.loss), config.seed | 0);
    if (!handle) throw new Error(`${where}: the core could not allocate a network (out of memory)`);
    try {
      for (const layer of config.layers) {
        const norm = layer.batchNorm ? NORMS.batch : layer.layerNorm ? NORMS.layer : NORMS.none;
        checkStatus(where, e.gs_net_add_layer(handle, layer.units, ACTIVATIONS.indexOf(layer.activation), norm, layer.dropout));
      }
      const { init, optimizer: o } = config;
      checkStatus(where, e.gs_net_set_init(handle, INITS.indexOf(init.type), init.std ?? init.limit ?? init.gain ?? 0));
      const bias = init.bias ?? 'default';
      checkStatus(where, e.gs_net_set_init_bias(handle, typeof bias === 'number' ? BIAS_CODES.normal : BIAS_CODES[bias], typeof bias === 'number' ? bias : 0));
      checkStatus(where, setOptimizer(e, handle, o));
      checkStatus(where, e.gs_net_set_l1(handle, o.l1));
      checkStatus(where, e.gs_net_set_max_norm(handle, o.maxNorm ?? 0));
      const s = o.schedule ?? { warmupSteps: 0, decay: 'none' };
      checkStatus(where, e.gs_net_set_schedule(handle, s.warmupSteps, DECAY_CODES.indexOf(s.decay), s.decaySteps ?? 0, s.stepSize ?? 0, s.gamma ?? 0, s.minLearningRate ?? 0));
      checkStatus(where, e.gs_net_set_clip_norm(handle, config.clipNorm));
      checkStatus(where, e.gs_net_build(handle), () => `the network's ${count(params)} parameters with their gradients and optimizer state need ${formatBytes(bytes)}; ${memoryVerdict(bytes)}`);
      if (threads > 1) checkStatus(where, e.gs_net_set_threads(handle, core.threadPool().pool, threads));
    } catch (err) {
      e.gs_net_free(handle);
      throw err;
    }
    this.#core = core;
    this.#handle = handle;
    this.#config = config;
    this.#threads = threads;
    this.#bnLayer = config.layers.findIndex((l) => l.batchNorm);
    this.#record = { steps: new StepLog(config.layers.length, RECORD_LIMIT), epochs: new EpochLog(EPOCH_RECORD_LIMIT) };
    registry?.register(this, { core, handle }, this);
  }

  /** The validated configuration with every default filled in (a copy). */
  get config() {
    return structuredClone(this.#config);
  }
  get inputs() {
    return this.#config.inputs;
  }
  get outputs() {
    return this.#config.layers[this.#config.layers.length - 1].units;
  }
  /** true when this network runs on the SIMD build of the core */
  get simd() {
    return this.#core.simd;
  }
  /** true when this network runs on the opt-in relaxed-SIMD build (fused multiply-add; results differ by machine) */
  get relaxed() {
    return this.#core.relaxed;
  }
  /** threads that share this network's matrix products (createNetwork's options.threads) */
  get threads() {
    return this.#threads;
  }
  /** the learning rate the next step will use (after warmup and decay) */
  get learningRate() {
    return this.#live('learningRate').gs_net_learning_rate(this.#handle);
  }

  #live(where) {
    if (!this.#handle) throw new Error(`${where}: this network was disposed; create a new one`);
    return this.#core.exports;
  }

  #checkBatch(where, rows) {
    const i = this.#bnLayer;
    if (rows < 2 && i >= 0) {
      fail(where, 'x', `${rows} example`, `a batch of at least 2 examples, because layers[${i}] uses batchNorm in training`);
    }
  }

  #ydim() {
    return this.#config.loss === 'softmax-ce' ? 1 : this.outputs;
  }

  /** NOMEM explanation for a pass over `rows` rows: the workspace it needs */
  #workspaceVerdict(rows, what) {
    return () => {
      const bytes = this.#core.exports.gs_net_workspace_bytes(this.#handle, rows);
      return `${what} of ${count(rows)} rows needs ${formatBytes(bytes)} of workspace for this network (every layer's activations and gradients); ${memoryVerdict(bytes)}; use smaller batches`;
    };
  }

  /** checks, then copies x (and y) into the staging buffers; returns their pointers */
  #stage(where, x, y, training = false) {
    const e = this.#live(where);
    const rows = rowsOf(where, 'x', x, this.inputs);
    if (y !== undefined) checkTargets(where, 'y', y, rows, this.outputs, this.#config.loss);
    if (training) this.#checkBatch(where, rows);
    const width = Math.max(this.inputs, this.outputs);
    checkStatus(where, e.gs_net_reserve_io(this.#handle, rows), () => {
      const side = this.outputs >= this.inputs ? 'outputs' : 'inputs';
      return `${count(rows)} rows × ${count(width)} ${side} = ${count(rows * width)} values (${formatBytes(4 * rows * width)}) do not fit: ${memoryVerdict(4 * rows * width)}; pass fewer rows at a time`;
    });
    const px = e.gs_net_io_x(this.#handle);
    const py = e.gs_net_io_y(this.#handle);
    this.#core.write(px, x);
    if (y !== undefined) this.#core.write(py, y);
    return { rows, px, py };
  }

  #nonFiniteError(where, { layer, kind }) {
    const what = layer >= this.#config.layers.length ? 'the loss' : `layers[${layer}]`;
    return new Error(`${where}: a non-finite value (NaN or Infinity) appeared in ${what}; the update was skipped (non-finite ${kind}) and the network is unchanged`);
  }

  #pass(where, x, y, update) {
    const { rows, px, py } = this.#stage(where, x, y, true);
    const e = this.#core.exports;
    const status = checkStatus(
      where,
      e.gs_net_train_step(this.#handle, px, py, rows, update ? 1 : 0, this.#core.scratch),
      this.#workspaceVerdict(rows, 'a batch'),
    );
    this.#trained = true;
    const result = { loss: this.#core.read(this.#core.scratch) };
    if (update) {
      const stats = this.#core.view(e.gs_net_layer_stats(this.#handle), this.#config.layers.length * STAT_COUNT);
      this.#record.steps.appendRow(result.loss, e.gs_net_last_learning_rate(this.#handle), stats);
    }
    if (status === STATUS.NONFINITE) {
      const found = { layer: e.gs_net_nonfinite_layer(this.#handle), kind: NONFINITE_KINDS[e.gs_net_nonfinite_kind(this.#handle)] };
      // computeGradients makes no update to skip: it says where the values were not finite
      if (update && this.#config.throwOnNonFinite) throw this.#nonFiniteError(where, found);
      if (update) result.skipped = true;
      result.nonFiniteLayer = found.layer;
      result.nonFinite = found.kind;
    }
    return result;
  }

  /** One update on a batch; returns { loss } measured before the update. */
  trainStep(x, y) {
    return this.#pass('trainStep', x, y, true);
  }

  /** Gradients of the loss on a batch (training mode) without changing any state. */
  computeGradients(x, y) {
    const result = this.#pass('computeGradients', x, y, false);
    const e = this.#core.exports;
    result.layers = this.#readTensors(e.gs_net_grads(this.#handle), false);
    return result;
  }

  /** Eval mode: sigmoid / softmax probabilities (bce / softmax-ce) or raw outputs (mse). */
  predict(x) {
    const { rows, px, py } = this.#stage('predict', x);
    checkStatus('predict', this.#core.exports.gs_net_predict(this.#handle, px, rows, py), this.#workspaceVerdict(Math.min(rows, 1024), 'a chunk'));
    return this.#core.f32(py, rows * this.outputs).slice();
  }

  /** Eval mode loss, and accuracy for bce (per output) and softmax-ce (argmax); a NaN output is never correct. */
  evaluate(x, y) {
    const { rows, px, py } = this.#stage('evaluate', x, y);
    return this.#evaluateAt('evaluate', px, py, rows);
  }

  #evaluateAt(where, px, py, rows) {
    const s = this.#core.scratch;
    checkStatus(where, this.#core.exports.gs_net_evaluate(this.#handle, px, py, rows, s, s + 4), this.#workspaceVerdict(Math.min(rows, 1024), 'a chunk'));
    const [loss, accuracy] = this.#core.f32(s, 2);
    return this.#config.loss === 'mse' ? { loss } : { loss, accuracy };
  }

  /**
   * Minibatch training; the epoch loop runs in C over a copy of the data in
   * wasm memory, in bounded chunks of steps. Resolves to a history (see index.d.ts).
   */
  async fit(x, y, options = {}) {
    const where = 'fit';
    this.#live(where);
    const o = this.#fitOptions(where, x, y, options);
    if (this.#fitting) throw new Error('fit: this network is already training in another fit call; await it (or abort it) first');
    this.#setFitHistograms(where, o.histogramEvery);
    // resume: the data are in the core and its epoch is half done; else a new upload ends any open epoch
    const open = o.resume ? this.#resumable(where, x, y, o) : null;
    this.#openEpoch = null;
    if (!open) this.#uploadTraining(where, x, y, o.rows);
    const validation = o.valRows ? this.#uploadValidation(where, o.validation, o.valRows) : null;
    let probeSet = null; // options.probe's set in wasm memory, as the validation set
    try {
      if (o.probe) probeSet = { ...o.probe, ...this.#uploadValidation(where, o.probe, o.probe.rows) };
    } catch (err) {
      validation?.release();
      throw err;
    }
    const nLayers = this.#config.layers.length;
    const history = { epochs: 0, loss: [], skippedSteps: [], aborted: false, steps: null, droppedSteps: 0, droppedEpochs: 0, partialEpoch: null };
    if (o.histogramEvery) history.histograms = null; // { step, layers } every histogramEvery steps (the newest HISTOGRAM_LIMIT)
    if (o.probe) history.probes = []; // { step, ...probe } every probe.every steps (the newest PROBE_LIMIT)
    if (validation) {
      history.valLoss = [];
      if (this.#config.loss !== 'mse') history.valAccuracy = [];
    }
    const stopper = o.earlyStopping ? new EarlyStopper(o.earlyStopping, () => this.getParameters()) : null;
    if (stopper) Object.assign(history, { bestEpoch: null, stoppedEpoch: null });
    const runSteps = new StepLog(nLayers, RECORD_LIMIT); // history.steps: this fit's newest steps
    const runSnapshots = o.histogramEvery ? new RowLog(this.#snapshotLog().width, HISTOGRAM_LIMIT) : null; // history.histograms
    // onEpoch's info.steps; kept with maxSteps too, for the epoch a later fit resumes
    const epochSteps = open?.log ?? (o.onEpoch || o.maxSteps ? (this.#epochLog ??= new StepLog(nLayers, EPOCH_STEPS_LIMIT)) : null);
    let budget = o.maxSteps ?? Infinity; // optimizer steps this fit may still take
    let lastYield = performance.now();
    this.#fitting = true;
    try {
      for (let epoch = 0; epoch < o.epochs && budget > 0; epoch++) {
        if (o.signal?.aborted) {
          history.aborted = true;
          break;
        }
        if (!this.#handle) throw new Error('fit: the network was disposed during training');
        if (!(epoch === 0 && open)) epochSteps?.clear();
        const before = runSteps.appended;
        const { finished, loss, skipped } = this.#runEpoch(where, o, { runSteps, epochSteps, runSnapshots }, history, budget, probeSet);
        const ran = runSteps.appended - before;
        budget -= ran;
        if (!finished) {
          // maxSteps ran out mid-epoch: a fit with resume: true continues it where it stopped
          const done = (epoch === 0 && open ? open.done : 0) + ran;
          this.#openEpoch = { rows: o.rows, batchSize: o.batchSize, shuffle: o.shuffle, done, steps: this.#stepsPerEpoch(o.rows, o.batchSize), log: epochSteps };
          history.partialEpoch = { stepsDone: done, stepsPerEpoch: this.#openEpoch.steps };
          break;
        }
        const info = { epoch, loss, skippedSteps: skipped, deadFraction: this.#epochDeadFraction() };
        history.epochs++;
        history.loss.push(loss);
        history.skippedSteps.push(skipped);
        boundHistory(history);
        if (validation) {
          const val = this.#evaluateAt(where, validation.x, validation.y, o.valRows);
          history.valLoss.push((info.valLoss = val.loss));
          if (history.valAccuracy) history.valAccuracy.push((info.valAccuracy = val.accuracy));
        }
        this.#record.epochs.push(info);
        const stop = stopper?.observe(epoch, info.valLoss);
        if (o.onEpoch) {
          info.steps = epochSteps.series();
          await o.onEpoch(info);
        }
        if (stop && epoch < o.epochs - 1) {
          history.stoppedEpoch = epoch;
          break;
        }
        // let an AbortSignal or the page's events run between epochs, at most every YIELD_MS
        if (performance.now() - lastYield > YIELD_MS) {
          await nextTurn();
          lastYield = performance.now();
        }
      }
    } finally {
      this.#fitting = false;
      validation?.release();
      probeSet?.release();
    }
    if (stopper) {
      history.bestEpoch = stopper.bestEpoch;
      // put back the best epoch's parameters (and running statistics) when a later epoch ended the fit
      if (stopper.restore && stopper.best && stopper.bestEpoch !== history.epochs - 1 && this.#handle) this.#writeTensors(stopper.best);
    }
    if (runSnapshots) {
      const layers = this.#config.layers;
      const bound = countBound(layers, this.inputs, o.batchSize);
      lazyProperty(history, 'histograms', () => histogramEntries(runSnapshots, layers, bound));
    }
    return historyWithSteps(history, runSteps);
  }

  /** fit's arguments, validated before anything changes */
  #fitOptions(where, x, y, options) {
    if (!isPlainObject(options)) fail(where, 'options', options, 'an object');
    checkKeys(where, 'options', options, ['epochs', 'batchSize', 'shuffle', 'validation', 'onEpoch', 'signal', 'earlyStopping', 'histogramEvery', 'maxSteps', 'resume', 'probe']);
    const rows = rowsOf(where, 'x', x, this.inputs);
    checkTargets(where, 'y', y, rows, this.outputs, this.#config.loss);
    const epochs = integer(where, 'options.epochs', given(options.epochs, 1), 0, 1e9);
    const batchSize = integer(where, 'options.batchSize', given(options.batchSize, 32), 1, 1 << 24);
    const shuffle = boolean(where, 'options.shuffle', given(options.shuffle, true));
    const { validation, onEpoch, signal } = options;
    if (onEpoch !== undefined && typeof onEpoch !== 'function') fail(where, 'options.onEpoch', onEpoch, 'a function');
    if (signal !== undefined && typeof signal?.aborted !== 'boolean') fail(where, 'options.signal', signal, 'an AbortSignal');
    let valRows = 0;
    if (validation !== undefined) {
      if (!isPlainObject(validation)) fail(where, 'options.validation', validation, 'an object { x, y }');
      checkKeys(where, 'options.validation', validation, ['x', 'y']);
      valRows = rowsOf(where, 'options.validation.x', validation.x, this.inputs);
      checkTargets(where, 'options.validation.y', validation.y, valRows, this.outputs, this.#config.loss);
    }
    this.#checkBatch(where, Math.min(batchSize, rows));
    const earlyStopping = options.earlyStopping === undefined ? null : checkEarlyStopping(where, options.earlyStopping, valRows);
    const histogramEvery = options.histogramEvery === undefined ? 0 : integer(where, 'options.histogramEvery', options.histogramEvery, 1, 0x7fffffff);
    const maxSteps = options.maxSteps === undefined ? null : integer(where, 'options.maxSteps', options.maxSteps, 1, 0x7fffffff);
    const resume = boolean(where, 'options.resume', given(options.resume, false));
    const probe = options.probe === undefined ? null : this.#fitProbe(where, options.probe);
    return { rows, epochs, batchSize, shuffle, validation, valRows, onEpoch, signal, earlyStopping, histogramEvery, maxSteps, resume, probe };
  }

  /** fit's options.probe: { x, y, every?, units?, gradientLimit? } -> the checked options with rows */
  #fitProbe(where, probe) {
    const name = 'options.probe';
    if (!isPlainObject(probe)) fail(where, name, probe, 'an object { x, y, every?, units?, gradientLimit? }');
    const o = checkProbeOptions(where, name, probe, this.#config, ['x', 'y', 'every']);
    const rows = rowsOf(where, `${name}.x`, probe.x, this.inputs);
    checkTargets(where, `${name}.y`, probe.y, rows, this.outputs, this.#config.loss);
    return { ...o, x: probe.x, y: probe.y, rows, every: integer(where, `${name}.every`, given(probe.every, 100), 1, 0x7fffffff) };
  }

  /** steps of one epoch (the core skips a final batch of one example with batch norm) */
  #stepsPerEpoch(rows, batchSize) {
    const bs = Math.min(batchSize, rows);
    const steps = Math.ceil(rows / bs);
    return steps > 1 && rows - (steps - 1) * bs === 1 && this.#bnLayer >= 0 ? steps - 1 : steps;
  }

  /**
   * With resume: the epoch a fit with maxSteps left open (null when there is
   * none: fit starts a new epoch). It continues only on the same data,
   * batchSize and shuffle; anything else is refused, naming what differs.
   */
  #resumable(where, x, y, o) {
    const open = this.#openEpoch;
    if (!open) return null;
    const refuse = (what) =>
      fail(where, 'options.resume', true, `the same ${what} as the fit that stopped mid-epoch (step ${open.done} of ${open.steps}), or resume: false to start a new epoch`);
    if (o.batchSize !== open.batchSize) refuse(`batchSize (${open.batchSize})`);
    if (o.shuffle !== open.shuffle) refuse(`shuffle (${open.shuffle})`);
    const e = this.#core.exports;
    const same = (values, ptr) => {
      const stored = this.#core.f32(ptr, values.length);
      for (let i = 0; i < values.length; i++) if (!Object.is(Math.fround(Number(values[i])), stored[i])) return false;
      return true;
    };
    if (o.rows !== open.rows || !same(x, e.gs_net_data_x(this.#handle))) refuse('x');
    if (!same(y, e.gs_net_data_y(this.#handle))) refuse('y');
    return open;
  }

  /** the training set into the core's dataset buffers */
  #uploadTraining(where, x, y, rows) {
    const e = this.#core.exports;
    const handle = this.#handle;
    const ydim = this.#ydim();
    checkStatus(where, e.gs_net_set_dataset(handle, rows), () => {
      const bytes = 4 * rows * (this.inputs + ydim + 1);
      return `the training set of ${count(rows)} rows × ${count(this.inputs)} inputs needs ${formatBytes(bytes)} inside the core; ${memoryVerdict(bytes)}`;
    });
    this.#core.f32(e.gs_net_data_x(handle), x.length).set(x);
    this.#core.f32(e.gs_net_data_y(handle), rows * ydim).set(y);
  }

  /** the validation set into its own wasm buffers: { x, y, release() } */
  #uploadValidation(where, validation, rows) {
    const e = this.#core.exports;
    const ydim = this.#ydim();
    const bytes = [4 * validation.x.length, 4 * rows * ydim];
    const [x, y] = bytes.map((b) => (b < LIMITS.maxBytes ? e.malloc(b) >>> 0 : 0));
    if (!x || !y) {
      e.free(x);
      e.free(y);
      throw new Error(`${where}: the validation set of ${count(rows)} rows needs ${formatBytes(bytes[0] + bytes[1])} inside the core; ${memoryVerdict(bytes[0] + bytes[1])}`);
    }
    this.#core.f32(x, validation.x.length).set(validation.x);
    this.#core.f32(y, rows * ydim).set(validation.y);
    return { x, y, release: () => (e.free(x), e.free(y)) };
  }

  /** the core snapshots the histograms every `every` steps of this fit (0: none) */
  #setFitHistograms(where, every) {
    checkStatus(where, this.#core.exports.gs_net_set_fit_histograms(this.#handle, every), () => {
      const snapshots = Math.floor(LIMITS.logSteps / every) + 1;
      const bytes = 4 * snapshots * this.#config.layers.length * HIST.quantities.length * HIST.slots;
      return `histogramEvery ${every}: up to ${count(snapshots)} histogram snapshots per ${count(LIMITS.logSteps)} steps need ${formatBytes(bytes)} inside the core; ${memoryVerdict(bytes)}`;
    });
  }

  /** the network's log of fit's histogram snapshots (made at the first fit that takes them) */
  #snapshotLog() {
    const counts = this.#config.layers.length * HIST.quantities.length * HIST.slots;
    // chunks of 64 snapshots: the ring keeps HISTOGRAM_LIMIT and fills each chunk again once they are newer
    return (this.#snapshots ??= new RowLog(2 + counts, HISTOGRAM_LIMIT, { Type: Uint32Array, chunkRows: 64 }));
  }

  /** the snapshots the core took in the last chunk of steps (the first of them step firstStep of the fit) into the network's log; view shows them */
  #collectHistograms(view, firstStep) {
    const e = this.#core.exports;
    const n = e.gs_net_fit_histogram_count(this.#handle);
    if (!n) return;
    const log = this.#snapshotLog();
    const size = log.width - 2;
    const steps = this.#core.u32(e.gs_net_fit_histogram_steps(this.#handle), n);
    const counts = this.#core.u32(e.gs_net_fit_histograms(this.#handle), n * size);
    for (let i = 0; i < n; i++) {
      const step = firstStep + steps[i];
      log.appendRow(step % 2 ** 32, Math.floor(step / 2 ** 32), counts.subarray(i * size, (i + 1) * size));
      view.appendFrom(log, 1); // one at a time: a chunk of steps can take more snapshots than the log keeps
    }
  }

  /**
   * One epoch in chunks of at most LIMITS.logSteps steps (one step at a time
   * with throwOnNonFinite, so it stops at the first bad step). Each chunk's
   * step rows go into the record, this fit's steps and the epoch's steps; the
   * histogram snapshots the core took in it into the network's log and this fit's.
   */
  #runEpoch(where, { batchSize, shuffle }, { runSteps, epochSteps, runSnapshots }, history, budget, probeSet) {
    const e = this.#core.exports;
    const handle = this.#handle;
    const nLayers = this.#config.layers.length;
    const perStep = ROW_HEAD + nLayers * STAT_COUNT;
    let status;
    do {
      // stop after each step with throwOnNonFinite
      const done = runSteps.appended;
      let most = this.#config.throwOnNonFinite ? 1 : LIMITS.logSteps;
      if (probeSet) most = Math.min(most, probeSet.every - (done % probeSet.every)); // and at the next probe step
      const chunk = Math.min(most, budget);
      status = checkStatus(where, e.gs_net_fit_steps(handle, batchSize, shuffle ? 1 : 0, chunk, this.#core.scratch), this.#workspaceVerdict(batchSize, 'a batch'));
      this.#trained = true;
      const ran = e.gs_net_epoch_steps(handle);
      budget -= ran;
      const rows = this.#core.view(e.gs_net_epoch_log(handle), ran * perStep);
      this.#record.steps.appendRows(rows);
      runSteps.appendFrom(this.#record.steps, ran); // the same rows, held by reference during the fit
      epochSteps?.appendRows(rows); // its own copy: exact however much trains before a resumed epoch ends
      const total = runSteps.appended;
      if (runSnapshots) this.#collectHistograms(runSnapshots, done);
      if (this.#config.throwOnNonFinite) {
        const bad = firstNonFinite(rows, nLayers, NONFINITE_KINDS);
        // the epoch stays unfinished; the next fit starts a new one when it uploads its data
        if (bad) throw this.#nonFiniteError(where, bad);
      }
      // after the step rows are read: the probe allocates, and memory growth would detach their view
      if (probeSet && rows.length && total % probeSet.every === 0) {
        history.probes.push({ step: total - 1, ...this.#probeAt(where, probeSet.x, probeSet.y, probeSet.rows, probeSet) });
        if (history.probes.length > PROBE_LIMIT) history.probes.shift();
      }
    } while (status === STATUS.MORE && budget > 0);
    if (status === STATUS.MORE) return { finished: false };
    return { finished: true, loss: this.#core.read(this.#core.scratch), skipped: e.gs_net_epoch_skipped(handle) };
  }

  /**
   * What training recorded since creation (or resetRecord): every update's loss
   * and layer statistics (the newest RECORD_LIMIT steps; firstStep counts the
   * dropped ones), and the per-epoch losses of fit (the newest
   * EPOCH_RECORD_LIMIT epochs). diagnose() reads this.
   */
  trainingRecord() {
    this.#live('trainingRecord');
    const { steps, epochs } = this.#record;
    return { firstStep: steps.dropped, steps: steps.series(), firstEpoch: epochs.dropped, epochs: epochs.toJSON() };
  }

  /** Forgets what was recorded (e.g. after changing the learning rate). */
  resetRecord() {
    this.#live('resetRecord').gs_net_reset_unit_alive(this.#handle);
    this.#record.steps.clear();
    this.#record.epochs = new EpochLog(EPOCH_RECORD_LIMIT);
  }

  /**
   * Per-layer statistics of the most recent training-mode pass ([] before any),
   * and deadUnits: per unit 1 when a ReLU unit gave 0 for every example of the
   * last completed fit epoch (before any, of every update since the network was
   * made or resetRecord()); 0 for other activations.
   */
  layerStats() {
    const e = this.#live('layerStats');
    if (!this.#trained) return [];
    const n = this.#config.layers.length;
    const stats = this.#core.f32(e.gs_net_layer_stats(this.#handle), n * STAT_COUNT);
    const dead = this.#deadUnits();
    return Array.from({ length: n }, (_, l) => ({ ...statsObject(stats, l * STAT_COUNT), deadUnits: dead[l] }));
  }

  /** per layer Uint8Array(units): 1 = dead over the last epoch (or since the last reset) */
  #deadUnits() {
    const e = this.#core.exports;
    const ptr = e.gs_net_unit_alive(this.#handle, 1) || e.gs_net_unit_alive(this.#handle, 0);
    // before any applied update nothing is known: no unit is reported dead
    const alive = ptr ? this.#core.u8(ptr, this.#totalUnits()) : new Uint8Array(this.#totalUnits()).fill(1);
    let at = 0;
    return this.#config.layers.map((layer) => {
      const mask = new Uint8Array(layer.units);
      for (let u = 0; u < layer.units; u++) mask[u] = alive[at + u] ? 0 : 1;
      at += layer.units;
      return mask;
    });
  }

  /** per layer, the share of ReLU units dead over the last completed epoch (0 for other layers) */
  #epochDeadFraction() {
    const e = this.#core.exports;
    const alive = this.#core.u8(e.gs_net_unit_alive(this.#handle, 1), this.#totalUnits());
    let at = 0;
    return this.#config.layers.map((layer) => {
      let dead = 0;
      if (layer.activation === 'relu') for (let u = 0; u < layer.units; u++) dead += alive[at + u] === 0;
      at += layer.units;
      return dead / layer.units;
    });
  }

  #totalUnits() {
    return (this.#unitCount ??= this.#config.layers.reduce((n, layer) => n + layer.units, 0));
  }

  /**
   * Histograms of the most recent training-mode pass, per layer: the activations
   * (before dropout), the dense weight gradients (log10 |g|, by binary exponent)
   * and the current weights, each { edges (bins + 1), counts, zeros, below,
   * above, nonFinite }; counts + zeros + below + above + nonFinite = the number
   * of values. Fixed edges, so successive calls compare. [] before any pass.
   */
  layerHistograms() {
    this.#live('layerHistograms');
    if (!this.#trained) return [];
    return histogramObjects(this.#histogramSlots(), this.#config.layers);
  }

  /** every layer's histogram slots as the core counts them now (a view into wasm memory) */
  #histogramSlots() {
    const e = this.#core.exports;
    return this.#core.u32(e.gs_net_layer_histograms(this.#handle), this.#config.layers.length * HIST.quantities.length * HIST.slots);
  }

  /** Eval mode over x: per layer a Float32Array(units), each unit's share of rows with an output != 0. */
  unitActivity(x) {
    const where = 'unitActivity';
    const { rows, px } = this.#stage(where, x);
    const e = this.#core.exports;
    const total = this.#totalUnits();
    const out = e.malloc(4 * total) >>> 0;
    if (!out) throw new Error(`${where}: ${count(total)} unit shares need ${formatBytes(4 * total)}; ${memoryVerdict(4 * total)}`);
    try {
      checkStatus(where, e.gs_net_unit_activity(this.#handle, px, rows, out), this.#workspaceVerdict(Math.min(rows, 1024), 'a chunk'));
      const shares = this.#core.f32(out, total).slice();
      let at = 0;
      return this.#config.layers.map((layer) => shares.subarray(at, (at += layer.units)));
    } finally {
      e.free(out);
    }
  }

  /**
   * Eval mode on a fixed set of examples, no update (Glorot & Bengio's probe set): per layer the
   * activation and dC/ds statistics and histograms, per-unit mean activations, and the 15/50/85th
   * percentiles of the chosen units' activation inputs. See ProbeResult in index.d.ts. Changes nothing.
   */
  probe(x, y, options = {}) {
    const where = 'probe';
    this.#live(where);
    const o = checkProbeOptions(where, 'options', options, this.#config);
    const { rows, px, py } = this.#stage(where, x, y);
    return this.#probeAt(where, px, py, rows, o);
  }

  /** gs_net_probe over rows already in wasm memory, summarized (js/probe.js) */
  #probeAt(where, px, py, rows, o) {
    const e = this.#core.exports;
    const floats = 3 * rows * this.#totalUnits();
    const bytes = 4 * floats;
    const out = bytes < LIMITS.maxBytes ? e.malloc(bytes) >>> 0 : 0;
    if (!out) throw new Error(`${where}: ${count(rows)} rows × ${count(this.#totalUnits())} units × 3 values (each layer's input to its activation, output and gradient) need ${formatBytes(bytes)}; ${memoryVerdict(bytes)}; use fewer probe rows`);
    try {
      checkStatus(where, e.gs_net_probe(this.#handle, px, py, rows, out, this.#core.scratch), this.#workspaceVerdict(Math.min(rows, 1024), 'a chunk'));
      const loss = this.#core.read(this.#core.scratch);
      return summarizeProbe(this.#core.f32(out, floats), rows, loss, this.#config, o, (activation) => histogramEdges('activation', activation));
    } finally {
      e.free(out);
    }
  }

  /**
   * Eval mode over x: per hidden layer (not the output layer) a Float32Array(rows × units),
   * row-major, each unit's output after its norm and activation, as the core's forward pass
   * computes it (what the next layer reads; dropout is off in eval). Changes nothing.
   */
  layerOutputs(x) {
    const where = 'layerOutputs';
    const { rows, px } = this.#stage(where, x);
    const hidden = this.#config.layers.slice(0, -1);
    const units = hidden.reduce((n, layer) => n + layer.units, 0);
    if (!units) return [];
    const bytes = 4 * rows * units;
    const out = bytes < LIMITS.maxBytes ? this.#core.exports.malloc(bytes) >>> 0 : 0;
    if (!out) throw new Error(`${where}: ${count(rows)} rows × ${count(units)} hidden units = ${count(rows * units)} outputs need ${formatBytes(bytes)}; ${memoryVerdict(bytes)}; pass fewer rows at a time`);
    try {
      checkStatus(where, this.#core.exports.gs_net_layer_outputs(this.#handle, px, rows, out), this.#workspaceVerdict(Math.min(rows, 1024), 'a chunk'));
      const all = this.#core.f32(out, rows * units).slice();
      let at = 0;
      return hidden.map((layer) => all.subarray(at, (at += rows * layer.units)));
    } finally {
      this.#core.exports.free(out);
    }
  }

  #readTensors(base, withRunning) {
    const e = this.#core.exports;
    return this.#config.layers.map((layer, l) => {
      const out = {};
      for (const [name, code] of Object.entries(PARAM_CODES)) {
        const offset = e.gs_net_param_offset(this.#handle, l, code);
        if (offset < 0) continue;
        const length = code === 0 ? layer.units * this.#fanIn(l) : layer.units;
        out[name] = this.#core.f32((base >>> 0) + offset * 4, length).slice();
      }
      if (withRunning && layer.batchNorm) {
        const running = this.#core.f32(e.gs_net_running(this.#handle, l), 2 * layer.units);
        out.runningMean = running.slice(0, layer.units);
        out.runningVar = running.slice(layer.units);
      }
      return out;
    });
  }

  #fanIn(l) {
    return l === 0 ? this.#config.inputs : this.#config.layers[l - 1].units;
  }

  /** [{ weight (out x in, row-major), bias, gamma?, beta?, runningMean?, runningVar? }], copies */
  getParameters() {
    const e = this.#live('getParameters');
    return this.#readTensors(e.gs_net_params(this.#handle), true);
  }

  /**
   * Sets any subset of the tensors getParameters returns. Every value is
   * checked first (shape, finite float32, runningVar >= 0); then all are written.
   */
  setParameters(layers) {
    const where = 'setParameters';
    this.#live(where);
    this.#writeTensors(checkParameters(where, 'layers', layers, this.#config, { complete: false }));
  }

  #writeTensors(layers) {
    const e = this.#core.exports;
    layers.forEach((tensors, l) => {
      for (const [name, value] of Object.entries(tensors)) {
        if (name === 'runningMean' || name === 'runningVar') {
          const units = this.#config.layers[l].units;
          const ptr = (e.gs_net_running(this.#handle, l) >>> 0) + (name === 'runningVar' ? units * 4 : 0);
          this.#core.f32(ptr, units).set(value);
        } else {
          const offset = e.gs_net_param_offset(this.#handle, l, PARAM_CODES[name]);
          this.#core.f32((e.gs_net_params(this.#handle) >>> 0) + offset * 4, value.length).set(value);
        }
      }
    });
  }

  /** Everything needed to continue training exactly: config, parameters, optimizer state, RNG. */
  toJSON() {
    const e = this.#live('toJSON');
    const P = e.gs_net_param_count(this.#handle);
    const pointers = { m: e.gs_net_opt_m(this.#handle), v: e.gs_net_opt_v(this.#handle), a: e.gs_net_opt_a(this.#handle) };
    const buffers = Object.fromEntries(optimizerBuffers(this.#config.optimizer).map((key) => [key, this.#core.f32(pointers[key], P)]));
    return serialize({
      config: this.config,
      parameters: this.getParameters(),
      step: e.gs_net_opt_step(this.#handle),
      buffers,
      rng: this.#core.u32(e.gs_net_rng_state(this.#handle), 4),
    });
  }

  /** A runnable PyTorch script: the same layers, weights, optimizer state, loss and a train loop. */
  toPyTorch() {
    this.#live('toPyTorch');
    return toPyTorch(this);
  }

  /** @internal a network from a state parseState has checked in full */
  static fromState(core, state, threads = 1) {
    const net = new Network(core, state.config, threads);
    try {
      const e = core.exports;
      net.#writeTensors(state.parameters);
      checkStatus('loadNetwork', e.gs_net_set_opt_step(net.#handle, state.step));
      const P = e.gs_net_param_count(net.#handle);
      if (state.buffers.m) core.f32(e.gs_net_opt_m(net.#handle), P).set(state.buffers.m);
      if (state.buffers.v) core.f32(e.gs_net_opt_v(net.#handle), P).set(state.buffers.v);
      if (state.buffers.a) core.f32(e.gs_net_opt_a(net.#handle), P).set(state.buffers.a);
      core.u32(e.gs_net_rng_state(net.#handle), 4).set(state.rng);
    } catch (err) {
      net.dispose();
      throw err;
    }
    return net;
  }

  /**
   * @internal for functions that take a network (diagnose, toPyTorch): a disposed one is
   * refused under the function's name, not the name of the method it would call
   */
  static checkLive(where, net) {
    if (net !== null && typeof net === 'object' && #handle in net && !net.#handle) throw new Error(`${where}: this network was disposed; create a new one`);
  }

  /** Frees the network's wasm memory and its training record; any later call throws. */
  dispose() {
    if (!this.#handle) return;
    registry?.unregister(this);
    this.#core.exports.gs_net_free(this.#handle);
    this.#handle = 0;
    this.#record = null;
  }
}

/** keeps a fit's per-epoch arrays to the newest EPOCH_RECORD_LIMIT .. 2x epochs (trimmed in blocks) */
function boundHistory(history) {
  if (history.loss.length < 2 * EPOCH_RECORD_LIMIT) return;
  const cut = history.loss.length - EPOCH_RECORD_LIMIT;
  for (const key of ['loss', 'skippedSteps', 'valLoss', 'valAccuracy']) history[key]?.splice(0, cut);
  history.droppedEpochs += cut;
}

function setOptimizer(e, handle, o) {
  switch (o.type) {
    case 'sgd':
      return e.gs_net_set_sgd(handle, o.learningRate, o.momentum, o.nesterov ? 1 : 0, o.weightDecay);
    case 'adam':
      return e.gs_net_set_adam(handle, o.learningRate, o.beta1, o.beta2, o.eps, o.weightDecay);
    case 'adamw':
      return e.gs_net_set_adamw(handle, o.learningRate, o.beta1, o.beta2, o.eps, o.weightDecay);
    default:
      return e.gs_net_set_rmsprop(handle, o.learningRate, o.alpha, o.eps, o.momentum, o.centered ? 1 : 0, o.weightDecay);
  }
}

/** fixed bin edges per quantity (see gradscope.h), a fresh copy each call */
/** a histogram's bin edges, computed once per kind (callers get copies) */
const EDGES = new Map();
function histogramEdges(quantity, activation) {
  const key = quantity === 'activation' ? `activation ${activation}` : quantity;
  let edges = EDGES.get(key);
  if (!edges) {
    edges = new Float32Array(HIST.bins + 1);
    if (quantity === 'gradient') {
      // bin k holds |g| in [2^(min+k), 2^(min+k+1)): edges as log10 magnitudes
      for (let k = 0; k <= HIST.bins; k++) edges[k] = (HIST.gradMinExp + k) * Math.log10(2);
    } else {
      let lo = -HIST.weightLimit;
      let hi = HIST.weightLimit;
      if (quantity === 'activation') [lo, hi] = activation === 'sigmoid' ? [0, 1] : activation === 'tanh' || activation === 'softsign' ? [-1, 1] : [-HIST.actLimit, HIST.actLimit];
      for (let k = 0; k <= HIST.bins; k++) edges[k] = lo + ((hi - lo) * k) / HIST.bins;
    }
    EDGES.set(key, edges);
  }
  return edges;
}

/**
 * layerHistograms()'s objects from the core's slots (layers x quantities x slots).
 * Every counts and edges array is a view into one of two buffers made per call:
 * each small typed array of its own would cost a backing-store allocation (~3 µs in V8).
 */
function histogramObjects(slots, layers) {
  const Q = HIST.quantities.length;
  const counts = new Uint32Array(layers.length * Q * HIST.bins);
  const edges = new Float32Array(layers.length * Q * (HIST.bins + 1));
  const result = new Array(layers.length);
  for (let l = 0; l < layers.length; l++) {
    const out = {};
    for (let q = 0; q < Q; q++) {
      const i = l * Q + q;
      const at = i * HIST.slots;
      const c = counts.subarray(i * HIST.bins, (i + 1) * HIST.bins);
      c.set(slots.subarray(at, at + HIST.bins));
      const ed = edges.subarray(i * (HIST.bins + 1), (i + 1) * (HIST.bins + 1));
      ed.set(histogramEdges(HIST.quantities[q], layers[l].activation));
      out[HIST.quantities[q]] = { edges: ed, counts: c, zeros: slots[at + HIST.bins], below: slots[at + HIST.bins + 1], above: slots[at + HIST.bins + 2], nonFinite: slots[at + HIST.bins + 3] };
    }
    result[l] = out;
  }
  return result;
}

/**
 * fit's result: the history's fields, and `steps` and `droppedSteps` read from the
 * log (the record's rows of this fit) when either is first read: a loop of short
 * fits that never looks at them does not pay for turning every row into typed
 * arrays. Until then they are the rows the network's record still keeps (its
 * newest RECORD_LIMIT steps); read, they are the history's own.
 */
function historyWithSteps(history, log) {
  let read = null; // both at once, when either is first read; then the log can go
  const both = () => {
    if (!read) (read = { steps: log.series(), dropped: log.dropped }), (log = null);
    return read;
  };
  lazyProperty(history, 'steps', () => both().steps);
  lazyProperty(history, 'droppedSteps', () => both().dropped);
  return history;
}

/** obj[name] is build()'s value, built when first read (and then kept), unless set first */
function lazyProperty(obj, name, build) {
  let value;
  let built = false;
  const get = () => {
    if (!built) set(build());
    return value;
  };
  const set = (v) => {
    value = v;
    built = true;
    build = null; // and what it read
  };
  Object.defineProperty(obj, name, { enumerable: true, configurable: true, get, set });
}

/** the most any histogram slot can count: each layer's last batch of activations and its weights and their gradients, once each */
function countBound(layers, inputs, batchSize) {
  return layers.reduce((m, l, i) => Math.max(m, l.units * Math.max(batchSize, i ? layers[i - 1].units : inputs)), 0);
}

/** history.histograms: the newest HISTOGRAM_LIMIT snapshots the log (of [step low, step high, counts...] rows) shows, each { step, layers } */
function histogramEntries(log, layers, bound) {
  const size = log.width - 2;
  const skip = Math.max(0, log.length - HISTOGRAM_LIMIT);
  const counts = countsArray((log.length - skip) * size, bound); // one copy for all, a view of it per snapshot
  const entries = [];
  let row = 0;
  log.forEachRow((data, at) => {
    if (row++ < skip) return;
    const slots = counts.subarray(entries.length * size, (entries.length + 1) * size);
    slots.set(data.subarray(at + 2, at + 2 + size));
    entries.push(histogramSnapshot(data[at] + data[at + 1] * 2 ** 32, slots, layers));
  });
  return entries;
}

/** fit's { step, layers } entry: slots are its counts (a copy), the objects made when first read */
function histogramSnapshot(step, slots, layers) {
  const entry = { step };
  lazyProperty(entry, 'layers', () => histogramObjects(slots, layers));
  return entry;
}

function statsObject(stats, base) {
  const out = {};
  STAT_NAMES.forEach((name, i) => {
    out[name] = name === 'nonFinite' ? stats[base + i] !== 0 : stats[base + i];
  });
  return out;
}

export async function createNetwork(config, options = {}) {
  const normalized = normalizeConfig(config);
  if (!isPlainObject(options)) fail('createNetwork', 'options', options, 'an object { simd?, relaxed?, wasm?, threads? }');
  checkKeys('createNetwork', 'options', options, CORE_OPTIONS);
  const { core, threads } = await coreFor('createNetwork', options);
  return new Network(core, normalized, threads);
}

const CORE_OPTIONS = ['simd', 'relaxed', 'wasm', 'threads'];

/**
 * The core for createNetwork's options and how many threads share the network's products:
 * threads > 1 takes the threaded build (shared memory) with its worker threads started.
 */
async function coreFor(where, { threads = 1, ...options }) {
  const max = LIMITS.maxThreads;
  if (!Number.isInteger(threads) || threads < 1 || threads > max) fail(where, 'options.threads', threads, `a whole number from 1 to ${max} (the calling thread and up to ${max - 1} workers)`);
  if (threads === 1) return { core: await loadCore(options), threads };
  if (options.simd === false || options.relaxed) fail(where, 'options.threads', threads, `1 with ${options.relaxed ? 'relaxed: true' : 'simd: false'} (the threaded build is the SIMD build)`);
  const why = threadsUnavailable();
  if (why) fail(where, 'options.threads', threads, `1: ${why}`);
  const core = await loadCore({ ...options, threads: true });
  await core.threadPool().ensure(threads);
  return { core, threads };
}

/** A network from toJSON() output (an object or its JSON text), checked in full before anything is built. */
export async function loadNetwork(json, options = {}) {
  // a state_dict exported from PyTorch by python/export_state_dict.py loads too
  const pytorch = asPyTorchExport(json);
  if (pytorch) return buildPyTorch(pytorch, options, 'loadNetwork');
  const state = parseState(json, 'loadNetwork');
  if (!isPlainObject(options)) fail('loadNetwork', 'options', options, 'an object { simd?, relaxed?, wasm?, threads? }');
  checkKeys('loadNetwork', 'options', options, CORE_OPTIONS);
  const { core, threads } = await coreFor('loadNetwork', options);
  return Network.fromState(core, state, threads);
}

/**
 * A Network from python/export_state_dict.py output (an object or its JSON text):
 * pytorch.js reads and checks it, then the network is built and its parameters and
 * running statistics set. options: { optimizer?, loss?, seed? } and createNetwork's.
 */
export function loadPyTorch(doc, options = {}) {
  return buildPyTorch(doc, options, 'loadPyTorch');
}

async function buildPyTorch(doc, options, where) {
  const CORE = CORE_OPTIONS;
  if (!isPlainObject(options)) fail(where, 'options', options, 'an object { optimizer?, loss?, seed?, simd?, relaxed?, wasm?, threads? }');
  checkKeys(where, 'options', options, ['optimizer', 'loss', 'seed', ...CORE]);
  const pick = (keys) => Object.fromEntries(Object.entries(options).filter(([k]) => keys.includes(k)));
  const { config, parameters } = readPyTorch(doc, pick(['optimizer', 'loss', 'seed']), where);
  const net = await createNetwork(config, pick(CORE));
  try {
    net.setParameters(parameters);
  } catch (err) {
    net.dispose();
    throw err;
  }
  return net;
}
