// The playground's composition: the page state (state.js: the library's config
// plus data and view options), the training sides (A = this setup, B = the
// comparison) with their workers, the panels (panels.js), the views, and the
// roles with workers of their own (sweeps.js, remedy-runs.js). The sidebar is
// made from the field table (fields.js, controls.js). No string from a file,
// the URL or the library ever becomes markup (see dom.js).
import './style.css';
import { presets } from '../js/presets.js';
import { COMPARE_LABELS, WINDOWS, buildControls, layerValue, renderControls, showCsvColumns } from './controls.js';
import { compareState } from './compare.js';
import { applyRemedy, describeChange, findingTitle, remediesFor, renderFindings } from './diagnosis.js';
import { FIELD } from './fields.js';
import { bindFiles, download } from './files.js';
import { fmt } from './format.js';
import { clearMap, drawMapAndNetwork } from './map-card.js';
import { TO_WORKER } from './messages.js';
import { coreLabel, createThreadsMenu } from './threads-menu.js';
import { PanelBoard, setDistributionQuantity } from './panels.js';
import { createPapersView } from './papers-view.js';
import { createRemedyRuns } from './remedy-runs.js';
import {
  addHiddenLayer,
  hiddenLayers,
  lossesFor,
  presetRun,
  removeHiddenLayer,
  setField,
  setLayerField,
  stateFromConfig,
  stateFromHash,
  stateFromPreset,
  stateToHash,
} from './state.js';
import { createSweeps } from './sweeps.js';
import { clearNotes, setStatus, showError, showNote } from './notes.js';
import { Side } from './side.js';
import { createUnitMaps } from './unit-maps.js';
import { canvasToData, renderConfusion } from './views.js';

const $ = (id) => document.getElementById(id);
const fromHash = stateFromHash(location.hash);
const simd = fromHash.simd;
let state = fromHash.state;
// what the page holds besides the state: clicked points, the parsed CSV (from the worker) and its file
let custom = { points: [], csv: null };
let csvFile = null;
let csvRequest = 0;
let modelRequest = 0;
let running = false;
let trained = false;
let beforeState = null; // the failing run a remedy was applied to (compare mode 'before' replays it)
let highlighted = []; // the controls the last remedy changed

// what the tests and the curious can read: counts of frames and messages
const metrics = (window.__gradscope = { frames: 0, progress: 0, lastProgressAt: 0, errors: [], simd: null, ready: false, worstFrameMs: 0, worstMessageMs: 0 });

/** the setup as roles with workers of their own take it, and whether there is data to train */
const currentSetup = () => ({ state: structuredClone(state), custom, ready: state.data.dataset === 'csv' && !custom.csv ? 'choose a CSV file first' : true });
const remedyRuns = createRemedyRuns({ getSetup: currentSetup, onError: showNote, simd, metrics });
const sweeps = createSweeps({ getSetup: currentSetup, showError, simd });

// ---- the training sides: A = this setup, B = the comparison ----------------------------
const sides = [null, null]; // side A is made at the start, below (its handlers are defined first)
let view = { config: null, stats: null, weights: null, points: null, boundary: null, scatter: null, regression: false };

function makeSide(index) {
  const handlers = index === 0 ? { ...sideHandlers(0), ...fileHandlers } : sideHandlers(1);
  return new Side(index, handlers, { simd, threads: threadsMenu.threads, metrics, onBug: stopRun });
}

const threadsMenu = createThreadsMenu($('threads'), fromHash.threads, (threads) => {
  for (const side of sides) side?.trainer.send(TO_WORKER.threads, { threads });
  history.replaceState(null, '', currentHash());
  showNote(`${threads} thread${threads > 1 ? 's' : ''} from the next Reset, preset or setting: the same numbers, only the speed changes`);
});

const comparisonPrefix = (side) => (side.index === 1 ? 'the comparison: ' : '');

