// The playground: controls, URL state, two training workers (this setup and an
// optional comparison), and the live views.
import './style.css';
import { PRESET_NAMES, presets } from '../js/presets.js';
import { parseCsv } from '../js/datasets.js';
import { gradientChart, lossChart, sweepChart } from './charts.js';
import { applyRemedy, renderFindings } from './diagnosis.js';
import {
  ACTIVATIONS,
  DATASETS_2D,
  INITS,
  OPTIMIZERS,
  REGRESSION,
  SPEEDS,
  lossesFor,
  stateFromHash,
  stateFromPreset,
  stateToHash,
} from './state.js';
import { Trainer } from './trainer.js';
import { canvasToData, drawBoundary, drawNetwork, renderConfusion, renderUnitBars } from './views.js';

const $ = (id) => document.getElementById(id);
const fromHash = stateFromHash(location.hash);
let state = fromHash.state;
let custom = { points: [], csv: null };
let running = false;
let trained = false;

// what the tests and the curious can read: counts of frames and messages
const metrics = (window.__gradscope = { frames: 0, progress: 0, lastProgressAt: 0, errors: [], simd: null, ready: false, worstFrameMs: 0, worstMessageMs: 0 });

// ---- sides: A = this setup, B = the comparison -------------------------------
const sides = [makeSide(0), null];
let charts = null;
let view = { config: null, stats: null, weights: null, points: null, boundary: null, regression: false };

function makeSide(index) {
  // generation: the worker's setup count this page is listening to; null while a setup is under way
  const side = { index, trainer: null, generation: null, requested: 0 };
  side.trainer = new Trainer((msg) => onMessage(side, msg));
  side.trainer.send('init', { simd: fromHash.simd });
  return side;
}

function onMessage(side, msg) {
  const t0 = performance.now();
  handle(side, msg);
  metrics.worstMessageMs = Math.max(metrics.worstMessageMs, performance.now() - t0);
}

function handle(side, msg) {
  switch (msg.type) {
    case 'ready':
      if (side.index === 0) {
        metrics.simd = msg.simd;
        $('core').textContent = msg.simd ? 'wasm SIMD' : 'wasm scalar';
      }
      break;
    case 'setup':
      if (msg.request !== side.requested) break; // an older setup, already superseded
      side.generation = msg.generation;
      if (side.index === 0) {
        view = { config: msg.config, stats: null, weights: null, points: msg.points, boundary: null, regression: msg.dataset.loss === 'mse', dataset: msg.dataset };
        metrics.ready = true;
        metrics.trainSize = msg.dataset.trainSize;
        drawViews();
      }
      break;
    case 'points':
      if (side.index === 0) {
        view.points = msg.points;
        metrics.trainSize = msg.points.train.y.length;
        drawViews();
      }
      break;
    case 'progress':
      onProgress(side, msg);
      break;
    case 'state':
      if (side.index === 0) setRunning(msg.running);
      break;
    case 'saved':
      download('gradscope-model.json', msg.json);
      break;
    case 'sweep-point':
      sweepPlot?.push(msg);
      $('sweep-status').textContent = `dropout ${msg.rate}: train ${msg.trainLoss.toFixed(3)}, test ${msg.testLoss.toFixed(3)}`;
      break;
    case 'sweep-done':
      $('sweep-status').textContent = 'done';
      $('sweep-run').disabled = false;
      sweepWorker?.terminate();
      sweepWorker = null;
      break;
    case 'error':
      metrics.errors.push(msg.message);
      showError(msg.message);
      break;
    default:
      break;
  }
}

function onProgress(side, msg) {
  if (msg.generation !== side.generation) return; // from a run the page has already replaced
  metrics.progress++;
  metrics.lastProgressAt = performance.now();
  if (!charts) return;
  if (msg.steps.loss.length) {
    charts.grad.push(side.index, msg.steps.layers);
    trained = true;
  }
  if (msg.steps.epochs.length) charts.loss.push(side.index, msg.steps.epochs);
  dirty = true;
  if (side.index !== 0) return;
  view.stats = msg.stats;
  if (msg.weights) view.weights = msg.weights;
  if (msg.boundary) view.boundary = msg.boundary;
  const last = msg.steps.epochs.at(-1);
  $('epoch').textContent = String(msg.epoch);
  if (last) {
    $('train-loss').textContent = fmt(last.loss);
    $('test-loss').textContent = fmt(last.valLoss);
    $('test-acc').textContent = last.valAccuracy === undefined ? '–' : `${(100 * last.valAccuracy).toFixed(1)}%`;
  }
  if (msg.confusion) renderConfusion($('confusion'), msg.confusion, view.dataset.outputs);
  if (msg.findings) renderFindings($('findings'), msg.findings, { trained: trained || msg.epoch > 0, onApply });
  // the canvases and bars follow the slower reports (a few a second): enough to watch, cheap to paint
  if (msg.weights || !running) viewsDirty = true;
}

