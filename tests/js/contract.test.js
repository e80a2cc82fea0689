// The C core and the library agree: every code, name, limit and export in
// js/contract.js (and the option lists in js/config.js) matches what
// include/gradscope.h, src/internal.h and the built .wasm files say.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { ACTIVATIONS, INITS, LOSSES, OPTIMIZERS } from '../../js/config.js';
import { DECAY_CODES, EXPORTS, HIST, LIMITS, NONFINITE_KINDS, NORMS, PARAM_CODES, ROW_HEAD, STATUS, STAT_NAMES } from '../../js/contract.js';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const header = read('include/gradscope.h');
const internal = read('src/internal.h');

/** the members of `typedef enum { ... } name;` in order, with their values */
function cEnum(name) {
  const match = header.match(new RegExp(`typedef enum \\{([^}]*)\\} ${name};`));
  assert.ok(match, `enum ${name} in gradscope.h`);
  const members = [];
  let next = 0;
  for (const line of match[1].replace(/\/\*[\s\S]*?\*\//g, '').split(',')) {
    const m = line.trim().match(/^(\w+)(?:\s*=\s*(-?\d+))?$/);
    if (!m) continue;
    const value = m[2] === undefined ? next : Number(m[2]);
    members.push([m[1], value]);
    next = value + 1;
  }
  return members;
}

const define = (name) => {
  const m = internal.match(new RegExp(`#define ${name} \\(?([^/\\n]+?)\\)?\\s*(?:/\\*|$)`, 'm'));
  assert.ok(m, `#define ${name}`);
  // C shifts are 64-bit here; JS << is 32-bit, so read `a << b` as a * 2 ** b
  return Function(`return (${m[1].replace(/\(uint64_t\)/g, '').replace(/(\d+)\s*<<\s*(\d+)/g, '$1 * 2 ** $2')});`)();
};

const camel = (s) => s.toLowerCase().replace(/_(\w)/g, (_, c) => c.toUpperCase());

test('status codes, statistics, parameters and non-finite kinds match gradscope.h', () => {
  assert.deepEqual(Object.fromEntries(cEnum('gs_status').map(([n, v]) => [n.replace(/^GS_/, ''), v])), { ...STATUS });
  const stats = cEnum('gs_stat').filter(([n]) => n !== 'GS_STAT_COUNT');
  assert.deepEqual(stats.map(([n]) => camel(n.replace(/^GS_STAT_/, ''))).map((n) => n.replace(/Fraction$/, 'Fraction')), [
    'gradNorm',
    'biasGradNorm',
    'weightNorm',
    'updateRatio',
    'deadFraction',
    'saturatedFraction',
    'actMean',
    'actStd',
    'nonfinite',
    'gradDataRatio',
    'updateDataRatio',
  ]);
  assert.equal(stats.length, STAT_NAMES.length);
  stats.forEach(([, v], i) => assert.equal(v, i));
  assert.deepEqual(cEnum('gs_param').map(([n, v]) => [n.replace(/^GS_P_/, '').toLowerCase(), v]), Object.entries(PARAM_CODES));
  assert.deepEqual(
    cEnum('gs_nonfinite').map(([, v]) => v),
    NONFINITE_KINDS.map((_, i) => i),
  );
  assert.equal(NONFINITE_KINDS.length, cEnum('gs_nonfinite').length);
});

test('norms, decays and the step row head match gradscope.h', () => {
  assert.deepEqual(Object.fromEntries(cEnum('gs_norm').map(([n, v]) => [n.replace(/^GS_NORM_/, '').toLowerCase(), v])), { ...NORMS });
  assert.deepEqual(cEnum('gs_decay').map(([n]) => n.replace(/^GS_DECAY_/, '').toLowerCase()), [...DECAY_CODES]);
  assert.equal(Number(header.match(/#define GS_ROW_HEAD (\d+)/)[1]), ROW_HEAD);
});

test('histogram layout matches gradscope.h', () => {
  const hdefine = (name) => Number(header.match(new RegExp(`#define ${name} \\(?(-?\\d+)`))[1]);
  assert.equal(hdefine('GS_HIST_BINS'), HIST.bins);
  assert.equal(HIST.slots, HIST.bins + 4);
  assert.equal(hdefine('GS_HIST_ACT_LIMIT'), HIST.actLimit);
  assert.equal(hdefine('GS_HIST_WEIGHT_LIMIT'), HIST.weightLimit);
  assert.equal(hdefine('GS_HIST_GRAD_MIN_EXP'), HIST.gradMinExp);
  assert.deepEqual(cEnum('gs_hist_quantity').filter(([n]) => n !== 'GS_HIST_QUANTITIES').map(([n]) => n.replace('GS_HIST_', '').toLowerCase()), [...HIST.quantities]);
});

test('option lists match the C enums', () => {
  const names = (e, prefix) => cEnum(e).map(([n]) => n.replace(prefix, '').toLowerCase().replace(/_/g, '-'));
  assert.deepEqual(names('gs_activation', 'GS_ACT_'), ACTIVATIONS);
  assert.deepEqual(names('gs_loss', 'GS_LOSS_'), LOSSES);
  assert.deepEqual(names('gs_init', 'GS_INIT_'), INITS);
  assert.deepEqual(names('gs_optimizer', 'GS_OPT_'), OPTIMIZERS);
});

test('limits match src/internal.h', () => {
  assert.equal(define('GS_MAX_LAYERS'), LIMITS.maxLayers);
  assert.equal(define('GS_MAX_UNITS'), LIMITS.maxUnits);
  assert.equal(define('GS_MAX_PARAMS'), LIMITS.maxParams);
  assert.equal(define('GS_LOG_STEPS'), LIMITS.logSteps);
  assert.equal(define('GS_MAX_BYTES'), LIMITS.maxBytes);
});

test('both .wasm builds export exactly the contract list', () => {
  for (const variant of ['simd', 'scalar']) {
    const module = new WebAssembly.Module(readFileSync(new URL(`../../dist/gradscope_${variant}.wasm`, import.meta.url)));
    const functions = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name)
      .filter((n) => !['_initialize', '__errno_location', 'stackSave', 'stackRestore', 'stackAlloc'].includes(n));
    assert.deepEqual(functions.sort(), [...EXPORTS].sort(), variant);
  }
});