/** what a training side's worker reports (messages arrive once the side is made) */
function sideHandlers(index) {
  const a = index === 0;
  const side = () => sides[index];
  return {
    ready(msg) {
      if (!a) return;
      metrics.simd = msg.simd;
      metrics.threads = msg.threads;
      $('core').textContent = coreLabel(msg.simd, msg.threads);
      if (msg.threadsRefused) {
        threadsMenu.refused();
        showNote(`Training on one thread: ${msg.threadsRefused}`);
      }
    },
    setup(msg) {
      if (msg.request !== side().requested) return; // an older setup, already superseded
      side().generation = msg.generation;
      side().blocked = null;
      if (!a) return;
      metrics.threads = msg.threads;
      $('core').textContent = coreLabel(metrics.simd, msg.threads);
      view = { config: msg.config, stats: null, weights: null, points: msg.points, boundary: null, scatter: null, regression: msg.dataset.loss === 'mse', dataset: msg.dataset, histograms: null };
      board.get('schedule')?.setSchedule(msg.schedule);
      unitMaps.reset(view);
      metrics.ready = true;
      metrics.trainSize = msg.dataset.trainSize;
      drawViews();
    },
    'setup-failed'(msg) {
      if (msg.request !== side().requested) return;
      side().generation = msg.generation;
      side().blocked = msg.message;
      if (a) {
        view = { config: null, stats: null, weights: null, points: null, boundary: null, scatter: null, regression: false };
        clearMap();
        metrics.ready = true;
      }
      // no CSV chosen yet (or it failed to parse, which was said already): the status line says so
      if (msg.noData) setRunning(false);
      else stopRun(`${comparisonPrefix(side())}${msg.message}`, { prefix: 'Nothing to train' });
    },
    points(msg) {
      if (!a) return;
      view.points = msg.points;
      metrics.trainSize = msg.points.trainSize;
      drawViews();
    },
    progress: (msg) => onProgress(side(), msg),
    state(msg) {
      if (a) setRunning(msg.running);
    },
    finished(msg) {
      if (!a || msg.generation !== side().generation) return;
      const text = msg.early
        ? `Early stopping ended the run at epoch ${msg.early.epoch}: the test loss did not improve for ${state.fit.earlyStopping.patience} epochs; its best was at epoch ${msg.early.best}${state.fit.earlyStopping.restoreBest ? `, whose parameters are restored (the bar's numbers are still epoch ${msg.early.epoch}'s)` : ''}. Reset starts again.`
        : `Stopped at epoch ${msg.epoch}: the length of this run (Epochs). Play trains on past it.`;
      setStatus(text);
    },
    'unit-map': (msg) => unitMaps.onMap(msg),
    'csp-violation'(msg) {
      console.error(`Content-Security-Policy violation in a training worker: ${msg.directive} blocked ${msg.blocked}`);
    },
    error(msg) {
      metrics.errors.push(msg.message);
      stopRun(`${comparisonPrefix(side())}${msg.message}`);
    },
  };
}

/** replies about files, which only side A's worker reads */
const fileHandlers = {
  saved: (msg) => download(msg.name, msg.text),
  csv(msg) {
    if (msg.request === csvRequest) onCsv(msg);
  },
  'csv-error'(msg) {
    if (msg.request !== csvRequest) return;
    if (msg.header) showCsvColumns(msg.header, msg.label); // another label column may work: offer them
    onCsvError(msg.message);
  },
  model(msg) {
    if (msg.request === modelRequest) onModel(msg);
  },
  'model-error'(msg) {
    if (msg.request === modelRequest) showError(msg.message);
  },
};

/** stops every side and says why, where a person looks (status bar and diagnosis panel) */
function stopRun(message, { prefix = 'Training stopped' } = {}) {
  for (const side of sides) side?.trainer.send(TO_WORKER.pause);
  setRunning(false);
  setStatus(`${prefix}: ${message}`, true);
  showError(`${prefix}: ${message}`);
}

