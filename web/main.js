// The playground's orchestration: the state, URL state, two training workers
// (this setup and an optional comparison), files handed to the worker, and the
// live views. The sidebar controls are built in controls.js; no string from a
// file, the URL or the library ever becomes markup (see dom.js).
import './style.css';
import { presets } from '../js/presets.js';
import { gradientChart, lossChart, ratioChart, sweepChart, unitsChart } from './charts.js';
import { COMPARE_LABELS, NUMBER_FIELDS, RANGE_FIELDS, WINDOWS, fillStaticControls, renderControls, showCsvColumns } from './controls.js';
import { CSV_LIMIT_BYTES, MODEL_LIMIT_BYTES, checkSize } from './csv.js';
import { applyRemedy, panelParts, remediesFor, renderFindings } from './diagnosis.js';
import { h, replaceChildren } from './dom.js';
import { Distributions, GradNormDistribution, drawUnitMap, renderHistograms, renderUnitGrid } from './instruments.js';
import { lossesFor, presetEpochs, presetRun, stateFromConfig, stateFromHash, stateFromPreset, stateToHash } from './state.js';
import { Trainer } from './trainer.js';
import { CLASS_COLORS, canvasToData, drawBoundary, drawNetwork, renderConfusion, renderUnitBars } from './views.js';

const $ = (id) => document.getElementById(id);
const fromHash = stateFromHash(location.hash);
let state = fromHash.state;
// what the page holds besides the state: clicked points, the parsed CSV (from the worker) and its file
let custom = { points: [], csv: null };
let csvFile = null;
let csvRequest = 0;
let modelRequest = 0;
let running = false;
let trained = false;
let epochShown = 0;

// what the tests and the curious can read: counts of frames and messages
const metrics = (window.__gradscope = { frames: 0, progress: 0, lastProgressAt: 0, errors: [], simd: null, ready: false, worstFrameMs: 0, worstMessageMs: 0 });

// ---- sides: A = this setup, B = the comparison -------------------------------
const sides = [makeSide(0), null];
let charts = null;
let view = { config: null, stats: null, weights: null, points: null, boundary: null, regression: false };

function makeSide(index) {
  // generation: the worker's setup count this page is listening to; null while a setup is under way
  // blocked: why this side has nothing to train (a failed setup), or null
  const side = { index, trainer: null, generation: null, requested: 0, blocked: null };
  side.trainer = new Trainer((msg) => onMessage(side, msg));
  side.trainer.send('init', { simd: fromHash.simd });
  return side;
}

function onMessage(side, msg) {
  const t0 = performance.now();
  try {
    handle(side, msg);
  } catch (err) {
    // a bug of the page must not leave it looking as if it were training
    stopRun(`the page failed to handle a "${msg?.type}" message: ${err.message}`);
  }
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
      side.blocked = null;
      if (side.index === 0) {
        view = { config: msg.config, stats: null, weights: null, points: msg.points, boundary: null, regression: msg.dataset.loss === 'mse', dataset: msg.dataset, histograms: null };
        resetInstruments(msg.config);
        metrics.ready = true;
        metrics.trainSize = msg.dataset.trainSize;
        drawViews();
      }
      break;
    case 'setup-failed':
      if (msg.request !== side.requested) break;
      side.generation = msg.generation;
      side.blocked = msg.message;
      if (side.index === 0) {
        view = { config: null, stats: null, weights: null, points: null, boundary: null, regression: false };
        clearViews();
        metrics.ready = true;
      }
      // no CSV chosen yet (or it failed to parse, which was said already): the status line says so
      if (msg.noData) setRunning(false);
      else stopRun(`${side.index === 1 ? 'the comparison: ' : ''}${msg.message}`, { prefix: 'Nothing to train' });
      break;
    case 'points':
      if (side.index === 0) {
        view.points = msg.points;
        metrics.trainSize = msg.points.trainSize;
        drawViews();
      }
      break;
    case 'progress':
      onProgress(side, msg);
      break;
    case 'state':
      if (side.index === 0) setRunning(msg.running);
      break;
    case 'finished':
      if (side.index === 0 && msg.generation === side.generation) {
        setStatus(`Stopped at epoch ${msg.epoch}: the length of this preset. Play trains on past it.`);
      }
      break;
    case 'saved':
      download(msg.name, msg.text);
      break;
    case 'csv':
      if (msg.request === csvRequest) onCsv(msg);
      break;
    case 'csv-error':
      if (msg.request === csvRequest) {
        if (msg.header) showCsvColumns(msg.header, msg.label); // another label column may work: offer them
        onCsvError(msg.message);
      }
      break;
    case 'model':
      if (msg.request === modelRequest) onModel(msg);
      break;
    case 'model-error':
      if (msg.request === modelRequest) showError(msg.message);
      break;
    case 'sweep-point':
      sweepPlot?.push(msg);
      sweepRows.push(msg);
      $('sweep-status').textContent = `${msg.param === 'learningRate' ? 'learning rate' : 'dropout'} ${msg.value}: ${sweepText(msg)}`;
      showSweepTable();
      break;
    case 'sweep-done':
      $('sweep-status').textContent = 'done';
      sweepButtons(false);
      sweepWorker?.terminate();
      sweepWorker = null;
      break;
    case 'unit-map':
      onUnitMap(msg);
      break;
    case 'remedy-result':
      if (msg.request === remedyRequest) {
        measured.set(`${msg.kind}|${msg.result.label}`, measuredText(msg.result));
        metrics.remedyResults = (metrics.remedyResults ?? 0) + 1;
        showMeasured();
      }
      break;
    case 'remedies-done':
      if (msg.aborted) metrics.remediesAborted = (metrics.remediesAborted ?? 0) + 1;
      if (msg.request === remedyRequest) {
        metrics.remedyMs = msg.ms;
        pendingKinds.delete(msg.kind);
        showMeasured();
      }
      break;
    case 'csp-violation':
      console.error(`Content-Security-Policy violation in a training worker: ${msg.directive} blocked ${msg.blocked}`);
      break;
    case 'error':
      metrics.errors.push(msg.message);
      if (side.index === 3) {
        // measuring remedies failed: the buttons still apply; say so beside them
        pendingKinds.clear();
        showNote(`Measuring the remedies stopped: ${msg.message}`);
        break;
      }
      if (side.index === 2) {
        $('sweep-status').textContent = `stopped: ${msg.message}`;
        sweepButtons(false);
        showError(`Sweep stopped: ${msg.message}`);
      } else stopRun(`${side.index === 1 ? 'the comparison: ' : ''}${msg.message}`);
      break;
    default:
      break;
  }
}

