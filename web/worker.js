// Training runs here, off the main thread: the page stays responsive while the
// network trains. The worker owns one network and its dataset; it answers
// commands (setup, play, pause, step, save, load, sweep) and streams progress.
import { createNetwork, datasets, diagnose, loadCore, loadNetwork } from '../js/index.js';
import { DATASETS_2D, networkConfig } from './state.js';

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

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function emptyPending(layers) {
  return { loss: [], layers: Array.from({ length: layers }, () => ({ gradNorm: [], deadFraction: [], saturatedFraction: [] })), epochs: [] };
}

async function buildDataset(s, custom) {
  let d;
  if (s.dataset === 'csv') d = custom.csv;
  else if (s.dataset === 'digits') d = await datasets.digits({ seed: s.seed, testRatio: s.testRatio, labelNoise: s.labelNoise });
  else d = datasets[s.dataset]({ samples: s.samples, noise: s.noise, seed: s.seed, testRatio: s.testRatio, labelNoise: s.labelNoise });
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
  return net.predict(x);
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
    msg.findings = diagnose(net);
    msg.weights = net.getParameters().map((l) => l.weight);
    if (data.domain) msg.boundary = boundary();
    if (state.loss === 'softmax-ce') msg.confusion = confusion();
  }
  post(msg);
}

function onEpoch(info) {
  epoch++;
  const s = info.steps;
  pending.loss.push(...s.loss);
  s.layers.forEach((layer, l) => {
    pending.layers[l].gradNorm.push(...layer.gradNorm);
    pending.layers[l].deadFraction.push(...layer.deadFraction);
    pending.layers[l].saturatedFraction.push(...layer.saturatedFraction);
  });
  pending.epochs.push({ epoch, loss: info.loss, valLoss: info.valLoss, valAccuracy: info.valAccuracy, skippedSteps: info.skippedSteps });
  report();
}

async function trainEpochs(epochs, signal) {
  await net.fit(data.train.x, data.train.y, { epochs, batchSize: state.batchSize, validation: data.test, onEpoch, signal });
}

function play() {
  if (running || !net) return;
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
      // fast: several epochs per fit call; paced: one, then wait out the rest of its time slot
      await trainEpochs(speed === 0 ? 5 : 1, controller.signal);
      if (speed > 0) await sleep(Math.max(0, 1000 / speed - (performance.now() - t0)));
    }
  } catch (err) {
    post({ type: 'error', message: err.message });
  }
  if (mine === generation) {
    running = false;
    report(true);
    post({ type: 'state', running });
  }
}

/** stops the play loop and waits until it has stopped */
async function pause() {
  running = false;
  controller?.abort();
  await loop;
}

async function setup({ state: s, custom = {}, request }) {
  await pause();
  generation++;
  state = s;
  epoch = 0;
  data = await buildDataset(s, custom);
  net?.dispose();
  net = await createNetwork(networkConfig(s, data), coreOptions);
  pending = emptyPending(s.layers.length + 1);
  const points = data.inputs === 2 ? { train: data.train, test: data.test, domain: data.domain } : null;
  post({ type: 'setup', generation, request, dataset: { name: s.dataset, inputs: data.inputs, outputs: data.outputs, loss: data.loss, classes: data.classes, trainSize: data.train.y.length, testSize: data.test.y.length }, points, config: net.config, simd: net.simd });
  report(true);
}

async function sweep({ state: s, custom = {}, rates, epochs }) {
  const d = await buildDataset(s, custom);
  for (const rate of rates) {
    const config = networkConfig({ ...s, layers: s.layers.map((l) => ({ ...l, dropout: rate })) }, d);
    const n = await createNetwork(config, coreOptions);
    await n.fit(d.train.x, d.train.y, { epochs, batchSize: s.batchSize });
    const train = n.evaluate(d.train.x, d.train.y);
    const test = n.evaluate(d.test.x, d.test.y);
    n.dispose();
    post({ type: 'sweep-point', rate, trainLoss: train.loss, testLoss: test.loss, testAccuracy: test.accuracy });
  }
  post({ type: 'sweep-done' });
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
    if (!net) return;
    await pause();
    await trainEpochs(1);
    report(true);
  },
  speed({ speed }) {
    if (state) state.speed = speed;
  },
  save() {
    post({ type: 'saved', json: JSON.stringify(net.toJSON()) });
  },
  async load({ json }) {
    await pause();
    const loaded = await loadNetwork(json, coreOptions);
    net?.dispose();
    net = loaded;
    pending = emptyPending(state.layers.length + 1);
    report(true);
  },
  sweep,
  /** clicked points join the training set; the network keeps training */
  async points({ custom }) {
    const wasRunning = running;
    await pause();
    data = await buildDataset(state, custom);
    post({ type: 'points', points: { train: data.train, test: data.test, domain: data.domain } });
    if (wasRunning) play();
  },
};

// commands run one after another, so setup never races a step
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data;
  const handler = handlers[msg.type];
  if (!handler) return post({ type: 'error', message: `worker: unknown command ${msg.type}` });
  if (msg.type === 'pause' || msg.type === 'speed') return handler(msg); // must not wait behind a running play
  const run = () => handler(msg);
  queue = queue.then(run, run).catch((err) => post({ type: 'error', message: err.message }));
};
