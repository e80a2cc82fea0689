// Datasets: the 2-D sets people know from playgrounds, the 8x8 digits, and a
// CSV loader. Every generator is seeded (its own RNG, independent of any
// network) and returns { name, inputs, outputs, loss, train: { x, y }, test: { x, y } }
// with x a Float32Array [n x inputs] and y ready for fit: Float32Array 0/1 labels
// for 'bce', Int32Array class indices for 'softmax-ce', Float32Array values for 'mse'.
import { describeBytes, fetchAsset, importNode } from './loader.js';
import { checkKeys, fail, integer, isPlainObject, number } from './validate.js';

/** mulberry32: small, fast, good enough for data generation */
function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal, between: (lo, hi) => lo + (hi - lo) * uniform() };
}

const COMMON = ['samples', 'noise', 'seed', 'testRatio', 'labelNoise'];

function options(where, opts, defaults) {
  if (!isPlainObject(opts)) fail(where, 'options', opts, 'an object');
  checkKeys(where, 'options', opts, COMMON);
  return {
    samples: integer(where, 'samples', opts.samples ?? defaults.samples ?? 400, 2, 1e7),
    noise: number(where, 'noise', opts.noise ?? defaults.noise ?? 0, { min: 0 }),
    seed: integer(where, 'seed', opts.seed ?? 0, 0, 0xffffffff),
    testRatio: number(where, 'testRatio', opts.testRatio ?? 0.5, { min: 0, max: 1, maxOpen: true }),
    labelNoise: number(where, 'labelNoise', opts.labelNoise ?? 0, { min: 0, max: 1 }),
  };
}

/**
 * Shuffles rows, splits off the test share, and flips labelNoise of the training
 * labels (binary: 0 <-> 1; classes: another class). Test labels stay clean.
 */
function split(name, { x, y, inputs, outputs, loss, classes }, o, r) {
  const ydim = loss === 'mse' ? outputs : 1;
  const n = y.length / ydim;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.round(n * o.testRatio);
  const nTrain = n - nTest;
  const Labels = loss === 'softmax-ce' ? Int32Array : Float32Array;
  const take = (rows) => {
    const xs = new Float32Array(rows.length * inputs);
    const ys = new Labels(rows.length * ydim);
    rows.forEach((src, i) => {
      xs.set(x.subarray(src * inputs, (src + 1) * inputs), i * inputs);
      for (let k = 0; k < ydim; k++) ys[i * ydim + k] = y[src * ydim + k];
    });
    return { x: xs, y: ys };
  };
  const train = take(order.slice(0, nTrain));
  const test = take(order.slice(nTrain));
  if (o.labelNoise > 0 && loss !== 'mse') {
    const flips = Math.round(o.labelNoise * nTrain);
    const rows = Array.from({ length: nTrain }, (_, i) => i);
    for (let i = 0; i < flips; i++) {
      const j = i + Math.floor(r.uniform() * (nTrain - i));
      [rows[i], rows[j]] = [rows[j], rows[i]];
      const row = rows[i];
      if (loss === 'bce') train.y[row] = 1 - train.y[row];
      else train.y[row] = (train.y[row] + 1 + Math.floor(r.uniform() * (classes - 1))) % classes;
    }
  }
  return { name, inputs, outputs, loss, ...(classes ? { classes } : {}), train, test };
}

function twoD(name, defaults, label, loss = 'bce') {
  return (opts = {}) => {
    const o = options(`datasets.${name}`, opts, defaults);
    const r = rng(o.seed);
    const x = new Float32Array(2 * o.samples);
    const y = new Float32Array(o.samples);
    for (let i = 0; i < o.samples; i++) {
      const [a, b, t] = label(i, o, r);
      x[2 * i] = a;
      x[2 * i + 1] = b;
      y[i] = t;
    }
    return split(name, { x, y, inputs: 2, outputs: 1, loss }, o, r);
  };
}

export const circle = twoD('circle', { noise: 0.05 }, (i, o, r) => {
  const inside = i % 2 === 0;
  const radius = inside ? r.between(0, 0.5) : r.between(0.7, 1);
  const angle = r.between(0, 2 * Math.PI);
  return [radius * Math.cos(angle) + o.noise * r.normal(), radius * Math.sin(angle) + o.noise * r.normal(), inside ? 1 : 0];
});

export const xor = twoD('xor', { noise: 0.05 }, (i, o, r) => {
  // keep points off the axes (as the TensorFlow Playground does) so the classes separate
  // even rows in the same-sign quadrants (label 1), odd rows in the others: balanced
  const positive = i % 2 === 0;
  const a = r.between(0.05, 1) * (r.uniform() < 0.5 ? -1 : 1);
  const b = r.between(0.05, 1) * Math.sign(a) * (positive ? 1 : -1);
  return [a + o.noise * r.normal(), b + o.noise * r.normal(), positive ? 1 : 0];
});

