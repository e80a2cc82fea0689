// Shared test helpers.
import { readFileSync } from 'node:fs';

export const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

export const maxAbs = (values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Scale-relative difference: max |a-b| / max(max |expected|, floor, 1e-6) over
 * a tensor. `floor` is the scale of related tensors: a tensor that should be 0
 * (a dense bias feeding batch norm) is compared at the scale of its neighbours.
 */
export function tensorDiff(actual, expected, floor = 0) {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  const scale = Math.max(maxAbs(expected), floor);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst / (1e-6 + scale);
}

/** Deterministic pseudo-random floats in [-1, 1) for test data. */
export function randomFloats(n, seed = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** XOR-quadrant data: x [n x 2], y [n] in {0, 1}. */
export function xorData(n, seed = 1) {
  const x = randomFloats(2 * n, seed);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
  return { x, y };
}

/** A small network with every layer kind, for the memory tests. */
export const MEMORY_TEST_CONFIG = {
  inputs: 2,
  layers: [{ units: 32, activation: 'relu', batchNorm: true, dropout: 0.1 }, { units: 1 }],
  loss: 'bce',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 3,
};

// ---- fuzzing (tests/js/fuzz-*.test.js) -------------------------------------------------

/** The one error grammar of js/validate.js: `<where>: <name> is|has <value>; expected <what>`. */
export const STANDARD_ERROR = /^[A-Za-z][\w.]*: .+ (is|has) .+; expected .+/s;

/** A size refused for memory (issue 8 §1): `<where>: <what> needs <size>; ... at most 4 GiB`. */
export const MEMORY_ERROR = /^[A-Za-z][\w.]*: .+ needs .+; .*(at most|could not grow|out of memory).*/s;

/** true when err is a plain Error whose message has the standard form (or the memory form) */
export const isStandardError = (err) => err?.constructor === Error && (STANDARD_ERROR.test(err.message) || MEMORY_ERROR.test(err.message));

/** Seeded 32-bit PRNG (mulberry32) for fuzz cases: next() -> [0, 1). */
export function fuzzRng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

/** The case seed of case i of a run seeded with `seed` (so one case replays alone). */
export const caseSeed = (seed, i) => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;

/**
 * Fuzz budget from the environment: GRADSCOPE_FUZZ_CASES (count), GRADSCOPE_FUZZ_SEED
 * (replay a run), GRADSCOPE_FUZZ_CASE (replay only case i of that run),
 * GRADSCOPE_FUZZ_SECONDS_JS (time cap per fuzzer; cases stop early, with a note).
 */
export function fuzzBudget(defaultCases, defaultSeconds) {
  const env = process.env;
  const num = (name, fallback) => {
    if (env[name] === undefined || env[name] === '') return fallback;
    const v = Number(env[name]);
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name} is ${JSON.stringify(env[name])}; expected a non-negative integer`);
    return v;
  };
  const seed = num('GRADSCOPE_FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
  const only = num('GRADSCOPE_FUZZ_CASE', -1);
  return {
    seed,
    cases: only >= 0 ? 1 : num('GRADSCOPE_FUZZ_CASES', defaultCases),
    first: only >= 0 ? only : 0,
    seconds: num('GRADSCOPE_FUZZ_SECONDS_JS', defaultSeconds),
  };
}

/** Bit-level equality of JSON-like values (numbers compared with Object.is: -0 and NaN count). */
export function sameBits(a, b, path = '') {
  if (typeof a === 'number' || typeof b === 'number') {
    return Object.is(a, b) ? null : `${path}: ${a} vs ${b}`;
  }
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    if (!(ArrayBuffer.isView(b) || Array.isArray(b)) || a.length !== b.length) return `${path}: length ${a?.length} vs ${b?.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = sameBits(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka} vs ${kb}`;
    for (const k of ka) {
      const d = sameBits(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

// ---- PyTorch reference cases (tests/fixtures/generate.py) ---------------------------------

/** Tolerances of the PyTorch comparisons (float32 arithmetic against float64). */
export const TORCH_TOLERANCES = { loss: 1e-5, gradient: 1e-4, parameter: 1e-4, prediction: 1e-5 };

/**
 * Replays one fixture case on a gradscope network: gradients of the first pass, the loss
 * before each step, final parameters and running statistics, eval predictions and loss.
 * record(kind, where, diff) receives every scale-relative difference.
 *
 * A dense bias feeding batch norm has a gradient that is 0 in exact arithmetic: what is
 * left is float32 rounding of a sum of larger terms, so it is compared at the scale of all
 * gradients (`bnBiasFloor` times the largest gradient; default 0.01 like the others).
 */
export async function replayTorchCase(createNetwork, c, simd, record, { bnBiasFloor = 0.01 } = {}) {
  const labels = (values) => (c.config.loss === 'softmax-ce' ? Int32Array.from(values) : Float32Array.from(values));
  const net = await createNetwork({ ...c.config, seed: 1 }, { simd });
  try {
    net.setParameters(c.initial);
    const x = Float32Array.from(c.x);
    const y = labels(c.y);
    const g = net.computeGradients(x, y);
    record('loss', `${c.name} loss0`, Math.abs(g.loss - c.loss0) / Math.max(1, Math.abs(c.loss0)));
    const gradScale = c.grads0.flatMap((layer) => Object.values(layer).map(maxAbs)).reduce((m, v) => Math.max(m, v), -Infinity);
    c.grads0.forEach((layer, l) => {
      for (const [name, expected] of Object.entries(layer)) {
        const floor = name === 'bias' && c.config.layers[l].batchNorm ? bnBiasFloor : 0.01;
        record('gradient', `${c.name} layers[${l}].${name}`, tensorDiff(g.layers[l][name], expected, floor * gradScale));
      }
    });
    c.losses.forEach((expected, s) => {
      const { loss } = net.trainStep(x, y);
      record('loss', `${c.name} step ${s}`, Math.abs(loss - expected) / Math.max(1, Math.abs(expected)));
    });
    const params = net.getParameters();
    c.final.forEach((layer, l) => {
      for (const [name, expected] of Object.entries(layer)) {
        record('parameter', `${c.name} final layers[${l}].${name}`, tensorDiff(params[l][name], expected));
      }
    });
    const xTest = Float32Array.from(c.xTest);
    record('prediction', `${c.name} predictions`, tensorDiff(net.predict(xTest), c.predictions));
    const { loss } = net.evaluate(xTest, labels(c.yTest));
    record('loss', `${c.name} eval loss`, Math.abs(loss - c.evalLoss) / Math.max(1, Math.abs(c.evalLoss)));
  } finally {
    net.dispose();
  }
}
