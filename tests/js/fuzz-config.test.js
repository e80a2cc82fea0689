// Random-config fuzzer for createNetwork + short training (fast-check). Random and
// adversarial configs: every layer option (all nine activations, batch/layer norm, dropout),
// init, loss and optimizer (SGD, momentum, Nesterov, Adam, AdamW, RMSprop; decay, L1,
// schedules, clipping), and invalid
// values (NaN, Infinity, 1e39, 1e-50, 1-1e-10, negatives, strings, extra keys).
// Each either trains (trainStep, fit, computeGradients, predict, evaluate, then
// layerStats and diagnose) with
// finite-or-skipped results, keeps its state finite, and round-trips through
// toJSON/loadNetwork bit-identically — or throws an Error of the standard form.
// A failing case is shrunk by fast-check to a minimal config and printed.
//
//   GRADSCOPE_FUZZ_CASES=20000      more cases (default 2000)
//   GRADSCOPE_FUZZ_SEED=123         replay a run (the seed is printed)
//   GRADSCOPE_FUZZ_SECONDS_JS=120   time cap (default 60 s)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import fc from 'fast-check';

import { createNetwork, diagnose, loadNetwork } from '../../js/index.js';
import { fuzzBudget, isStandardError, randomFloats, sameBits } from './helpers.js';

const budget = fuzzBudget(2000, 60);

// Kinds of finding that are known gaps on main: counted and printed, not failed
// (GRADSCOPE_FUZZ_STRICT=1 fails them). None now: 'sparse-array' and 'nan-accuracy' are fixed.
const KNOWN_GAPS = new Set(process.env.GRADSCOPE_FUZZ_STRICT === '1' ? [] : []);

/** true when some array inside v has a hole */
const hasHole = (v) => v !== null && typeof v === 'object' && ((Array.isArray(v) && Object.keys(v).length < v.length) || Object.values(v).some(hasHole));

// valid configs, then (in a third of the cases) one value somewhere replaced by a bad one
const BAD = [NaN, Infinity, -Infinity, 1e39, -1e39, 1e-50, 1e-46, 1 - 1e-10, 1 - 1e-9, -1, -0.5, 0, 2 ** 31, 2 ** 32, 2.5, 'x', '0.1', 'Relu', 'swish', 'cosine', null, {}, [], true, undefined];
// decimals, not fc.double: its favourite tiny doubles (5e-324) are not float32 numbers and get
// rejected; the bad values come from BAD below
const decimal = (max) => fc.integer({ min: 0, max: 1e6 }).map((i) => (i / 1e6) * max);
const rate = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.5, 1), weight: 6 },
  { arbitrary: decimal(2), weight: 3 },
  { arbitrary: fc.constantFrom(10, 1e3, 1e10, 3.4e38, 1e-40), weight: 1 },
);
const unit = fc.oneof(fc.constantFrom(0, 0.5, 0.9, 0.99, 0.999), decimal(0.9999));

const layer = fc.record(
  {
    units: fc.integer({ min: 1, max: 9 }),
    activation: fc.constantFrom('linear', 'relu', 'leaky-relu', 'sigmoid', 'tanh', 'elu', 'selu', 'gelu', 'silu'),
    norm: fc.constantFrom(null, null, 'batchNorm', 'layerNorm'),
    dropout: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.constantFrom(0.1, 0.5, 1), weight: 2 }, { arbitrary: decimal(1), weight: 1 }),
  },
  { requiredKeys: ['units'] },
).map(({ norm, ...l }) => (norm ? { ...l, [norm]: true } : l)); // batchNorm and layerNorm are exclusive

const init = fc.oneof(
  fc.constantFrom('he', 'xavier', 'lecun', 'pytorch', 'zeros'),
  fc.record({ type: fc.constant('normal'), std: fc.constantFrom(0, 0.01, 0.5, 1, 10, 1e10) }),
  fc.record({ type: fc.constant('uniform'), limit: fc.constantFrom(0, 0.01, 0.5, 1, 10, 3.4e38) }),
);