export const gaussian = twoD('gaussian', { noise: 0.15 }, (i, o, r) => {
  const positive = i % 2 === 0;
  const c = positive ? 0.5 : -0.5;
  return [c + o.noise * r.normal(), c + o.noise * r.normal(), positive ? 1 : 0];
});

export const spiral = twoD('spiral', { noise: 0.03 }, (i, o, r) => {
  const positive = i % 2 === 0;
  const t = r.uniform();
  const radius = 0.05 + 0.95 * t;
  const angle = 1.75 * t * 2 * Math.PI + (positive ? 0 : Math.PI);
  return [radius * Math.sin(angle) + o.noise * r.normal(), radius * Math.cos(angle) + o.noise * r.normal(), positive ? 1 : 0];
});

export const moons = twoD('moons', { noise: 0.1 }, (i, o, r) => {
  // sklearn's make_moons, scaled into about [-1, 1]
  const upper = i % 2 === 0;
  const t = r.between(0, Math.PI);
  const a = upper ? Math.cos(t) : 1 - Math.cos(t);
  const b = upper ? Math.sin(t) : 0.5 - Math.sin(t);
  return [(a - 0.5) / 1.5 + o.noise * r.normal(), (b - 0.25) / 1.5 + o.noise * r.normal(), upper ? 1 : 0];
});

export const regressionPlane = twoD(
  'regressionPlane',
  { noise: 0.05 },
  (i, o, r) => {
    const a = r.between(-1, 1);
    const b = r.between(-1, 1);
    return [a, b, (a + b) / 2 + o.noise * r.normal()];
  },
  'mse',
);

export const regressionGaussian = twoD(
  'regressionGaussian',
  { noise: 0.05 },
  (i, o, r) => {
    const a = r.between(-1, 1);
    const b = r.between(-1, 1);
    const bump = (cx, cy, s) => Math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / (2 * s * s));
    return [a, b, bump(-0.4, 0.4, 0.3) - bump(0.4, -0.4, 0.3) + o.noise * r.normal()];
  },
  'mse',
);

// ---- CSV ------------------------------------------------------------------------
// A header row, then one row per example; cells split at one delimiter (no
// quoting beyond one pair of double quotes around a whole cell, e.g. "setosa").

const FLOAT32_MAX = 3.4028234663852886e38;
export const CSV_DELIMITERS = Object.freeze([',', ';', '\t']);
/** classification refuses more distinct labels than this (a continuous target is a regression) */
export const CSV_MAX_CLASSES = 100;
/** csvColumnInfo stops counting a column's distinct values past this */
export const CSV_DISTINCT_LIMIT = 1000;
/** a numeric column of integers with at most this many distinct values is suggested as classes */
const SUGGEST_CLASSES_UP_TO = 20;

const describeDelimiter = (d) => (d === '\t' ? 'tab' : JSON.stringify(d));
const unquote = (cell) => {
  const t = cell.trim();
  return t.length >= 2 && t.charCodeAt(0) === 34 && t.charCodeAt(t.length - 1) === 34 ? t.slice(1, -1).trim() : t;
};
const isNumberCell = (cell) => cell !== '' && Number.isFinite(Number(cell));

