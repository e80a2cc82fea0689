// Training runs here, off the main thread: the page stays responsive while the
// network trains. The worker owns one network and its dataset; it answers
// commands (setup, play, pause, step, save, load, sweep) and streams progress.
import { createNetwork, diagnose, loadCore, loadNetwork, sweep as runSweep, tryRemedies } from '../js/index.js';
import { loadDataset, presets } from '../js/presets.js';
import { CSV_LIMIT_BYTES, MODEL_LIMIT_BYTES, checkSize, prepareCsv } from './csv.js';
import { DATASETS_2D, networkConfig, presetEpochs, stateFromPreset } from './state.js';
import { unitOutputs } from './unitmap.js';

const GRID = 64; // decision-boundary resolution
const REPORT_MS = 60; // at most ~16 progress messages a second
const SLOW_MS = 300; // findings, weights and the boundary: a few times a second

let coreOptions = {};
let net = null;
let data = null; // { train, test, inputs, outputs, loss, domain? }
let state = null;
let epoch = 0;
let running = false;
let controller = null;
let loop = Promise.resolve(); // the play loop, awaited before the network changes
let pending = null;
let lastReport = 0;
let lastSlow = 0;
let generation = 0; // bumps on every setup, so a stale loop stops
let untilEpoch = null; // a preset's length: play stops there
let loaded = null; // a model file read and validated by 'load-file', waiting for the setup that uses it

const MAX_DRAWN_POINTS = 3000; // per split: the decision map draws at most this many (a large CSV is sampled)

/** the points of a 2-feature dataset the page draws: all of them, or an even sample of a large set */
function drawnPoints(d) {
  const sample = (part) => {
    const n = part.y.length;
    if (n <= MAX_DRAWN_POINTS) return part;
    const stride = n / MAX_DRAWN_POINTS;
    const x = new Float32Array(2 * MAX_DRAWN_POINTS);
    const y = new part.y.constructor(MAX_DRAWN_POINTS);
    for (let i = 0; i < MAX_DRAWN_POINTS; i++) {
      const j = Math.floor(i * stride);
      x[2 * i] = part.x[2 * j];
      x[2 * i + 1] = part.x[2 * j + 1];
      y[i] = part.y[j];
    }
    return { x, y };
  };
  return { train: sample(d.train), test: sample(d.test), domain: d.domain, trainSize: d.train.y.length };
}

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const STEP_SERIES = ['gradNorm', 'biasGradNorm', 'deadFraction', 'saturatedFraction', 'updateDataRatio'];
function emptyPending(layers) {
  return { loss: [], layers: Array.from({ length: layers }, () => Object.fromEntries(STEP_SERIES.map((k) => [k, []]))), epochs: [], histograms: [] };
}

/** per-column mean and std of the training split, applied to train and test (new arrays; std 0 counts as 1) */
function standardized(d) {
  const k = d.inputs;
  const n = d.train.y.length ? d.train.x.length / k : 0;
  const mean = new Float64Array(k);
  const sq = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) mean[j] += d.train.x[i * k + j];
  for (let j = 0; j < k; j++) mean[j] /= n || 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) sq[j] += (d.train.x[i * k + j] - mean[j]) ** 2;
  const std = Array.from(sq, (v) => Math.sqrt(v / (n || 1)) || 1);
  const apply = (x) => Float32Array.from(x, (v, i) => (v - mean[i % k]) / std[i % k]);
  return { ...d, train: { ...d.train, x: apply(d.train.x) }, test: { ...d.test, x: apply(d.test.x) }, scaler: { mean: Array.from(mean), std } };
}

const DIAGNOSE_ROWS = 5000; // diagnose's input-scale check reads at most this many training rows (an even sample)
function sampleRows(x, inputs) {
  const n = x.length / inputs;
  if (n <= DIAGNOSE_ROWS) return x;
  const out = new Float32Array(DIAGNOSE_ROWS * inputs);
  for (let i = 0; i < DIAGNOSE_ROWS; i++) out.set(x.subarray(Math.floor((i * n) / DIAGNOSE_ROWS) * inputs, (Math.floor((i * n) / DIAGNOSE_ROWS) + 1) * inputs), i * inputs);
  return out;
}

