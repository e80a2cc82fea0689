// The setup controls in the sidebar, made from the field table (fields.js):
// one control per field in its group, shown while the field applies, filled
// from the state, and one edit handler for all of them. The per-layer editors
// and the preset buttons are here too. Built with DOM calls only (web/dom.js):
// option texts, CSV column names and preset titles are text.
import { PRESET_NAMES, presets } from '../js/presets.js';
import { DELIMITERS } from './csv.js';
import { h, replaceChildren, setOptions } from './dom.js';
import { ACTIVATIONS, DATASETS_2D, FIELDS, FIELD, LAYER_LIMITS, REGRESSION, SPEEDS, applies, expected, format, parse, speedLabel } from './fields.js';
import { fieldValue, hiddenLayers, linkDefault, lossesFor, normOf } from './state.js';

const $ = (id) => document.getElementById(id);

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

const NORM_LABELS = { '': 'none', batchNorm: 'batch norm', layerNorm: 'layer norm' };

/** one control for a field: its element has the field's key as id; the label wraps it */
function control(field) {
  const attrs = { 'data-field': field.key };
  let input;
  if (field.kind === 'choice') input = h('select', { id: field.key });
  else if (field.kind === 'bool') input = h('input', { id: field.key, type: 'checkbox' });
  else {
    const step = field.step ?? (field.kind === 'int' ? 1 : 'any');
    input = h('input', { id: field.key, type: field.kind === 'range' ? 'range' : 'number', min: String(field.min), max: String(field.max), step: String(step) });
  }
  if (field.kind === 'bool') return h('label', { className: 'check', title: field.title ?? '', attrs }, input, ` ${field.label}`);
  const label = h('span', { className: 'field-label' }, field.label);
  return h('label', { title: field.title ?? '', attrs }, label, ' ', input, field.kind === 'range' ? h('output', { id: `${field.key}-out` }) : null);
}

/**
 * Builds every control the table lists into its group's container
 * ([data-fields=group]), fills the selects, and calls onField(key, value)
 * with a parsed value, or onInvalid(message) for text that is not one.
 */
export function buildControls({ onField, onInvalid, onPreset }) {
  for (const field of FIELDS) {
    if (!field.static) document.querySelector(`[data-fields="${field.group}"]`).append(control(field));
    const el = $(field.key);
    if (field.kind === 'choice') setOptions(el, field.choices.map(String), Object.fromEntries(field.choices.map((c) => [String(c), field.key === 'speed' ? speedLabel(c) : field.labels?.[c] ?? String(c)])));
    if (field.kind === 'range') el.addEventListener('input', () => ($(`${field.key}-out`).textContent = el.value));
    el.addEventListener('change', () => {
      const text = field.kind === 'bool' ? (el.checked ? '1' : '0') : el.value;
      const value = parse(field, text);
      if (value === undefined) return onInvalid(field, `${field.label} must be ${expected(field)}; got "${text}"`);
      onField(field.key, value);
    });
  }
  setOptions($('smoothing'), SMOOTHING.map(String), Object.fromEntries(SMOOTHING.map((v) => [String(v), v === 0 ? 'off' : String(v)])));
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

/** the advanced group opens by itself when the setup uses one of its settings */
export function usesAdvanced(state) {
  return FIELDS.some((f) => f.group === 'advanced' && applies(f, state) && fieldValue(state, f.key) !== undefined && !linkDefault(f, state, fieldValue(state, f.key)));
}

/** shows a state in the controls: every field's value, which fields apply, the layers */
export function renderControls(state, { csvTask, onLayerChange, onLayerRemove }) {
  setOptions($('loss'), lossesFor(state.data.dataset, csvTask));
  for (const field of FIELDS) {
    const el = $(field.key);
    const value = fieldValue(state, field.key);
    const shown = applies(field, state);
    const wrap = el.closest('[data-field]');
    if (wrap && !field.static) wrap.hidden = !shown;
    if (field.labelIf && wrap) wrap.querySelector('.field-label').textContent = field.labelIf(state);
    if (value === undefined) continue;
    if (field.kind === 'bool') el.checked = value;
    else el.value = format(field, value);
    if (field.kind === 'range') $(`${field.key}-out`).textContent = String(value);
  }
  if (usesAdvanced(state)) $('advanced').open = true;
  $('quick-lr').value = String(state.config.optimizer.learningRate);
  const acts = [...new Set(hiddenLayers(state).map((l) => l.activation))];
  $('quick-activation').value = acts.length === 1 ? acts[0] : '';
  const generated = DATASETS_2D.includes(state.data.dataset);
  $('click-hint').hidden = !generated || REGRESSION.includes(state.data.dataset);
  $('csv-controls').hidden = state.data.dataset !== 'csv';
  renderLayers(state, onLayerChange, onLayerRemove);
}

/** a layer's editor: units, activation, normalization, dropout; the output layer's units come from the data */
function layerEditor(layer, i, state, onChange, onRemove) {
  const hidden = hiddenLayers(state).length;
  const output = i === hidden;
  const select = (field, values, labels, value) => h('select', { dataset: { field } }, values.map((v) => new Option(labels[v] ?? v, v, v === value, v === value)));
  const units = h('input', { type: 'number', min: '1', max: String(LAYER_LIMITS.units), step: '1', value: String(layer.units), disabled: output, dataset: { field: 'units' } });
  const fields = [
    units,
    select('activation', ACTIVATIONS, {}, layer.activation),
    select('norm', Object.keys(NORM_LABELS), NORM_LABELS, normOf(layer)),
    h('input', { type: 'number', min: '0', max: '1', step: '0.1', value: String(layer.dropout), dataset: { field: 'dropout' } }),
  ];
  for (const input of fields) input.addEventListener('change', () => onChange(i, input));
  const remove = output ? null : h('button', { type: 'button', disabled: hidden <= 1, dataset: { remove: String(i) }, attrs: { 'aria-label': `Remove layer ${i}` } }, '✕');
  remove?.addEventListener('click', () => onRemove(i));
  const [u, act, norm, drop] = fields;
  return h(
    'div',
    { className: `layer${output ? ' output-layer' : ''}`, dataset: { layer: String(i) }, attrs: { role: 'group', 'aria-label': output ? 'Output layer' : `Hidden layer ${i}` } },
    h('span', { className: 'layer-name' }, output ? 'output (units: from the data)' : `layer ${i}`),
    remove,
    h('label', {}, 'units ', u),
    h('label', {}, 'activation ', act),
    h('label', {}, 'norm ', norm),
    h('label', {}, 'dropout ', drop),
  );
}

export function renderLayers(state, onChange, onRemove) {
  const el = $('layers');
  // keep the editors (and keyboard focus) when nothing about the layers changed
  const key = JSON.stringify(state.config.layers);
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  replaceChildren(el, state.config.layers.map((l, i) => layerEditor(l, i, state, onChange, onRemove)));
}

/** a layer editor's text → { value } or { error } (what was expected) */
export function layerValue(input) {
  const field = input.dataset.field;
  if (field === 'activation' || field === 'norm') return { field, value: input.value };
  const v = Number(input.value);
  if (field === 'units') {
    return input.value !== '' && Number.isInteger(v) && v >= 1 && v <= LAYER_LIMITS.units ? { field, value: v } : { field, error: `units must be an integer in [1, ${LAYER_LIMITS.units}]; got "${input.value}"` };
  }
  return input.value !== '' && v >= 0 && v <= 1 ? { field, value: v } : { field, error: `dropout must be a number in [0, 1]; got "${input.value}"` };
}

export { FIELD };