function onProgress(side, msg) {
  if (msg.generation !== side.generation) return; // from a run the page has already replaced
  metrics.progress++;
  metrics.lastProgressAt = performance.now();
  board.push(side.index, msg);
  if (msg.steps.loss.length) trained = true;
  if (side.index === 1) return showComparisonStats(msg);
  $('step-count').textContent = String(board.get('grad')?.raw?.[0] ?? 0);
  view.stats = msg.stats;
  if (msg.histograms) view.histograms = msg.histograms;
  if (msg.weights) {
    view.weights = msg.weights;
    unitMaps.weightsChanged();
  }
  if (msg.boundary) view.boundary = msg.boundary;
  if (msg.scatter) view.scatter = msg.scatter;
  const last = msg.steps.epochs.at(-1);
  $('epoch').textContent = String(msg.epoch);
  $('epoch').dataset.epoch = String(msg.epoch);
  if (last) {
    $('train-loss').textContent = fmt(last.loss);
    $('test-loss').textContent = fmt(last.valLoss);
    $('test-acc').textContent = last.valAccuracy === undefined ? '–' : `${(100 * last.valAccuracy).toFixed(1)}%`;
  } else if (msg.steps.loss.length && state.view.speed < 0) {
    // slow motion: the loss of the last step, before an epoch has ended
    $('train-loss').textContent = fmt(msg.steps.loss.at(-1));
  }
  if (msg.confusion) renderConfusion($('confusion'), msg.confusion, view.dataset.outputs, view.dataset.classNames);
  if (msg.findings) {
    showDiagnosisSummary(msg.findings, trained || msg.epoch > 0);
    renderFindings($('findings'), msg.findings, { trained: trained || msg.epoch > 0, onApply, announce: $('announce'), remedies: (f) => remediesFor(state, f) });
    if (trained && currentSetup().ready === true) remedyRuns.measure(msg.findings, (f) => remediesFor(state, f));
    else remedyRuns.show();
  }
  // the canvases and bars follow the slower reports (a few a second): enough to watch, cheap to paint
  if (msg.weights || !running) viewsDirty = true;
}

/** the diagnosis in one line in the bar: on a projector its card is below the first screen */
function showDiagnosisSummary(findings, done) {
  const el = $('diag-summary');
  el.hidden = !done;
  el.dataset.kinds = findings.map((f) => f.kind).join(',');
  el.textContent = findings.length ? `Diagnosis: ${findings.map(findingTitle).join(' · ')} — remedies below ↓` : 'Diagnosis: ✓ no failure case found';
}

/** the dashed run's numbers and findings beside this run's, as text */
function showComparisonStats(msg) {
  const side = sides[1];
  const last = msg.steps.epochs.at(-1);
  if (last) side.last = last;
  if (msg.findings) side.findings = msg.findings;
  const l = side.last;
  const acc = l?.valAccuracy === undefined ? '' : `, test acc ${(100 * l.valAccuracy).toFixed(1)}%`;
  const found = side.findings ? (side.findings.length ? side.findings.map((f) => String(f.kind).replace(/-/g, ' ')).join(', ') : 'no failure found') : '…';
  $('b-stats').textContent = `epoch ${msg.epoch}, test loss ${fmt(l?.valLoss)}${acc}; findings: ${found}`;
}

// ---- panels (panels.js): every chart and instrument, drawn one per animation frame ----------
let viewsDirty = false;
const board = new PanelBoard({
  metrics,
  onFrame() {
    if (!viewsDirty) return;
    viewsDirty = false;
    drawViews();
  },
  onInstrumentsShown: () => (viewsDirty = true),
});

/** the panels of a new setup: sides 1 or 2 (a comparison) */
function createPanels(sideCount) {
  const sideNames = $('compare-with').value === 'before' ? ['(after)', '(before)'] : ['A', 'B'];
  board.create({ config: state.config, state, nLayers: state.config.layers.length, sides: sideCount, sideNames });
  applySmoothing();
  board.get('grad').setWindow(WINDOWS[$('grad-window').value]?.window ?? null); // the window survives a new run
}

function applySmoothing() {
  const a = Number($('smoothing').value) || 0;
  board.smoothing(a);
  $('grad-chart').dataset.smoothing = String(a);
}

// ---- views: the network and the map card (map-card.js), the unit instruments (unit-maps.js) ----
const unitMaps = createUnitMaps((layer, unit, request) => sides[0].trainer.send(TO_WORKER.unitMap, { layer, unit, request }));

function drawViews() {
  if (!view.config) return;
  drawMapAndNetwork(view, state.config.loss);
  if (board.instrumentsVisible) unitMaps.draw(view);
}

// ---- setup: (re)build both sides from the state ----------------------------------------

/** outlines the controls a remedy changed (until the next change by hand) */
function showHighlight() {
  document.querySelectorAll('.controls .changed').forEach((el) => el.classList.remove('changed'));
  for (const key of highlighted) {
    const els = ['activation', 'batchNorm', 'dropout'].includes(key) ? document.querySelectorAll(`#layers .layer:not(.output-layer) [data-field="${key === 'batchNorm' ? 'norm' : key}"]`) : [$(key)].filter(Boolean);
    els.forEach((el) => (el.closest('label') ?? el).classList.add('changed'));
  }
}

