// Builds the two WebAssembly cores (SIMD and scalar) with Emscripten through
// CMake into build/wasm and copies them to dist/. Incremental: make rebuilds
// only what changed. Then the opt-in relaxed-SIMD core (scripts/build-relaxed.mjs).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildRelaxed } from './build-relaxed.mjs';
import { ensureTools } from './toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build', 'wasm');
const dist = join(root, 'dist');

ensureTools([
  { cmd: 'emcmake', pkg: 'emscripten' },
  { cmd: 'cmake', pkg: 'cmake' },
]);
// Debian's Emscripten finds acorn through NODE_PATH
const env = { ...process.env, NODE_PATH: [process.env.NODE_PATH, '/usr/share/nodejs'].filter(Boolean).join(':') };
// progress goes to stderr, so `npm pack --json` (which runs this as prepack) keeps a clean stdout
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, env, stdio: ['ignore', 2, 2] });

mkdirSync(buildDir, { recursive: true });
run('emcmake', ['cmake', '-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release']);
run('cmake', ['--build', buildDir, '--parallel', '2']);
mkdirSync(dist, { recursive: true });
for (const variant of ['simd', 'scalar', 'threads']) {
  copyFileSync(join(buildDir, `gradscope_${variant}.wasm`), join(dist, `gradscope_${variant}.wasm`));
}
// the opt-in relaxed-SIMD core: another toolchain (clang-19 + wasi-libc), built only where it is present
const relaxed = buildRelaxed();
if (!relaxed && process.env.npm_lifecycle_event === 'prepack') {
  console.error('gradscope build: a package must ship dist/gradscope_relaxed.wasm; install the packages above first');
  process.exit(1);
}
console.error(`gradscope build: dist/gradscope_simd.wasm, dist/gradscope_scalar.wasm, dist/gradscope_threads.wasm${relaxed ? ', dist/gradscope_relaxed.wasm' : ''}`);