/** stops every side and says why, where a person looks (status bar and diagnosis panel) */
function stopRun(message, { prefix = 'Training stopped' } = {}) {
  for (const side of sides) side?.trainer.send('pause');
  setRunning(false);
  setStatus(`${prefix}: ${message}`, true);
  showError(`${prefix}: ${message}`);
}

function onProgress(side, msg) {
  if (msg.generation !== side.generation) return; // from a run the page has already replaced
  metrics.progress++;
  metrics.lastProgressAt = performance.now();
  if (!charts) return;
  if (msg.steps.loss.length) {
    charts.grad.push(side.index, msg.steps.layers);
    charts.ratio.push(side.index, msg.steps.layers);
    if (side.index === 0) $('step-count').textContent = String(charts.grad.chart.raw[0]);
    if (side.index === 0) charts.units.push(msg.steps.layers);
    trained = true;
  }
  if (msg.steps.epochs.length) charts.loss.push(side.index, msg.steps.epochs);
  if (side.index === 1) return showComparisonStats(msg);
  if (side.index !== 0) return;
  view.stats = msg.stats;
  if (msg.steps.histograms?.length) distributions.push(msg.steps.histograms);
  if (msg.steps.loss.length) normDist.push(msg.steps.layers);
  if (msg.histograms) {
    view.histograms = msg.histograms;
    distributions.edges = msg.histograms.map((l) => ({ activation: l.activation.edges, gradient: l.gradient.edges }));
  }
  if (msg.weights) {
    view.weights = msg.weights;
    if (unitPick.pinned) requestUnitMap(); // the pinned unit's map follows training
  }
  if (msg.boundary) view.boundary = msg.boundary;
  const last = msg.steps.epochs.at(-1);
  epochShown = msg.epoch;
  $('epoch').textContent = String(msg.epoch);
  if (last) {
    $('train-loss').textContent = fmt(last.loss);
    $('test-loss').textContent = fmt(last.valLoss);
    $('test-acc').textContent = last.valAccuracy === undefined ? '–' : `${(100 * last.valAccuracy).toFixed(1)}%`;
  }
  if (msg.confusion) renderConfusion($('confusion'), msg.confusion, view.dataset.outputs, view.dataset.classNames);
  if (msg.findings) {
    renderFindings($('findings'), msg.findings, { trained: trained || msg.epoch > 0, onApply, announce: $('announce'), remedies: (f) => remediesFor(state, f) });
    measureRemedies(msg.findings);
    showMeasured();
  }
  // the canvases and bars follow the slower reports (a few a second): enough to watch, cheap to paint
  if (msg.weights || !running) viewsDirty = true;
}

/** the dashed run's numbers and findings beside this run's, as text */
function showComparisonStats(msg) {
  const last = msg.steps.epochs.at(-1);
  if (last) sides[1].last = last;
  if (msg.findings) sides[1].findings = msg.findings;
  const l = sides[1].last;
  const acc = l?.valAccuracy === undefined ? '' : `, test acc ${(100 * l.valAccuracy).toFixed(1)}%`;
  const found = sides[1].findings ? (sides[1].findings.length ? sides[1].findings.map((f) => String(f.kind).replace(/-/g, ' ')).join(', ') : 'no failure found') : '…';
  $('b-stats').textContent = `epoch ${msg.epoch}, test loss ${fmt(l?.valLoss)}${acc}; findings: ${found}`;
}

const fmt = (v) => (v === undefined || v === null ? '–' : Number.isFinite(v) ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)) : String(v));

// ---- drawing, batched per animation frame -----------------------------------------
let viewsDirty = false;
const CHART_MS = 200; // each chart redraws at most 5 times a second while data streams in
function frame() {
  requestAnimationFrame(frame);
  const t0 = performance.now();
  draw();
  metrics.worstFrameMs = Math.max(metrics.worstFrameMs, performance.now() - t0);
}

function draw() {
  metrics.frames++;
  // at most one chart per frame, each at most every CHART_MS; each chart has its own dirty flag,
  // so data that lands while the other chart is drawn is still drawn on a later frame
  const now = performance.now();
  // the instruments below the first screen are drawn only while some of them is in view (their data keeps arriving)
  for (const chart of charts ? [charts.grad.chart, charts.loss.chart, charts.units.chart, instrumentsVisible ? charts.ratio.chart : null].filter(Boolean) : []) {
    if (chart.dirty && now - (chart.lastDraw ?? 0) >= CHART_MS) {
      chart.lastDraw = now;
      chart.draw();
      break;
    }
  }
  if (viewsDirty) {
    viewsDirty = false;
    drawViews();
  }
  if (!instrumentsVisible) return;
  if (distributions.dirty && now - lastDistDraw >= CHART_MS) {
    lastDistDraw = now;
    distributions.draw();
  } else if (normDist.dirty && now - lastNormDraw >= CHART_MS) {
    lastNormDraw = now;
    normDist.draw();
  }
}
let lastDistDraw = 0;
let instrumentsVisible = false;
new IntersectionObserver((entries) => {
  instrumentsVisible = entries.some((e) => e.isIntersecting);
  if (instrumentsVisible) {
    viewsDirty = true;
    distributions.dirty = true;
    normDist.dirty = true;
  }
}).observe($('instruments'));
let lastNormDraw = 0;
requestAnimationFrame(frame);

