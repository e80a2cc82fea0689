// gradscope/worker in chromium, unbundled (js/ and dist/ served as they are, under
// the README's CSP): a network in a module Web Worker trains exactly as the same
// network in the page, reports every epoch, stops on abort, transfers results back,
// ends its worker on dispose; a page's own worker running gradscope/worker/host is shared.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.gz': 'application/gzip' };
const PAGE = `<!doctype html><meta charset="utf-8"><title>worker api</title><script type="module" src="/tests/browser/worker-api-page.js"></script>`;

let server;
let browser;
let base;

before(async () => {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': CSP });
      return res.end(PAGE);
    }
    if (path === '/tests/browser/worker-api-page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(PAGE_SCRIPT);
    }
    if (path === '/tests/browser/own-host.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end("import '/js/worker/host.js';\n");
    }
    if (!/^\/(js|dist|data)\//.test(path)) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

const PAGE_SCRIPT = `
import { createNetwork as createHere, datasets } from '/js/index.js';
import { createNetwork } from '/js/worker/index.js';

const CONFIG = { inputs: 2, layers: [{ units: 16, activation: 'relu', batchNorm: true, dropout: 0.1 }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 }, seed: 5 };
const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

window.run = async () => {
  const data = datasets.circle({ samples: 200, noise: 0.05, seed: 2 });
  const out = {};
  const remote = await createNetwork(CONFIG);
  const local = await createHere(CONFIG);
  const epochs = [];
  const xBefore = data.train.x.slice();
  const h1 = await remote.fit(data.train.x, data.train.y, { epochs: 8, batchSize: 20, onEpoch: (i) => epochs.push(i.epoch) });
  const h2 = await local.fit(data.train.x, data.train.y, { epochs: 8, batchSize: 20 });
  out.epochs = epochs;
  out.sameLoss = same(h1.loss, h2.loss);
  const p = await remote.predict(data.test.x);
  out.predictionsType = p.constructor.name;
  out.samePredictions = same(Array.from(p), Array.from(local.predict(data.test.x)));
  out.sameStats = JSON.stringify(await remote.layerStats()) === JSON.stringify(local.layerStats());
  out.inputsIntact = same(Array.from(data.train.x), Array.from(xBefore));
  out.simd = remote.simd;
  out.json = JSON.stringify(await remote.toJSON()) === JSON.stringify(local.toJSON());
  // abort from onEpoch
  const controller = new AbortController();
  let seen = 0;
  const h3 = await remote.fit(data.train.x, data.train.y, { epochs: 100000, batchSize: 2, signal: controller.signal, onEpoch: () => ++seen === 3 && controller.abort() });
  out.aborted = h3.aborted;
  out.abortedEpochs = h3.epochs;
  // the page stays responsive while the worker trains: count animation frames during a fit
  let frames = 0;
  let on = true;
  const tick = () => { frames++; if (on) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const t0 = performance.now();
  await remote.fit(data.train.x, data.train.y, { epochs: 400, batchSize: 4 });
  out.fitMs = Math.round(performance.now() - t0);
  on = false;
  out.frames = frames;
  await remote.dispose();
  try { await remote.predict(data.test.x); out.afterDispose = 'no error'; } catch (e) { out.afterDispose = e.message; }
  // errors cross back
  try { await createNetwork({ inputs: 2, layers: [{ units: 1, activation: 'relu6' }] }); } catch (e) { out.configError = e.message; }
  // a page's own worker running the host, shared by two networks
  const worker = new Worker('/tests/browser/own-host.js', { type: 'module' });
  const a = await createNetwork(CONFIG, { worker });
  const b = await createNetwork({ ...CONFIG, seed: 6 }, { worker, simd: false });
  await a.dispose();
  out.sharedAfterDispose = (await b.predict(data.test.x)).length === data.test.y.length;
  out.sharedSimd = b.simd;
  await b.dispose();
  worker.terminate();
  local.dispose();
  return out;
};
window.ready = true;
`;

test('gradscope/worker in chromium: same training as the page, progress, abort, shared worker, CSP', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/status of 404/.test(m.text()) && problems.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`HTTP ${r.status()} ${r.url()}`));
  await page.goto(base);
  await page.waitForFunction(() => window.ready);
  const out = await page.evaluate(() => window.run());
  await page.close();
  assert.deepEqual(problems, []);
  assert.deepEqual(out.epochs, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(out.sameLoss, true, 'the worker trains as the page does, bit for bit');
  assert.equal(out.samePredictions, true);
  assert.equal(out.sameStats, true);
  assert.equal(out.json, true);
  assert.equal(out.predictionsType, 'Float32Array');
  assert.equal(out.inputsIntact, true, 'inputs are copied before transfer');
  assert.equal(out.simd, true);
  assert.equal(out.aborted, true);
  assert.ok(out.abortedEpochs >= 3 && out.abortedEpochs < 50, `aborted after ${out.abortedEpochs} epochs`);
  assert.ok(out.frames >= Math.min(5, out.fitMs / 50), `the page drew ${out.frames} frames during a ${out.fitMs} ms fit`);
  assert.match(out.afterDispose, /predict: this network was disposed/);
  assert.match(out.configError, /activation/);
  assert.equal(out.sharedAfterDispose, true);
  assert.equal(out.sharedSimd, false);
});
