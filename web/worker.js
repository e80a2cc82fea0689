// Training runs here, off the main thread: the page stays responsive while the
// network trains. The worker owns one network and its dataset; it answers
// commands (setup, play, pause, step, save, load, sweep) and streams progress.
import { EarlyStopper } from '../js/early-stopping.js';
import { createNetwork, diagnose, loadCore, loadNetwork, reproduce, setWasmPaths, sweep as runSweep, tryRemedies } from '../js/index.js';
import { measureRun } from '../js/measure.js';
import { loadDataset, presets, runScenario } from '../js/presets.js';
import { median } from '../js/util.js';
import { CSV_LIMIT_BYTES, MODEL_LIMIT_BYTES, checkSize, prepareCsv } from './csv.js';
import { DATASETS_2D } from './fields.js';
import { fitOptions, networkConfig } from './state.js';

const GRID = 64; // the decision map's and a unit's output map's resolution
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

/** per-column mean and std of the training split (std 0 counts as 1) */
function columnStats(x, k, n) {
  const mean = new Float64Array(k);
  const sq = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) mean[j] += x[i * k + j];
  for (let j = 0; j < k; j++) mean[j] /= n || 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) sq[j] += (x[i * k + j] - mean[j]) ** 2;
  return { mean, std: Array.from(sq, (v) => Math.sqrt(v / (n || 1)) || 1) };
}

/** a regression target to mean 0 and std 1 with the training split's statistics (train and test) */
function standardizedTarget(d) {
  const { mean, std } = columnStats(d.train.y, 1, d.train.y.length);
  const apply = (y) => Float32Array.from(y, (v) => (v - mean[0]) / std[0]);
  return { ...d, train: { ...d.train, y: apply(d.train.y) }, test: { ...d.test, y: apply(d.test.y) }, targetScaler: { mean: mean[0], std: std[0] } };
}

/** per-column mean and std of the training split, applied to train and test (new arrays; std 0 counts as 1) */
function standardized(d) {
  const k = d.inputs;
  const { mean, std } = columnStats(d.train.x, k, d.train.y.length ? d.train.x.length / k : 0);
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

/** the data a state trains on: its dataset, standardized as asked, with the clicked points */
async function buildDataset(state, custom) {
  const s = state.data;
  const seed = state.config.seed;
  let d;
  if (s.dataset === 'csv') {
    if (!custom.csv) throw new Error('no CSV data: choose a CSV file first');
    d = custom.csv;
  } else if (s.dataset === 'digits') d = await loadDataset({ name: 'digits', testRatio: s.testRatio, labelNoise: s.labelNoise }, seed);
  else d = await loadDataset({ name: s.dataset, samples: s.samples, noise: s.noise, testRatio: s.testRatio, labelNoise: s.labelNoise }, seed);
  // standardize with the generated / loaded training split only; clicked points are in the shown (standardized) plane
  if (s.standardize) d = standardized(d);
  if (s.standardizeTarget && d.loss === 'mse') d = standardizedTarget(d);
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

/** the centres of a grid x grid raster over the data's domain, row 0 at the top */
function gridPoints(grid = GRID) {
  const [lo, hi] = data.domain;
  const x = new Float32Array(grid * grid * 2);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const i = r * grid + c;
      x[2 * i] = lo + ((c + 0.5) / grid) * (hi - lo);
      x[2 * i + 1] = hi - ((r + 0.5) / grid) * (hi - lo);
    }
  }
  return x;
}