function clearViews() {
  for (const id of ['net-view', 'boundary']) $(id).getContext('2d').clearRect(0, 0, $(id).width, $(id).height);
  $('unit-bars').replaceChildren();
  $('unit-bars').dataset.layout = '';
  $('confusion').replaceChildren();
}

function drawViews() {
  if (!view.config) return;
  drawNetwork($('net-view'), view.config, view.stats, view.weights);
  if (view.stats?.length) renderUnitBars($('unit-bars'), view.config, view.stats);
  if (instrumentsVisible && view.histograms?.length) renderHistograms($('hist-grid'), view.config, view.histograms);
  if (instrumentsVisible) renderUnitGrid($('unit-grid'), view.config, view.stats, pickUnit);
  const twoD = view.points !== null;
  $('boundary').hidden = !twoD;
  $('confusion').hidden = state.loss !== 'softmax-ce';
  $('map-title').textContent = twoD ? 'Decision map' : 'Confusion matrix';
  if (twoD) drawBoundary($('boundary'), { points: view.points, boundary: view.boundary, regression: view.regression, domain: view.points.domain });
  showMapLegend(twoD);
}

/** what the decision map's colours mean for this dataset (class names from a CSV are text) */
function showMapLegend(twoD) {
  const d = view.dataset;
  const key = JSON.stringify([twoD, view.regression, d?.outputs, d?.classNames]);
  if ($('map-explain').dataset.key === key) return;
  $('map-explain').dataset.key = key;
  if (!twoD) return replaceChildren($('map-explain'), 'Rows: the true class, columns: the predicted class, over the test set; the diagonal is right.');
  const dots = 'Filled dots: training data; hollow rings: test data.';
  if (view.regression) return replaceChildren($('map-explain'), `Background: the predicted value, `, swatch(CLASS_COLORS[0]), 'low to ', swatch(CLASS_COLORS[1]), `high. ${dots}`);
  const k = state.loss === 'softmax-ce' ? d?.outputs ?? 2 : 2;
  const names = Array.from({ length: Math.min(k, CLASS_COLORS.length) }, (_, i) => [swatch(CLASS_COLORS[i]), `${d?.classNames ? String(d.classNames[i]) : `class ${i}`}${i < k - 1 ? ', ' : ''}`]);
  replaceChildren($('map-explain'), 'Background: the predicted class at each point (fainter where the network is unsure). ', names, `${k > CLASS_COLORS.length ? ' …' : ''}. ${dots}`);
}

const swatch = (rgb) => h('span', { className: 'swatch', style: { background: `rgb(${rgb.join(',')})` } });

// ---- instruments: distributions, histograms, units, their output maps -----------------
const distributions = new Distributions($('dist-grid'));
const normDist = new GradNormDistribution($('norm-hist'), $('norm-caption'));
let unitPick = { layer: null, unit: null, pinned: false };
let unitRequest = 0;

function resetInstruments(config) {
  distributions.quantity = $('dist-quantity').value;
  distributions.reset(config);
  normDist.reset(config.clipNorm ?? 0);
  $('hist-grid').dataset.layout = '';
  $('hist-grid').replaceChildren();
  $('unit-grid').dataset.layout = '';
  unitPick = { layer: null, unit: null, pinned: false };
  unitRequest++;
  const canvas = $('unit-map');
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  $('unit-map-caption').textContent = view.points ? 'hover or click a unit' : `output maps need 2-D data (this data has ${view.dataset?.inputs ?? '?'} inputs)`;
}

/** hover shows a unit's map while none is pinned; a click pins it (again: unpins) */
function pickUnit(layer, unit, click) {
  if (!click && unitPick.pinned) return;
  const same = unitPick.layer === layer && unitPick.unit === unit;
  unitPick = { layer, unit, pinned: click ? !(same && unitPick.pinned) : false };
  document.querySelectorAll('#unit-grid .unit').forEach((b) => b.setAttribute('aria-pressed', String(unitPick.pinned && Number(b.dataset.layer) === layer && Number(b.dataset.unit) === unit)));
  requestUnitMap();
}

function requestUnitMap() {
  if (unitPick.layer === null) return;
  if (!view.points) {
    $('unit-map-caption').textContent = `layer ${unitPick.layer} unit ${unitPick.unit}: output maps need 2-D data (this data has ${view.dataset?.inputs ?? '?'} inputs)`;
    return;
  }
  sides[0].trainer.send('unit-map', { layer: unitPick.layer, unit: unitPick.unit, request: ++unitRequest });
}

function onUnitMap(msg) {
  if (msg.request !== unitRequest) return;
  const max = drawUnitMap($('unit-map'), msg.values, msg.grid);
  const dead = view.stats?.[msg.layer]?.deadUnits?.[msg.unit] ? ' — dead over the last epoch' : '';
  const range = max > 1e-12 ? `largest |output| ${fmt(max)}` : 'output 0 everywhere';
  $('unit-map-caption').textContent = `layer ${msg.layer} unit ${msg.unit}${unitPick.pinned ? ' (pinned)' : ''}: blue positive, orange negative, white 0; ${range}${dead}`;
  $('unit-map').dataset.unit = `${msg.layer}:${msg.unit}`;
}

