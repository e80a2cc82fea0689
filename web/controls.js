// The setup controls in the sidebar: filling the selects, showing a state in
// them, the per-layer editors and the preset buttons. Built with DOM calls only
// (web/dom.js): option texts, CSV column names and preset titles are text.
import { PRESET_NAMES, presets } from '../js/presets.js';
import { DELIMITERS } from './csv.js';
import { h, replaceChildren, setOptions } from './dom.js';
import { ACTIVATIONS, DATASETS_2D, HISTOGRAM_EVERY, INITS, OPTIMIZERS, REGRESSION, SPEEDS, lossesFor, speedLabel } from './state.js';

const $ = (id) => document.getElementById(id);

export const NUMBER_FIELDS = ['samples', 'learningRate', 'weightDecay', 'clipNorm', 'batchSize', 'seed', 'initStd'];
export const RANGE_FIELDS = ['noise', 'testRatio', 'labelNoise'];

/** what the gradient chart shows: every step, or a window that stays put while training goes on */
export const WINDOWS = {
  all: { label: 'all steps', window: null },
  first50: { label: 'first 50 steps', window: { first: 50 } },
  first200: { label: 'first 200 steps', window: { first: 200 } },
  last500: { label: 'last 500 steps', window: { last: 500 } },
};

/** EMA weights offered for the per-step series (0 = raw) */
export const SMOOTHING = [0, 0.6, 0.9, 0.99];

export const COMPARE_LABELS = {
  '': 'nothing (off)',
  remedy: "the preset's remedy (the seed's)",
  before: 'the run before the remedy',
  'lr-div10': 'same, learning rate ÷10',
  'lr-times10': 'same, learning rate ×10',
  'dropout-0': 'same, dropout 0',
  'dropout-0.5': 'same, dropout 0.5',
  relu: 'same, ReLU + He init',
  sigmoid: 'same, sigmoid',
  batchnorm: 'same, batch norm on',
};

/** the selects whose options never change, and the preset buttons */
export function fillStaticControls(onPreset) {
  setOptions($('dataset'), [...DATASETS_2D, 'digits', 'csv'], { regressionPlane: 'regression: plane', regressionGaussian: 'regression: gaussian', digits: 'digits (8×8, 10 classes)', csv: 'CSV upload…' });
  setOptions($('init'), INITS);
  setOptions($('optimizer'), OPTIMIZERS, { sgd: 'SGD', momentum: 'SGD + momentum 0.9', adam: 'Adam' });
  setOptions($('speed'), SPEEDS.map(String), Object.fromEntries(SPEEDS.map((s) => [String(s), speedLabel(s)])));
  setOptions($('smoothing'), SMOOTHING.map(String), Object.fromEntries(SMOOTHING.map((v) => [String(v), v === 0 ? 'off' : String(v)])));
  setOptions($('histogram-every'), HISTOGRAM_EVERY.map(String));
  setOptions($('quick-activation'), ['', ...ACTIVATIONS], { '': 'mixed' });
  setOptions($('compare-with'), Object.keys(COMPARE_LABELS), COMPARE_LABELS);
  setOptions($('grad-window'), Object.keys(WINDOWS), Object.fromEntries(Object.entries(WINDOWS).map(([k, w]) => [k, w.label])));
  setOptions($('csv-delimiter'), Object.keys(DELIMITERS), DELIMITERS);
  setOptions($('csv-task'), ['auto', 'classification', 'regression'], { auto: 'auto (from the label column)' });
  replaceChildren(
    $('preset-buttons'),
    PRESET_NAMES.map((name) => {
      const button = h('button', { type: 'button', dataset: { preset: name }, attrs: { 'aria-pressed': 'false' } }, presets[name].title);
      button.addEventListener('click', () => onPreset(name));
      return button;
    }),
  );
}

/** the CSV's columns in the label-column select (value: the column's position) */
export function showCsvColumns(header, label) {
  setOptions($('csv-column'), header.map((_, i) => String(i)), Object.fromEntries(header.map((name, i) => [String(i), name])));
  $('csv-column').value = String(label);
}

/** shows a state in the controls */
export function renderControls(state, { csvTask, onLayerChange, onLayerRemove }) {
  $('dataset').value = state.dataset;
  for (const key of NUMBER_FIELDS) $(key).value = String(state[key]);
  for (const key of RANGE_FIELDS) {
    $(key).value = String(state[key]);
    $(`${key}-out`).textContent = String(state[key]);
  }
  setOptions($('loss'), lossesFor(state.dataset, csvTask));
  $('loss').value = state.loss;
  $('init').value = state.init;
  $('initStd-label').hidden = state.init !== 'normal';
  $('optimizer').value = state.optimizer;
  $('speed').value = String(state.speed);
  $('standardize').checked = !!state.standardize;
  $('histogram-every').value = String(state.histogramEvery);
  $('quick-lr').value = String(state.learningRate);
  const acts = [...new Set(state.layers.map((l) => l.activation))];
  $('quick-activation').value = acts.length === 1 ? acts[0] : '';
  const generated = DATASETS_2D.includes(state.dataset);
  $('samples').disabled = !generated;
  $('noise').disabled = !generated;
  $('click-hint').hidden = !generated || REGRESSION.includes(state.dataset);
  $('csv-controls').hidden = state.dataset !== 'csv';
  renderLayers(state, onLayerChange, onLayerRemove);
}

function layerEditor(layer, i, count, onChange, onRemove) {
  const activation = h(
    'select',
    { dataset: { field: 'activation' } },
    ACTIVATIONS.map((a) => new Option(a, a, a === layer.activation, a === layer.activation)),
  );
  const fields = [
    h('input', { type: 'number', min: '1', max: '512', value: String(layer.units), dataset: { field: 'units' } }),
    activation,
    h('input', { type: 'checkbox', checked: !!layer.batchNorm, dataset: { field: 'batchNorm' } }),
    h('input', { type: 'number', min: '0', max: '1', step: '0.1', value: String(layer.dropout), dataset: { field: 'dropout' } }),
  ];
  const [units, , batchNorm, dropout] = fields;
  for (const input of fields) input.addEventListener('change', () => onChange(i, input));
  const remove = h('button', { type: 'button', disabled: count <= 1, dataset: { remove: String(i) }, attrs: { 'aria-label': `Remove layer ${i}` } }, '✕');
  remove.addEventListener('click', () => onRemove(i));
  return h(
    'div',
    { className: 'layer', dataset: { layer: String(i) }, attrs: { role: 'group', 'aria-label': `Hidden layer ${i}` } },
    h('span', { className: 'layer-name' }, `layer ${i}`),
    h('label', {}, 'units ', units),
    h('label', {}, 'activation ', activation),
    h('label', { className: 'check' }, batchNorm, ' batch norm'),
    h('label', {}, 'dropout ', dropout),
    remove,
  );
}

export function renderLayers(state, onChange, onRemove) {
  const el = $('layers');
  // keep the editors (and keyboard focus) when nothing about the layers changed
  const key = JSON.stringify(state.layers);
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  replaceChildren(el, state.layers.map((l, i) => layerEditor(l, i, state.layers.length, onChange, onRemove)));
}
