// Network: the JS face of one network handle in the WebAssembly core. Inputs
// are validated here (clear errors, no state touched on bad input); data is
// copied into wasm memory and results are copied out, so no caller ever holds
// a view that memory growth could detach.
import { ACTIVATIONS, INITS, LOSSES, normalizeConfig } from './config.js';
import { loadCore } from './loader.js';
import { boolean, checkKeys, checkTargets, fail, integer, isPlainObject, rowsOf } from './validate.js';

export const STAT_NAMES = [
  'gradNorm',
  'biasGradNorm',
  'weightNorm',
  'updateRatio',
  'deadFraction',
  'saturatedFraction',
  'activationMean',
  'activationStd',
  'nonFinite',
];
const STAT_COUNT = STAT_NAMES.length;
const PARAM_CODES = { weight: 0, bias: 1, gamma: 2, beta: 3 };
const NONFINITE = 1;
const C_ERRORS = {
  [-1]: 'an argument was out of range',
  [-2]: 'out of memory',
  [-3]: 'the network is not ready',
  [-4]: 'batch norm needs at least 2 examples per training batch',
};

const registry =
  typeof FinalizationRegistry !== 'undefined'
    ? new FinalizationRegistry(({ core, handle }) => core.exports.gs_net_free(handle))
    : null;

function checkStatus(where, status) {
  if (status < 0) throw new Error(`${where}: the core failed: ${C_ERRORS[status] ?? `status ${status}`}`);
  return status;
}

const YIELD_MS = 8; // fit yields to the event loop between epochs this often

const nextTurn = () =>
  typeof MessageChannel !== 'undefined'
    ? new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          channel.port1.close();
          resolve();
        };
        channel.port2.postMessage(null);
      })
    : new Promise((resolve) => setTimeout(resolve, 0));

export class Network {
  #core;
  #handle;
  #config;
  #trained = false;
  #bnLayer; // the first batch-norm layer, -1 without
  #perStep; // floats per step row: loss, then every layer's statistics
  // what diagnose() reads: every update's [loss, stats...] row, and fit's epochs
  #record;
  #fitting = false; // a fit is under way (it owns the dataset buffers between epochs)