const l1 = fc.constantFrom(0, 1e-4, 0.01, 1);
const schedule = fc.oneof(
  fc.record({ warmupSteps: fc.integer({ min: 0, max: 5 }), decay: fc.constant('none') }, { requiredKeys: [] }),
  fc.record({ warmupSteps: fc.integer({ min: 0, max: 3 }), decay: fc.constant('step'), stepSize: fc.integer({ min: 1, max: 3 }), gamma: fc.constantFrom(0.5, 0.9, 2) }, { requiredKeys: ['decay', 'stepSize', 'gamma'] }),
  fc.record({ decay: fc.constant('exponential'), gamma: fc.constantFrom(0.5, 0.99, 1.5) }, { requiredKeys: ['decay', 'gamma'] }),
  fc.record({ warmupSteps: fc.integer({ min: 0, max: 3 }), decay: fc.constant('cosine'), decaySteps: fc.integer({ min: 1, max: 6 }), minLearningRate: fc.constant(0) }, { requiredKeys: ['decay', 'decaySteps'] }),
);
const sgd = fc
  .record(
    { type: fc.constant('sgd'), learningRate: rate, momentum: unit, nesterov: fc.boolean(), weightDecay: fc.constantFrom(0, 1e-4, 0.01, 0.5, 1e10), l1, schedule },
    { requiredKeys: ['type'] },
  )
  .map((o) => (o.nesterov && !o.momentum ? { ...o, momentum: 0.9 } : o));
const adam = fc.record(
  { type: fc.constantFrom('adam', 'adamw'), learningRate: rate, beta1: unit, beta2: unit, eps: fc.constantFrom(1e-8, 1e-6, 1e-3, 1, 1e-45), weightDecay: fc.constantFrom(0, 1e-4, 0.01), l1, schedule },
  { requiredKeys: ['type'] },
);
const rmsprop = fc.record(
  { type: fc.constant('rmsprop'), learningRate: rate, alpha: unit, eps: fc.constantFrom(1e-8, 1e-3, 1), momentum: unit, centered: fc.boolean(), weightDecay: fc.constantFrom(0, 1e-4, 0.01), l1, schedule },
  { requiredKeys: ['type'] },
);

const validConfig = fc
  .record(
    {
      inputs: fc.integer({ min: 1, max: 6 }),
      layers: fc.array(layer, { minLength: 1, maxLength: 5 }),
      loss: fc.constantFrom('mse', 'bce', 'softmax-ce'),
      init,
      optimizer: fc.oneof(sgd, adam, rmsprop),
      clipNorm: fc.constantFrom(0, 0.1, 1, 5),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      throwOnNonFinite: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: fc.constant(true), weight: 1 }),
    },
    { requiredKeys: ['inputs', 'layers'] },
  )
  .map((c) => (c.loss === 'softmax-ce' && c.layers[c.layers.length - 1].units < 2 ? { ...c, layers: [...c.layers.slice(0, -1), { ...c.layers[c.layers.length - 1], units: 2 }] } : c));

const EXTRA_KEYS = ['extra', '__proto__', 'constructor', 'activations', 'lr', 'units', 'type'];
/** obj[key] = value as an own enumerable property (also for '__proto__', which assignment would not create) */
const setOwn = (obj, key, value) => Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

/** every [parent, key] slot of a config */
function slots(c) {
  const out = [];
  const walk = (node) => {
    for (const key of Object.keys(node)) {
      out.push([node, key]);
      if (node[key] !== null && typeof node[key] === 'object') walk(node[key]);
    }
  };
  walk(c);
  return out;
}

const patch = fc.record({ at: fc.nat(), bad: fc.constantFrom(...BAD), how: fc.constantFrom('set', 'set', 'set', 'delete', 'extra') });
const config = fc
  .tuple(validConfig, fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: patch, weight: 1 }))
  .map(([valid, p]) => {
    const c = structuredClone(valid);
    if (!p) return c;
    const all = slots(c);
    const [parent, key] = all[p.at % all.length];
    if (p.how === 'delete') delete parent[key];
    else if (p.how === 'extra' && !Array.isArray(parent)) setOwn(parent, EXTRA_KEYS[p.at % EXTRA_KEYS.length], p.bad ?? 1);
    else setOwn(parent, key, p.bad);
    return c;
  });

