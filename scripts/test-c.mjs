// Builds the C core natively (gcc, ASan + UBSan) and runs its tests with ctest.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureTools } from './toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build', 'native');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

ensureTools([
  { cmd: 'cmake', pkg: 'cmake' },
  { cmd: 'gcc', pkg: 'gcc' },
  { cmd: 'make', pkg: 'make' },
  { file: '/usr/include/simde/wasm/simd128.h', pkg: 'libsimde-dev' },
]);
mkdirSync(buildDir, { recursive: true });
run('cmake', ['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Debug', '-DGS_SANITIZE=ON']);
run('cmake', ['--build', buildDir, '--parallel', '2']);
run('ctest', ['--test-dir', buildDir, '--output-on-failure']);

// The thread pool under ThreadSanitizer (it cannot share a build with ASan): the same
// test of src/parallel.c, every source compiled with -fsanitize=thread.
{
  const { readdirSync } = await import('node:fs');
  const sources = readdirSync(join(root, 'src')).filter((f) => f.endsWith('.c')).map((f) => join('src', f));
  const exe = join(buildDir, 'test_threads_tsan');
  run('gcc', ['-fsanitize=thread', '-O1', '-g', '-std=c11', '-D_DEFAULT_SOURCE', '-Wall', '-Wextra', '-Iinclude', '-Isrc', ...sources, 'tests/c/test_threads.c', '-lm', '-lpthread', '-o', exe]);
  run(exe, []);
}