function applySmoothing() {
  const a = Number($('smoothing').value) || 0;
  for (const chart of charts ? [charts.grad.chart, charts.units.chart, charts.ratio.chart] : []) {
    if (!chart) continue;
    chart.smoothing = a;
    chart.dirty = true;
  }
  $('grad-chart').dataset.smoothing = String(a);
}

// ---- remedies measured before they are clicked (the library's tryRemedies in a worker of its own) ----
let remedyWorker = null;
let remedyRequest = 0;
const measured = new Map(); // "kind|label" -> text
const pendingKinds = new Set(); // kinds being measured now
const askedKinds = new Set(); // kinds asked for on this setup
const REMEDY_SEEDS = 3;

function measureRemedies(findings) {
  if (!trained || (state.dataset === 'csv' && !custom.csv)) return;
  for (const f of findings) {
    if (askedKinds.has(f.kind) || !remediesFor(state, f).length) continue;
    askedKinds.add(f.kind);
    pendingKinds.add(f.kind);
    if (!remedyWorker) {
      remedyWorker = new Trainer((msg) => onMessage({ index: 3 }, msg));
      remedyWorker.send('init', { simd: fromHash.simd });
    }
    remedyWorker.send('try-remedies', { state: { ...state }, custom, kind: f.kind, seeds: REMEDY_SEEDS, request: remedyRequest });
  }
}

const share = (v) => (Number.isFinite(v) ? `${Math.round(100 * v)}%` : String(v));
const sci = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1e3 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(0) : String(Number(v.toPrecision(2)))) : String(v));
const METRIC_TEXT = {
  deadFraction: ['dead', share],
  saturatedFraction: ['saturated', share],
  testAccuracy: ['test accuracy', share],
  maxGradNorm: ['max ‖∇W‖', sci],
  skippedSteps: ['skipped steps', (v) => String(Math.round(v))],
  firstToLastGradRatio: ['first/last layer gradient', sci],
  gap: ['test − train loss', sci],
  testLoss: ['test loss', sci],
};

/** "learning rate ÷10: dead 100% → 9%, test accuracy 50% → 99%, 3 seeds, 0.4 s" */
function measuredText(r) {
  if (r.error) return `${r.label}: could not be measured (${r.error})`;
  const parts = Object.entries(r.metrics).map(([name, { before, after }]) => {
    const [label, f] = METRIC_TEXT[name] ?? [name, sci];
    return `${label} ${f(before)} → ${f(after)}`;
  });
  const still = r.stillFound ? `; still found on ${r.stillFound} of ${r.seeds.length} seeds` : '';
  return `${r.label}: ${parts.join(', ')}${still}, ${r.seeds.length} seeds, ${(r.ms / 1000).toFixed(1)} s`;
}

/** each remedy's measured effect beside its button (or that it is being measured) */
function showMeasured() {
  document.querySelectorAll('#findings .measured').forEach((el) => {
    const kind = el.dataset.kind;
    const done = askedKinds.has(kind) && !pendingKinds.has(kind);
    const text = measured.get(`${kind}|${el.dataset.label}`) ?? (pendingKinds.has(kind) ? `measuring over ${REMEDY_SEEDS} seeds…` : done ? 'not measured: the library tries other single changes for this setup' : '');
    if (el.textContent !== text) el.textContent = text;
  });
}

// ---- setup: (re)build both sides from the state --------------------------------
let beforeState = null; // the failing run a remedy was applied to (compare mode 'before' replays it)
let highlighted = []; // the controls the last remedy changed

/** the comparison's state, { state } or { error } (why it cannot run), or null when compare is off */
function compareState() {
  const mode = $('compare-with').value;
  if (!mode) return null;
  const hiddenLayers = (f) => ({ ...state, layers: state.layers.map(f) });
  const [name, side = 'failure'] = state.preset.split(':');
  const isPreset = Object.hasOwn(presets, name);
  let b;
  switch (mode) {
    case 'remedy':
      if (!isPreset || !presets[name].remedy) return { error: "this setup is not a preset with a remedy (choose a preset, or compare with a change such as 'learning rate ÷10')" };
      if (side !== 'failure') return { error: "this run already is a remedy; it would be compared with itself (compare with 'the run before the remedy')" };
      b = { ...stateFromPreset(name, 'remedy', state), speed: state.speed };
      break;
    case 'before':
      // a preset remedy's "before" is the preset's failure, also when opened from a link
      b = beforeState ?? (isPreset && side !== 'failure' ? { ...stateFromPreset(name, 'failure', state), speed: state.speed } : null);
      if (!b) return { error: 'there is no run before a remedy here (apply a remedy from the diagnosis first)' };
      break;
    case 'lr-div10':
      b = { ...state, learningRate: Number((state.learningRate / 10).toPrecision(6)) };
      break;
    case 'lr-times10':
      b = { ...state, learningRate: Math.min(10, Number((state.learningRate * 10).toPrecision(6))) };
      break;
    case 'dropout-0':
      b = hiddenLayers((l) => ({ ...l, dropout: 0 }));
      break;
    case 'dropout-0.5':
      b = hiddenLayers((l) => ({ ...l, dropout: 0.5 }));
      break;
    case 'relu':
      b = { ...hiddenLayers((l) => ({ ...l, activation: 'relu' })), init: 'he' };
      break;
    case 'sigmoid':
      b = hiddenLayers((l) => ({ ...l, activation: 'sigmoid' }));
      break;
    case 'batchnorm':
      b = hiddenLayers((l) => ({ ...l, batchNorm: true }));
      break;
    default:
      return { error: `unknown comparison ${mode}` };
  }
  // the gradient chart overlays layer by layer: the comparison must have the same depth
  if (b.layers.length !== state.layers.length) return { error: `the comparison has ${b.layers.length} hidden layers and this setup ${state.layers.length}; the charts overlay layer by layer, so both need the same depth` };
  return { state: b };
}