async function buildDataset(s, custom) {
  let d;
  if (s.dataset === 'csv') {
    if (!custom.csv) throw new Error('no CSV data: choose a CSV file first');
    d = custom.csv;
  }  else if (s.dataset === 'digits') d = await loadDataset({ name: 'digits', testRatio: s.testRatio, labelNoise: s.labelNoise }, s.seed);
  else d = await loadDataset({ name: s.dataset, samples: s.samples, noise: s.noise, testRatio: s.testRatio, labelNoise: s.labelNoise }, s.seed);
  // standardize with the generated / loaded training split only; clicked points are in the shown (standardized) plane
  if (s.standardize) d = standardized(d);
  if (custom.points?.length && DATASETS_2D.includes(s.dataset)) {
    // clicked points join the training set
    const n = d.train.y.length;
    const x = new Float32Array(d.train.x.length + 2 * custom.points.length);
    const y = new d.train.y.constructor(n + custom.points.length);
    x.set(d.train.x);
    y.set(d.train.y);
    custom.points.forEach((p, i) => {
      x[2 * (n + i)] = p.x;
      x[2 * (n + i) + 1] = p.y;
      y[n + i] = p.label;
    });
    d = { ...d, train: { x, y } };
  }
  if (d.inputs === 2) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const part of [d.train.x, d.test.x]) for (const v of part) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const pad = 0.1 * (hi - lo || 1);
    d.domain = [lo - pad, hi + pad];
  }
  return d;
}

function boundary() {
  const [lo, hi] = data.domain;
  const x = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const i = r * GRID + c;
      x[2 * i] = lo + ((c + 0.5) / GRID) * (hi - lo);
      x[2 * i + 1] = hi - ((r + 0.5) / GRID) * (hi - lo); // row 0 at the top
    }
  }
  const out = net.predict(x);
  if (state.loss !== 'softmax-ce') return { kind: state.loss === 'mse' ? 'value' : 'probability', values: out };
  // k outputs per cell: the predicted class and its probability, one pair per cell
  const k = data.outputs;
  const cls = new Uint8Array(GRID * GRID);
  const p = new Float32Array(GRID * GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (out[i * k + j] > out[i * k + best]) best = j;
    cls[i] = best;
    p[i] = out[i * k + best];
  }
  return { kind: 'classes', k, classes: cls, confidence: p };
}

function confusion() {
  const k = data.outputs;
  const p = net.predict(data.test.x);
  const m = new Array(k * k).fill(0);
  for (let i = 0; i < data.test.y.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    m[data.test.y[i] * k + best]++;
  }
  return m;
}

/** sends what accumulated since the last report; slow parts when due or forced */
function report(force = false) {
  const now = performance.now();
  if (!force && now - lastReport < REPORT_MS) return;
  lastReport = now;
  const msg = { type: 'progress', generation, epoch, steps: pending, stats: net.layerStats(), running };
  pending = emptyPending(state.layers.length + 1);
  if (force || now - lastSlow > SLOW_MS) {
    lastSlow = now;
    data.diagX ??= sampleRows(data.train.x, data.inputs);
    msg.findings = diagnose(net, undefined, { x: data.diagX });
    msg.histograms = net.layerHistograms().map((l) => ({ activation: l.activation, gradient: l.gradient }));
    msg.weights = net.getParameters().map((l) => l.weight);
    if (data.domain) msg.boundary = boundary();
    if (state.loss === 'softmax-ce') msg.confusion = confusion();
  }
  post(msg);
}

function onEpoch(info) {
  epoch++;
  const s = info.steps;
  // an epoch holds up to ~18k steps: appended by loops, not spread into push (arguments are limited)
  for (const v of s.loss) pending.loss.push(v);
  s.layers.forEach((layer, l) => {
    for (const k of STEP_SERIES) {
      const into = pending.layers[l][k];
      for (const v of layer[k]) into.push(v);
    }
  });
  pending.epochs.push({ epoch, loss: info.loss, valLoss: info.valLoss, valAccuracy: info.valAccuracy, skippedSteps: info.skippedSteps });
  report();
}

/** a histogram sample for the distributions view: per quantity [exact zeros, ...bin counts] */
const snapshot = (l) => ({ activation: Uint32Array.of(l.activation.zeros, ...l.activation.counts), gradient: Uint32Array.of(l.gradient.zeros, ...l.gradient.counts) });

let stepsDone = 0; // optimizer steps of this run (histogram snapshots are labelled with it)

