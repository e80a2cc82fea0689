// The threaded core in chromium (createNetwork(config, { threads })), unbundled: in a
// cross-origin-isolated page (COOP/COEP, the README's CSP with worker-src blob:) networks on
// 1, 2 and 3 threads train to the same bits, on the page's main thread (which only spins)
// and in a module worker through gradscope/worker (threads started from a worker); a page
// that is not isolated refuses threads > 1 naming the option, and keeps working.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:";
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

const PAGE_SCRIPT = `
import { createNetwork } from '/js/index.js';
import { createNetwork as createInWorker } from '/js/worker/index.js';

const CONFIG = { inputs: 96, layers: [{ units: 256, activation: 'relu', batchNorm: true, dropout: 0.1 }, { units: 160, activation: 'tanh' }, { units: 10 }], loss: 'softmax-ce', optimizer: { type: 'adam', learningRate: 0.001 }, seed: 3 };
const rows = 256;
const x = Float32Array.from({ length: rows * 96 }, (_, i) => Math.sin(i * 0.61));
const y = Int32Array.from({ length: rows }, (_, i) => i % 10);

window.run = async () => {
  const out = { isolated: crossOriginIsolated, runs: {} };
  for (const threads of [1, 2, 3]) {
    const net = await createNetwork(CONFIG, { threads });
    const h = await net.fit(x, y, { epochs: 2, batchSize: 64, histogramEvery: 2 });
    out.runs[threads] = { threads: net.threads, json: JSON.stringify(net.toJSON()), history: JSON.stringify(h) };
    net.dispose();
  }
  const remote = await createInWorker(CONFIG, { threads: 2 });
  const h = await remote.fit(x, y, { epochs: 2, batchSize: 64, histogramEvery: 2 });
  out.worker = { threads: remote.threads, json: JSON.stringify(await remote.toJSON()), history: JSON.stringify(h) };
  await remote.dispose();
  return out;
};

window.refused = async () => {
  const out = { isolated: crossOriginIsolated };
  try { await createNetwork(CONFIG, { threads: 2 }); out.message = 'made'; } catch (e) { out.message = e.message; }
  out.one = (await createNetwork(CONFIG, { threads: 1 })).threads;
  return out;
};
`;

let server;
let browser;
let base;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    const headers = url.searchParams.has('plain') || req.headers.referer?.includes('plain') ? {} : ISOLATION;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': CSP, ...headers });
      return res.end('<!doctype html><meta charset="utf-8"><title>threads</title><script type="module" src="/page.js"></script>');
    }
    if (path === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', ...headers });
      return res.end(PAGE_SCRIPT);
    }
    if (!/^\/(js|dist)\//.test(path)) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = readFileSync(join(root, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...headers });
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

async function open(query = '') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(base + query);
  await page.waitForFunction(() => typeof window.run === 'function');
  return { page, errors };
}

test('isolated page: 1, 2 and 3 threads, and 2 in a worker, train to the same bits', async () => {
  const { page, errors } = await open();
  const out = await page.evaluate(() => window.run());
  assert.equal(out.isolated, true);
  for (const threads of [2, 3]) {
    assert.equal(out.runs[threads].threads, threads);
    assert.equal(out.runs[threads].json, out.runs[1].json, `${threads} threads: the network differs from 1 thread's`);
    assert.equal(out.runs[threads].history, out.runs[1].history, `${threads} threads: the history differs`);
  }
  assert.equal(out.worker.threads, 2);
  assert.equal(out.worker.json, out.runs[1].json, 'in a worker: the network differs');
  assert.equal(out.worker.history, out.runs[1].history, 'in a worker: the history differs');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page that is not isolated refuses threads > 1, naming the option and the headers, and trains on one', async () => {
  const { page } = await open('?plain');
  const out = await page.evaluate(() => window.refused());
  assert.equal(out.isolated, false);
  assert.match(out.message, /^createNetwork: options\.threads is 2; expected 1: SharedArrayBuffer is not available here: a page must be cross-origin isolated \(served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)/);
  assert.equal(out.one, 1);
  await page.close();
});