/** outlines the controls a remedy changed (until the next change by hand) */
function showHighlight() {
  document.querySelectorAll('.controls .changed').forEach((el) => el.classList.remove('changed'));
  for (const key of highlighted) {
    const els = ['activation', 'batchNorm', 'dropout'].includes(key) ? document.querySelectorAll(`#layers [data-field="${key}"]`) : [$(key)].filter(Boolean);
    els.forEach((el) => (el.closest('label') ?? el).classList.add('changed'));
  }
}

// the link to this page: the setup, the comparison, and whether it is playing
const currentHash = () => `${stateToHash(state)}${$('compare-with').value ? `&compare=${$('compare-with').value}` : ''}${running ? '&play=1' : ''}`;

const layerHandlers = {
  onLayerChange(i, input) {
    const field = input.dataset.field;
    let value = input.type === 'checkbox' ? input.checked : input.value;
    if (field === 'units') value = Math.min(512, Math.max(1, Math.round(Number(value)) || 1));
    if (field === 'dropout') value = Number(value);
    if (field === 'dropout' && !(input.value !== '' && value >= 0 && value <= 1)) {
      showError(`dropout must be in [0, 1]; got ${input.value}`);
      input.value = String(state.layers[i].dropout);
      return;
    }
    const layers = state.layers.map((l, k) => (k === i ? { ...l, [field]: value } : l));
    update({ layers, preset: '' });
  },
  onLayerRemove(i) {
    update({ layers: state.layers.filter((_, k) => k !== i), preset: '' });
  },
};

const showControls = () => renderControls(state, { csvTask: custom.csv?.task, ...layerHandlers });

function setup({ play = false, useLoaded = false } = {}) {
  const wasRunning = running || play;
  setRunning(false);
  setStatus('');
  trained = false;
  epochShown = 0;
  history.replaceState(null, '', currentHash());
  showControls();
  showPresetText();
  showHighlight();
  const nLayers = state.layers.length + 1;
  const compare = compareState();
  if (compare?.error) {
    // compare never switches itself off silently
    showError(`Compare with "${COMPARE_LABELS[$('compare-with').value]}": ${compare.error}. Compare is off.`);
    $('compare-with').value = '';
    history.replaceState(null, '', currentHash());
  }
  const b = compare?.state ?? null;
  const sideNames = $('compare-with').value === 'before' ? ['(after)', '(before)'] : ['A', 'B'];
  $('b-box').hidden = !b;
  $('b-stats').textContent = '–';
  $('a-name').textContent = b ? `${sideNames[0] === 'A' ? 'this run' : 'this run (after)'}` : 'this run';
  $('b-name').textContent = b ? `${sideNames[1] === 'B' ? 'dashed' : 'dashed (before)'}: ${COMPARE_LABELS[$('compare-with').value]}` : 'dashed run';
  $('compare-note').textContent = b ? `solid: this setup, dashed: ${COMPARE_LABELS[$('compare-with').value]} (same seed and data)` : 'solid: this setup; choose a comparison to train it beside, dashed';
  charts?.grad.chart.destroy();
  charts?.loss.chart.destroy();
  charts?.units.chart?.destroy();
  charts?.ratio.chart.destroy();
  charts = {
    grad: gradientChart($('grad-chart'), nLayers, b ? 2 : 1, sideNames),
    loss: lossChart($('loss-chart'), b ? 2 : 1, state.loss !== 'mse', sideNames),
    units: unitsChart($('units-chart'), state.layers),
    ratio: ratioChart($('ratio-chart'), nLayers, b ? 2 : 1, sideNames),
  };
  applySmoothing();
  // measured remedies belong to the setup they were measured on
  remedyRequest++;
  measured.clear();
  pendingKinds.clear();
  askedKinds.clear();
  remedyWorker?.send('abort-remedies', { request: remedyRequest });
  charts.grad.chart.setWindow(WINDOWS[$('grad-window').value]?.window ?? null); // the window survives a new run
  renderFindings($('findings'), [], { trained: false });
  $('confusion').replaceChildren();
  $('epoch').textContent = '0';
  $('step-count').textContent = '0';
  showStepMode();
  for (const id of ['train-loss', 'test-loss', 'test-acc']) $(id).textContent = '–';
  $('acc-box').hidden = state.loss === 'mse';
  const payload = { state: { ...state }, custom };
  sides[0].generation = null;
  sides[0].blocked = 'the setup is still being built';
  sides[0].trainer.send('setup', { ...payload, useLoaded, request: ++sides[0].requested });
  if (b) {
    if (!sides[1]) sides[1] = makeSide(1);
    sides[1].generation = null;
    sides[1].trainer.send('setup', { state: b, custom, request: ++sides[1].requested });
  } else if (sides[1]) {
    sides[1].trainer.terminate();
    sides[1] = null;
  }
  if (state.dataset === 'csv' && !custom.csv) {
    setStatus('Choose a CSV file to train on.');
    return;
  }
  if (wasRunning) play_();
}

