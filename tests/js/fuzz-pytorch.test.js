// Mutation fuzzer over real python/export_state_dict.py exports (tests/fixtures/
// pytorch_exports.json) for the import: fromPyTorch, loadPyTorch and loadNetwork. Every
// case either loads or throws an Error of the standard form (js/validate.js), quickly
// (a declared size is checked before anything is allocated). A case that loads must
// mean what the document means in PyTorch: its predictions equal those of this file's
// own float64 forward pass of the document's modules (nn.Sequential semantics: a final
// Sigmoid with bce is the probability, otherwise bce's sigmoid / softmax-ce's softmax is
// applied once), every tensor of the document is in the network bit for bit (a Linear
// without bias gets zeros, nothing else is added or dropped), and its toPyTorch() script
// can be written.
//
//   GRADSCOPE_FUZZ_CASES=50000      more cases (default 6000)
//   GRADSCOPE_FUZZ_SEED=123         replay a run (the seed is printed)
//   GRADSCOPE_FUZZ_CASE=17          with the seed: replay only case 17, printing its document
//   GRADSCOPE_FUZZ_SECONDS_JS=120   time cap (default 60 s; cases stop early with a note)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fromPyTorch, loadNetwork, loadPyTorch, toPyTorch } from '../../js/index.js';
import { caseSeed, fixture, fuzzBudget, fuzzRng, isStandardError } from './helpers.js';
import { maxOf } from '../../js/util.js';

const budget = fuzzBudget(6000, 60);
const { cases: BASES } = fixture('pytorch_exports.json');

// ---- the reference: PyTorch's eval-mode forward pass of a document, in float64 -----------

function decode(t) {
  if (Array.isArray(t.data)) return t.data.map(Math.fround);
  const bytes = Buffer.from(t.data, 'base64');
  return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
}

// erf to ~1e-16 relative (Numerical Recipes' erfc, Chebyshev): GELU's reference
function erf(x) {
  const z = Math.abs(x);
  const t = 2 / (2 + z);
  const ty = 4 * t - 2;
  const cof = [-1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4, 3.66839497852761e-4,
    4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9,
    -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15,
    -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17];
  let d = 0;
  let dd = 0;
  for (let j = cof.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + cof[j];
    dd = tmp;
  }
  const erfc = t * Math.exp(-z * z + 0.5 * (cof[0] + ty * d) - dd);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_ALPHA = 1.6732632423543772848170429916717;
const ACT = {
  ReLU: () => (v) => Math.max(0, v),
  LeakyReLU: (m) => (v) => (v >= 0 ? v : v * m.negative_slope),
  Sigmoid: () => (v) => 1 / (1 + Math.exp(-v)),
  Tanh: () => Math.tanh,
  ELU: (m) => (v) => (v > 0 ? v : m.alpha * Math.expm1(v)),
  SELU: () => (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)),
  GELU: () => (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
  SiLU: () => (v) => v / (1 + Math.exp(-v)),
};

/** -> { out: rows of outputs (probabilities per the loss), scale: the largest |value| on the way } */
function reference(doc, x, rows, loss) {
  const sd = doc.state_dict;
  let h = Array.from({ length: rows }, (_, r) => Array.from(x.subarray((r * x.length) / rows, ((r + 1) * x.length) / rows)));
  let scale = 0;
  const note = () => {
    for (const row of h) for (const v of row) scale = Math.max(scale, Math.abs(v));
  };
  note();
  let lastKind = null;
  doc.modules.forEach((m, i) => {
    const t = (name) => decode(sd[`${i}.${name}`]);
    if (m.type === 'Linear') {
      const w = t('weight');
      const b = m.bias ? t('bias') : null;
      h = h.map((row) => Array.from({ length: m.out_features }, (_, o) => {
        let s = b ? b[o] : 0;
        for (let k = 0; k < m.in_features; k++) s += w[o * m.in_features + k] * row[k];
        return s;
      }));
    } else if (m.type === 'BatchNorm1d') {
      const [g, b, mean, variance] = [t('weight'), t('bias'), t('running_mean'), t('running_var')];
      h = h.map((row) => row.map((v, j) => ((v - mean[j]) / Math.sqrt(variance[j] + m.eps)) * g[j] + b[j]));
    } else if (m.type === 'LayerNorm') {
      const [g, b] = [t('weight'), t('bias')];
      h = h.map((row) => {
        const mu = row.reduce((a, v) => a + v, 0) / row.length;
        const va = row.reduce((a, v) => a + (v - mu) ** 2, 0) / row.length;
        return row.map((v, j) => ((v - mu) / Math.sqrt(va + m.eps)) * g[j] + b[j]);
      });
    } else if (Object.hasOwn(ACT, m.type)) {
      const f = ACT[m.type](m);
      h = h.map((row) => row.map(f));
    } // Dropout and Identity: the identity in eval
    if (m.type !== 'Identity') lastKind = m.type;
    note();
  });
  if (loss === 'bce' && lastKind !== 'Sigmoid') h = h.map((row) => row.map((v) => 1 / (1 + Math.exp(-v))));
  if (loss === 'softmax-ce') {
    h = h.map((row) => {
      const mx = maxOf(row);
      const e = row.map((v) => Math.exp(v - mx));
      const s = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / s);
    });
  }
  return { out: h.flat(), scale };
}

