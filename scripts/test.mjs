// npm test: sets up what is missing, builds everything, runs every suite.
//   1. devDependencies (npm ci) and tools (emscripten, cmake, gcc, simde, chromium) when absent
//   2. the wasm cores, then the C tests (ctest, ASan/UBSan), then the libFuzzer run over
//      the C API (scripts/test-fuzz.mjs: 30 s, GRADSCOPE_FUZZ_SECONDS for more; skipped
//      with a message where clang is missing)
//   3. the JS tests (node --test tests/js; the fuzzers fuzz-load/fuzz-config take
//      GRADSCOPE_FUZZ_CASES and GRADSCOPE_FUZZ_SEED), then the browser tests on their own,
//      so timing-sensitive page measurements do not share the CPU with other suites
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureTools } from './toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run('node', ['scripts/ensure-node-deps.mjs']);
ensureTools([{ cmd: 'chromium', pkg: 'chromium' }]);
run('node', ['scripts/build.mjs']);
run('node', ['scripts/test-c.mjs']);
run('node', ['scripts/test-fuzz.mjs']);
run('node', ['--test', '--test-reporter=spec', 'tests/js/']);
run('node', ['--test', '--test-reporter=spec', '--test-concurrency=1', 'tests/browser/']);