const scenario = fc.record({ config, simd: fc.boolean(), rows: fc.integer({ min: 2, max: 6 }), dataSeed: fc.integer({ min: 1, max: 1000 }), xScale: fc.constantFrom(1, 1, 1, 0, 100, 1e20) });

function data(net, rows, seed, scale) {
  const x = randomFloats(rows * net.inputs, seed).map((v) => v * scale);
  const { loss } = net.config;
  const y =
    loss === 'softmax-ce'
      ? Int32Array.from({ length: rows }, (_, i) => (i + seed) % net.outputs)
      : randomFloats(rows * net.outputs, seed + 7).map((v) => (loss === 'bce' ? (v > 0 ? 1 : 0) : v));
  return { x, y };
}

const finiteF32 = (v) => typeof v === 'number' && Number.isFinite(v) && Number.isFinite(Math.fround(v));

/** config numbers valid as doubles but not as float32 must be refused (issue 8 §3) */
function float32Problems(c) {
  const out = [];
  const o = c.optimizer;
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !finiteF32(v)) out.push(`optimizer.${k} ${v}`);
  for (const [k, v] of Object.entries(o.schedule ?? {})) if (typeof v === 'number' && !finiteF32(v)) out.push(`optimizer.schedule.${k} ${v}`);
  if (o.type === 'rmsprop' && Math.fround(o.eps) <= 0) out.push(`eps ${o.eps} rounds to 0 in float32`);
  if (o.type === 'adam' || o.type === 'adamw') {
    if (Math.fround(o.beta1) >= 1) out.push(`beta1 ${o.beta1} rounds to 1 in float32`);
    if (Math.fround(o.beta2) >= 1) out.push(`beta2 ${o.beta2} rounds to 1 in float32`);
    if (Math.fround(o.eps) <= 0) out.push(`eps ${o.eps} rounds to 0 in float32`);
  }
  c.layers.forEach((l, i) => {
    if (l.dropout < 1 && Math.fround(l.dropout) >= 1) out.push(`layers[${i}].dropout ${l.dropout} rounds to 1 in float32`);
  });
  if (!finiteF32(c.clipNorm)) out.push(`clipNorm ${c.clipNorm}`);
  if (c.init.std !== undefined && !finiteF32(c.init.std)) out.push(`init.std ${c.init.std}`);
  if (c.init.limit !== undefined && !finiteF32(c.init.limit)) out.push(`init.limit ${c.init.limit}`);
  return out;
}

// what throwOnNonFinite throws (not the input-error form: nothing about the input was wrong)
const NONFINITE_THROW = /^(trainStep|fit|computeGradients): a non-finite value \(NaN or Infinity\) appeared in .+; the update was skipped/;

function stateFinite(doc) {
  const all = [...doc.parameters.flatMap((l) => Object.values(l).flat()), ...(doc.optimizer.m ?? []), ...(doc.optimizer.v ?? [])];
  return all.every((v) => Number.isFinite(v));
}

