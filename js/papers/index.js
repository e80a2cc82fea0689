// Paper cards (issue 20): each card states a paper's setup beside ours, draws
// its figures from our own runs and checks its claims, each with the paper's
// value and where it stands. One module per card; this one holds the registry,
// the argument checks and the card-level verdict.
import { checkKeys, fail, integer, isPlainObject } from '../validate.js';
import { LOSSES } from '../config.js';
import { Context, Stopped } from './common.js';
import * as glorot from './glorot-2010.js';
import * as he from './he-2015.js';
import * as ioffe from './ioffe-2015.js';
import * as srivastava from './srivastava-2014.js';
import * as klambauer from './klambauer-2017.js';

const CARDS = { 'glorot-2010': glorot, 'he-2015': he, 'ioffe-2015': ioffe, 'srivastava-2014': srivastava, 'klambauer-2017': klambauer };
export const PAPER_IDS = Object.freeze(Object.keys(CARDS));

const deepFreeze = (o) => {
  for (const v of Object.values(o)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
};

/** papers[id]: { title, authors, year, venue, figures: [{ id, caption }], setup } */
export const papers = deepFreeze(Object.fromEntries(PAPER_IDS.map((id) => [id, structuredClone(CARDS[id].meta)])));

const WHERE = 'reproduce';

/** the dataset a card may use instead of digits: as datasets.parseCsv (or digits()) returns it, a classification */
function checkData(data) {
  const expected = 'a dataset { inputs, outputs, loss, train: { x, y }, test: { x, y } } as datasets.parseCsv returns it';
  if (!isPlainObject(data)) fail(WHERE, 'options.data', data, expected);
  for (const key of ['inputs', 'outputs', 'loss', 'train', 'test']) {
    if (!(key in data)) fail(WHERE, `options.data.${key}`, undefined, expected);
  }
  integer(WHERE, 'options.data.inputs', data.inputs, 1, 1e6);
  integer(WHERE, 'options.data.outputs', data.outputs, 2, 1e6);
  if (!LOSSES.includes(data.loss)) fail(WHERE, 'options.data.loss', data.loss, `one of ${LOSSES.map((l) => JSON.stringify(l)).join(', ')}`);
  if (data.loss !== 'softmax-ce') fail(WHERE, 'options.data.loss', data.loss, '"softmax-ce": the cards train classifiers (parseCsv with task "classification")');
  for (const part of ['train', 'test']) {
    const split = data[part];
    if (!isPlainObject(split)) fail(WHERE, `options.data.${part}`, split, 'an object { x, y }');
    const { x, y } = split;
    if (!(x instanceof Float32Array)) fail(WHERE, `options.data.${part}.x`, x, `a Float32Array of rows × ${data.inputs} inputs`);
    if (x.length === 0 || x.length % data.inputs !== 0) fail(WHERE, `options.data.${part}.x.length`, x.length, `a positive multiple of ${data.inputs} (rows × inputs)`);
    const rows = x.length / data.inputs;
    if (!(y instanceof Int32Array)) fail(WHERE, `options.data.${part}.y`, y, `an Int32Array of ${rows} class indices`);
    if (y.length !== rows) fail(WHERE, `options.data.${part}.y.length`, y.length, `${rows}, one class index per row of x`);
    for (let i = 0; i < rows; i++) {
      if (y[i] < 0 || y[i] >= data.outputs) fail(WHERE, `options.data.${part}.y[${i}]`, y[i], `a class index in [0, ${data.outputs - 1}]`);
    }
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) fail(WHERE, `options.data.${part}.x[${i}]`, x[i], 'a finite number');
    }
  }
  return { name: typeof data.name === 'string' ? data.name : 'data', inputs: data.inputs, outputs: data.outputs, loss: data.loss, train: data.train, test: data.test };
}

/**
 * Runs a card: its runs (each { label, config, fit, series }), its claims (each
 * with the paper's value and source, ours, and holds), and holds over them all
 * (true: every measured claim holds; false: one fails; null: none measured).
 * The signal stops it between runs and epochs: it then resolves with aborted:
 * true, the runs so far, no claims and holds null.
 */
export async function reproduce(id, options = {}) {
  if (typeof id !== 'string' || !Object.hasOwn(CARDS, id)) fail(WHERE, 'id', id, `one of ${PAPER_IDS.join(', ')}`);
  if (!isPlainObject(options)) fail(WHERE, 'options', options, 'an object { seed?, onProgress?, signal?, data? }');
  checkKeys(WHERE, 'options', options, ['seed', 'onProgress', 'signal', 'data']);
  const seed = options.seed === undefined ? 1 : integer(WHERE, 'options.seed', options.seed, 0, 0xffffffff);
  const { onProgress, signal } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(WHERE, 'options.onProgress', onProgress, 'a function ({ done, total, label })');
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
    fail(WHERE, 'options.signal', signal, 'an AbortSignal');
  }
  const data = options.data === undefined ? null : checkData(options.data);
  const card = CARDS[id];
  const ctx = new Context({ id, seed, data, onProgress, signal, total: card.total({ data }) });
  const started = performance.now();
  let claims = [];
  let aborted = false;
  try {
    ctx.check();
    claims = await card.run(ctx);
  } catch (err) {
    if (!(err instanceof Stopped)) throw err;
    aborted = true;
  }
  const measured = claims.filter((c) => c.holds !== null);
  const holds = aborted || measured.length === 0 ? null : measured.every((c) => c.holds);
  return { id, seed, data: data ? data.name : 'digits', runs: ctx.runs, claims, holds, aborted, ms: Math.round(performance.now() - started) };
}

