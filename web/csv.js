// CSV and model files on the page: size limits, and the CSV choices the page
// offers (delimiter, label column, classification or regression, text class
// labels), all read and parsed by the library (datasets.csvColumnInfo and
// datasets.parseCsv: one source of truth); the page only picks the defaults and
// says why. Runs in the training worker, so a large file never parses on the main thread.
import { csvColumnInfo, parseCsv } from '../js/datasets.js';

export const CSV_LIMIT_BYTES = 20 * 1024 * 1024;
export const MODEL_LIMIT_BYTES = 50 * 1024 * 1024;
export const MAX_CLASSES = 100;

export const DELIMITERS = { auto: 'auto', ',': 'comma ,', ';': 'semicolon ;', '\t': 'tab' };

const bytes = (n) => `${n.toLocaleString('en-US')} bytes (${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MB)`;

/** throws a message naming the file, its size and the limit when a file is too large */
export function checkSize(kind, name, size, limit) {
  if (size > limit) throw new Error(`${kind} "${name}" is ${bytes(size)}; the limit is ${bytes(limit)}. Nothing was read.`);
}

const describe = (d) => (d === '\t' ? 'tab' : JSON.stringify(d));
// the library's messages name their function; the page names the file instead
const plain = (err) => Object.assign(new Error(String(err.message).replace(/^datasets\.\w+: /, '')), { header: err.header, label: err.label });

/** the cells of the first data row (the second non-empty line), to tell a text label column from a numeric column with a bad cell */
function firstDataCells(text, d) {
  let at = 0;
  let seen = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end).replace(/\r$/, '');
    at = end + 1;
    if (line.trim() === '') continue;
    if (++seen === 2) return line.split(d).map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
  }
  return [];
}
const isNumber = (cell) => cell !== '' && Number.isFinite(Number(cell));

/** why the library suggests a task for a column, in words */
function taskReason(col) {
  if (!col.numeric) return 'the label column holds text';
  if (!col.integer) return 'the label column holds non-integer numbers';
  const n = col.distinctCapped ? `more than ${col.distinct}` : String(col.distinct);
  return col.suggestedTask === 'regression' ? `the label column holds ${n} distinct numbers (more than 20)` : `the label column holds ${n} distinct integers`;
}

/**
 * Parses CSV text into a gradscope dataset with the library.
 * options: { delimiter: 'auto' | ',' | ';' | '\t', label: column index (default: the one
 *            text column, else the last), task: 'auto' | 'classification' | 'regression', seed, testRatio }
 * Returns { dataset, info } where info describes what was read (header, the
 * choices made and why), for the page to show as text.
 */
export function prepareCsv(text, { delimiter = 'auto', label, task = 'auto', seed = 1, testRatio = 0.5 } = {}) {
  let columns;
  try {
    columns = csvColumnInfo(text, { delimiter });
  } catch (err) {
    throw plain(err);
  }
  const d = columns.delimiter;
  const header = columns.columns.map((c, i) => c.name || `column ${i + 1}`);
  if (columns.rows < 2) throw new Error(`the CSV has ${columns.rows + 1} non-empty lines; expected a header row and at least 2 data rows`);
  if (header.length < 2) throw new Error(`the header has 1 column when split at ${describe(d)}; expected at least 2 (a feature and a label); choose the delimiter`);
  // the label column: as chosen; else the one column that holds text; else the last
  let labelIndex = header.length - 1;
  let labelWhy = 'the last column';
  if (label !== undefined && label !== null && label !== '') (labelIndex = Number(label)), (labelWhy = '');
  else {
    // a text column: not numbers (the library's verdict), text already in the first row (else it is a numeric column with a bad cell)
    const first = firstDataCells(text, d);
    const textColumns = columns.columns.map((c, i) => (c.numeric || isNumber(first[i] ?? '') ? -1 : i)).filter((i) => i >= 0);
    if (textColumns.length === 1) (labelIndex = textColumns[0]), (labelWhy = 'the one column that holds text');
  }
  if (!Number.isInteger(labelIndex) || labelIndex < 0 || labelIndex >= header.length) throw new Error(`label column ${String(label)} is not one of the ${header.length} columns`);
  try {
    const col = columns.columns[labelIndex];
    const chosen = task === 'auto' ? col.suggestedTask : task;
    const why = task === 'auto' ? taskReason(col) : '';
    if (chosen === 'classification') {
      if (col.distinctCapped || col.distinct > MAX_CLASSES) throw new Error(`column "${header[labelIndex]}" has ${col.distinctCapped ? 'more than ' : ''}${col.distinct} distinct values; at most ${MAX_CLASSES} classes (choose regression for a continuous target)`);
      if (col.distinct < 2) throw new Error(`column "${header[labelIndex]}" has ${col.distinct} distinct value; classification needs at least 2 classes`);
    }
    let ds;
    try {
      ds = parseCsv(text, { labelColumn: labelIndex, task: chosen, delimiter: d, seed, testRatio, maxClasses: MAX_CLASSES });
    } catch (err) {
      throw plain(err);
    }
    const classNames = chosen === 'classification' ? ds.classValues.map(String) : null;
    const dataset = { ...ds, name: 'csv', task: chosen, classNames };
    delete dataset.classValues;
    const info = { header, delimiter: d, label: labelIndex, labelWhy, task: chosen, why, rows: columns.rows, features: header.length - 1, classes: classNames?.length ?? 0 };
    return { dataset, info };
  } catch (err) {
    err.header = header; // the page offers the columns even when this choice failed
    err.label = labelIndex;
    throw err;
  }
}
