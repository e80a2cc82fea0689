// The npm package as a consumer gets it: `npm pack`, install the tarball into a
// fresh folder (no network needed: no runtime dependencies), import and train.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  for (const f of ['data/digits.csv.gz', 'data/README.md', 'dist/gradscope_simd.wasm', 'dist/gradscope_scalar.wasm', 'js/index.js', 'js/index.d.ts', 'js/cli.js', 'package.json']) {
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
