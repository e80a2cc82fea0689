// Shared set-up of the browser tests: the playground is built and served as the
// static build by `vite preview` (with its Content-Security-Policy header, and the
// <meta> policy in the built index.html), and driven in Debian's chromium by
// playwright-core. Every page reports Content-Security-Policy violations (the
// page's `securitypolicyviolation` events and chromium's "Refused to …" console
// errors, workers included); any violation fails the test that caused it.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, afterEach, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const shots = `${root}test-output`;
mkdirSync(shots, { recursive: true });

let server;
let browser;
export let base;
/** CSP violations seen since the last check */
export const violations = [];

/** registers the suite's hooks: build + serve + launch once, close at the end, CSP check after each test */
export function useBrowser() {
  before(async () => {
    await build({ configFile: `${root}vite.config.js`, logLevel: 'warn' });
    server = await preview({ configFile: `${root}vite.config.js`, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    base = server.resolvedUrls.local[0];
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.httpServer.close(resolve) : resolve()));
  });
  afterEach(() => {
    const seen = violations.splice(0);
    assert.deepEqual(seen, [], 'Content-Security-Policy violations');
  });
}

const isCsp = (text) => /Content Security Policy|Content-Security-Policy|Refused to (execute|load|apply|evaluate|compile|create|connect|frame)/i.test(text);

/**
 * A page with every console error / warning and page error collected in
 * `problems`, CSP violations in `violations`, and `window.__pwned` watched
 * (markup fed to the page sets it if it ever runs).
 */
export async function open(hash = '', viewport = { width: 1400, height: 1600 }) {
  // hash: a hash of the built page, or a whole URL
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const problems = [];
  page.on('console', (m) => {
    if (['error', 'warning'].includes(m.type())) problems.push(`${m.type()}: ${m.text()}`);
    if (isCsp(m.text())) violations.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.exposeBinding('__reportCsp', (_, v) => violations.push(`securitypolicyviolation: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
  });
  await page.goto(/^https?:/.test(hash) ? hash : `${base}${hash}`);
  await page.waitForFunction(() => window.__gradscope?.ready && window.__gradscope.simd !== null);
  return { page, problems };
}

export const epochOf = (page) => page.$eval('#epoch', (el) => Number(el.textContent));
export const points = (page, id) => page.$eval(`#${id}`, (el) => Number(el.dataset.points));
export const drawn = (page, id) => page.$eval(`#${id}`, (el) => Number(el.dataset.drawn));
export const seriesCount = (page, id) => page.$eval(`#${id}`, (el) => Number(el.dataset.series));

/** a press a person makes: move, hold `ms`, release */
export async function press(page, selector, ms = 150) {
  const box = await (await page.$(selector)).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
  await page.mouse.down();
  await page.waitForTimeout(ms);
  await page.mouse.up();
}

/** uploads text as a file through a file input */
export function upload(page, selector, name, text, mimeType = 'text/csv') {
  return page.setInputFiles(selector, { name, mimeType, buffer: Buffer.from(text) });
}