// the link to this page: the setup, the comparison, and whether it is playing
const currentHash = () => `${stateToHash(state)}${$('compare-with').value ? `&compare=${$('compare-with').value}` : ''}${threadsMenu.threads > 1 ? `&threads=${threadsMenu.threads}` : ''}${running ? '&play=1' : ''}`;

const layerHandlers = {
  onLayerChange(i, input) {
    const { field, value, error } = layerValue(input);
    if (error) {
      showError(error);
      renderControls(state, controlOptions()); // the editor shows the state again
      return;
    }
    edit(() => setLayerField(state, i, field, value));
  },
  onLayerRemove(i) {
    edit(() => removeHiddenLayer(state, i));
  },
};

const controlOptions = () => ({ csvTask: custom.csv?.task, ...layerHandlers });
const showControls = () => renderControls(state, controlOptions());

/**
 * Builds the sides anew from the state. notes: what the page says about this
 * setup (an applied remedy, a loaded model); every older message goes.
 */
function setup({ play = false, useLoaded = false, notes = [], keepStatus = false } = {}) {
  const wasRunning = running || play;
  metrics.ready = false; // until the worker has built this setup
  setRunning(false);
  if (!keepStatus) setStatus('');
  trained = false;
  clearNotes();
  for (const note of notes) showNote(note);
  history.replaceState(null, '', currentHash());
  showControls();
  showPresetText();
  showHighlight();
  const compare = compareState($('compare-with').value, state, beforeState);
  if (compare?.error) {
    // compare never switches itself off silently
    showError(`Compare with "${COMPARE_LABELS[$('compare-with').value]}": ${compare.error}. Compare is off.`);
    $('compare-with').value = '';
    history.replaceState(null, '', currentHash());
  }
  const b = compare?.state ?? null;
  const before = $('compare-with').value === 'before';
  $('b-box').hidden = !b;
  $('b-stats').textContent = '–';
  $('a-name').textContent = b && before ? 'this run (after)' : 'this run';
  $('b-name').textContent = b ? `${before ? 'dashed (before)' : 'dashed'}: ${COMPARE_LABELS[$('compare-with').value]}` : 'dashed run';
  $('compare-note').textContent = b ? `solid: this setup, dashed: ${COMPARE_LABELS[$('compare-with').value]} (same seed and data)` : 'solid: this setup; choose a comparison to train it beside, dashed';
  createPanels(b ? 2 : 1);
  remedyRuns.reset(); // measured remedies belong to the setup they were measured on
  renderFindings($('findings'), [], { trained: false });
  $('diag-summary').hidden = true;
  $('confusion').replaceChildren();
  $('epoch').textContent = '0';
  $('epoch').dataset.epoch = '0';
  $('step-count').textContent = '0';
  showStepMode();
  for (const id of ['train-loss', 'test-loss', 'test-acc']) $(id).textContent = '–';
  $('acc-box').hidden = state.config.loss === 'mse';
  sides[0].blocked = 'the setup is still being built';
  sides[0].trainer.send(TO_WORKER.setup, { state: structuredClone(state), custom, useLoaded, request: sides[0].newSetup() });
  if (b) {
    sides[1] ??= makeSide(1);
    sides[1].trainer.send(TO_WORKER.setup, { state: structuredClone(b), custom, request: sides[1].newSetup() });
  } else if (sides[1]) {
    sides[1].trainer.terminate();
    sides[1] = null;
  }
  if (state.data.dataset === 'csv' && !custom.csv) {
    setStatus('Choose a CSV file to train on.');
    return;
  }
  if (wasRunning) startTraining();
}

/** slow motion counts optimizer steps, and Step trains one of them */
function showStepMode() {
  const slow = state.view.speed < 0;
  $('step-box').hidden = !slow;
  $('step').title = slow ? 'Train one optimizer step (s)' : 'Train one epoch (s)';
}

function startTraining() {
  // a failed setup (no CSV, a CSV that did not parse, a model that does not fit) has nothing to train
  const blocked = sides[0].nothingToTrain;
  if (blocked || (state.data.dataset === 'csv' && !custom.csv)) {
    setRunning(false);
    setStatus(`Nothing to train: ${blocked ?? 'choose a CSV file first'}`, true);
    return;
  }
  const length = state.fit.epochs || null;
  const shown = Number($('epoch').dataset.epoch ?? 0);
  const untilEpoch = length !== null && shown < length ? length : null;
  setStatus(length !== null && untilEpoch === null ? `Training past this run's ${length} epochs.` : '');
  for (const side of sides) side?.trainer.send(TO_WORKER.play, { untilEpoch });
  setRunning(true);
}