/** slow motion counts optimizer steps, and Step trains one of them */
function showStepMode() {
  const slow = state.speed < 0;
  $('step-box').hidden = !slow;
  $('step').title = slow ? 'Train one optimizer step (s)' : 'Train one epoch (s)';
}

function play_() {
  // a failed setup (no CSV, a CSV that did not parse, a model that does not fit) has nothing to train
  const blocked = sides[0].generation !== null ? sides[0].blocked : null;
  if (blocked || (state.dataset === 'csv' && !custom.csv)) {
    setRunning(false);
    setStatus(`Nothing to train: ${blocked ?? 'choose a CSV file first'}`, true);
    return;
  }
  const length = presetEpochs(state.preset);
  const untilEpoch = length !== null && epochShown < length ? length : null;
  setStatus(length !== null && untilEpoch === null ? `Training past the preset's ${length} epochs.` : '');
  for (const side of sides) side?.trainer.send('play', { untilEpoch });
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

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error && text !== '');
}

function update(changes, { restart = true } = {}) {
  state = { ...state, ...changes };
  if (restart) highlighted = [];
  if ('dataset' in changes) {
    const losses = lossesFor(state.dataset, custom.csv?.task);
    if (!losses.includes(state.loss)) state.loss = losses[0];
    custom.points = [];
  }
  if (restart) setup();
  else history.replaceState(null, '', currentHash());
}

const CHANGE_NAMES = { activation: 'activation', batchNorm: 'batch norm', dropout: 'dropout', learningRate: 'learning rate', weightDecay: 'L2', init: 'init', clipNorm: 'clip norm' };
const valueOf = (s, key) => (['activation', 'batchNorm', 'dropout'].includes(key) ? [...new Set(s.layers.map((l) => String(l[key])))].join('/') : String(s[key]));

/** applies one remedy; the failing run stays on the charts, dashed, replayed beside it */
function onApply(finding, id) {
  const applied = applyRemedy(state, finding, id);
  if (!applied) return showError(`No remedy to apply for ${finding.kind}.`);
  const keys = Object.keys(applied.remedy.changes);
  const what = keys.map((k) => `${CHANGE_NAMES[k] ?? k} ${valueOf(state, k)} → ${valueOf(applied.state, k)}`).join(', ');
  const mode = $('compare-with').value;
  if (mode && mode !== 'before') showNote(`Compare now shows the run before the remedy (it showed "${COMPARE_LABELS[mode]}").`);
  beforeState = { ...state };
  state = applied.state;
  highlighted = keys;
  $('compare-with').value = 'before';
  showPresetText();
  setup({ play: true });
  const text = `Applied "${applied.remedy.label}"${applied.remedy.seed ? " (the seed's remedy)" : ''}: ${what}. Dashed: the run before, replayed with the same seed and data.`;
  setStatus(text);
  showNote(text);
}

function showError(message) {
  const { messages } = panelParts($('findings'));
  messages.prepend(h('p', { className: 'error', attrs: { role: 'alert' } }, String(message)));
  while (messages.children.length > 3) messages.lastChild.remove(); // the newest few, not a growing pile
}

function showNote(message) {
  const { messages } = panelParts($('findings'));
  messages.prepend(h('p', { className: 'note' }, String(message)));
}