/** runs one scenario; returns null (fine) or a finding { kind, detail } */
async function runScenario(s, stats) {
  let net;
  try {
    net = await createNetwork(s.config, { simd: s.simd });
  } catch (err) {
    if (isStandardError(err)) {
      stats.rejected++;
      const key = err.message.replace(/-?\d[\d.e+-]*/g, '#').slice(0, 80);
      stats.messages.set(key, (stats.messages.get(key) ?? 0) + 1);
      return null;
    }
    return { kind: hasHole(s.config) ? 'sparse-array' : 'error-form', detail: `createNetwork threw ${err?.constructor?.name}: ${err?.message}` };
  }
  const twins = [];
  try {
    const c = net.config;
    const f32 = float32Problems(c);
    if (f32.length) return { kind: 'float32-config', detail: `accepted ${f32.join(', ')}` };
    const { x, y } = data(net, s.rows, s.dataSeed, s.xScale);
    const guarded = (what, fn) => {
      try {
        return fn();
      } catch (err) {
        if (c.throwOnNonFinite && err?.constructor === Error && NONFINITE_THROW.test(err.message)) return { loss: NaN, skipped: true, threw: true };
        throw Object.assign(new Error(`${what} threw ${err?.constructor?.name}: ${err?.message}`), { finding: 'training' });
      }
    };
    const before = net.toJSON();
    for (let k = 0; k < 2; k++) {
      const r = guarded('trainStep', () => net.trainStep(x, y));
      if (!Number.isFinite(r.loss) && !r.skipped) return { kind: 'nonfinite-guard', detail: `trainStep loss ${r.loss} not reported skipped` };
    }
    const g = guarded('computeGradients', () => net.computeGradients(x, y));
    // computeGradients makes no update: it reports where the values were not finite
    if (!Number.isFinite(g.loss) && g.nonFinite === undefined) return { kind: 'nonfinite-guard', detail: `computeGradients loss ${g.loss} not reported non-finite` };
    if (g.skipped !== undefined) return { kind: 'nonfinite-guard', detail: 'computeGradients reported a skipped update' };
    let history;
    try {
      history = await net.fit(x, y, { epochs: 2, batchSize: Math.max(2, s.rows - 1), shuffle: true });
    } catch (err) {
      if (!(c.throwOnNonFinite && NONFINITE_THROW.test(err?.message ?? ''))) return { kind: 'training', detail: `fit threw ${err?.constructor?.name}: ${err?.message}` };
    }
    if (history) {
      history.loss.forEach((l, e) => {
        if (!Number.isFinite(l) && !history.skippedSteps[e]) throw Object.assign(new Error(`fit epoch ${e} loss ${l} with no skipped step`), { finding: 'nonfinite-guard' });
      });
    }
    const pred = net.predict(x);
    if (pred.length !== s.rows * net.outputs) return { kind: 'training', detail: `predict returned ${pred.length} values` };
    const ev = net.evaluate(x, y);
    if (c.loss !== 'mse' && !(ev.accuracy >= 0 && ev.accuracy <= 1)) return { kind: 'training', detail: `evaluate accuracy ${ev.accuracy}` };
    if (c.loss !== 'mse' && [...pred].every((v) => Number.isNaN(v)) && ev.accuracy > 0) return { kind: 'nan-accuracy', detail: `all-NaN predictions scored accuracy ${ev.accuracy}` };
    // what a page shows after training: statistics and the diagnosis, for any run
    const layerStats = net.layerStats();
    if (layerStats.length !== c.layers.length) return { kind: 'training', detail: `layerStats() has ${layerStats.length} layers` };
    const findings = diagnose(net);
    if (!Array.isArray(findings)) return { kind: 'training', detail: `diagnose returned ${typeof findings}` };
    const saved = net.toJSON();
    if (stateFinite(before) && !stateFinite(saved)) return { kind: 'nonfinite-guard', detail: 'training left a non-finite parameter or optimizer value' };
    // round trip, and the copy continues exactly like the original
    let twin;
    try {
      twin = await loadNetwork(saved, { simd: s.simd });
    } catch (err) {
      return { kind: stateFinite(saved) ? 'round-trip' : 'nonfinite-guard', detail: `loadNetwork(toJSON()) threw: ${err?.message}` };
    }
    twins.push(twin);
    const diff = sameBits(saved, twin.toJSON(), 'json');
    if (diff) return { kind: 'round-trip', detail: diff };
    const a = guarded('trainStep', () => net.trainStep(x, y));
    const b = guarded('trainStep', () => twin.trainStep(x, y));
    const after = sameBits(net.toJSON(), twin.toJSON(), 'after a step');
    if (after || !Object.is(a.loss, b.loss)) return { kind: 'round-trip', detail: after ?? `loss ${a.loss} vs ${b.loss}` };
    stats.trained++;
    return null;
  } catch (err) {
    return { kind: err.finding ?? 'training', detail: err.message };
  } finally {
    for (const t of twins) t.dispose();
    net.dispose();
  }
}