/** the float32 bit patterns of every tensor value in a document, sorted */
const bitsOf = (values) => Array.from(new Uint32Array(Float32Array.from(values).buffer)).sort((a, b) => a - b);

/** problems of a document that loaded: meaning, tensors, script */
function loadedViolations(doc, net, x, rows, loss) {
  const out = [];
  const ref = reference(doc, x, rows, loss);
  const pred = net.predict(x);
  // a document whose model is undefined (a field it needs missing or not a number) must not load
  if (ref.out.some(Number.isNaN)) out.push("the document's model gives NaN (a field it needs is missing or not a number), yet it loaded");
  // compared where float32 can follow float64: intermediate values below 1e4
  else if (ref.scale < 1e4 && ref.out.every(Number.isFinite)) {
    const tol = 1e-4 * Math.max(1, ref.scale);
    const i = ref.out.findIndex((v, k) => !(Math.abs(v - pred[k]) <= tol));
    if (pred.length !== ref.out.length) out.push(`predict gives ${pred.length} values, the document's model ${ref.out.length}`);
    else if (i >= 0) out.push(`predict[${i}] is ${pred[i]}, the document's model gives ${ref.out[i]} (tolerance ${tol.toExponential(1)})`);
  } else {
    out.unchecked = true;
  }
  // every tensor of the document is in the network, bit for bit; extras are zero biases
  const given = bitsOf(Object.values(doc.state_dict).flatMap(decode));
  const loaded = net.getParameters().flatMap((layer) => Object.values(layer).flatMap((v) => Array.from(v)));
  const have = bitsOf(loaded);
  const extra = [];
  let g = 0;
  for (const b of have) {
    if (g < given.length && given[g] === b) g++;
    else extra.push(b);
  }
  if (g < given.length) out.push(`${given.length - g} of the document's tensor values are not in the network`);
  if (extra.some((b) => b !== 0)) out.push(`the network holds ${extra.filter((b) => b !== 0).length} non-zero values the document does not`);
  if (typeof toPyTorch(net) !== 'string') out.push('toPyTorch gave no script');
  return out;
}

// ---- mutations ------------------------------------------------------------------------------
const JUNK = [
  NaN, Infinity, -Infinity, 1e39, 1e-50, -0, 0, 1, -1, 0.5, 2, 0.01, 0.1, 1e-5, 1.00001e-5, 0.0100001, 2 ** 31 - 1, 2 ** 32, 1.5, 7,
  '', '1', '0.01', '1e-5', 'none', 'tanh', 'Linear', 'ReLU', 'Sigmoid', 'constructor', '__proto__', 'toString', null, true, false,
  [], {}, [1, 2, 3], [[]], { a: 1 }, { length: 2 ** 31 - 1 }, [NaN], [null], { valueOf: 1 },
];
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'extra', 'shape', 'data', 'type', 'bias', 'eps', 'p'];
const MODULES = [
  { type: 'Dropout', p: 0.5 }, { type: 'Dropout', p: 0 }, { type: 'Dropout', p: 1 }, { type: 'Sigmoid' }, { type: 'ReLU' }, { type: 'Identity' }, { type: 'Tanh' },
  { type: 'LeakyReLU', negative_slope: 0.01 }, { type: 'ELU', alpha: 1 }, { type: 'GELU', approximate: 'none' }, { type: 'SELU' }, { type: 'SiLU' },
  { type: 'BatchNorm1d', eps: 1e-5, momentum: 0.1 }, { type: 'BatchNorm1d', eps: 1e-5, momentum: null }, { type: 'LayerNorm', eps: 1e-5 },
  { type: 'Linear', in_features: 2, out_features: 2, bias: true }, { type: 'Conv1d' }, { type: 'Softmax' }, { type: 'constructor' }, { type: 'hasOwnProperty' },
];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function junk(rng, depth = 0) {
  if (depth < 2 && rng.chance(0.1)) return rng.chance(0.5) ? [junk(rng, depth + 1)] : { [rng.pick(ODD_KEYS)]: junk(rng, depth + 1) };
  const v = rng.pick(JUNK);
  return v !== null && typeof v === 'object' ? structuredClone(v) : v;
}