function showPresetText() {
  const [name, side = 'failure'] = state.preset.split(':');
  const preset = Object.hasOwn(presets, name) ? presets[name] : null;
  const length = presetEpochs(state.preset);
  const which = side === 'failure' ? '' : ` — remedy: ${presetRun(state.preset)?.label ?? side}`;
  $('preset-text').textContent = preset ? `${preset.title}${which}: ${preset.description}${length ? ` (Runs ${length} epochs.)` : ''}` : '';
  document.querySelectorAll('#preset-buttons button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.preset === name)));
  // on a wide screen the text shows two lines; "more" shows the rest
  requestAnimationFrame(() => {
    const text = $('preset-text');
    $('preset-more').hidden = !(text.classList.contains('clamped') ? text.scrollHeight > text.clientHeight + 2 : text.textContent);
  });
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- files: read and parsed in the worker, never on the main thread ------------------
function parseCsvFile({ keepLabel = true } = {}) {
  if (!csvFile) return;
  const label = keepLabel && $('csv-column').options.length ? $('csv-column').value : undefined;
  const options = { delimiter: $('csv-delimiter').value, label, task: $('csv-task').value, seed: state.seed, testRatio: state.testRatio };
  $('csv-note').textContent = `Reading "${csvFile.name}"…`;
  sides[0].trainer.send('parse-csv', { file: csvFile, options, request: ++csvRequest });
}

function onCsv({ dataset, info }) {
  custom = { points: [], csv: dataset };
  showCsvColumns(info.header, info.label);
  const what = info.task === 'regression' ? 'regression' : `classification, ${info.classes} classes`;
  $('csv-note').textContent = `"${info.fileName}": ${info.rows} rows, ${info.features} features, label column "${info.header[info.label]}"${info.labelWhy ? ` (${info.labelWhy})` : ''} → ${what}${info.why ? ` (${info.why})` : ''}.`;
  state = { ...state, dataset: 'csv', loss: dataset.loss, preset: '' };
  setup();
}

function onCsvError(message) {
  // the previous data is gone: Play must not train it and report on it
  custom = { points: [], csv: null };
  $('csv-note').textContent = 'No data: the file could not be used (see the message; another label column, delimiter or task may work).';
  showError(message);
  state = { ...state, dataset: 'csv', preset: '' };
  setup();
  setStatus(`Nothing to train: ${message}`, true);
}

function onModel({ config, fileName }) {
  const next = stateFromConfig(config, state, custom.csv);
  if (next.error) {
    showError(`Load model "${fileName}": ${next.error}`);
    return;
  }
  state = next.state;
  custom.points = [];
  setup({ useLoaded: true });
  showNote(`Loaded model "${fileName}": ${config.layers.length - 1} hidden layers, ${config.inputs} inputs, trained on ${state.dataset} data shape.`);
}

function bind() {
  bindSetup();
  bindTransport();
  bindFiles();
  bindViews();
}

/** the sidebar's setup controls: presets, data, layers, training */
function bindSetup() {
  fillStaticControls((name) => {
    state = { ...stateFromPreset(name, 'failure', state), speed: state.speed };
    highlighted = [];
    beforeState = null;
    if ($('compare-with').value === 'before') $('compare-with').value = '';
    custom.points = [];
    showPresetText();
    setup({ play: true });
  });
  $('dataset').addEventListener('change', () => update({ dataset: $('dataset').value, preset: '' }));
  for (const key of NUMBER_FIELDS) {
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
  for (const key of RANGE_FIELDS) {
    $(key).addEventListener('input', () => ($(`${key}-out`).textContent = $(key).value));
    $(key).addEventListener('change', () => update({ [key]: Number($(key).value), preset: '' }));
  }
  for (const key of ['loss', 'init', 'optimizer']) $(key).addEventListener('change', () => update({ [key]: $(key).value, preset: '' }));
  $('speed').addEventListener('change', () => {
    update({ speed: Number($('speed').value) }, { restart: false });
    showStepMode();
    for (const side of sides) side?.trainer.send('speed', { speed: state.speed });
  });
  $('histogram-every').addEventListener('change', () => {
    update({ histogramEvery: Number($('histogram-every').value) }, { restart: false });
    for (const side of sides) side?.trainer.send('speed', { speed: state.speed, histogramEvery: state.histogramEvery });
  });
  $('add-layer').addEventListener('click', () => {
    if (state.layers.length >= 12) return showError('at most 12 hidden layers');
    const last = state.layers.at(-1) ?? { units: 8, activation: 'relu', batchNorm: false, dropout: 0 };
    update({ layers: [...state.layers, { ...last }], preset: '' });
  });
  $('compare-with').addEventListener('change', () => setup({ play: running }));
  $('standardize').addEventListener('change', () => update({ standardize: $('standardize').checked, preset: '' }));
  $('quick-lr').addEventListener('change', () => {
    const v = Number($('quick-lr').value);
    if ($('quick-lr').value === '' || !Number.isFinite(v) || v < 0 || v > 10) {
      showError(`learning rate must be a number in [0, 10]; got "${$('quick-lr').value}"`);
      $('quick-lr').value = String(state.learningRate);
      return;
    }
    update({ learningRate: v, preset: '' });
  });
  $('quick-activation').addEventListener('change', () => {
    const a = $('quick-activation').value;
    if (a) update({ layers: state.layers.map((l) => ({ ...l, activation: a })), preset: '' });
  });
  $('preset-more').addEventListener('click', togglePresetText);
}

function togglePresetText() {
  const clamped = $('preset-text').classList.toggle('clamped');
  $('preset-more').textContent = clamped ? 'more' : 'less';
  $('preset-more').setAttribute('aria-expanded', String(!clamped));
}

/** play / pause / step / reset, by button and by key (space, s, r) */
function bindTransport() {
  $('play').addEventListener('click', () => (running ? pause() : play_()));
  $('step').addEventListener('click', () => {
    pause();
    const blocked = sides[0].generation !== null ? sides[0].blocked : null;
    if (blocked || (state.dataset === 'csv' && !custom.csv)) return setStatus(`Nothing to train: ${blocked ?? 'choose a CSV file first'}`, true);
    for (const side of sides) side?.trainer.send('step');
  });
  $('reset').addEventListener('click', () => setup());
  document.addEventListener('keydown', (event) => {
    if (event.target.closest('input, select, textarea, button')) return;
    if (event.key === ' ') {
      event.preventDefault();
      running ? pause() : play_();
    } else if (event.key === 's') $('step').click();
    else if (event.key === 'r') $('reset').click();
  });
}

/** model save / load, the link, CSV files and their options: files go to the worker unread */
function bindFiles() {
  $('save').addEventListener('click', () => sides[0].trainer.send('save'));
  $('save-pytorch').addEventListener('click', () => sides[0].trainer.send('save', { format: 'pytorch' }));
  $('load').addEventListener('change', () => {
    const file = $('load').files[0];
    $('load').value = '';
    if (!file) return;
    try {
      checkSize('Model file', file.name, file.size, MODEL_LIMIT_BYTES);
    } catch (err) {
      return showError(`Load model: ${err.message}`);
    }
    sides[0].trainer.send('load-file', { file, request: ++modelRequest });
  });
  $('share').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $('share').textContent = 'Link copied';
    } catch {
      prompt('Copy this link:', location.href);
    }
  });
  $('csv-file').addEventListener('change', () => {
    const file = $('csv-file').files[0];
    if (!file) return;
    try {
      checkSize('CSV file', file.name, file.size, CSV_LIMIT_BYTES);
    } catch (err) {
      csvFile = null;
      csvRequest++; // a parse still under way is of no interest any more
      return onCsvError(err.message);
    }
    csvFile = file;
    $('csv-column').replaceChildren();
    parseCsvFile({ keepLabel: false });
  });
  $('csv-delimiter').addEventListener('change', () => {
    $('csv-column').replaceChildren(); // other columns: the label defaults to the last again
    parseCsvFile({ keepLabel: false });
  });
  $('csv-column').addEventListener('change', () => parseCsvFile());
  $('csv-task').addEventListener('change', () => parseCsvFile());
}