const REF = { inputs: 2, layers: [{ units: 5, activation: 'tanh', batchNorm: true, dropout: 0.5 }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 }, seed: 5 };

const show = (v) =>
  JSON.stringify(v, (k, x) => {
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    if (x === undefined) return '<undefined>';
    if (Array.isArray(x) && Object.keys(x).length < x.length) return Array.from({ length: x.length }, (_, i) => (i in x ? x[i] : '<hole>'));
    return x;
  });

test(`createNetwork config fuzzer (fast-check): ${budget.cases} cases, seed ${budget.seed}`, async () => {
  console.log(`fuzz-config: seed ${budget.seed} (GRADSCOPE_FUZZ_SEED=${budget.seed} replays; GRADSCOPE_FUZZ_CASES=${budget.cases})`);
  const refs = new Map();
  for (const simd of [true, false]) {
    const ref = await createNetwork(REF, { simd });
    for (let k = 0; k < 3; k++) ref.trainStep(...Object.values(data(ref, 4, 30 + k, 1)));
    refs.set(simd, ref);
  }
  const stats = { trained: 0, rejected: 0, cases: 0, gaps: new Map(), messages: new Map() };
  const t0 = performance.now();
  const result = await fc.check(
    fc.asyncProperty(scenario, async (s) => {
      stats.cases++;
      const finding = await runScenario(s, stats);
      if (!finding) return true;
      if (KNOWN_GAPS.has(finding.kind)) {
        const g = stats.gaps.get(finding.kind) ?? { count: 0, first: null };
        g.count++;
        if (!g.first || show(s).length < show(g.first.s).length) g.first = { s, finding };
        stats.gaps.set(finding.kind, g);
        return true;
      }
      throw new Error(`[${finding.kind}] ${finding.detail}`);
    }),
    { seed: budget.seed, numRuns: budget.cases, interruptAfterTimeLimit: budget.seconds * 1000, markInterruptAsFailure: false },
  );
  const seconds = (performance.now() - t0) / 1000;

  for (const simd of [true, false]) {
    const ref = refs.get(simd);
    for (let k = 3; k < 6; k++) ref.trainStep(...Object.values(data(ref, 4, 30 + k, 1)));
    const twin = await createNetwork(REF, { simd });
    for (let k = 0; k < 6; k++) twin.trainStep(...Object.values(data(twin, 4, 30 + k, 1)));
    assert.equal(sameBits(ref.toJSON(), twin.toJSON(), `reference (${simd ? 'SIMD' : 'scalar'})`), null, 'the reference network changed during fuzzing');
    ref.dispose();
    twin.dispose();
  }

  console.log(`fuzz-config: ${result.numRuns} cases in ${seconds.toFixed(1)} s (${stats.cases} runs with shrinking): ${stats.trained} trained and round-tripped, ${stats.rejected} rejected with a standard-form error`);
  for (const [m, n] of [...stats.messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${n} x ${m}`);
  if (result.interrupted) console.log(`fuzz-config: time cap of ${budget.seconds} s reached`);
  for (const [kind, g] of stats.gaps) {
    console.log(`fuzz-config: KNOWN GAP (TODO issue 8) ${kind}: ${g.count} cases; smallest seen: ${g.first.finding.detail}\n  scenario: ${show(g.first.s)}`);
  }
  if (result.failed) {
    console.log(`fuzz-config: FINDING ${result.errorInstance?.message ?? result.error}\n  minimal scenario: ${show(result.counterexample?.[0])}\n  replay: GRADSCOPE_FUZZ_SEED=${budget.seed} node --test tests/js/fuzz-config.test.js (fast-check path ${result.counterexamplePath})`);
  }
  assert.ok(!result.failed, `a config neither trained cleanly nor threw a standard-form Error: ${result.errorInstance?.message}; scenario ${show(result.counterexample?.[0])}`);
});
