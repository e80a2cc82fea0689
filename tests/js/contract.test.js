// The C core and the library agree: every code, name, limit and export in
// js/contract.js (and the option lists in js/config.js) matches what
// include/gradscope.h, src/internal.h and the built .wasm files say.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { ACTIVATIONS, DECAYS, INITS, LOSSES, OPTIMIZERS } from '../../js/config.js';
import { BIAS_CODES, C_ERRORS, DECAY_CODES, EXPORTS, HIST, LIMITS, NONFINITE_KINDS, NORMS, PARAM_CODES, ROW_HEAD, STATUS, STAT_NAMES } from '../../js/contract.js';

const read = (path) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const header = read('include/gradscope.h');
const internal = read('src/internal.h');

/** the members of `typedef enum { ... } name;` in order, with their values */
function cEnum(name, text = header) {
  const match = text.match(new RegExp(`typedef enum \\{([^}]*)\\} ${name};`));
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

// gs_stat's C names shorten two words; the rest is the JS name in upper snake case
const STAT_WORDS = { ACT: 'ACTIVATION', NONFINITE: 'NON_FINITE' };
/** gs_stat's members as the library's statistic names, in the header's order */
const statNames = (text = header) =>
  cEnum('gs_stat', text)
    .filter(([n]) => n !== 'GS_STAT_COUNT')
    .map(([n, v]) => [camel(n.replace(/^GS_STAT_/, '').split('_').map((w) => STAT_WORDS[w] ?? w).join('_')), v]);

/** the functions gradscope.h declares (comments dropped) */
const declared = (text = header) => [...new Set([...text.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/\b(gs_\w+)\s*\(/g)].map((m) => m[1]))].sort();

/**
 * A module's exports read from its export section, without compiling it (Node 20
 * compiles the relaxed-SIMD build only with a flag): [{ name, kind }]
 */
function moduleExports(bytes) {
  let p = 8;
  const leb = () => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++];
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
  };
  const KINDS = ['function', 'table', 'memory', 'global', 'tag'];
  while (p < bytes.length) {
    const id = bytes[p++];
    const end = leb() + p;
    if (id === 7) {
      const out = [];
      for (let n = leb(); n > 0; n--) {
        const length = leb();
        const name = new TextDecoder().decode(bytes.subarray(p, p + length));
        p += length;
        out.push({ name, kind: KINDS[bytes[p++]] });
        leb();
      }
      return out;
    }
    p = end;
  }
  return [];
}

/** the function exports of a built .wasm, without the runtime's own */
const wasmFunctions = (file) =>
  moduleExports(readFileSync(file))
    .filter((e) => e.kind === 'function')
    .map((e) => e.name)
    .filter((n) => !['_initialize', '__errno_location', 'stackSave', 'stackRestore', 'stackAlloc'].includes(n))
    .sort();

test('status codes, statistics, parameters and non-finite kinds match gradscope.h', () => {
  assert.deepEqual(Object.fromEntries(cEnum('gs_status').map(([n, v]) => [n.replace(/^GS_/, ''), v])), { ...STATUS });
  // every statistic by name and position, read from the header: no copy of the list here
  const stats = statNames();
  assert.deepEqual(stats.map(([n]) => n), [...STAT_NAMES]);
  stats.forEach(([, v], i) => assert.equal(v, i));
  // the comparison sees a reordering (two members swapped in a copy of the header)
  const swapped = header.replace('GS_STAT_ACT_MEAN', 'GS_STAT_TMP').replace('GS_STAT_ACT_STD', 'GS_STAT_ACT_MEAN').replace('GS_STAT_TMP', 'GS_STAT_ACT_STD');
  assert.notDeepEqual(statNames(swapped).map(([n]) => n), [...STAT_NAMES]);
  assert.deepEqual(cEnum('gs_param').map(([n, v]) => [n.replace(/^GS_P_/, '').toLowerCase(), v]), Object.entries(PARAM_CODES));
  assert.deepEqual(
    cEnum('gs_nonfinite').map(([, v]) => v),
    NONFINITE_KINDS.map((_, i) => i),
  );
  assert.equal(NONFINITE_KINDS.length, cEnum('gs_nonfinite').length);
});

test('norms, decays and the step row head match gradscope.h', () => {
  assert.deepEqual(Object.fromEntries(cEnum('gs_bias_init').map(([n, v]) => [n.replace(/^GS_BIAS_/, '').toLowerCase(), v])), { ...BIAS_CODES });
  assert.deepEqual(Object.fromEntries(cEnum('gs_norm').map(([n, v]) => [n.replace(/^GS_NORM_/, '').toLowerCase(), v])), { ...NORMS });
  assert.deepEqual(cEnum('gs_decay').map(([n]) => n.replace(/^GS_DECAY_/, '').toLowerCase()), [...DECAY_CODES]);
  // config.js validates against the contract's list itself, not a copy
  assert.equal(DECAYS, DECAY_CODES);
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
  assert.equal(Number(header.match(/#define GS_MAX_THREADS (\d+)/)[1]), LIMITS.maxThreads);
});

test('config.js takes the size limits from the contract, not literal copies', () => {
  const source = read('js/config.js').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '');
  for (const [name, value] of Object.entries({ maxLayers: LIMITS.maxLayers, maxUnits: LIMITS.maxUnits })) {
    const literals = [String(value), `1 << ${Math.log2(value)}`, `2 ** ${Math.log2(value)}`, `0x${value.toString(16)}`];
    for (const literal of literals) assert.ok(!new RegExp(`(^|[^\\w.])${literal.replace(/[*<]/g, '\\$&')}(?![\\w.])`).test(source), `config.js writes LIMITS.${name} as ${literal}`);
  }
});

test('every C error code has words for messages', () => {
  for (const [name, code] of Object.entries(STATUS)) {
    if (code < 0) assert.equal(typeof C_ERRORS[code], 'string', `C_ERRORS for ${name} (${code})`);
  }
});

test('what gradscope.h declares is the export list, and every .wasm build exports exactly it', () => {
  const functions = declared();
  assert.ok(functions.length > 40, `${functions.length} declarations read from gradscope.h`);
  // the allocator is the only export gradscope.h does not declare (it is libc's)
  assert.deepEqual([...EXPORTS].filter((n) => n !== 'malloc' && n !== 'free').sort(), functions);
  assert.ok(EXPORTS.includes('malloc') && EXPORTS.includes('free'));
  // the comparison sees a declaration that is not exported (in a copy of the header)
  assert.notDeepEqual(declared(header.replace('#ifdef __cplusplus\n}', 'int gs_net_new_thing(gs_net *net);\n#ifdef __cplusplus\n}')), functions);
  // the reader agrees with the engine's on a build it compiles
  const simd = readFileSync(new URL('../../dist/gradscope_simd.wasm', import.meta.url));
  assert.deepEqual(moduleExports(simd), WebAssembly.Module.exports(new WebAssembly.Module(simd)));
  const builds = ['simd', 'scalar', 'relaxed'].filter((v) => v !== 'relaxed' || existsSync(new URL('../../dist/gradscope_relaxed.wasm', import.meta.url)));
  for (const variant of builds) {
    assert.deepEqual(wasmFunctions(new URL(`../../dist/gradscope_${variant}.wasm`, import.meta.url)), [...EXPORTS].sort(), variant);
  }
});