function pauseTraining() {
  for (const side of sides) side?.trainer.send(TO_WORKER.pause);
  setRunning(false);
}

function setRunning(value) {
  const changed = running !== value;
  running = value;
  if (changed) history.replaceState(null, '', currentHash());
  $('play').textContent = value ? '❚❚ Pause' : '▶ Play';
  $('play').setAttribute('aria-pressed', String(value));
}

/** one change of the state by hand: the next state (or the library's refusal, shown), then a new setup */
function edit(next, { restart = true } = {}) {
  let s;
  try {
    s = next();
  } catch (err) {
    showError(err.message.replace(/^playground: /, ''));
    showControls(); // the controls show the state again
    return;
  }
  state = s;
  if (!restart) return history.replaceState(null, '', currentHash());
  highlighted = [];
  setup();
}

/** a field's control changed (its value parsed by the field table) */
function onField(key, value) {
  const field = FIELD[key];
  if (field.group === 'view') {
    edit(() => setField(state, key, value), { restart: false });
    showStepMode();
    for (const side of sides) side?.trainer.send(TO_WORKER.speed, { speed: state.view.speed, histogramEvery: state.view.histogramEvery });
    return;
  }
  edit(() => {
    let s = setField(state, key, value);
    if (key === 'dataset') {
      const losses = lossesFor(value, custom.csv?.task);
      if (!losses.includes(s.config.loss)) s = setField(s, 'loss', losses[0]);
      custom.points = [];
    }
    return s;
  });
}

// ---- presets and remedies ------------------------------------------------------------

