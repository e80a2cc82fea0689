// CSV and model files on the page: size limits, and the CSV options the page
// offers (delimiter, label column, classification or regression, string class
// labels) on top of the library's comma-only, numeric-only datasets.parseCsv.
// Runs in the training worker, so a large file never parses on the main thread.
import { parseCsv } from '../js/datasets.js';

export const CSV_LIMIT_BYTES = 20 * 1024 * 1024;
export const MODEL_LIMIT_BYTES = 50 * 1024 * 1024;
export const MAX_CLASSES = 100;
// a numeric label column is taken as classes when its values are integers with at most this many distinct values
export const AUTO_CLASS_LIMIT = 20;

export const DELIMITERS = { auto: 'auto', ',': 'comma ,', ';': 'semicolon ;', '\t': 'tab' };

const bytes = (n) => `${n.toLocaleString('en-US')} bytes (${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB)`;

/** throws a message naming the file, its size and the limit when a file is too large */
export function checkSize(kind, name, size, limit) {
  if (size > limit) throw new Error(`${kind} "${name}" is ${bytes(size)}; the limit is ${bytes(limit)}. Nothing was read.`);
}

/** the delimiter that splits the header into the most columns */
export function detectDelimiter(headerLine) {
  let best = ',';
  let most = 0;
  for (const d of [',', ';', '\t']) {
    const n = headerLine.split(d).length;
    if (n > most) (best = d), (most = n);
  }
  return best;
}

const isNumber = (cell) => cell !== '' && Number.isFinite(Number(cell));
const describe = (d) => (d === '\t' ? 'tab' : JSON.stringify(d));

/**
 * Parses CSV text into a gradscope dataset.
 * options: { delimiter: 'auto' | ',' | ';' | '\t', label: column index (default: the last),
 *            task: 'auto' | 'classification' | 'regression', seed, testRatio }
 * Returns { dataset, info } where info describes what was read (header, the
 * choices made and why), for the page to show as text.
 */
export function prepareCsv(text, { delimiter = 'auto', label, task = 'auto', seed = 1, testRatio = 0.5 } = {}) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 3) throw new Error(`the CSV has ${lines.length} non-empty lines; expected a header row and at least 2 data rows`);
  const d = delimiter === 'auto' ? detectDelimiter(lines[0]) : delimiter;
  if (!(d in DELIMITERS)) throw new Error(`delimiter ${describe(d)} is not one of comma, semicolon, tab`);
  const header = lines[0].split(d).map((h, i) => h.trim() || `column ${i + 1}`);
  if (header.length < 2) throw new Error(`the header has 1 column when split at ${describe(d)}; expected at least 2 (a feature and a label); choose the delimiter`);
  // the label column: as chosen; else the one column of the first row that is not a number; else the last
  let labelIndex = header.length - 1;
  let labelWhy = 'the last column';
  if (label !== undefined && label !== null && label !== '') (labelIndex = Number(label)), (labelWhy = '');
  else {
    const first = lines[1].split(d).map((c) => c.trim());
    const text = first.map((c, i) => (isNumber(c) ? -1 : i)).filter((i) => i >= 0);
    if (first.length === header.length && text.length === 1) (labelIndex = text[0]), (labelWhy = 'the one column that holds text');
  }
  if (!Number.isInteger(labelIndex) || labelIndex < 0 || labelIndex >= header.length) throw new Error(`label column ${String(label)} is not one of the ${header.length} columns`);
  try {
    return build(lines, d, header, labelIndex, labelWhy, task, seed, testRatio);
  } catch (err) {
    err.header = header; // the page offers the columns even when this choice failed
    err.label = labelIndex;
    throw err;
  }
}

function build(lines, d, header, labelIndex, labelWhy, task, seed, testRatio) {
  const labels = new Array(lines.length - 1);
  const rows = new Array(lines.length - 1);
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r].split(d);
    if (cells.length !== header.length) throw new Error(`row ${r + 1} has ${cells.length} cells; expected ${header.length} (one per header column, split at ${describe(d)})`);
    const out = new Array(header.length);
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c].trim();
      if (c === labelIndex) {
        labels[r - 1] = cell;
        out[c] = 0;
      } else if (isNumber(cell)) out[c] = cell;
      else throw new Error(`row ${r + 1}, column "${header[c]}" is ${JSON.stringify(cell)}; expected a number`);
    }
    rows[r - 1] = out;
  }
  const numeric = labels.every(isNumber);
  const distinct = [...new Set(labels)];
  const integers = numeric && labels.every((v) => Number.isInteger(Number(v)));
  let chosen = task;
  let why = '';
  if (task === 'auto') {
    if (!numeric) (chosen = 'classification'), (why = 'the label column holds text');
    else if (!integers) (chosen = 'regression'), (why = 'the label column holds non-integer numbers');
    else if (distinct.length > AUTO_CLASS_LIMIT) (chosen = 'regression'), (why = `the label column holds ${distinct.length} distinct numbers (more than ${AUTO_CLASS_LIMIT})`);
    else (chosen = 'classification'), (why = `the label column holds ${distinct.length} distinct integers`);
  }
  if (chosen === 'regression' && !numeric) {
    const bad = labels.findIndex((v) => !isNumber(v));
    throw new Error(`regression needs a numeric label column; row ${bad + 2}, column "${header[labelIndex]}" is ${JSON.stringify(labels[bad])}`);
  }
  let classNames = null;
  if (chosen === 'classification') {
    if (distinct.length > MAX_CLASSES) throw new Error(`column "${header[labelIndex]}" has ${distinct.length} distinct values; at most ${MAX_CLASSES} classes (choose regression for a continuous target)`);
    if (distinct.length < 2) throw new Error(`column "${header[labelIndex]}" has ${distinct.length} distinct value; classification needs at least 2 classes`);
    classNames = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
    const index = new Map(classNames.map((v, i) => [v, i]));
    labels.forEach((v, i) => (rows[i][labelIndex] = index.get(v)));
  } else {
    labels.forEach((v, i) => (rows[i][labelIndex] = v));
  }
  // the library reads comma-separated numbers; column names here are only positions
  const names = header.map((_, i) => `c${i}`);
  const commaText = [names.join(','), ...rows.map((r) => r.join(','))].join('\n');
  const ds = parseCsv(commaText, { labelColumn: `c${labelIndex}`, task: chosen, seed, testRatio });
  const dataset = { ...ds, name: 'csv', task: chosen, classNames };
  delete dataset.classValues;
  const info = { header, delimiter: d, label: labelIndex, labelWhy, task: chosen, why, rows: rows.length, features: header.length - 1, classes: classNames?.length ?? 0 };
  return { dataset, info };
}