function slots(doc) {
  const out = [];
  const walk = (node) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      out.push([node, key]);
      walk(node[key]);
    }
  };
  walk(doc);
  return out;
}
/** decode for a mutation: null when the data is already broken */
const tryDecode = (t) => {
  try {
    return typeof t.data === 'string' || Array.isArray(t.data) ? decode(t) : null;
  } catch {
    return null;
  }
};
const setOwn = (obj, key, value) => Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

/** one mutation of doc in place; returns a description */
function mutate(rng, doc) {
  const mods = Array.isArray(doc.modules) ? doc.modules : null;
  const sd = doc.state_dict !== null && typeof doc.state_dict === 'object' ? doc.state_dict : null;
  const tensors = sd ? Object.keys(sd).filter((k) => sd[k] !== null && typeof sd[k] === 'object') : [];
  switch (rng.int(12)) {
    case 0: { // generic: drop, junk, retype any value
      const all = slots(doc);
      if (!all.length) return 'noop';
      const [parent, key] = rng.pick(all);
      const how = rng.int(3);
      if (how === 0) Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key];
      else if (how === 1) setOwn(parent, key, junk(rng));
      else setOwn(parent, rng.pick(ODD_KEYS), junk(rng));
      return `${['drop', 'junk at', 'odd key beside'][how]} ${key}`;
    }
    case 1: { // a module field to a near or odd value
      if (!mods?.length) return 'noop';
      const m = mods[rng.int(mods.length)];
      if (m === null || typeof m !== 'object') return 'noop';
      const keys = Object.keys(m).filter((k) => k !== 'type');
      const key = keys.length && rng.chance(0.8) ? rng.pick(keys) : rng.pick(['bias', 'eps', 'momentum', 'p', 'negative_slope', 'alpha', 'approximate', 'in_features', 'out_features']);
      const v = m[key];
      setOwn(m, key, typeof v === 'number' && rng.chance(0.5) ? rng.pick([v + 1, v * (1 + 1e-6), -v, v + 1e-3, String(v), null]) : junk(rng));
      return `module ${m.type}.${key}`;
    }
    case 2: { // the module list: delete, duplicate, swap, insert, retype
      if (!mods) return 'noop';
      const i = rng.int(mods.length + 1);
      const how = rng.int(5);
      if (how === 0 && mods.length) mods.splice(Math.min(i, mods.length - 1), 1);
      else if (how === 1 && mods.length) mods.splice(i, 0, structuredClone(mods[Math.min(i, mods.length - 1)]));
      else if (how === 2 && mods.length > 1) {
        const j = Math.min(i, mods.length - 2);
        [mods[j], mods[j + 1]] = [mods[j + 1], mods[j]];
      } else if (how === 3) mods.splice(i, 0, structuredClone(rng.pick(MODULES)));
      else if (mods.length) {
        const m = mods[Math.min(i, mods.length - 1)];
        if (m && typeof m === 'object') m.type = rng.pick(MODULES).type;
      }
      return `modules: ${['delete', 'duplicate', 'swap', 'insert', 'retype'][how]} at ${i}`;
    }
    case 3: { // a tensor's shape
      if (!tensors.length) return 'noop';
      const t = sd[rng.pick(tensors)];
      const s = Array.isArray(t.shape) ? t.shape : [];
      t.shape = rng.pick([[...s].reverse(), [s.reduce((a, b) => a * b, 1)], [...s, 1], s.slice(1), s.map((v) => v + 1), 'junk', null, [2 ** 31 - 1], [-1, ...s.slice(1)]]);
      return 'shape';
    }
    case 4:
    case 5: { // a tensor's data: size, characters, form
      if (!tensors.length) return 'noop';
      const t = sd[rng.pick(tensors)];
      const d = t.data;
      const how = rng.int(8);
      if (typeof d === 'string' && how < 4) {
        if (how === 0) t.data = d.slice(0, rng.int(d.length));
        else if (how === 1) t.data = d + rng.pick(['A', 'AAAA', '====', '=', 'AA==']);
        else if (how === 2) t.data = `${d.slice(0, 3)}${rng.pick(['!', ' ', '\n', '=', '-', '_', 'é'])}${d.slice(4)}`;
        else {
          const k = rng.int(d.length - 2);
          t.data = d.slice(0, k) + rng.pick([...B64]) + d.slice(k + 1); // valid base64, another value (maybe NaN)
        }
        return `data edit ${how}`;
      }
      if (how === 4) t.data = { length: 2 ** 31 - 1 };
      else if (how === 5 && typeof d === 'string') t.data = tryDecode(t) ?? d; // the same values as numbers
      else if (how === 6) t.data = Array.isArray(d) ? [...d, 0] : [1, 2];
      else t.data = junk(rng);
      return `data form ${how}`;
    }
    case 6: { // tensor names: remove, rename, copy under another module's index
      if (!tensors.length) return 'noop';
      const key = rng.pick(tensors);
      const [i, name] = key.split('.');
      const how = rng.int(3);
      const other = `${Number(i) + rng.pick([-1, 1, 2])}.${rng.pick([name, 'weight', 'bias', 'running_var'])}`;
      if (how === 0) delete sd[key];
      else if (how === 1) {
        sd[other] = sd[key];
        delete sd[key];
      } else sd[other] = structuredClone(sd[key]);
      return `tensor name ${['delete', 'rename', 'copy'][how]} ${key}`;
    }
    case 7: // the loss
      doc.loss = rng.pick(['mse', 'bce', 'softmax-ce', null, undefined, 'hinge', 'BCE', 1]);
      return `loss ${doc.loss}`;
    case 8: // top level
      setOwn(doc, rng.pick(['format', 'version', 'modules', 'state_dict', 'extra']), junk(rng));
      return 'top level';
    case 9: { // a valid value change in one tensor: a number in [-2, 2], or a negative variance
      if (!tensors.length) return 'noop';
      const key = rng.pick(tensors);
      const t = sd[key];
      const values = tryDecode(t);
      if (!values?.length) return 'noop';
      values[rng.int(values.length)] = key.endsWith('running_var') && rng.chance(0.3) ? -0.5 : Math.fround(rng.next() * 4 - 2);
      t.data = Buffer.from(Float32Array.from(values).buffer).toString('base64');
      return `value in ${key}`;
    }
    default: // none: the base as it is (checks the oracle on real exports)
      return 'none';
  }
}

