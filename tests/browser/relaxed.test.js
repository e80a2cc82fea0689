// The opt-in relaxed-SIMD core in chromium, where relaxed SIMD is on by default (114+): the
// library unbundled (js/ and dist/ as a static server gives them), `relaxed: true` finds the
// packaged file beside js/ and setWasmPaths({ relaxed }) a moved one; the four bench
// workloads train like the SIMD build (tests/js/relaxed-parity.mjs, same tolerance as in Node).
// A page of its own (no playground build needed): files are answered from the repository.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { checkParity } from '../js/relaxed-parity.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const skip = !existsSync(`${root}dist/gradscope_relaxed.wasm`) && !process.env.CI && 'dist/gradscope_relaxed.wasm was not built';
const origin = 'http://gradscope.test/';
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

let browser;
before(async () => {
  if (skip) return;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(() => browser?.close());

async function page() {
  const p = await browser.newPage();
  const problems = [];
  p.on('pageerror', (e) => problems.push(e.message));
  await p.route(`${origin}**`, (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname);
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>relaxed</title>' });
    // the moved copy, for setWasmPaths
    const file = path === '/elsewhere/fast.wasm' ? `${root}dist/gradscope_relaxed.wasm` : /^\/(js|dist|bench|tests\/js)\//.test(path) ? `${root}${path.slice(1)}` : null;
    if (!file || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  await p.goto(origin);
  return { p, problems };
}

test('chromium: relaxed: true loads the relaxed-SIMD core (packaged URL and setWasmPaths) and trains the four workloads like the SIMD build', { skip, timeout: 120_000 }, async () => {
  const { p, problems } = await page();
  try {
    const found = await p.evaluate(async () => {
      const lib = await import('/js/index.js');
      const core = await lib.loadCore({ relaxed: true });
      const simd = await lib.loadCore({ simd: true });
      lib.setWasmPaths({ relaxed: '/elsewhere/fast.wasm' });
      const moved = await lib.createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }] }, { relaxed: true });
      const movedRelaxed = moved.relaxed;
      moved.dispose();
      lib.setWasmPaths(null);
      return { supported: lib.relaxedSimdSupported(), relaxed: [core.simd, core.relaxed], simd: [simd.simd, simd.relaxed], movedRelaxed };
    });
    assert.deepEqual(found, { supported: true, relaxed: [true, true], simd: [true, false], movedRelaxed: true });
    const out = await p.evaluate(async () => (await import('/tests/js/relaxed-parity.mjs')).parity(30));
    console.log(`# relaxed vs SIMD in chromium: ${checkParity(out, assert)}`);
    assert.deepEqual(problems, []);
  } finally {
    await p.close();
  }
});