/** the views: points added on the map, sweeps, the chart window, resizing, and links opened in place */
function bindViews() {
  $('boundary').addEventListener('click', (event) => {
    if (!view.points || view.regression || state.dataset === 'csv') return;
    const p = canvasToData($('boundary'), event, view.points.domain);
    const chosen = Number($('click-class').value);
    custom.points.push({ ...p, label: event.shiftKey ? 1 - chosen : chosen });
    sides[0].trainer.send('points', { custom });
    sides[1]?.trainer.send('points', { custom });
  });
  $('sweep-run').addEventListener('click', () => runSweep('dropout'));
  $('sweep-lr').addEventListener('click', () => runSweep('learningRate'));
  $('grad-window').addEventListener('change', () => charts?.grad.chart.setWindow(WINDOWS[$('grad-window').value]?.window ?? null));
  $('grad-chart').addEventListener('window-reset', () => ($('grad-window').value = 'all'));
  $('smoothing').addEventListener('change', applySmoothing);
  $('dist-quantity').addEventListener('change', () => {
    distributions.quantity = $('dist-quantity').value;
    distributions.dirty = true;
  });
  window.addEventListener('resize', () => {
    charts?.grad.chart.resize();
    charts?.loss.chart.resize();
    charts?.units.chart?.resize();
    charts?.ratio.chart.resize();
    distributions.dirty = true;
    normDist.dirty = true;
    sweepPlot?.chart.resize();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === currentHash()) return;
    const next = stateFromHash(location.hash); // read before pause() rewrites the hash
    pause();
    beforeState = null;
    highlighted = [];
    state = next.state;
    $('compare-with').value = Object.hasOwn(COMPARE_LABELS, next.compare) ? next.compare : '';
    noteIgnored(next.ignoredText);
    showPresetText();
    setup({ play: next.play });
  });
}

/** what a link asked for that the page did not take, shown as text */
function noteIgnored(list) {
  if (!list.length) return;
  const shown = list.slice(0, 24).map((t) => (t.length > 80 ? `${t.slice(0, 80)}…` : t));
  showNote(`Ignored in the link (unknown key or invalid value): ${shown.join(', ')}${list.length > 24 ? `, and ${list.length - 24} more` : ''}`);
}

// ---- sweeps: dropout 0 … 1, learning rate 1e-4 … 10 (the library's sweep(), in a worker of their own) ----
const SWEEP_VALUES = {
  dropout: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  learningRate: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10],
};
let sweepWorker = null;
let sweepPlot = null;
let sweepRows = [];

const sweepText = (r) =>
  `train ${fmt(r.trainLoss)}, test ${fmt(r.testLoss)}${r.testAccuracy === undefined ? '' : `, acc ${(100 * r.testAccuracy).toFixed(0)}%`}, dead ReLU ${(100 * r.deadFraction).toFixed(0)}%, max ‖∇W‖ ${Number.isFinite(r.maxGradNorm) ? r.maxGradNorm.toExponential(1) : String(r.maxGradNorm)}${r.diverged ? ' — diverged (loss not finite)' : ''}`;

function sweepButtons(busy) {
  $('sweep-run').disabled = busy;
  $('sweep-lr').disabled = busy;
}

/** every point so far as a table row: the values the chart cannot show on one axis (max gradient norm) */
function showSweepTable() {
  const lr = sweepRows[0]?.param === 'learningRate';
  const head = h('tr', {}, [lr ? 'learning rate' : 'dropout', 'train loss', 'test loss', 'test acc.', 'dead ReLU', 'max ‖∇W‖'].map((t) => h('th', { scope: 'col' }, t)));
  const rows = sweepRows.map((r) =>
    h(
      'tr',
      { className: r.diverged ? 'diverged' : '' },
      h('th', { scope: 'row' }, String(r.value)),
      h('td', {}, fmt(r.trainLoss)),
      h('td', {}, fmt(r.testLoss)),
      h('td', {}, r.testAccuracy === undefined ? '–' : `${(100 * r.testAccuracy).toFixed(1)}%`),
      h('td', {}, `${(100 * r.deadFraction).toFixed(0)}%`),
      h('td', {}, Number.isFinite(r.maxGradNorm) ? r.maxGradNorm.toExponential(1) : String(r.maxGradNorm)),
    ),
  );
  $('sweep-table').replaceChildren(h('table', {}, h('thead', {}, head), h('tbody', {}, rows)));
}

function runSweep(param) {
  const epochs = Number($('sweep-epochs').value);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 2000) return showError(`epochs per value must be an integer in [1, 2000]; got ${$('sweep-epochs').value}`);
  if (state.dataset === 'csv' && !custom.csv) return showError('Sweep: choose a CSV file first');
  sweepPlot?.chart.destroy();
  sweepPlot = sweepChart($('sweep-chart'), param);
  sweepRows = [];
  $('sweep-table').replaceChildren();
  sweepButtons(true);
  $('sweep-status').textContent = 'training…';
  sweepWorker?.terminate();
  sweepWorker = new Trainer((msg) => onMessage({ index: 2 }, msg));
  sweepWorker.send('init', { simd: fromHash.simd });
  sweepWorker.send('sweep', { state: { ...state }, custom, param, values: SWEEP_VALUES[param], epochs });
}

// ---- start ----------------------------------------------------------------------
bind();
if (Object.hasOwn(COMPARE_LABELS, fromHash.compare)) $('compare-with').value = fromHash.compare;
noteIgnored(fromHash.ignoredText);
showPresetText();
setup({ play: fromHash.play });
