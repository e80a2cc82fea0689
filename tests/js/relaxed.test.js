// The opt-in relaxed-SIMD core (dist/gradscope_relaxed.wasm, scripts/build-relaxed.mjs):
// its bytes hold relaxed opcodes and the default builds none; it has the SIMD build's
// exports and memory limits; loading it is refused, naming the option, where the engine
// lacks relaxed SIMD; and it trains the four bench workloads' networks like the SIMD build
// within a stated tolerance (not bit for bit: fused multiply-add rounds once).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createNetwork, loadCore, relaxedSimdSupported, setWasmPaths } from '../../js/index.js';
import { EXPORTS } from '../../js/contract.js';
import { createNetwork as createRemote } from '../../js/worker/index.js';
import { declaresRelaxed } from '../../js/loader.js';
import { checkParity } from './relaxed-parity.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const file = (variant) => `${root}dist/gradscope_${variant}.wasm`;
const built = existsSync(file('relaxed'));
// CI installs the toolchain (.ci/run), so there a missing file is a failure, not a skip
const skip = !built && !process.env.CI && 'dist/gradscope_relaxed.wasm was not built (needs clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32)';

/** LEB128 reader over bytes from p; returns [value, next p] */
function leb(bytes, p) {
  let value = 0;
  let shift = 0;
  let b;
  do {
    b = bytes[p++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, p];
}

/** section id -> [start, end) of its contents (custom sections under 'custom:NAME') */
function sections(bytes) {
  const out = {};
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p];
    const [size, start] = leb(bytes, p + 1);
    let key = id;
    if (id === 0) {
      const [n, q] = leb(bytes, start);
      key = `custom:${new TextDecoder().decode(bytes.subarray(q, q + n))}`;
    }
    out[key] = [start, start + size];
    p = start + size;
  }
  return out;
}

/** f32x4.relaxed_madd is 0xfd then 0x105 as LEB128 (0x85 0x02); counted in the code section */
function relaxedMadds(bytes) {
  const [start, end] = sections(bytes)[10];
  let n = 0;
  for (let i = start; i + 2 < end; i++) if (bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02) n++;
  return n;
}

/** the memory section's one memory: { initial, maximum } in 64 KiB pages */
function memoryLimits(bytes) {
  const [start] = sections(bytes)[5];
  const [count, p] = leb(bytes, start);
  assert.equal(count, 1);
  const flags = bytes[p];
  const [initial, q] = leb(bytes, p + 1);
  return { initial, maximum: flags & 1 ? leb(bytes, q)[0] : null };
}

test('the relaxed core holds relaxed_madd opcodes, the default builds none; same exports and memory limits as the SIMD build', { skip }, () => {
  const relaxed = new Uint8Array(readFileSync(file('relaxed')));
  const simd = new Uint8Array(readFileSync(file('simd')));
  const scalar = new Uint8Array(readFileSync(file('scalar')));
  const madds = relaxedMadds(relaxed);
  assert.ok(madds >= 8, `f32x4.relaxed_madd in gradscope_relaxed.wasm: ${madds}; expected the GEMM's (block8 and block4)`);
  assert.equal(relaxedMadds(simd), 0, 'gradscope_simd.wasm must hold no relaxed_madd');
  assert.equal(relaxedMadds(scalar), 0, 'gradscope_scalar.wasm must hold no relaxed_madd');
  assert.equal(declaresRelaxed(relaxed), true, 'the relaxed build carries its mark');
  assert.equal(declaresRelaxed(simd), false);
  assert.equal(declaresRelaxed(scalar), false);

  // exports and imports: compiling needs no relaxed SIMD support, so read them from the sections' names
  const exportNames = (bytes) => {
    const [start] = sections(bytes)[7];
    let [n, p] = leb(bytes, start);
    const names = [];
    for (; n > 0; n--) {
      const [len, q] = leb(bytes, p);
      names.push(new TextDecoder().decode(bytes.subarray(q, q + len)));
      p = leb(bytes, q + len + 1)[1];
    }
    return names.filter((name) => name !== '_initialize').sort();
  };
  // the contract's list and the memory: all the library uses (Emscripten adds stack helpers it does not)
  const wanted = [...EXPORTS, 'memory'].sort();
  assert.deepEqual(exportNames(relaxed), wanted);
  assert.deepEqual(exportNames(simd).filter((name) => wanted.includes(name)), wanted);
  assert.equal(sections(relaxed)[2], undefined, 'the relaxed core imports nothing (no WASI, no filesystem)');
  const limits = memoryLimits(relaxed);
  assert.deepEqual(limits, memoryLimits(simd), 'memory limits as the SIMD build (16 MiB initial, up to 4 GiB)');
  assert.equal(limits.maximum, 65536);
});

test('relaxed: true is refused where the engine lacks relaxed SIMD, naming the option; bad values and contradictions too', { skip }, async () => {
  await assert.rejects(loadCore({ relaxed: 'yes' }), /loadCore: relaxed is "yes"; expected true \(the relaxed-SIMD build\), false or undefined/);
  await assert.rejects(loadCore({ relaxed: true, simd: false }), /loadCore: relaxed is true and simd is false; expected one of them/);
  await assert.rejects(createNetwork({ inputs: 1, layers: [{ units: 1 }] }, { relaxed: 1 }), /relaxed is 1; expected true/);
  assert.throws(() => setWasmPaths({ relax: 'x' }), /unknown key "relax"; expected simd, scalar, relaxed, threads or digits/);
  const simdCore = await loadCore({ simd: true });
  assert.equal(simdCore.relaxed, false);
  await assert.rejects(loadCore({ wasm: readFileSync(file('simd')), relaxed: true }), relaxedSimdSupported() ? /relaxed is true but the wasm passed in is the SIMD build, not the relaxed-SIMD one/ : /relaxed is true but this WebAssembly engine does not support relaxed SIMD/);
  // through gradscope/worker too: the option crosses to the worker, and so does what was loaded
  const remote = await createRemote({ inputs: 1, layers: [{ units: 1 }] }, { simd: true });
  assert.equal(remote.relaxed, false);
  await remote.dispose();
  if (relaxedSimdSupported()) return; // Node 21+: the refusals below cannot happen here
  await assert.rejects(createRemote({ inputs: 1, layers: [{ units: 1 }] }, { relaxed: true }), /relaxed is true but this WebAssembly engine does not support relaxed SIMD/);
  await assert.rejects(
    loadCore({ relaxed: true }),
    /loadCore: relaxed is true but this WebAssembly engine does not support relaxed SIMD; expected an engine that does \(Chrome \/ Edge 114\+, Node\.js 21\+, or Node\.js 20 run with --experimental-wasm-relaxed-simd\), or relaxed: false/,
  );
  await assert.rejects(loadCore({ wasm: readFileSync(file('relaxed')) }), /the wasm bytes passed in `wasm` is the relaxed-SIMD build, and this WebAssembly engine does not support relaxed SIMD/);
  // and the engine itself refuses the module: the opcodes really are relaxed ones
  assert.throws(() => new WebAssembly.Module(readFileSync(file('relaxed'))), /relaxed/);
});

test('the relaxed core trains the four bench workloads like the SIMD build, within 1e-5 relative, and the loss falls (Node)', { skip, timeout: 120_000 }, () => {
  const flags = relaxedSimdSupported() ? [] : ['--experimental-wasm-relaxed-simd'];
  const out = JSON.parse(execFileSync(process.execPath, [...flags, `${root}tests/js/relaxed-parity.mjs`, '30'], { encoding: 'utf8' }));
  console.log(`# relaxed vs SIMD in Node: ${checkParity(out, assert)}`);
});