  /** Use createNetwork(). */
  constructor(core, config) {
    const e = core.exports;
    const handle = e.gs_net_create(config.inputs, LOSSES.indexOf(config.loss), config.seed | 0);
    if (!handle) throw new Error('createNetwork: the core could not allocate a network (out of memory)');
    try {
      for (const layer of config.layers) {
        checkStatus('createNetwork', e.gs_net_add_layer(handle, layer.units, ACTIVATIONS.indexOf(layer.activation), layer.batchNorm ? 1 : 0, layer.dropout));
      }
      const { init, optimizer: o } = config;
      checkStatus('createNetwork', e.gs_net_set_init(handle, INITS.indexOf(init.type), init.std ?? init.limit ?? 0));
      checkStatus(
        'createNetwork',
        o.type === 'sgd'
          ? e.gs_net_set_sgd(handle, o.learningRate, o.momentum, o.nesterov ? 1 : 0, o.weightDecay)
          : e.gs_net_set_adam(handle, o.learningRate, o.beta1, o.beta2, o.eps, o.weightDecay),
      );
      checkStatus('createNetwork', e.gs_net_set_clip_norm(handle, config.clipNorm));
      checkStatus('createNetwork', e.gs_net_build(handle));
    } catch (err) {
      e.gs_net_free(handle);
      throw err;
    }
    this.#core = core;
    this.#handle = handle;
    this.#config = config;
    this.#bnLayer = config.layers.findIndex((l) => l.batchNorm);
    this.#perStep = 1 + config.layers.length * STAT_COUNT;
    this.#record = emptyRecord(this.#perStep);
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

  /** checks, then copies x (and y) into the staging buffers; returns their pointers */
  #stage(where, x, y, training = false) {
    const e = this.#live(where);
    const rows = rowsOf(where, 'x', x, this.inputs);
    if (y !== undefined) checkTargets(where, 'y', y, rows, this.outputs, this.#config.loss);
    if (training) this.#checkBatch(where, rows);
    checkStatus(where, e.gs_net_reserve_io(this.#handle, rows));
    const px = e.gs_net_io_x(this.#handle);
    const py = e.gs_net_io_y(this.#handle);
    this.#core.write(px, x);
    if (y !== undefined) this.#core.write(py, y);
    return { rows, px, py };
  }

  #nonFiniteError(where, layer) {
    const what = layer >= this.#config.layers.length ? 'the loss' : `layers[${layer}]`;
    return new Error(`${where}: a non-finite value (NaN or Infinity) appeared in ${what}; the update was skipped`);
  }

  #pass(where, x, y, update) {
    const { rows, px, py } = this.#stage(where, x, y, true);
    const e = this.#core.exports;
    const status = checkStatus(where, e.gs_net_train_step(this.#handle, px, py, rows, update ? 1 : 0, this.#core.scratch));
    this.#trained = true;
    const result = { loss: this.#core.read(this.#core.scratch) };
    if (update) this.#rememberStep(result.loss, this.#core.view(e.gs_net_layer_stats(this.#handle), this.#perStep - 1));
    if (status === NONFINITE) {
      const layer = e.gs_net_nonfinite_layer(this.#handle);
      if (this.#config.throwOnNonFinite) throw this.#nonFiniteError(where, layer);
      result.skipped = true;
      result.nonFiniteLayer = layer;
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
    checkStatus('predict', this.#core.exports.gs_net_predict(this.#handle, px, rows, py));
    return this.#core.f32(py, rows * this.outputs).slice();
  }

  /** Eval mode loss, and accuracy for bce (per output) and softmax-ce (argmax). */
  evaluate(x, y) {
    const { rows, px, py } = this.#stage('evaluate', x, y);
    return this.#evaluateAt('evaluate', px, py, rows);
  }

  #evaluateAt(where, px, py, rows) {
    const s = this.#core.scratch;
    checkStatus(where, this.#core.exports.gs_net_evaluate(this.#handle, px, py, rows, s, s + 4));
    const [loss, accuracy] = this.#core.f32(s, 2);
    return this.#config.loss === 'mse' ? { loss } : { loss, accuracy };
  }

  /**
   * Minibatch training; the epoch loop runs in C over a copy of the data in
   * wasm memory. Resolves to a history (see index.d.ts).
   */
  async fit(x, y, options = {}) {
    const where = 'fit';
    const e = this.#live(where);
    if (!isPlainObject(options)) fail(where, 'options', options, 'an object');
    checkKeys(where, 'options', options, ['epochs', 'batchSize', 'shuffle', 'validation', 'onEpoch', 'signal']);
    const rows = rowsOf(where, 'x', x, this.inputs);
    checkTargets(where, 'y', y, rows, this.outputs, this.#config.loss);
    const epochs = integer(where, 'options.epochs', options.epochs ?? 1, 0, 1e9);
    const batchSize = integer(where, 'options.batchSize', options.batchSize ?? 32, 1, 1 << 24);
    const shuffle = boolean(where, 'options.shuffle', options.shuffle ?? true);
    const { validation, onEpoch, signal } = options;
    if (onEpoch !== undefined && typeof onEpoch !== 'function') fail(where, 'options.onEpoch', onEpoch, 'a function');
    if (signal !== undefined && (typeof signal?.aborted !== 'boolean')) fail(where, 'options.signal', signal, 'an AbortSignal');
    let valRows = 0;
    if (validation !== undefined) {
      if (!isPlainObject(validation)) fail(where, 'options.validation', validation, 'an object { x, y }');
      checkKeys(where, 'options.validation', validation, ['x', 'y']);
      valRows = rowsOf(where, 'options.validation.x', validation.x, this.inputs);
      checkTargets(where, 'options.validation.y', validation.y, valRows, this.outputs, this.#config.loss);
    }
    this.#checkBatch(where, Math.min(batchSize, rows));
    if (this.#fitting) throw new Error('fit: this network is already training in another fit call; await it (or abort it) first');

    const handle = this.#handle;
    const ydim = this.#ydim();
    checkStatus(where, e.gs_net_set_dataset(handle, rows));
    this.#core.f32(e.gs_net_data_x(handle), x.length).set(x);
    this.#core.f32(e.gs_net_data_y(handle), rows * ydim).set(y);
    let valX = 0;
    let valY = 0;
    if (valRows) {
      valX = e.malloc(validation.x.length * 4);
      valY = e.malloc(valRows * ydim * 4);
      if (!valX || !valY) {
        e.free(valX);
        e.free(valY);
        throw new Error('fit: out of memory copying the validation set');
      }
      this.#core.f32(valX, validation.x.length).set(validation.x);
      this.#core.f32(valY, valRows * ydim).set(validation.y);
    }
    const nLayers = this.#config.layers.length;
    const perStep = 1 + nLayers * STAT_COUNT;
    const history = { epochs: 0, loss: [], skippedSteps: [], aborted: false, steps: null };
    if (valRows) {
      history.valLoss = [];
      if (this.#config.loss !== 'mse') history.valAccuracy = [];
    }
    const logs = [];
    let lastYield = performance.now();
    this.#fitting = true;
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        if (signal?.aborted) {
          history.aborted = true;
          break;
        }
        if (!this.#handle) throw new Error('fit: the network was disposed during training');
        checkStatus(where, e.gs_net_fit_epoch(handle, batchSize, shuffle ? 1 : 0, this.#core.scratch));
        this.#trained = true;
        const loss = this.#core.f32(this.#core.scratch, 1)[0];
        const steps = e.gs_net_epoch_steps(handle);
        const log = this.#core.f32(e.gs_net_epoch_log(handle), steps * perStep).slice();
        logs.push(log);
        this.#remember(log);
        const skipped = e.gs_net_epoch_skipped(handle);
        history.epochs++;
        history.loss.push(loss);
        history.skippedSteps.push(skipped);
        this.#record.epochs.loss.push(loss);
        const info = { epoch, loss, skippedSteps: skipped };
        if (onEpoch) info.steps = stepSeries([log], nLayers);
        if (valRows) {
          const val = this.#evaluateAt(where, valX, valY, valRows);
          history.valLoss.push(val.loss);
          this.#record.epochs.valLoss.push(val.loss);
          info.valLoss = val.loss;
          if (history.valAccuracy) {
            history.valAccuracy.push(val.accuracy);
            this.#record.epochs.valAccuracy.push(val.accuracy);
            info.valAccuracy = val.accuracy;
          }
        }
        if (skipped && this.#config.throwOnNonFinite) {
          throw this.#nonFiniteError(where, firstNonFiniteLayer(log, nLayers));
        }
        if (onEpoch) await onEpoch(info);
        // let an AbortSignal or the page's events run between epochs, at most every YIELD_MS
        if (performance.now() - lastYield > YIELD_MS) {
          await nextTurn();
          lastYield = performance.now();
        }
      }
    } finally {
      this.#fitting = false;
      if (valRows) {
        e.free(valX);
        e.free(valY);
      }
    }
    history.steps = stepSeries(logs, nLayers);
    return history;
  }

  /** appends one step row (loss, stats) to the record, in place */
  #rememberStep(loss, stats) {
    const r = this.#record;
    const at = r.tailRows * this.#perStep;
    r.tail[at] = loss;
    r.tail.set(stats, at + 1);
    if (++r.tailRows === RECORD_CHUNK) this.#flushRecord();
  }

  /** appends whole step rows (fit's epoch log), a chunk's worth at a time */
  #remember(rows) {
    const r = this.#record;
    const total = rows.length / this.#perStep;
    for (let done = 0; done < total; ) {
      const n = Math.min(total - done, RECORD_CHUNK - r.tailRows);
      r.tail.set(rows.subarray(done * this.#perStep, (done + n) * this.#perStep), r.tailRows * this.#perStep);
      r.tailRows += n;
      done += n;
      if (r.tailRows === RECORD_CHUNK) this.#flushRecord();
    }
  }

  #flushRecord() {
    const r = this.#record;
    r.chunks.push(r.tail);
    r.steps += r.tailRows;
    r.tail = new Float32Array(RECORD_CHUNK * this.#perStep);
    r.tailRows = 0;
    // bounded: drop the oldest chunks past RECORD_LIMIT steps
    while (r.steps - RECORD_CHUNK >= RECORD_LIMIT) {
      r.chunks.shift();
      r.steps -= RECORD_CHUNK;
      r.droppedSteps += RECORD_CHUNK;
    }
  }

  /**
   * What training recorded since creation (or resetRecord): every update's loss
   * and layer statistics (the newest RECORD_LIMIT steps), and fit's per-epoch
   * losses. diagnose() reads this.
   */
  trainingRecord() {
    this.#live('trainingRecord');
    const { chunks, tail, tailRows, droppedSteps, epochs } = this.#record;
    return {
      firstStep: droppedSteps,
      steps: stepSeries([...chunks, tail.subarray(0, tailRows * this.#perStep)], this.#config.layers.length),
      epochs: structuredClone(epochs),
    };
  }

  /** Forgets what was recorded (e.g. after changing the learning rate). */
  resetRecord() {
    this.#live('resetRecord');
    this.#record = emptyRecord(this.#perStep);
  }

  /** Per-layer statistics of the most recent training-mode pass ([] before any). */
  layerStats() {
    const e = this.#live('layerStats');
    if (!this.#trained) return [];
    const n = this.#config.layers.length;
    const stats = this.#core.f32(e.gs_net_layer_stats(this.#handle), n * STAT_COUNT);
    return Array.from({ length: n }, (_, l) => statsObject(stats, l * STAT_COUNT));
  }

  #readTensors(base, withRunning) {
    const e = this.#core.exports;
    return this.#config.layers.map((layer, l) => {
      const out = {};
      for (const [name, code] of Object.entries(PARAM_CODES)) {
        const offset = e.gs_net_param_offset(this.#handle, l, code);
        if (offset < 0) continue;
        const length = code === 0 ? layer.units * this.#fanIn(l) : layer.units;
        out[name] = this.#core.f32(base + offset * 4, length).slice();
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

  /** Sets any subset of the tensors getParameters returns; shapes are checked first. */
  setParameters(layers) {
    const where = 'setParameters';
    const e = this.#live(where);
    const n = this.#config.layers.length;
    if (!Array.isArray(layers) || layers.length !== n) fail(where, 'layers', layers, `an array of ${n} layer objects`);
    const writes = [];
    layers.forEach((tensors, l) => {
      const layer = this.#config.layers[l];
      if (!isPlainObject(tensors)) fail(where, `layers[${l}]`, tensors, 'an object of Float32Arrays');
      const allowed = layer.batchNorm ? ['weight', 'bias', 'gamma', 'beta', 'runningMean', 'runningVar'] : ['weight', 'bias'];
      checkKeys(where, `layers[${l}]`, tensors, allowed);
      for (const [name, value] of Object.entries(tensors)) {
        const length = name === 'weight' ? layer.units * this.#fanIn(l) : layer.units;
        const shape = name === 'weight' ? `[${layer.units} x ${this.#fanIn(l)}]` : `[${layer.units}]`;
        const ok = (value instanceof Float32Array || value instanceof Float64Array || Array.isArray(value)) && value.length === length;
        if (!ok) fail(where, `layers[${l}].${name}`, value, `a Float32Array (or number[]) of length ${length}, shape ${shape}`);
        for (let i = 0; i < length; i++) {
          if (typeof value[i] !== 'number' || Number.isNaN(value[i])) fail(where, `layers[${l}].${name}[${i}]`, value[i], 'a number');
        }
        writes.push({ l, name, value });
      }
    });
    for (const { l, name, value } of writes) {
      if (name === 'runningMean' || name === 'runningVar') {
        const units = this.#config.layers[l].units;
        const ptr = e.gs_net_running(this.#handle, l) + (name === 'runningVar' ? units * 4 : 0);
        this.#core.f32(ptr, units).set(value);
      } else {
        const offset = e.gs_net_param_offset(this.#handle, l, PARAM_CODES[name]);
        this.#core.f32(e.gs_net_params(this.#handle) + offset * 4, value.length).set(value);
      }
    }
  }

  /** Everything needed to continue training exactly: config, parameters, optimizer state, RNG. */
  toJSON() {
    const e = this.#live('toJSON');
    const P = e.gs_net_param_count(this.#handle);
    const o = this.#config.optimizer;
    const optimizer = { step: e.gs_net_opt_step(this.#handle) };
    if (o.type === 'adam' || o.momentum > 0) optimizer.m = Array.from(this.#core.f32(e.gs_net_opt_m(this.#handle), P));
    if (o.type === 'adam') optimizer.v = Array.from(this.#core.f32(e.gs_net_opt_v(this.#handle), P));
    return {
      format: 'gradscope-network',
      version: 1,
      config: this.config,
      parameters: this.getParameters().map((layer) =>
        Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, Array.from(v)])),
      ),
      optimizer,
      rng: Array.from(this.#core.u32(e.gs_net_rng_state(this.#handle), 4)),
    };
  }

  /** @internal restores optimizer state and RNG from toJSON() output */
  restoreState(where, state) {
    const e = this.#live(where);
    const P = e.gs_net_param_count(this.#handle);
    const { optimizer, rng } = state;
    if (!isPlainObject(optimizer)) fail(where, 'json.optimizer', optimizer, 'an object { step, m?, v? }');
    integer(where, 'json.optimizer.step', optimizer.step, 0, 0x7fffffff);
    for (const key of ['m', 'v']) {
      const buf = optimizer[key];
      if (buf === undefined) continue;
      if (!Array.isArray(buf) || buf.length !== P || buf.some((v) => typeof v !== 'number')) {
        fail(where, `json.optimizer.${key}`, buf, `an array of ${P} numbers`);
      }
    }
    if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      fail(where, 'json.rng', rng, 'an array of 4 unsigned 32-bit integers');
    }
    e.gs_net_set_opt_step(this.#handle, optimizer.step);
    if (optimizer.m) this.#core.f32(e.gs_net_opt_m(this.#handle), P).set(optimizer.m);
    if (optimizer.v) this.#core.f32(e.gs_net_opt_v(this.#handle), P).set(optimizer.v);
    this.#core.u32(e.gs_net_rng_state(this.#handle), 4).set(rng);
  }

  /** Frees the network's wasm memory; any later call throws. */
  dispose() {
    if (!this.#handle) return;
    registry?.unregister(this);
    this.#core.exports.gs_net_free(this.#handle);
    this.#handle = 0;
  }
}

/** steps kept by a network's training record (about 110 bytes a step for a 3-layer net) */
export const RECORD_LIMIT = 100_000;
const RECORD_CHUNK = 1024; // steps per record chunk

function emptyRecord(perStep) {
  return { chunks: [], tail: new Float32Array(RECORD_CHUNK * perStep), tailRows: 0, steps: 0, droppedSteps: 0, epochs: { loss: [], valLoss: [], valAccuracy: [] } };
}

function statsObject(stats, base) {
  const out = {};
  STAT_NAMES.forEach((name, i) => {
    out[name] = name === 'nonFinite' ? stats[base + i] !== 0 : stats[base + i];
  });
  return out;
}

function firstNonFiniteLayer(log, nLayers) {
  const perStep = 1 + nLayers * STAT_COUNT;
  for (let s = 0; s < log.length / perStep; s++) {
    for (let l = 0; l < nLayers; l++) {
      if (log[s * perStep + 1 + l * STAT_COUNT + STAT_NAMES.indexOf('nonFinite')]) return l;
    }
    if (!Number.isFinite(log[s * perStep])) return nLayers;
  }
  return nLayers;
}

/** per-epoch logs of [loss, stats...] rows -> { loss, layers: [{ gradNorm: Float32Array, ... }] } */
function stepSeries(logs, nLayers) {
  const perStep = 1 + nLayers * STAT_COUNT;
  const total = logs.reduce((n, log) => n + log.length / perStep, 0);
  const loss = new Float32Array(total);
  const layers = Array.from({ length: nLayers }, () =>
    Object.fromEntries(STAT_NAMES.map((name) => [name, new Float32Array(total)])),
  );
  let step = 0;
  for (const log of logs) {
    for (let s = 0; s < log.length / perStep; s++, step++) {
      loss[step] = log[s * perStep];
      for (let l = 0; l < nLayers; l++) {
        const base = s * perStep + 1 + l * STAT_COUNT;
        STAT_NAMES.forEach((name, i) => {
          layers[l][name][step] = log[base + i];
        });
      }
    }
  }
  return { loss, layers };
}

export async function createNetwork(config, options = {}) {
  const normalized = normalizeConfig(config);
  if (!isPlainObject(options)) fail('createNetwork', 'options', options, 'an object { simd?, wasm? }');
  checkKeys('createNetwork', 'options', options, ['simd', 'wasm']);
  const core = await loadCore(options);
  return new Network(core, normalized);
}

export async function loadNetwork(json, options = {}) {
  const where = 'loadNetwork';
  let state = json;
  if (typeof json === 'string') {
    try {
      state = JSON.parse(json);
    } catch (err) {
      throw new Error(`${where}: json is not valid JSON (${err.message}); expected the output of net.toJSON()`);
    }
  }
  if (!isPlainObject(state) || state.format !== 'gradscope-network') {
    fail(where, 'json', state, "the output of net.toJSON() (format 'gradscope-network')");
  }
  if (state.version !== 1) fail(where, 'json.version', state.version, '1');
  const normalized = normalizeConfig(state.config, where);
  const core = await loadCore(options);
  const net = new Network(core, normalized);
  try {
    net.setParameters(state.parameters);
    net.restoreState(where, state);
  } catch (err) {
    net.dispose();
    throw err;
  }
  return net;
}
