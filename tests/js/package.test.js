// The npm package as a consumer gets it: `npm pack`, install the tarball into a
// fresh folder (no network needed: no runtime dependencies), import and train.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('npm pack output installs into a fresh folder and trains from Node', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-consumer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], root));
  const files = packed[0].files.map((f) => f.path);
  for (const f of ['data/digits.csv.gz', 'data/README.md', 'dist/gradscope_simd.wasm', 'dist/gradscope_scalar.wasm', 'dist/gradscope_relaxed.wasm', 'js/index.js', 'js/index.d.ts', 'js/cli.js', 'package.json']) {
    assert.ok(files.includes(f), `${f} missing from the package`);
  }
  assert.ok(!files.some((f) => f.startsWith('tests/') || f.startsWith('build/')), 'tests or build output packed');
  t.diagnostic(`package: ${files.length} files, ${packed[0].size} bytes packed, ${packed[0].unpackedSize} unpacked`);

  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  npm(['install', '--offline', '--no-audit', '--no-fund', join(dir, packed[0].filename)], dir);
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  assert.deepEqual(Object.keys(lock.packages).sort(), ['', 'node_modules/gradscope'], 'gradscope must bring no dependencies');

  writeFileSync(
    join(dir, 'main.js'),
    `import { createNetwork, loadNetwork, datasets, runPreset } from 'gradscope';
const digits = await datasets.digits();
const preset = await runPreset('dead-relu', 'failure', { epochs: 2 });
preset.net.dispose();
const net = await createNetwork({ inputs: 2, layers: [{ units: 8, activation: 'tanh' }, { units: 1 }], loss: 'bce',
  optimizer: { type: 'adam', learningRate: 0.05 }, seed: 1 });
const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y = new Float32Array([0, 1, 1, 0]);
const h = await net.fit(x, y, { epochs: 300, batchSize: 4 });
const copy = await loadNetwork(JSON.stringify(net.toJSON()), { simd: false });
console.log(JSON.stringify({ first: h.loss[0], last: h.loss.at(-1), p: Array.from(net.predict(x)), q: Array.from(copy.predict(x)), simd: net.simd,
  digits: digits.train.y.length + digits.test.y.length, presetFindings: preset.findings.map((f) => f.kind) }));
`,
  );
  const out = JSON.parse(execFileSync('node', ['main.js'], { cwd: dir, encoding: 'utf8' }));
  assert.ok(out.last < 0.1 * out.first, `consumer training did not learn: ${out.first} -> ${out.last}`);
  assert.ok(out.p[0] < 0.2 && out.p[1] > 0.8 && out.p[2] > 0.8 && out.p[3] < 0.2, `XOR predictions ${out.p}`);
  out.q.forEach((v, i) => assert.ok(Math.abs(v - out.p[i]) < 1e-5, 'scalar copy predicts the same'));
  assert.equal(out.simd, true);
  assert.equal(out.digits, 1797, 'the digits data ships in the package');
  assert.ok(Array.isArray(out.presetFindings));
  const help = execFileSync(join(dir, 'node_modules', '.bin', 'gradscope'), ['--help'], { encoding: 'utf8' });
  assert.match(help, /usage: gradscope <command>/);
});

// ---- the package as users meet it: require, types per resolution mode, CMake, no dist/ ----
function installPacked(t) {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true }));
  npm(['install', '--offline', '--no-audit', '--no-fund', join(dir, info.filename)], dir);
  return { dir, files: info.files.map((f) => f.path), pkg: join(dir, 'node_modules', 'gradscope') };
}