// ---- the run ---------------------------------------------------------------------------------
const SLOW_MS = 250;

async function runCase(rng, base) {
  const input = structuredClone(base.doc);
  const mutations = [];
  const count = rng.chance(0.6) ? 1 : 2 + rng.int(2);
  for (let k = 0; k < count; k++) {
    try {
      mutations.push(mutate(rng, input));
    } catch (err) {
      mutations.push(`a mutation that threw: ${err.message}`); // an odd key broke the mutator (e.g. splice on an array with its own "constructor")
    }
  }
  const lossOption = rng.chance(0.15) ? rng.pick(['mse', 'bce', 'softmax-ce']) : undefined;
  const route = rng.pick(['fromPyTorch', 'loadPyTorch', 'loadNetwork', 'text']);
  const what = { mutations, route, lossOption };
  const options = lossOption ? { loss: lossOption } : {};
  const t0 = performance.now();
  let net;
  try {
    if (route === 'fromPyTorch') {
      fromPyTorch(input, options);
      net = await loadPyTorch(input, options);
    } else if (route === 'loadPyTorch') net = await loadPyTorch(input, options);
    else if (route === 'loadNetwork') net = await loadNetwork(input, options);
    else net = await loadNetwork(JSON.stringify(input), options);
  } catch (err) {
    const ms = performance.now() - t0;
    if (ms > SLOW_MS) return { outcome: 'finding', kind: 'slow', detail: `refused after ${ms.toFixed(0)} ms`, what, input };
    if (isStandardError(err)) return { outcome: 'rejected', message: err.message };
    return { outcome: 'finding', kind: 'error-form', detail: `${err?.constructor?.name}: ${err?.message}`, what, input };
  }
  try {
    // the document as the import saw it (the text route round-trips through JSON)
    const doc = route === 'text' ? JSON.parse(JSON.stringify(input)) : input;
    const loss = lossOption ?? doc.loss ?? 'mse';
    const rows = 4;
    const x = base.x.length >= rows * net.inputs ? Float32Array.from(base.x.slice(0, rows * net.inputs)) : Float32Array.from({ length: rows * net.inputs }, (_, i) => Math.sin(i));
    const problems = loadedViolations(doc, net, x, rows, loss);
    if (problems.length) return { outcome: 'finding', kind: 'meaning', detail: problems.slice(0, 3).join('; '), what, input };
    return { outcome: 'loaded', unchecked: problems.unchecked === true };
  } catch (err) {
    return { outcome: 'finding', kind: 'after-load', detail: `${err?.constructor?.name}: ${err?.stack}`, what, input };
  } finally {
    net.dispose();
  }
}