function showPresetText() {
  const [name, side = 'failure'] = state.preset.split(':');
  const preset = Object.hasOwn(presets, name) ? presets[name] : null;
  const length = state.fit.epochs || null;
  const which = side === 'failure' ? '' : ` — remedy: ${presetRun(state.preset)?.label ?? side}`;
  $('preset-text').textContent = preset ? `${preset.title}${which}: ${preset.description}${length ? ` (Runs ${length} epochs.)` : ''}` : '';
  document.querySelectorAll('#preset-buttons button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.preset === name)));
  // on a wide screen the text shows two lines; "more" shows the rest
  requestAnimationFrame(() => {
    const text = $('preset-text');
    $('preset-more').hidden = !(text.classList.contains('clamped') ? text.scrollHeight > text.clientHeight + 2 : text.textContent);
  });
}

function openPreset(name) {
  if (papersView.shown) papersView.close(); // a preset is the playground's
  state = { ...stateFromPreset(name, 'failure', state), view: state.view };
  highlighted = [];
  beforeState = null;
  if ($('compare-with').value === 'before') $('compare-with').value = '';
  custom.points = [];
  setup({ play: true });
}

/** applies one remedy; the failing run stays on the charts, dashed, replayed beside it */
function onApply(finding, id) {
  const applied = applyRemedy(state, finding, id);
  if (!applied) return showError(`No remedy to apply for ${finding.kind}.`);
  const keys = Object.keys(applied.remedy.changes ?? applied.remedy.data);
  const what = describeChange(state, applied.state, keys);
  const notes = [];
  const mode = $('compare-with').value;
  if (mode && mode !== 'before') notes.push(`Compare now shows the run before the remedy (it showed "${COMPARE_LABELS[mode]}").`);
  beforeState = structuredClone(state);
  state = applied.state;
  highlighted = keys;
  $('compare-with').value = 'before';
  const text = `Applied "${applied.remedy.label}"${applied.remedy.seed ? " (the seed's remedy)" : ''}: ${what}. Dashed: the run before, replayed with the same seed and data.`;
  notes.push(text);
  setup({ play: true, notes });
  setStatus(text);
}

// ---- files: read and parsed in the worker, never on the main thread ------------------
function parseCsvFile({ keepLabel = true } = {}) {
  if (!csvFile) return;
  const label = keepLabel && $('csv-column').options.length ? $('csv-column').value : undefined;
  const options = { delimiter: $('csv-delimiter').value, label, task: $('csv-task').value, seed: state.config.seed, testRatio: state.data.testRatio };
  $('csv-note').textContent = `Reading "${csvFile.name}"…`;
  sides[0].trainer.send(TO_WORKER.parseCsv, { file: csvFile, options, request: ++csvRequest });
}

function onCsv({ dataset, info }) {
  custom = { points: [], csv: dataset };
  showCsvColumns(info.header, info.label);
  const what = info.task === 'regression' ? 'regression' : `classification, ${info.classes} classes`;
  $('csv-note').textContent = `"${info.fileName}": ${info.rows} rows, ${info.features} features, label column "${info.header[info.label]}"${info.labelWhy ? ` (${info.labelWhy})` : ''} → ${what}${info.why ? ` (${info.why})` : ''}.`;
  state = setField(setField(state, 'dataset', 'csv'), 'loss', dataset.loss);
  if (dataset.loss !== 'mse') state.data.standardizeTarget = false;
  setup();
}

function onCsvError(message) {
  // the previous data is gone: Play must not train it and report on it
  custom = { points: [], csv: null };
  $('csv-note').textContent = 'No data: the file could not be used (see the message; another label column, delimiter or task may work).';
  state = setField(state, 'dataset', 'csv');
  setup();
  showError(message);
  setStatus(`Nothing to train: ${message}`, true);
}

function onModel({ config, fileName }) {
  const next = stateFromConfig(config, state, custom.csv);
  if (next.error) return showError(`Load model "${fileName}": ${next.error}`);
  state = next.state;
  beforeState = null;
  highlighted = [];
  custom.points = [];
  const o = config.optimizer;
  const norms = hiddenLayers(state).map((l) => (l.batchNorm ? 'BN' : l.layerNorm ? 'LN' : '')).filter(Boolean).length;
  setStatus(`Loaded "${fileName}": its trained weights train on from here (epoch 0 of this run); Reset starts this config from fresh weights.`);
  setup({
    keepStatus: true,
    useLoaded: true,
    notes: [
      `Loaded model "${fileName}": ${config.inputs} inputs, ${hiddenLayers(state).length} hidden layers (${[...new Set(hiddenLayers(state).map((l) => l.activation))].join(', ')}${norms ? `, ${norms} normalized` : ''}), ${o.type} at learning rate ${o.learningRate}${o.schedule ? ` with a ${o.schedule.decay} schedule` : ''}; trained weights kept until Reset, which re-initializes this same config. Data: ${state.data.dataset}.`,
    ],
  });
}

// ---- binding ------------------------------------------------------------------------
function bindSetup() {
  buildControls({
    onField,
    onInvalid(field, message) {
      showError(message);
      showControls();
    },
    onPreset: openPreset,
  });
  $('add-layer').addEventListener('click', () => edit(() => addHiddenLayer(state)));
  $('compare-with').addEventListener('change', () => setup({ play: running }));
  $('quick-lr').addEventListener('change', () => {
    const value = Number($('quick-lr').value);
    if ($('quick-lr').value === '' || !Number.isFinite(value)) return layerHandlers && showError(`learning rate must be a number; got "${$('quick-lr').value}"`);
    const input = $('learningRate');
    input.value = String(value);
    input.dispatchEvent(new Event('change')); // the field's own limits and handler
  });
  $('quick-activation').addEventListener('change', () => {
    const a = $('quick-activation').value;
    if (a) edit(() => hiddenLayers(state).reduce((s, _, i) => setLayerField(s, i, 'activation', a), state));
  });
  $('preset-more').addEventListener('click', () => {
    const clamped = $('preset-text').classList.toggle('clamped');
    $('preset-more').textContent = clamped ? 'more' : 'less';
    $('preset-more').setAttribute('aria-expanded', String(!clamped));
  });
}

/** play / pause / step / reset, by button and by key (space, s, r) */
function bindTransport() {
  $('play').addEventListener('click', () => (running ? pauseTraining() : startTraining()));
  $('step').addEventListener('click', () => {
    pauseTraining();
    const blocked = sides[0].nothingToTrain;
    if (blocked || (state.data.dataset === 'csv' && !custom.csv)) return setStatus(`Nothing to train: ${blocked ?? 'choose a CSV file first'}`, true);
    for (const side of sides) side?.trainer.send(TO_WORKER.step);
  });
  $('reset').addEventListener('click', () => setup());
  document.addEventListener('keydown', (event) => {
    // typing goes to the field; on a focused button space presses it, but s and r still work
    if (event.target.closest('input, select, textarea')) return;
    if (event.target.closest('button, summary') && event.key !== 's' && event.key !== 'r') return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === ' ') {
      event.preventDefault();
      running ? pauseTraining() : startTraining();
    } else if (event.key === 's') $('step').click();
    else if (event.key === 'r') $('reset').click();
  });
}