function boundary() {
  const out = net.predict(gridPoints(GRID));
  if (state.config.loss !== 'softmax-ce') return { kind: state.config.loss === 'mse' ? 'value' : 'probability', values: out };
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
  const msg = { type: 'progress', generation, epoch, steps: pending, stats: net.layerStats(), running, learningRate: net.learningRate };
  pending = emptyPending(state.config.layers.length);
  if (force || now - lastSlow > SLOW_MS) {
    lastSlow = now;
    data.diagX ??= sampleRows(data.train.x, data.inputs);
    // a regression target's scale too (diagnose says "scale the target" when it is what is off)
    if (data.loss === 'mse') data.diagY ??= sampleRows(data.train.y, data.outputs);
    msg.findings = diagnose(net, undefined, data.loss === 'mse' ? { x: data.diagX, y: data.diagY } : { x: data.diagX });
    msg.histograms = net.layerHistograms().map((l) => ({ activation: l.activation, gradient: l.gradient }));
    msg.weights = net.getParameters().map((l) => l.weight);
    if (data.domain) msg.boundary = boundary();
    if (state.config.loss === 'softmax-ce') msg.confusion = confusion();
    else if (state.config.loss === 'mse' && !data.domain) msg.scatter = scatter();
  }
  post(msg);
}

const SCATTER_ROWS = 500;
/** regression beyond 2-D: predicted against true values of (an even sample of) the test set */
function scatter() {
  const n = data.test.y.length;
  const m = Math.min(n, SCATTER_ROWS);
  const x = new Float32Array(m * data.inputs);
  const truth = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const j = Math.floor((i * n) / m);
    x.set(data.test.x.subarray(j * data.inputs, (j + 1) * data.inputs), i * data.inputs);
    truth[i] = data.test.y[j];
  }
  return { truth, predicted: m ? net.predict(x) : new Float32Array(0) };
}

/** an epoch ended (fit's onEpoch): its summary, its steps unless they were reported one by one, early stopping */
function onEpoch(info, { stepsReported = false } = {}) {
  epoch++;
  if (!stepsReported) appendSteps(info.steps);
  pending.epochs.push({ epoch, loss: info.loss, valLoss: info.valLoss, valAccuracy: info.valAccuracy, skippedSteps: info.skippedSteps });
  if (stopper?.observe(epoch - 1, info.valLoss)) stopped = { epoch, best: stopper.bestEpoch + 1 };
  report();
}

/** a fit's per-step series into the next report; an epoch holds up to ~18k steps: appended by loops, not spread into push */
function appendSteps(s) {
  for (const v of s.loss) pending.loss.push(v);
  s.layers.forEach((layer, l) => {
    for (const k of STEP_SERIES) {
      const into = pending.layers[l][k];
      for (const v of layer[k]) into.push(v);
    }
  });
}

/** a histogram sample for the distributions view: per quantity [exact zeros, ...bin counts] */
const snapshot = (l) => ({ activation: Uint32Array.of(l.activation.zeros, ...l.activation.counts), gradient: Uint32Array.of(l.gradient.zeros, ...l.gradient.counts) });

let stepsDone = 0; // optimizer steps of this run (histogram snapshots are labelled with it)
let openEpoch = false; // a slow-motion step left an epoch unfinished: the next fit resumes it (same data)
let stopper = null; // early stopping over the whole run (fit is called in chunks): the library's rule
let stopped = null; // { epoch, best } once early stopping ended the run

/**
 * Trains with the library's fit: `epochs` whole epochs, or (slow motion) one
 * optimizer step. resume: an epoch left unfinished by a slow step goes on
 * where it stopped, so slow and fast motion train the same steps.
 */
async function train({ epochs = 1, oneStep = false, signal } = {}) {
  const before = stepsDone;
  const every = state.view.histogramEvery || 10;
  // early stopping runs over the whole run here (stopper), not per fit call; an epoch a slow step left open goes on
  const options = { ...fitOptions(state), validation: data.test, signal, resume: openEpoch };
  if (oneStep) {
    const history = await net.fit(data.train.x, data.train.y, { ...options, maxSteps: 1, onEpoch: (info) => onEpoch(info, { stepsReported: true }) });
    openEpoch = history.partialEpoch !== null;
    appendSteps(history.steps);
    stepsDone = before + history.steps.loss.length;
    if (stepsDone % every === 0) pending.histograms.push({ step: stepsDone, layers: net.layerHistograms().map(snapshot) });
  } else {
    const history = await net.fit(data.train.x, data.train.y, { ...options, epochs, onEpoch, histogramEvery: every });
    openEpoch = history.partialEpoch !== null;
    stepsDone = before + history.steps.loss.length + history.droppedSteps;
    for (const h of history.histograms ?? []) pending.histograms.push({ step: before + h.step + 1, layers: h.layers.map(snapshot) });
  }
  if (stopped && stopper.restore && stopper.best && stopped.best !== stopped.epoch) net.setParameters(stopper.best);
}