const fmt = (v) => (v === undefined || v === null ? '–' : Number.isFinite(v) ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)) : String(v));

// ---- drawing, batched per animation frame -----------------------------------------
let dirty = false;
let viewsDirty = false;
let lastChartDraw = 0;
let chartTurn = false;
const CHART_MS = 200; // each chart redraws at most 5 times a second while data streams in
function frame() {
  requestAnimationFrame(frame);
  const t0 = performance.now();
  draw();
  metrics.worstFrameMs = Math.max(metrics.worstFrameMs, performance.now() - t0);
}

function draw() {
  metrics.frames++;
  // one chart per frame, each at most every CHART_MS: short tasks keep the page responsive
  const now = performance.now();
  if (dirty && charts && now - lastChartDraw >= CHART_MS / 2) {
    lastChartDraw = now;
    const chart = chartTurn ? charts.loss.chart : charts.grad.chart;
    chartTurn = !chartTurn;
    chart.draw();
    if (!chartTurn) dirty = false;
  }
  if (viewsDirty) {
    viewsDirty = false;
    drawViews();
  }
}
requestAnimationFrame(frame);

function drawViews() {
  if (!view.config) return;
  drawNetwork($('net-view'), view.config, view.stats, view.weights);
  if (view.stats?.length) renderUnitBars($('unit-bars'), view.config, view.stats);
  const twoD = view.points !== null;
  $('boundary').hidden = !twoD;
  $('confusion').hidden = state.loss !== 'softmax-ce';
  $('map-title').textContent = twoD ? 'Decision map' : 'Confusion matrix';
  if (twoD) drawBoundary($('boundary'), { points: view.points, boundary: view.boundary, regression: view.regression, domain: view.points.domain });
}

// ---- setup: (re)build both sides from the state --------------------------------
function compareState() {
  const mode = $('compare-with').value;
  if (!mode) return null;
  const hiddenLayers = (f) => ({ ...state, layers: state.layers.map(f) });
  const [name] = state.preset.split(':');
  switch (mode) {
    case 'remedy':
      return presets[name]?.remedy ? { ...stateFromPreset(name, 'remedy', state), speed: state.speed } : null;
    case 'dropout-0':
      return hiddenLayers((l) => ({ ...l, dropout: 0 }));
    case 'dropout-0.5':
      return hiddenLayers((l) => ({ ...l, dropout: 0.5 }));
    case 'relu':
      return { ...hiddenLayers((l) => ({ ...l, activation: 'relu' })), init: 'he' };
    case 'sigmoid':
      return hiddenLayers((l) => ({ ...l, activation: 'sigmoid' }));
    case 'batchnorm':
      return hiddenLayers((l) => ({ ...l, batchNorm: true }));
    default:
      return null;
  }
}

// the link to this page: the setup, the comparison, and whether it is playing
const currentHash = () => `${stateToHash(state)}${$('compare-with').value ? `&compare=${$('compare-with').value}` : ''}${running ? '&play=1' : ''}`;