test('CommonJS require, the worker entry, --version, LICENSE and the exported asset paths', { timeout: 120_000 }, (t) => {
  const { dir, files } = installPacked(t);
  for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'js/worker/index.js', 'js/worker/host.js', 'js/worker/protocol.js', 'js/worker/index.d.ts', 'worker/index.js']) {
    assert.ok(files.includes(f), `${f} missing from the package`);
  }
  const meta = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.match(meta.repository.url, /github\.com\/gradscope\/gradscope/);
  assert.ok(meta.homepage && meta.bugs.url);
  assert.equal(meta.engines.node, '>=20.19');
  writeFileSync(
    join(dir, 'main.cjs'),
    `const { createNetwork, setWasmPaths } = require('gradscope');
const wasm = require.resolve('gradscope/dist/gradscope_scalar.wasm');
const digits = require.resolve('gradscope/data/digits.csv.gz');
createNetwork({ inputs: 1, layers: [{ units: 1 }] }).then(async (net) => {
  const { createNetwork: inWorker } = await import('gradscope/worker');
  const remote = await inWorker({ inputs: 1, layers: [{ units: 1 }] }, { simd: false });
  const p = await remote.predict(Float32Array.of(1));
  await remote.dispose();
  console.log(JSON.stringify({ simd: net.simd, remoteSimd: remote.simd, p: p.length, wasm, digits, setter: typeof setWasmPaths }));
});
`,
  );
  const out = JSON.parse(execFileSync('node', ['main.cjs'], { cwd: dir, encoding: 'utf8' }));
  assert.deepEqual({ ...out, wasm: out.wasm.endsWith('dist/gradscope_scalar.wasm'), digits: out.digits.endsWith('data/digits.csv.gz') }, { simd: true, remoteSimd: false, p: 1, wasm: true, digits: true, setter: 'function' });
  assert.equal(execFileSync(join(dir, 'node_modules', '.bin', 'gradscope'), ['--version'], { encoding: 'utf8' }).trim(), meta.version);
});

test('TypeScript resolves gradscope and gradscope/worker with moduleResolution bundler, node16 and nodenext', { timeout: 120_000 }, (t) => {
  const { dir } = installPacked(t);
  writeFileSync(
    join(dir, 'use.mts'),
    `import { createNetwork, setWasmPaths, type Network } from 'gradscope';
import { createNetwork as inWorker, type WorkerNetwork } from 'gradscope/worker';
export async function f(): Promise<number> {
  setWasmPaths(null);
  const net: Network = await createNetwork({ inputs: 1, layers: [{ units: 1 }] });
  const w: WorkerNetwork = await inWorker({ inputs: 1, layers: [{ units: 1 }] });
  return net.inputs + w.inputs;
}
`,
  );
  for (const [module, moduleResolution] of [['ESNext', 'Bundler'], ['Node16', 'Node16'], ['NodeNext', 'NodeNext']]) {
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module, moduleResolution, lib: ['ES2022'], types: [], skipLibCheck: false }, files: ['use.mts'] }),
    );
    const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, `tsc (${moduleResolution}) failed:\n${tsc.stdout}${tsc.stderr}`);
  }
});

test('the packed CMakeLists.txt configures and builds natively; without dist/ the error names npm run build', { timeout: 300_000 }, (t) => {
  const { dir, pkg } = installPacked(t);
  if (spawnSync('cmake', ['--version']).status === 0) {
    const build = join(dir, 'cmake-build');
    const configure = spawnSync('cmake', ['-S', pkg, '-B', build, '-DGS_SANITIZE=OFF'], { encoding: 'utf8' });
    assert.equal(configure.status, 0, `cmake configure failed:\n${configure.stdout}${configure.stderr}`);
    const made = spawnSync('cmake', ['--build', build, '--parallel', '2'], { encoding: 'utf8' });
    assert.equal(made.status, 0, `cmake build failed:\n${made.stdout}${made.stderr}`);
    assert.ok(existsSync(join(build, 'libgradscope_scalar.a')));
  } else {
    t.diagnostic('cmake not installed: native configure skipped');
  }
  // a git install (no dist/): the copy below has everything but the .wasm files
  const bare = join(dir, 'bare');
  mkdirSync(join(bare, 'node_modules'), { recursive: true });
  cpSync(pkg, join(bare, 'node_modules', 'gradscope'), { recursive: true });
  rmSync(join(bare, 'node_modules', 'gradscope', 'dist'), { recursive: true, force: true });
  writeFileSync(join(bare, 'main.mjs'), "import { createNetwork } from 'gradscope';\nawait createNetwork({ inputs: 1, layers: [{ units: 1 }] });\n");
  const run = spawnSync('node', ['main.mjs'], { cwd: bare, encoding: 'utf8' });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /gradscope: cannot load the WebAssembly core: cannot read \S+\/dist\/gradscope_simd\.wasm \(ENOENT\); cannot read \S+\/dist\/gradscope_scalar\.wasm \(ENOENT\)\..*run `npm run build`/);
});