async function trainEpochs(epochs, signal) {
  const before = stepsDone;
  const every = state.histogramEvery || 10;
  const history = await net.fit(data.train.x, data.train.y, { epochs, batchSize: state.batchSize, validation: data.test, onEpoch, signal, histogramEvery: every });
  stepsDone = before + history.steps.loss.length + history.droppedSteps;
  for (const h of history.histograms ?? []) pending.histograms.push({ step: before + h.step + 1, layers: h.layers.map(snapshot) });
}

// ---- slow motion: one optimizer step at a time (trainStep), so a failure unfolds over seconds ----
let stepper = null; // { order, pos, loss, steps, skipped } of the epoch under way

function shuffled(n, seed) {
  // a small LCG: the same seed and epoch give the same order
  let r = (seed * 2654435761 + 12345) >>> 0;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
    const j = r % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** one trainStep on the next batch; an epoch ends (and is evaluated on the test set) when the training set is used up */
function trainOneStep() {
  const { x, y } = data.train;
  const n = y.length / (data.loss === 'softmax-ce' ? 1 : data.outputs);
  const k = data.inputs;
  const ydim = y.length / n;
  if (!stepper) stepper = { order: shuffled(n, state.seed + epoch), pos: 0, loss: 0, steps: 0, skipped: 0 };
  const rows = stepper.order.slice(stepper.pos, stepper.pos + Math.min(state.batchSize, n));
  const xb = new Float32Array(rows.length * k);
  const yb = new y.constructor(rows.length * ydim);
  rows.forEach((r, i) => {
    xb.set(x.subarray(r * k, (r + 1) * k), i * k);
    for (let j = 0; j < ydim; j++) yb[i * ydim + j] = y[r * ydim + j];
  });
  const result = net.trainStep(xb, yb);
  stepsDone++;
  const stats = net.layerStats();
  pending.loss.push(result.loss);
  stats.forEach((st, l) => {
    for (const key of STEP_SERIES) pending.layers[l][key].push(st[key]);
  });
  if ((state.histogramEvery || 10) && stepsDone % (state.histogramEvery || 10) === 0) {
    pending.histograms.push({ step: stepsDone, layers: net.layerHistograms().map(snapshot) });
  }
  stepper.pos += rows.length;
  stepper.steps++;
  if (result.skipped) stepper.skipped++;
  else stepper.loss += result.loss;
  if (stepper.pos >= n) {
    epoch++;
    const val = net.evaluate(data.test.x, data.test.y);
    const done = stepper.steps - stepper.skipped;
    pending.epochs.push({ epoch, loss: done ? stepper.loss / done : NaN, valLoss: val.loss, valAccuracy: val.accuracy, skippedSteps: stepper.skipped });
    stepper = null;
  }
  return result;
}

function play({ untilEpoch: until = null } = {}) {
  if (running) return;
  if (!net) return post({ type: 'error', message: 'nothing to train: the setup has no network (see the message above)' });
  untilEpoch = Number.isInteger(until) && until > epoch ? until : null;
  loop = playLoop();
}

async function playLoop() {
  running = true;
  const mine = generation;
  controller = new AbortController();
  post({ type: 'state', running });
  try {
    while (running && mine === generation) {
      const t0 = performance.now();
      const speed = state.speed;
      if (speed < 0) {
        // slow motion: -speed optimizer steps a second, each reported as it happens
        trainOneStep();
        report(-speed <= 10);
        if (untilEpoch !== null && epoch >= untilEpoch) {
          running = false;
          post({ type: 'finished', generation, epoch });
          break;
        }
        await sleep(Math.max(0, 1000 / -speed - (performance.now() - t0)));
        continue;
      }
      stepper = null; // fit starts its epochs afresh
      // fast: several epochs per fit call; paced: one, then wait out the rest of its time slot
      const chunk = Math.min(speed === 0 ? 5 : 1, untilEpoch === null ? Infinity : untilEpoch - epoch);
      await trainEpochs(chunk, controller.signal);
      if (untilEpoch !== null && epoch >= untilEpoch) {
        running = false;
        post({ type: 'finished', generation, epoch });
        break;
      }
      if (speed > 0) await sleep(Math.max(0, 1000 / speed - (performance.now() - t0)));
    }
  } catch (err) {
    post({ type: 'error', generation, message: err.message || String(err) });
  }
  if (mine === generation) {
    running = false;
    try {
      report(true);
    } catch (err) {
      post({ type: 'error', generation, message: err.message || String(err) });
    }
    post({ type: 'state', running });
  }
}

/** stops the play loop and waits until it has stopped */
async function pause() {
  running = false;
  controller?.abort();
  await loop;
}

async function setup({ state: s, custom = {}, request, useLoaded = false }) {
  await pause();
  generation++;
  state = s;
  epoch = 0;
  stepsDone = 0;
  stepper = null;
  net?.dispose();
  net = null;
  data = null;
  const model = useLoaded ? loaded : null;
  loaded = null;
  try {
    data = await buildDataset(s, custom);
    if (useLoaded && !model) throw new Error('the model file is no longer available; load it again');
    if (model && (model.config.inputs !== data.inputs || model.config.layers.at(-1).units !== (s.loss === 'softmax-ce' ? data.outputs : 1))) {
      throw new Error(`the model takes ${model.config.inputs} inputs and gives ${model.config.layers.at(-1).units} outputs; the ${s.dataset} data has ${data.inputs} inputs and ${data.outputs} outputs`);
    }
    net = model ?? (await createNetwork(networkConfig(s, data), coreOptions));
  } catch (err) {
    model?.dispose();
    post({ type: 'setup-failed', generation, request, noData: s.dataset === 'csv' && !custom.csv, message: err.message || String(err) });
    return;
  }
  pending = emptyPending(s.layers.length + 1);
  const points = data.inputs === 2 ? drawnPoints(data) : null;
  post({ type: 'setup', generation, request, dataset: { name: s.dataset, inputs: data.inputs, outputs: data.outputs, loss: data.loss, classes: data.classes, classNames: data.classNames ?? null, trainSize: data.train.y.length, testSize: data.test.y.length }, points, config: net.config, simd: net.simd });
  report(true);
}

/** the library's sweep() over one parameter (dropout or learning rate) of this setup, point by point */
async function sweep({ state: s, custom = {}, param, values, epochs }) {
  const d = await buildDataset(s, custom);
  const scenario = { name: 'page', dataset: d, config: networkConfig(s, d), fit: { batchSize: s.batchSize } };
  await runSweep(scenario, {
    param,
    values,
    epochs,
    seeds: [s.seed],
    coreOptions,
    onPoint: (row) => post({ type: 'sweep-point', param, value: row.value, trainLoss: row.trainLoss, testLoss: row.testLoss, testAccuracy: row.testAccuracy, deadFraction: row.deadFraction, maxGradNorm: row.maxGradNorm, diverged: row.diverged }),
  });
  post({ type: 'sweep-done', param });
}

/** the library's tryRemedies() for one finding of this setup, each remedy's measured effect posted as it comes */
let remedyController = null;
let remediesFrom = 0; // requests older than this were for a setup the page has left: skipped
async function tryRemediesHere({ state: s, custom = {}, kind, seeds = 3, request }) {
  if (request < remediesFrom) return;
  remedyController?.abort();
  remedyController = new AbortController();
  const signal = remedyController.signal;
  const [name, side] = String(s.preset || '').split(':');
  let scenario;
  let epochs;
  const d = await buildDataset(s, custom);
  // a preset's failure exactly as the preset defines it (a link may have changed a field): its own remedy list
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const keys = ['dataset', 'samples', 'noise', 'testRatio', 'labelNoise', 'batchSize', 'standardize'];
  const asPreset = name && !side && Object.hasOwn(presets, name) ? stateFromPreset(name, 'failure', s) : null;
  if (asPreset && same(networkConfig(asPreset, d), networkConfig(s, d)) && keys.every((k) => same(asPreset[k], s[k])) && !custom.points?.length) {
    scenario = name;
    epochs = presetEpochs(name) ?? 30;
  } else {
    epochs = presetEpochs(s.preset) ?? 30;
    scenario = { name: 'page', dataset: d, config: networkConfig(s, d), fit: { batchSize: s.batchSize, epochs } };
  }
  const t0 = performance.now();
  const out = await tryRemedies(scenario, kind, {
    epochs,
    seeds,
    signal,
    coreOptions,
    onResult: (r) => post({ type: 'remedy-result', request, kind, epochs, result: { id: r.id, label: r.label, metrics: r.metrics, stillFound: r.stillFound, seeds: r.seeds, ms: r.ms, error: r.error ?? null } }),
  });
  post({ type: 'remedies-done', request, kind, aborted: out.aborted, ms: performance.now() - t0 });
}

const handlers = {
  async init({ simd }) {
    coreOptions = simd === undefined ? {} : { simd };
    const core = await loadCore(coreOptions);
    post({ type: 'ready', simd: core.simd });
  },
  setup,
  play,
  pause,
  async step() {
    if (!net) return post({ type: 'error', message: 'nothing to train: the setup has no network (see the message above)' });
    await pause();
    // in slow motion, Step is one optimizer step; else one epoch
    if (state.speed < 0) trainOneStep();
    else {
      stepper = null;
      await trainEpochs(1);
    }
    report(true);
  },
  /** the output of one hidden unit over the plane (2-D data): computed from the parameters, in JS */
  'unit-map'({ layer, unit, request }) {
    if (!net || !data?.domain) return;
    post({ type: 'unit-map', request, layer, unit, grid: GRID, values: unitOutputs(net.config, net.getParameters(), layer, unit, data.domain, GRID) });
  },
  'try-remedies': tryRemediesHere,
  /** reads a CSV file here, off the main thread */
  async 'parse-csv'({ file, options, request }) {
    try {
      checkSize('CSV file', file.name, file.size, CSV_LIMIT_BYTES);
      const { dataset, info } = prepareCsv(await file.text(), options);
      post({ type: 'csv', request, dataset, info: { ...info, fileName: file.name, bytes: file.size } });
    } catch (err) {
      post({ type: 'csv-error', request, message: `CSV "${file.name}": ${err.message}`, header: err.header ?? null, label: err.label ?? null });
    }
  },
  /** reads and validates a model file; the next setup with useLoaded takes the network */
  async 'load-file'({ file, request }) {
    try {
      checkSize('Model file', file.name, file.size, MODEL_LIMIT_BYTES);
      let json;
      try {
        json = JSON.parse(await file.text());
      } catch (err) {
        throw new Error(`not JSON (${err.message}); expected a model saved by this page (gradscope toJSON output)`);
      }
      const model = await loadNetwork(json, coreOptions);
      loaded?.dispose();
      loaded = model;
      post({ type: 'model', request, config: model.config, fileName: file.name });
    } catch (err) {
      post({ type: 'model-error', request, message: `Load model "${file.name}": ${err.message}` });
    }
  },
  speed({ speed, histogramEvery }) {
    if (state) state.speed = speed;
    if (state && histogramEvery) state.histogramEvery = histogramEvery;
  },
  save({ format } = {}) {
    if (!net) return post({ type: 'error', message: 'nothing to save: the setup has no network' });
    if (format === 'pytorch') return post({ type: 'saved', name: 'gradscope-model.py', text: net.toPyTorch() });
    post({ type: 'saved', name: 'gradscope-model.json', text: JSON.stringify(net.toJSON()) });
  },
  sweep,
  /** clicked points join the training set; the network keeps training */
  async points({ custom }) {
    if (!state || !net) return;
    const wasRunning = running;
    await pause();
    data = await buildDataset(state, custom);
    post({ type: 'points', points: drawnPoints(data) });
    if (wasRunning) play();
  },
};

// commands run one after another, so setup never races a step
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data;
  const handler = Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (!handler && msg.type !== 'abort-remedies') return post({ type: 'error', message: `worker: unknown command ${msg.type}` });
  if (msg.type === 'pause' || msg.type === 'speed') return handler(msg); // must not wait behind a running play
  if (msg.type === 'abort-remedies') {
    remediesFrom = Math.max(remediesFrom, msg.request ?? 0);
    return remedyController?.abort();
  }
  const run = () => handler(msg);
  queue = queue.then(run, run).catch((err) => post({ type: 'error', message: `${msg.type}: ${err.message || String(err)}` }));
};

// the worker runs under the page's Content-Security-Policy (sent with its script); a violation
// here would not reach the page's console by itself, so it is reported
self.addEventListener('securitypolicyviolation', (e) => post({ type: 'csp-violation', directive: e.violatedDirective, blocked: String(e.blockedURI || 'inline') }));

// anything that escapes the handlers above still reaches the page, which stops the run and says why
self.addEventListener('error', (event) => {
  event.preventDefault();
  running = false;
  post({ type: 'error', fatal: true, message: `the training worker failed: ${event.message || event.error?.message || 'unknown error'}` });
});
self.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  running = false;
  post({ type: 'error', fatal: true, message: `the training worker failed: ${event.reason?.message || String(event.reason)}` });
});