function setup({ play = false } = {}) {
  const wasRunning = running || play;
  setRunning(false);
  trained = false;
  history.replaceState(null, '', currentHash());
  renderControls();
  showPresetText();
  const nLayers = state.layers.length + 1;
  const b = compareState();
  charts?.grad.chart.destroy();
  charts?.loss.chart.destroy();
  charts = {
    grad: gradientChart($('grad-chart'), nLayers, b ? 2 : 1),
    loss: lossChart($('loss-chart'), b ? 2 : 1, state.loss !== 'mse'),
  };
  renderFindings($('findings'), [], { trained: false });
  $('epoch').textContent = '0';
  for (const id of ['train-loss', 'test-loss', 'test-acc']) $(id).textContent = '–';
  $('acc-box').hidden = state.loss === 'mse';
  const payload = { state: { ...state }, custom };
  sides[0].generation = null;
  sides[0].trainer.send('setup', { ...payload, request: ++sides[0].requested });
  if (b && b.layers.length + 1 !== nLayers) {
    // the gradient chart overlays layer by layer: the comparison must have the same depth
    $('compare-with').value = '';
    showError('The comparison needs the same number of layers; compare turned off.');
  } else if (b) {
    if (!sides[1]) sides[1] = makeSide(1);
    sides[1].generation = null;
    sides[1].trainer.send('setup', { state: b, custom, request: ++sides[1].requested });
  } else if (sides[1]) {
    sides[1].trainer.terminate();
    sides[1] = null;
  }
  if (wasRunning) play_();
}

function play_() {
  for (const side of sides) side?.trainer.send('play');
  setRunning(true);
}

function pause() {
  for (const side of sides) side?.trainer.send('pause');
  setRunning(false);
}

function setRunning(value) {
  const changed = running !== value;
  running = value;
  if (changed) history.replaceState(null, '', currentHash());
  $('play').textContent = value ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(value));
}

function update(changes, { restart = true } = {}) {
  state = { ...state, ...changes };
  if ('dataset' in changes) {
    if (!lossesFor(state.dataset).includes(state.loss)) state.loss = lossesFor(state.dataset)[0];
    custom.points = [];
  }
  if (restart) setup();
  else history.replaceState(null, '', currentHash());
}

function onApply(finding) {
  state = applyRemedy(state, finding);
  showPresetText();
  setup({ play: true });
}

// ---- controls ---------------------------------------------------------------------
function options(select, values, labels = {}) {
  select.innerHTML = values.map((v) => `<option value="${v}">${labels[v] ?? v}</option>`).join('');
}

function renderControls() {
  $('dataset').value = state.dataset;
  for (const key of ['samples', 'learningRate', 'weightDecay', 'clipNorm', 'batchSize', 'seed', 'initStd']) $(key).value = String(state[key]);
  for (const key of ['noise', 'testRatio', 'labelNoise']) {
    $(key).value = String(state[key]);
    $(`${key}-out`).textContent = String(state[key]);
  }
  options($('loss'), lossesFor(state.dataset));
  $('loss').value = state.loss;
  $('init').value = state.init;
  $('initStd-label').hidden = state.init !== 'normal';
  $('optimizer').value = state.optimizer;
  $('speed').value = String(state.speed);
  const generated = DATASETS_2D.includes(state.dataset);
  $('samples').disabled = !generated;
  $('noise').disabled = !generated;
  $('click-hint').hidden = !generated || REGRESSION.includes(state.dataset);
  $('csv-label').hidden = state.dataset !== 'csv';
  $('csv-column-label').hidden = state.dataset !== 'csv';
  renderLayers();
}

function renderLayers() {
  const el = $('layers');
  el.innerHTML = state.layers
    .map(
      (l, i) => `<div class="layer" data-layer="${i}" role="group" aria-label="Hidden layer ${i}">
      <span class="layer-name">layer ${i}</span>
      <label>units <input type="number" min="1" max="512" value="${l.units}" data-field="units" /></label>
      <label>activation <select data-field="activation">${ACTIVATIONS.map((a) => `<option ${a === l.activation ? 'selected' : ''}>${a}</option>`).join('')}</select></label>
      <label class="check"><input type="checkbox" data-field="batchNorm" ${l.batchNorm ? 'checked' : ''} /> batch norm</label>
      <label>dropout <input type="number" min="0" max="1" step="0.1" value="${l.dropout}" data-field="dropout" /></label>
      <button type="button" data-remove="${i}" aria-label="Remove layer ${i}" ${state.layers.length <= 1 ? 'disabled' : ''}>✕</button>
    </div>`,
    )
    .join('');
  el.querySelectorAll('[data-field]').forEach((input) => {
    input.addEventListener('change', () => {
      const i = Number(input.closest('.layer').dataset.layer);
      const field = input.dataset.field;
      let value = input.type === 'checkbox' ? input.checked : input.value;
      if (field === 'units') value = Math.min(512, Math.max(1, Math.round(Number(value)) || 1));
      if (field === 'dropout') value = Number(value);
      if (field === 'dropout' && !(value >= 0 && value <= 1)) {
        showError(`dropout must be in [0, 1]; got ${input.value}`);
        input.value = String(state.layers[i].dropout);
        return;
      }
      const layers = state.layers.map((l, k) => (k === i ? { ...l, [field]: value } : l));
      update({ layers, preset: '' });
    });
  });
  el.querySelectorAll('[data-remove]').forEach((button) => {
    button.addEventListener('click', () => update({ layers: state.layers.filter((_, k) => k !== Number(button.dataset.remove)), preset: '' }));
  });
}