/** The delimiter (of , ; tab) that splits the header into the most columns; ',' on a tie. */
export function sniffDelimiter(headerLine) {
  let best = ',';
  let most = 0;
  for (const d of CSV_DELIMITERS) {
    const n = headerLine.split(d).length;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

/** lines with their 1-based line numbers, header first; blank lines skipped */
function csvLines(where, text, delimiterOption) {
  if (typeof text !== 'string') fail(where, 'text', text, 'CSV text');
  if (delimiterOption !== 'auto' && !CSV_DELIMITERS.includes(delimiterOption)) {
    fail(where, 'delimiter', delimiterOption, `one of ",", ";", "\\t" (tab) or "auto"`);
  }
  const lines = [];
  const numbers = [];
  // a byte-order mark (as spreadsheet programs write it) is not part of the first column's name
  const raw = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    if (raw[i].trim() === '') continue;
    lines.push(raw[i]);
    numbers.push(i + 1);
  }
  if (lines.length === 0) fail(where, 'text', '0 non-empty lines', 'a header row and data rows');
  const delimiter = delimiterOption === 'auto' ? sniffDelimiter(lines[0]) : delimiterOption;
  const header = lines[0].split(delimiter).map(unquote);
  return { lines, numbers, delimiter, header };
}

function cellsOf(where, line, row, header, delimiter) {
  const cells = line.split(delimiter);
  if (cells.length !== header.length) {
    throw new Error(`${where}: row ${row} has ${cells.length} cells; expected ${header.length} (one per header column, split at ${describeDelimiter(delimiter)})`);
  }
  return cells;
}

function float32Cell(where, cell, row, column) {
  const v = cell === '' ? NaN : Number(cell);
  if (!Number.isFinite(v)) throw new Error(`${where}: row ${row}, column "${column}" is ${JSON.stringify(cell)}; expected a number`);
  if (Math.abs(v) > FLOAT32_MAX) throw new Error(`${where}: row ${row}, column "${column}" is ${cell}; expected a number within float32 range (magnitude at most ${FLOAT32_MAX})`);
  return v;
}

/**
 * What each column of a CSV holds, so a user (or the page) can choose the label
 * column and between classification and regression before parsing:
 * { delimiter, rows, columns: [{ name, numeric, integer, distinct, distinctCapped,
 * suggestedTask }] }. distinct counts up to CSV_DISTINCT_LIMIT (distinctCapped
 * says it stopped there). suggestedTask: 'classification' for text, or for
 * integers with at most 20 distinct values; else 'regression'.
 */
export function csvColumnInfo(text, { delimiter = 'auto' } = {}) {
  const where = 'datasets.csvColumnInfo';
  const { lines, numbers, delimiter: d, header } = csvLines(where, text, delimiter);
  const columns = header.map((name) => ({ name, numeric: true, integer: true, distinct: 0, distinctCapped: false, seen: new Set() }));
  for (let i = 1; i < lines.length; i++) {
    const cells = cellsOf(where, lines[i], numbers[i], header, d);
    for (let c = 0; c < cells.length; c++) {
      const cell = unquote(cells[c]);
      const col = columns[c];
      if (col.numeric && !isNumberCell(cell)) col.numeric = col.integer = false;
      else if (col.integer && !Number.isInteger(Number(cell))) col.integer = false;
      if (!col.distinctCapped && !col.seen.has(cell)) {
        if (col.seen.size === CSV_DISTINCT_LIMIT) col.distinctCapped = true;
        else col.seen.add(cell);
      }
    }
  }
  return {
    delimiter: d,
    rows: lines.length - 1,
    columns: columns.map(({ seen, ...col }) => {
      const distinct = seen.size;
      const classes = !col.numeric || (col.integer && distinct <= SUGGEST_CLASSES_UP_TO && !col.distinctCapped);
      return { ...col, distinct, suggestedTask: lines.length > 1 && classes ? 'classification' : 'regression' };
    }),
  };
}

const PARSE_KEYS = ['labelColumn', 'task', 'delimiter', 'seed', 'testRatio', 'labelNoise', 'name', 'maxClasses'];

/**
 * Parses CSV text with a header row. Feature cells must be numbers within
 * float32 range. labelColumn names the target (a header name or a 0-based
 * column index). task 'classification' maps its values to class indices:
 * numbers sorted numerically, otherwise text labels sorted by code units
 * (classValues holds them); at most maxClasses (100) distinct values.
 * 'regression' keeps them as numbers. delimiter: ',' (default), ';', '\t' or
 * 'auto' (whichever splits the header into the most columns).
 */
export function parseCsv(text, opts = {}) {
  const where = 'datasets.parseCsv';
  if (!isPlainObject(opts)) fail(where, 'options', opts, 'an object { labelColumn, task?, delimiter?, seed?, testRatio?, labelNoise?, name? }');
  checkKeys(where, 'options', opts, PARSE_KEYS);
  const { labelColumn, task = 'classification', delimiter = ',', seed = 0, testRatio = 0.2, labelNoise = 0, name = 'csv', maxClasses = CSV_MAX_CLASSES } = opts;
  if (task !== 'classification' && task !== 'regression') fail(where, 'task', task, '"classification" or "regression"');
  if (typeof name !== 'string') fail(where, 'name', name, 'a string');
  integer(where, 'maxClasses', maxClasses, 2, 1e6);
  const { lines, numbers, delimiter: d, header } = csvLines(where, text, delimiter);
  if (lines.length < 3) fail(where, 'text', `${lines.length} non-empty lines`, 'a header row and at least 2 data rows');
  if (header.length < 2) {
    fail(where, 'text', `a header of ${header.length} column (${header.join(', ')}) split at ${describeDelimiter(d)}`, 'a label column and at least one feature column (is the delimiter right?)');
  }
  const labelIndex = Number.isInteger(labelColumn) ? labelColumn : header.indexOf(labelColumn);
  if (labelIndex < 0 || labelIndex >= header.length) {
    fail(where, 'labelColumn', labelColumn, `one of the header's columns: ${header.join(', ')} (or a column index in [0, ${header.length - 1}])`);
  }
  const labelName = header[labelIndex];
  const o = options(where, { seed, testRatio, labelNoise, samples: lines.length - 1 }, {});
  const n = lines.length - 1;
  const nTest = Math.round(n * o.testRatio);
  if (n - nTest < 1 || (o.testRatio > 0 && nTest < 1)) {
    fail(where, 'text', `${n} data rows (split by testRatio ${o.testRatio} into ${n - nTest} train and ${nTest} test)`, 'enough rows for at least 1 train and 1 test row');
  }

  const inputs = header.length - 1;
  const x = new Float32Array(n * inputs);
  const labels = new Array(n);
  let numericLabels = true;
  for (let i = 0; i < n; i++) {
    const row = numbers[i + 1];
    const cells = cellsOf(where, lines[i + 1], row, header, d);
    let k = i * inputs;
    for (let c = 0; c < cells.length; c++) {
      const cell = unquote(cells[c]);
      if (c === labelIndex) {
        labels[i] = cell;
        if (numericLabels && !isNumberCell(cell)) numericLabels = false;
        if (task === 'regression' || numericLabels) float32Cell(where, cell, row, labelName);
      } else {
        x[k++] = float32Cell(where, cell, row, header[c]);
      }
    }
  }
  const r = rng(o.seed);
  if (task === 'regression') {
    return split(name, { x, y: Float32Array.from(labels, Number), inputs, outputs: 1, loss: 'mse' }, o, r);
  }
  // classes: at most maxClasses distinct values, counted with a bounded Map
  const key = numericLabels ? Number : String;
  const seen = new Map();
  for (let i = 0; i < n; i++) {
    const v = key(labels[i]);
    if (seen.has(v)) continue;
    if (seen.size === maxClasses) {
      fail(where, `column "${labelName}"`, `more than ${maxClasses} distinct values`, `at most ${maxClasses} classes for task "classification" (a continuous target: use task "regression")`);
    }
    seen.set(v, 0);
  }
  if (seen.size < 2) fail(where, `column "${labelName}"`, `${seen.size} distinct value`, 'at least 2 classes');
  const values = [...seen.keys()].sort(numericLabels ? (a, b) => a - b : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  values.forEach((v, i) => seen.set(v, i));
  const y = Int32Array.from(labels, (v) => seen.get(key(v)));
  const ds = split(name, { x, y, inputs, outputs: values.length, loss: 'softmax-ce', classes: values.length }, o, r);
  return { ...ds, classValues: values };
}

/** The 8x8 handwritten digits (1,797 images, 10 classes, CC BY 4.0; see data/README.md). Pixels scaled to [0, 1]. */
export async function digits({ seed = 0, testRatio = 0.2, labelNoise = 0 } = {}) {
  // a thunk: bundlers see the literal URL; an IIFE bundle (no import.meta.url) gets a clear error
  const packaged = () => new URL('../data/digits.csv.gz', import.meta.url);
  let bytes;
  let url = null;
  try {
    url = packaged();
  } catch {
    // no import.meta.url: fetchAsset says what to do
  }
  if (url && typeof process !== 'undefined' && process.versions?.node && url.protocol === 'file:') {
    const { readFile } = await importNode('node:fs/promises');
    const { gunzipSync } = await importNode('node:zlib');
    bytes = gunzipSync(await readFile(url));
  } else {
    // gzip bytes, or CSV rows when a server already undid the gzip (Content-Encoding); not an HTML page
    const check = (where, b) => ((b[0] === 0x1f && b[1] === 0x8b) || /^[0-9]/.test(String.fromCharCode(b[0] ?? 0)) ? null : `${where} is not the digits data (got ${describeBytes(b)})`);
    ({ bytes } = await fetchAsset('digits', packaged, check, 'the digits data (datasets.digits)'));
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      bytes = new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    }
  }
  const lines = new TextDecoder().decode(bytes).trim().split('\n');
  const header = [...Array.from({ length: 64 }, (_, i) => `p${i}`), 'digit'].join(',');
  const ds = parseCsv([header, ...lines].join('\n'), { labelColumn: 'digit', seed, testRatio, labelNoise, name: 'digits' });
  for (const part of [ds.train, ds.test]) for (let i = 0; i < part.x.length; i++) part.x[i] /= 16;
  return ds;
}
