// Datasets: the 2-D sets people know from playgrounds, the 8x8 digits, and a
// CSV loader. Every generator is seeded (its own RNG, independent of any
// network) and returns { name, inputs, outputs, loss, train: { x, y }, test: { x, y } }
// with x a Float32Array [n x inputs] and y ready for fit: Float32Array 0/1 labels
// for 'bce', Int32Array class indices for 'softmax-ce', Float32Array values for 'mse'.
import { importNode } from './loader.js';
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

/**
 * Parses CSV text with a header row and numeric cells. labelColumn names the
 * target; task 'classification' maps its values to class indices (sorted
 * numerically), 'regression' keeps them as numbers.
 */
export function parseCsv(text, { labelColumn, task = 'classification', seed = 0, testRatio = 0.2, labelNoise = 0, name = 'csv' } = {}) {
  const where = 'datasets.parseCsv';
  if (typeof text !== 'string') fail(where, 'text', text, 'CSV text');
  if (task !== 'classification' && task !== 'regression') fail(where, 'task', task, '"classification" or "regression"');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 3) fail(where, 'text', `${lines.length} non-empty lines`, 'a header row and at least 2 data rows');
  const header = lines[0].split(',').map((h) => h.trim());
  const labelIndex = header.indexOf(labelColumn);
  if (labelIndex < 0) fail(where, 'labelColumn', labelColumn, `one of the header's columns: ${header.join(', ')}`);
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new Error(`${where}: row ${i + 2} has ${cells.length} cells; expected ${header.length} (one per header column)`);
    }
    return cells.map((cell, c) => {
      const v = Number(cell.trim());
      if (cell.trim() === '' || !Number.isFinite(v)) {
        throw new Error(`${where}: row ${i + 2}, column "${header[c]}" is ${JSON.stringify(cell.trim())}; expected a number`);
      }
      return v;
    });
  });
  const inputs = header.length - 1;
  const n = rows.length;
  const x = new Float32Array(n * inputs);
  rows.forEach((row, i) => x.set(row.filter((_, c) => c !== labelIndex), i * inputs));
  const o = options(where, { seed, testRatio, labelNoise, samples: n }, {});
  const r = rng(o.seed);
  if (task === 'regression') {
    return split(name, { x, y: Float32Array.from(rows, (row) => row[labelIndex]), inputs, outputs: 1, loss: 'mse' }, o, r);
  }
  const values = [...new Set(rows.map((row) => row[labelIndex]))].sort((a, b) => a - b);
  if (values.length < 2) fail(where, `column "${labelColumn}"`, `${values.length} distinct value`, 'at least 2 classes');
  const index = new Map(values.map((v, i) => [v, i]));
  const y = Int32Array.from(rows, (row) => index.get(row[labelIndex]));
  const ds = split(name, { x, y, inputs, outputs: values.length, loss: 'softmax-ce', classes: values.length }, o, r);
  return { ...ds, classValues: values };
}

/** The 8x8 handwritten digits (1,797 images, 10 classes, CC BY 4.0; see data/README.md). Pixels scaled to [0, 1]. */
export async function digits({ seed = 0, testRatio = 0.2, labelNoise = 0 } = {}) {
  const url = new URL('../data/digits.csv.gz', import.meta.url);
  let bytes;
  if (typeof process !== 'undefined' && process.versions?.node && url.protocol === 'file:') {
    const { readFile } = await importNode('node:fs/promises');
    const { gunzipSync } = await importNode('node:zlib');
    bytes = gunzipSync(await readFile(url));
  } else {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`datasets.digits: fetching ${url} failed with HTTP ${response.status}`);
    bytes = new Uint8Array(await response.arrayBuffer());
    // a server may already have undone the gzip (Content-Encoding); only gunzip real gzip bytes
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