test('the fuzzer\'s reference forward pass is PyTorch\'s, on every base export', async () => {
  for (const c of BASES) {
    const rows = c.output.length / c.doc.modules.filter((m) => m.type === 'Linear').at(-1).out_features;
    const inputs = c.doc.modules[0].in_features;
    const x = Float32Array.from(c.x);
    const raw = reference({ ...c.doc }, x, rows, 'mse').out; // the model's own output, no loss mapping
    const d = maxOf(raw.map((v, i) => Math.abs(v - c.output[i])));
    assert.ok(d < 1e-5, `${c.name}: reference differs from torch by ${d}`);
    assert.equal(x.length, rows * inputs);
    const net = await loadPyTorch(c.doc);
    const problems = loadedViolations(c.doc, net, x, rows, c.doc.loss ?? 'mse');
    net.dispose();
    assert.deepEqual(problems, [], c.name);
  }
});

test(`PyTorch import mutation fuzzer: ${budget.cases} cases, seed ${budget.seed}`, async (t) => {
  console.log(`fuzz-pytorch: seed ${budget.seed} (GRADSCOPE_FUZZ_SEED=${budget.seed} replays; GRADSCOPE_FUZZ_CASES=${budget.cases})`);
  const log = { loaded: 0, unchecked: 0, rejected: 0, messages: new Map(), findings: [] };
  const t0 = performance.now();
  let done = 0;
  for (let i = budget.first; i < budget.first + budget.cases; i++) {
    if ((performance.now() - t0) / 1000 > budget.seconds) {
      console.log(`fuzz-pytorch: time cap of ${budget.seconds} s reached after ${done} cases`);
      break;
    }
    const rng = fuzzRng(caseSeed(budget.seed, i));
    const r = await runCase(rng, rng.pick(BASES));
    done++;
    if (budget.cases === 1) console.log(`case ${i}: ${JSON.stringify(r, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}`);
    if (r.outcome === 'rejected') {
      log.rejected++;
      const key = r.message.replace(/-?\d[\d.e+-]*/g, '#').slice(0, 80);
      log.messages.set(key, (log.messages.get(key) ?? 0) + 1);
    } else if (r.outcome === 'finding') log.findings.push({ case: i, ...r });
    else {
      log.loaded++;
      if (r.unchecked) log.unchecked++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`fuzz-pytorch: ${done} cases in ${seconds.toFixed(1)} s: ${log.loaded} loaded and meant what the document means (${log.unchecked} of them too ill-conditioned to compare predictions); ${log.rejected} rejected with a standard-form error; ${log.findings.length} findings`);
  for (const [m, n] of [...log.messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${n} x ${m}`);
  const kinds = new Map();
  for (const f of log.findings) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  if (kinds.size) console.log(`fuzz-pytorch: findings by kind: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const f of log.findings.slice(0, 5)) {
    console.log(`FINDING case ${f.case} [${f.kind}] ${f.detail}\n  ${JSON.stringify(f.what)}\n  replay: GRADSCOPE_FUZZ_SEED=${budget.seed} GRADSCOPE_FUZZ_CASE=${f.case} node --test tests/js/fuzz-pytorch.test.js`);
  }
  t.diagnostic(`${done} cases, ${log.loaded} loaded, ${log.rejected} rejected, ${log.findings.length} findings`);
  assert.ok(done >= Math.min(budget.cases, 1), 'no case ran');
  if (budget.cases >= 1000) assert.ok(log.loaded >= done / 20, `only ${log.loaded} of ${done} cases loaded: the mutations are too destructive to test a loaded network`);
  assert.equal(log.findings.length, 0, `${log.findings.length} cases neither loaded meaning what the document means nor threw a standard-form Error (see the lines above)`);
});
