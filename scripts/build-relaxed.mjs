// The opt-in relaxed-SIMD core, dist/gradscope_relaxed.wasm: the same sources as the
// SIMD build, with the GEMM's multiply-add as f32x4.relaxed_madd (src/gemm.c GS_MADD).
//
// Why not Emscripten: Debian's Emscripten 3.1.6 (clang 14) predates the final relaxed-SIMD
// encoding (f32x4.relaxed_madd = 0xfd 0x105). Debian's clang-19 emits it, and links a
// standalone module against wasi-libc with wasm-ld-19 (apt: clang-19 lld-19 wasi-libc
// libclang-rt-19-dev-wasm32). Objects and link are separate steps on purpose: given -O at
// link time the clang driver runs the wasm-opt it finds on the PATH, and Debian's binaryen
// 108 rejects the final encoding ("invalid code after SIMD prefix: 261").
//
// The module matches the Emscripten builds where it matters: the export list of
// js/contract.js, no imports at all (no filesystem, no WASI calls), 16 MiB initial memory
// growable to 4 GiB, a 5 MiB stack (Emscripten 3.1.6's default), a reactor's _initialize,
// and malloc / free exported (wasi-libc's dlmalloc: NULL when memory cannot grow, like
// emmalloc). A custom section "gradscope.build" = "relaxed-simd" says what it is, so the
// loader can tell it from its bytes (js/loader.js declaresRelaxed).
//
// buildClangCore({ relaxed: false }) is the same route without relaxed SIMD: bench/relaxed.mjs
// uses it to separate what FMA gains from what the newer compiler changes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { EXPORTS } from '../js/contract.js';
import { ensureTools } from './toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** the apt packages of this route and how to tell each is there */
export const RELAXED_TOOLS = [
  { cmd: 'clang-19', pkg: 'clang-19' },
  { cmd: 'wasm-ld-19', pkg: 'lld-19' },
  { file: '/usr/lib/wasm32-wasi/libc.a', pkg: 'wasi-libc' },
  { file: '/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a', pkg: 'libclang-rt-19-dev-wasm32' },
];

export const BUILD_MARK = { name: 'gradscope.build', value: 'relaxed-simd' };

/** a custom section (id 0) holding `value` under `name` */
function customSection(name, value) {
  const enc = new TextEncoder();
  const n = enc.encode(name);
  const v = enc.encode(value);
  const leb = (x) => {
    const out = [];
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x) b |= 0x80;
      out.push(b);
    } while (x);
    return out;
  };
  const body = [...leb(n.length), ...n, ...v];
  return Uint8Array.from([0, ...leb(body.length), ...body]);
}

const newest = (files) => {
  let t = 0;
  for (const f of files) t = Math.max(t, statSync(f).mtimeMs);
  return t;
};

/**
 * Builds a clang-19 core into `out` (relaxed: with -mrelaxed-simd) unless it is newer than
 * every source; returns `out`. Progress goes to stderr.
 */
export function buildClangCore({ relaxed = true, out = join(root, 'dist', 'gradscope_relaxed.wasm') } = {}) {
  const srcDir = join(root, 'src');
  const sources = readdirSync(srcDir).filter((f) => f.endsWith('.c')).map((f) => join(srcDir, f));
  const inputs = [...sources, ...readdirSync(srcDir).filter((f) => f.endsWith('.h')).map((f) => join(srcDir, f)), join(root, 'include', 'gradscope.h'), join(root, 'js', 'contract.js'), fileURLToPath(import.meta.url)];
  if (existsSync(out) && statSync(out).mtimeMs > newest(inputs)) return out;
  const objDir = join(root, 'build', relaxed ? 'relaxed' : 'clang19-simd');
  mkdirSync(objDir, { recursive: true });
  mkdirSync(dirname(out), { recursive: true });
  const run = (args, cwd) => execFileSync('clang-19', args, { cwd, stdio: ['ignore', 2, 2] });
  const target = ['--target=wasm32-wasi'];
  run([...target, '-std=c11', '-O3', '-msimd128', ...(relaxed ? ['-mrelaxed-simd'] : []), '-Wall', '-Wextra', `-I${join(root, 'include')}`, `-I${srcDir}`, '-c', ...sources], objDir);
  const objects = sources.map((s) => join(objDir, s.slice(srcDir.length + 1).replace(/\.c$/, '.o')));
  // no -O here: it would make the driver run wasm-opt (see the top of this file)
  run([
    ...target,
    '-mexec-model=reactor',
    '-o', out,
    ...objects,
    ...EXPORTS.map((e) => `-Wl,--export=${e}`),
    '-Wl,--initial-memory=16777216',
    '-Wl,--max-memory=4294967296',
    '-Wl,-z,stack-size=5242880',
    '-Wl,--strip-all',
  ], root);
  if (relaxed) writeFileSync(out, Buffer.concat([readFileSync(out), customSection(BUILD_MARK.name, BUILD_MARK.value)]));
  return out;
}

/**
 * dist/gradscope_relaxed.wasm when the toolchain is there (installed with apt-get where we
 * are root on Debian, like the other build tools); false, with a message, where it is not.
 */
export function buildRelaxed() {
  if (!ensureTools(RELAXED_TOOLS, { optional: true })) {
    console.error(`gradscope build: dist/gradscope_relaxed.wasm skipped (the opt-in relaxed-SIMD core needs the Debian packages ${RELAXED_TOOLS.map((t) => t.pkg).join(' ')})`);
    return false;
  }
  buildClangCore();
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!buildRelaxed()) process.exitCode = 1;
  else console.error('gradscope build: dist/gradscope_relaxed.wasm');
}