/** files: the worker reads them (files.js binds the inputs) */
function bindFileInputs() {
  bindFiles({
    save: (format) => sides[0].trainer.send(TO_WORKER.save, format === 'pytorch' ? { format } : {}),
    loadModel: (file) => sides[0].trainer.send(TO_WORKER.loadFile, { file, request: ++modelRequest }),
    csvChosen(file) {
      csvFile = file;
      parseCsvFile({ keepLabel: false });
    },
    csvRefused(message) {
      csvFile = null;
      csvRequest++; // a parse still under way is of no interest any more
      onCsvError(message);
    },
    csvOptions: (keepLabel) => parseCsvFile({ keepLabel }),
    onError: showError,
  });
}

/** the views: points added on the map, the chart window, resizing, and links opened in place */
function bindViews() {
  $('boundary').addEventListener('click', (event) => {
    if (!view.points || view.regression || state.data.dataset === 'csv') return;
    const p = canvasToData($('boundary'), event, view.points.domain);
    const chosen = Number($('click-class').value);
    custom.points.push({ ...p, label: event.shiftKey ? 1 - chosen : chosen });
    for (const side of sides) side?.trainer.send(TO_WORKER.points, { custom });
  });
  $('grad-window').addEventListener('change', () => board.get('grad')?.setWindow(WINDOWS[$('grad-window').value]?.window ?? null));
  $('grad-chart').addEventListener('window-reset', () => ($('grad-window').value = 'all'));
  $('smoothing').addEventListener('change', applySmoothing);
  $('dist-quantity').addEventListener('change', () => setDistributionQuantity($('dist-quantity').value));
  window.addEventListener('resize', () => {
    board.resize();
    sweeps.resize();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === currentHash()) return;
    const next = stateFromHash(location.hash); // read before pausing rewrites the hash
    pauseTraining();
    if (next.paper !== null) {
      const seed = Number(new URLSearchParams(location.hash.slice(1)).get('seed') ?? 1);
      return papersView.open(next.paper, Number.isInteger(seed) && seed >= 0 ? seed : 1);
    }
    beforeState = null;
    highlighted = [];
    state = next.state;
    $('compare-with').value = Object.hasOwn(COMPARE_LABELS, next.compare) ? next.compare : '';
    setup({ play: next.play, notes: linkNotes(next) });
  });
}

/** what a link asked for that the page did not take, or read another way, as text */
function linkNotes(link) {
  const notes = [...link.notes];
  if (link.error) notes.push(`This link was not opened: ${link.error}. The page shows the setup it had.`);
  const list = link.ignoredText;
  if (list.length) {
    const shown = list.slice(0, 24).map((t) => (t.length > 120 ? `${t.slice(0, 120)}…` : t));
    notes.push(`Not taken from the link: ${shown.join('; ')}${list.length > 24 ? `, and ${list.length - 24} more` : ''}`);
  }
  return notes;
}

// ---- the Papers view: a card run from a link (#paper=ID) or the header's button --------------
const papersView = createPapersView({
  simd,
  onClose() {
    history.replaceState(null, '', currentHash());
    board.resize();
  },
});
$('papers-open').addEventListener('click', () => {
  pauseTraining();
  papersView.open($('paper-id').value || 'he-2015', 1, { run: false });
});

// ---- start ----------------------------------------------------------------------
sides[0] = makeSide(0);
bindSetup();
bindTransport();
bindFileInputs();
bindViews();
if (Object.hasOwn(COMPARE_LABELS, fromHash.compare)) $('compare-with').value = fromHash.compare;
if (fromHash.paper !== null) {
  setup({ notes: [] });
  const seed = Number(new URLSearchParams(location.hash.slice(1)).get('seed') ?? 1);
  papersView.open(fromHash.paper, Number.isInteger(seed) && seed >= 0 ? seed : 1);
} else setup({ play: fromHash.play, notes: linkNotes(fromHash) });