function showError(message) {
  const box = $('findings');
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  box.prepend(p);
}

function showPresetText() {
  const [name] = state.preset.split(':');
  const preset = presets[name];
  $('preset-text').textContent = preset ? `${preset.title}${state.preset.endsWith(':remedy') ? ' — remedy' : ''}: ${preset.description}` : '';
  document.querySelectorAll('#preset-buttons button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.preset === name)));
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function bind() {
  options($('dataset'), [...DATASETS_2D, 'digits', 'csv'], { regressionPlane: 'regression: plane', regressionGaussian: 'regression: gaussian', digits: 'digits (8×8, 10 classes)', csv: 'CSV upload…' });
  options($('init'), INITS);
  options($('optimizer'), OPTIMIZERS, { sgd: 'SGD', momentum: 'SGD + momentum 0.9', adam: 'Adam' });
  options($('speed'), SPEEDS.map(String), Object.fromEntries(SPEEDS.map((s) => [String(s), s === 0 ? 'max' : `${s} epoch/s`])));
  options($('compare-with'), ['', 'remedy', 'dropout-0', 'dropout-0.5', 'relu', 'sigmoid', 'batchnorm'], {
    '': 'nothing (off)',
    remedy: "the preset's remedy",
    'dropout-0': 'same, dropout 0',
    'dropout-0.5': 'same, dropout 0.5',
    relu: 'same, ReLU + He init',
    sigmoid: 'same, sigmoid',
    batchnorm: 'same, batch norm on',
  });
  $('preset-buttons').innerHTML = PRESET_NAMES.map((n) => `<button type="button" data-preset="${n}" aria-pressed="false">${presets[n].title}</button>`).join('');
  document.querySelectorAll('#preset-buttons button').forEach((button) => {
    button.addEventListener('click', () => {
      state = { ...stateFromPreset(button.dataset.preset, 'failure', state), speed: state.speed };
      custom.points = [];
      showPresetText();
      setup({ play: true });
    });
  });
  $('dataset').addEventListener('change', () => {
    if ($('dataset').value === 'csv' && !custom.csv) {
      state = { ...state, dataset: 'csv', loss: 'softmax-ce', preset: '' };
      renderControls();
      return; // wait for a file
    }
    update({ dataset: $('dataset').value, preset: '' });
  });
  for (const key of ['samples', 'learningRate', 'weightDecay', 'clipNorm', 'batchSize', 'seed', 'initStd']) {
    $(key).addEventListener('change', () => {
      const input = $(key);
      const v = Number(input.value);
      if (input.value === '' || !Number.isFinite(v) || v < Number(input.min) || (input.max && v > Number(input.max))) {
        showError(`${key} must be a number in [${input.min}, ${input.max || '∞'}]; got "${input.value}"`);
        input.value = String(state[key]);
        return;
      }
      update({ [key]: key === 'samples' || key === 'batchSize' || key === 'seed' ? Math.round(v) : v, preset: '' });
    });
  }
  for (const key of ['noise', 'testRatio', 'labelNoise']) {
    $(key).addEventListener('input', () => ($(`${key}-out`).textContent = $(key).value));
    $(key).addEventListener('change', () => update({ [key]: Number($(key).value), preset: '' }));
  }
  for (const key of ['loss', 'init', 'optimizer']) $(key).addEventListener('change', () => update({ [key]: $(key).value, preset: '' }));
  $('speed').addEventListener('change', () => {
    update({ speed: Number($('speed').value) }, { restart: false });
    for (const side of sides) side?.trainer.send('speed', { speed: state.speed });
  });
  $('add-layer').addEventListener('click', () => {
    if (state.layers.length >= 12) return showError('at most 12 hidden layers');
    const last = state.layers.at(-1) ?? { units: 8, activation: 'relu', batchNorm: false, dropout: 0 };
    update({ layers: [...state.layers, { ...last }], preset: '' });
  });
  $('play').addEventListener('click', () => (running ? pause() : play_()));
  $('step').addEventListener('click', () => {
    pause();
    for (const side of sides) side?.trainer.send('step');
  });
  $('reset').addEventListener('click', () => setup());
  $('compare-with').addEventListener('change', () => setup({ play: running }));
  $('save').addEventListener('click', () => sides[0].trainer.send('save'));
  $('load').addEventListener('change', async () => {
    const file = $('load').files[0];
    if (!file) return;
    try {
      const json = JSON.parse(await file.text());
      const c = json.config;
      if (!c?.layers || c.inputs === undefined) throw new Error('not a gradscope model (toJSON output)');
      state = {
        ...state,
        layers: c.layers.slice(0, -1),
        loss: c.loss,
        optimizer: c.optimizer.type === 'adam' ? 'adam' : c.optimizer.momentum ? 'momentum' : 'sgd',
        learningRate: c.optimizer.learningRate,
        weightDecay: c.optimizer.weightDecay,
        clipNorm: c.clipNorm,
        seed: c.seed,
        preset: '',
      };
      setup();
      sides[0].trainer.send('load', { json });
    } catch (err) {
      showError(`Load model: ${err.message}`);
    }
    $('load').value = '';
  });
  $('share').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $('share').textContent = 'Link copied';
    } catch {
      prompt('Copy this link:', location.href);
    }
  });
  $('csv-file').addEventListener('change', async () => {
    const file = $('csv-file').files[0];
    if (!file) return;
    const text = await file.text();
    const header = text.split(/\r?\n/, 1)[0].split(',').map((h) => h.trim());
    options($('csv-column'), header);
    $('csv-column').value = header.at(-1);
    loadCsv(text);
    $('csv-column').onchange = () => loadCsv(text);
  });
  $('boundary').addEventListener('click', (event) => {
    if (!view.points || view.regression) return;
    const p = canvasToData($('boundary'), event, view.points.domain);
    custom.points.push({ ...p, label: event.shiftKey ? 0 : 1 });
    sides[0].trainer.send('points', { custom });
    sides[1]?.trainer.send('points', { custom });
  });
  $('sweep-run').addEventListener('click', runSweep);
  document.addEventListener('keydown', (event) => {
    if (event.target.closest('input, select, textarea, button')) return;
    if (event.key === ' ') {
      event.preventDefault();
      running ? pause() : play_();
    } else if (event.key === 's') $('step').click();
    else if (event.key === 'r') $('reset').click();
  });
  window.addEventListener('resize', () => {
    charts?.grad.chart.resize();
    charts?.loss.chart.resize();
    sweepPlot?.chart.resize();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === currentHash()) return;
    pause();
    const next = stateFromHash(location.hash);
    state = next.state;
    $('compare-with').value = next.compare;
    showPresetText();
    setup({ play: next.play });
  });
}

function loadCsv(text) {
  try {
    custom.csv = parseCsv(text, { labelColumn: $('csv-column').value, seed: state.seed, testRatio: state.testRatio });
    state = { ...state, dataset: 'csv', loss: 'softmax-ce', preset: '' };
    setup();
  } catch (err) {
    showError(err.message);
  }
}

// ---- dropout sweep ----------------------------------------------------------------
let sweepWorker = null;
let sweepPlot = null;
function runSweep() {
  const epochs = Number($('sweep-epochs').value);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 2000) return showError(`epochs per rate must be an integer in [1, 2000]; got ${$('sweep-epochs').value}`);
  sweepPlot?.chart.destroy();
  sweepPlot = sweepChart($('sweep-chart'));
  $('sweep-run').disabled = true;
  $('sweep-status').textContent = 'training…';
  sweepWorker = new Trainer((msg) => onMessage({ index: 2 }, msg));
  sweepWorker.send('init', { simd: fromHash.simd });
  sweepWorker.send('sweep', { state: { ...state }, custom, rates: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], epochs });
}

// ---- start ----------------------------------------------------------------------
bind();
if (fromHash.compare) $('compare-with').value = fromHash.compare;
showPresetText();
setup({ play: fromHash.play });