function play({ untilEpoch: until = null } = {}) {
  if (running) return;
  if (!net) return post({ type: 'error', message: 'nothing to train: the setup has no network (see the message above)' });
  if (stopped) return post({ type: 'finished', generation, epoch, early: stopped });
  untilEpoch = Number.isInteger(until) && until > epoch ? until : null;
  loop = playLoop();
}

/** the run reached its length or early stopping ended it: say so once */
function finished() {
  if (!stopped && (untilEpoch === null || epoch < untilEpoch)) return false;
  running = false;
  post({ type: 'finished', generation, epoch, early: stopped });
  return true;
}

async function playLoop() {
  running = true;
  const mine = generation;
  controller = new AbortController();
  post({ type: 'state', running });
  try {
    while (running && mine === generation) {
      const t0 = performance.now();
      const speed = state.view.speed;
      if (speed < 0) {
        // slow motion: -speed optimizer steps a second, each reported as it happens
        await train({ oneStep: true, signal: controller.signal });
        report(-speed <= 10);
        if (finished()) break;
        await sleep(Math.max(0, 1000 / -speed - (performance.now() - t0)));
        continue;
      }
      // fast: several epochs per fit call; paced: one, then wait out the rest of its time slot
      const chunk = Math.min(speed === 0 ? 5 : 1, untilEpoch === null ? Infinity : untilEpoch - epoch);
      await train({ epochs: chunk, signal: controller.signal });
      if (finished()) break;
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

const SCHEDULE_STEPS = 5000; // the schedule drawn: at most this many steps

/** the learning rate of each step of the run, from the core's own schedule (a one-weight network stepped through it) */
async function schedulePreview(s, d) {
  const o = s.config.optimizer;
  if (!o.schedule) return null;
  const perEpoch = Math.max(1, Math.ceil(d.train.y.length / (d.loss === 'softmax-ce' ? 1 : d.outputs) / s.fit.batchSize));
  const sch = o.schedule;
  const planned = (s.fit.epochs || 100) * perEpoch;
  const n = Math.min(SCHEDULE_STEPS, Math.max(planned, sch.warmupSteps + (sch.decaySteps ?? 0) + 1));
  const probe = await createNetwork({ inputs: 1, layers: [{ units: 1 }], loss: 'mse', optimizer: o, seed: 0 }, coreOptions);
  try {
    const rates = new Float32Array(n);
    const x = new Float32Array(1);
    const y = new Float32Array(1);
    for (let t = 0; t < n; t++) {
      rates[t] = probe.learningRate;
      probe.trainStep(x, y);
    }
    return rates;
  } finally {
    probe.dispose();
  }
}

async function setup({ state: s, custom = {}, request, useLoaded = false }) {
  await pause();
  generation++;
  state = s;
  epoch = 0;
  stepsDone = 0;
  openEpoch = false;
  stopped = null;
  net?.dispose();
  net = null;
  data = null;
  const model = useLoaded ? loaded : null;
  loaded = null;
  let schedule = null;
  try {
    data = await buildDataset(s, custom);
    if (useLoaded && !model) throw new Error('the model file is no longer available; load it again');
    const config = networkConfig(s, data);
    if (model && (model.config.inputs !== config.inputs || model.config.layers.at(-1).units !== config.layers.at(-1).units)) {
      throw new Error(`the model takes ${model.config.inputs} inputs and gives ${model.config.layers.at(-1).units} outputs; the ${s.data.dataset} data has ${data.inputs} inputs and ${data.outputs} outputs`);
    }
    net = model ?? (await createNetwork(config, coreOptions));
    schedule = await schedulePreview(s, data);
  } catch (err) {
    model?.dispose();
    post({ type: 'setup-failed', generation, request, noData: s.data.dataset === 'csv' && !custom.csv, message: err.message || String(err) });
    return;
  }
  stopper = s.fit.earlyStopping ? new EarlyStopper(s.fit.earlyStopping, () => net.getParameters()) : null;
  pending = emptyPending(s.config.layers.length);
  const points = data.inputs === 2 ? drawnPoints(data) : null;
  post({ type: 'setup', generation, request, dataset: { name: s.data.dataset, inputs: data.inputs, outputs: data.outputs, loss: data.loss, classes: data.classes, classNames: data.classNames ?? null, trainSize: data.train.y.length, testSize: data.test.y.length, targetScaler: data.targetScaler ?? null }, points, config: net.config, simd: net.simd, threads: net.threads, schedule });
  report(true);
}

/** a page setup as the library's scenario (a dataset already built, the config, fit's options) */
const scenarioOf = (s, d, epochs) => ({ name: 'page', dataset: d, config: networkConfig(s, d), fit: { ...fitOptions(s), ...(epochs ? { epochs } : {}) } });

/** the library's sweep() over one parameter (dropout or learning rate) of this setup, point by point */
async function sweep({ state: s, custom = {}, param, values, epochs }) {
  const d = await buildDataset(s, custom);
  const scenario = scenarioOf(s, d);
  await runSweep(scenario, {
    param,
    values,
    epochs,
    seeds: [s.config.seed],
    coreOptions,
    onPoint: (row) => post({ type: 'sweep-point', param, value: row.value, trainLoss: row.trainLoss, testLoss: row.testLoss, testAccuracy: row.testAccuracy, deadFraction: row.deadFraction, maxGradNorm: row.maxGradNorm, diverged: row.diverged }),
  });
  post({ type: 'sweep-done', param });
}

/** the library's tryRemedies() for one finding of this setup, each remedy's measured effect posted as it comes */
let paperController = null; // the paper card under way
let remedyController = null;
let remediesFrom = 0; // requests older than this were for a setup the page has left: skipped
async function tryRemediesHere({ state: s, custom = {}, kind, seeds = 3, request, dataRemedies = [] }) {
  if (request < remediesFrom) return;
  remedyController?.abort();
  remedyController = new AbortController();
  const signal = remedyController.signal;
  const d = await buildDataset(s, custom);
  const epochs = s.fit.epochs || 30;
  const scenario = scenarioOf(s, d, epochs);
  // a preset's failure as the preset defines it (the page clears state.preset on any change): the preset itself,
  // so the library measures the preset's own remedy list, the one the page shows
  const preset = s.preset && !s.preset.includes(':') && Object.hasOwn(presets, s.preset) && !custom.points?.length ? s.preset : null;
  const t0 = performance.now();
  const out = await tryRemedies(preset ?? scenario, kind, {
    epochs,
    seeds,
    signal,
    coreOptions,
    onResult: (r) => post({ type: 'remedy-result', request, kind, epochs, result: { id: r.id, label: r.label, metrics: r.metrics, stillFound: r.stillFound, seeds: r.seeds, ms: r.ms, error: r.error ?? null } }),
  });
  // a change of the data (standardize the target or the inputs), measured on the same seeds and budget
  for (const r of out.aborted ? [] : dataRemedies) {
    const result = await measureDataRemedy(out, s, custom, r, epochs, signal);
    if (!result) break;
    post({ type: 'remedy-result', request, kind, epochs, result });
  }
  post({ type: 'remedies-done', request, kind, aborted: out.aborted || signal.aborted, ms: performance.now() - t0 });
}

/**
 * A data remedy ({ id, label, data: { standardizeTarget | standardize: true } }) trained on
 * tryRemedies' seeds and epochs and measured as it measures (measureRun), against its
 * "before". The test loss is left out: standardizing the target changes its units.
 */
async function measureDataRemedy(out, s, custom, remedy, epochs, signal) {
  const t0 = performance.now();
  const d = await buildDataset({ ...s, data: { ...s.data, ...remedy.data } }, custom);
  const scenario = scenarioOf(s, d, epochs);
  const runs = [];
  for (const seed of out.seeds) {
    if (signal.aborted) return null;
    const run = await runScenario(scenario, { seed, epochs, signal, coreOptions });
    try {
      if (run.history.aborted) return null;
      runs.push({ metrics: measureRun(run), found: run.findings.some((f) => f.kind === out.kind) });
    } finally {
      run.net.dispose();
    }
  }
  const names = out.metrics.filter((n) => n !== 'testLoss');
  const metrics = Object.fromEntries(names.map((n) => [n, { before: out.before[n], after: median(runs.map((r) => r.metrics[n])) }]));
  return { id: remedy.id, label: remedy.label, metrics, stillFound: runs.filter((r) => r.found).length, seeds: out.seeds, ms: performance.now() - t0, error: null };
}

const handlers = {
  async init({ simd, threads }) {
    // the threaded core is opt-in, so bundlers leave its file out unless an app names it: this does
    setWasmPaths({ threads: new URL('../dist/gradscope_threads.wasm', import.meta.url) });
    coreOptions = { ...(simd === undefined ? {} : { simd }), ...(threads > 1 ? { threads } : {}) };
    try {
      const core = await loadCore(coreOptions);
      post({ type: 'ready', simd: core.simd, threads: coreOptions.threads ?? 1 });
    } catch (err) {
      if (!coreOptions.threads) throw err;
      // threads where the page cannot have them: say why, and train on one
      delete coreOptions.threads;
      const core = await loadCore(coreOptions);
      post({ type: 'ready', simd: core.simd, threads: 1, threadsRefused: err.message });
    }
  },
  /** the networks built from now on (Reset, a preset, a setting) share their products over `threads` */
  threads({ threads }) {
    if (threads > 1) coreOptions.threads = threads;
    else delete coreOptions.threads;
  },
  setup,
  play,
  pause,
  async step() {
    if (!net) return post({ type: 'error', message: 'nothing to train: the setup has no network (see the message above)' });
    await pause();
    // in slow motion, Step is one optimizer step; else one epoch
    await train(state.view.speed < 0 ? { oneStep: true } : { epochs: 1 });
    report(true);
    if (stopped) post({ type: 'finished', generation, epoch, early: stopped });
  },
  /** the output of one hidden unit over the plane (2-D data), by the core's own forward pass (eval mode) */
  'unit-map'({ layer, unit, request }) {
    if (!net || !data?.domain || layer >= net.config.layers.length - 1) return;
    const units = net.config.layers[layer].units;
    const outputs = net.layerOutputs(gridPoints())[layer];
    const values = new Float32Array(GRID * GRID);
    for (let i = 0; i < values.length; i++) values[i] = outputs[i * units + unit];
    post({ type: 'unit-map', request, layer, unit, grid: GRID, values });
  },
  'try-remedies': tryRemediesHere,
  /** a paper card: the library's reproduce(), its progress posted, stoppable */
  async paper({ id, seed }) {
    paperController?.abort();
    paperController = new AbortController();
    const card = await reproduce(id, { seed, signal: paperController.signal, onProgress: (p) => post({ type: 'paper-progress', ...p }) });
    post({ type: 'paper-done', card });
  },
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
    if (state) state.view.speed = speed;
    if (state && histogramEvery) state.view.histogramEvery = histogramEvery;
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
    openEpoch = false; // new data: the next fit starts a new epoch
    post({ type: 'points', points: drawnPoints(data) });
    if (wasRunning) play();
  },
};

// commands run one after another, so setup never races a step
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data;
  const handler = Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : null;
  if (!handler && msg.type !== 'abort-remedies' && msg.type !== 'stop-paper') return post({ type: 'error', message: `worker: unknown command ${msg.type}` });
  if (msg.type === 'pause' || msg.type === 'speed') return handler(msg); // must not wait behind a running play
  if (msg.type === 'stop-paper') return paperController?.abort(); // must not wait behind the card it stops
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
