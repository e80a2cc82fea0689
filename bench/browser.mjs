// --browser: the workloads in headless chromium (playwright-core), served by
// Vite's dev server from the repository root, cross-origin isolated (COOP/COEP), as
// threads need; the single-thread page keeps tfjs on one thread itself.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { createServer } from 'vite';

import { ensureTools } from '../scripts/toolchain.mjs';
import { WORKLOADS } from './workloads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * The workloads in chromium; nativeRate(name) times the native build on a workload (steps/s),
 * called from the page as one more contender in each of its rounds (a slow spell of the VM
 * then falls on both sides of the ratio).
 */
export async function runInBrowser({ seconds, runs, nativeRate, threads = 2, threadWorkloads = ['mnist', 'digits'] }) {
  ensureTools([{ cmd: 'chromium', pkg: 'chromium' }]);
  const server = await createServer({ configFile: false, root, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, fs: { allow: [root] }, headers: ISOLATION_HEADERS } });
  await server.listen();
  const launch = () =>
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  /** fn(page) on the page at path, in a browser of its own, closed after */
  const onPage = async (path, ready, fn) => {
    const browser = await launch();
    try {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`bench page: ${e.message}`));
      await page.goto(`${server.resolvedUrls.local[0]}${path}`);
      await page.waitForFunction((name) => typeof window[name] === 'function', ready);
      return await fn(page);
    } finally {
      await browser.close();
    }
  };
  try {
    const records = await onPage('bench/browser/index.html', 'runWorkload', async (page) => {
      const out = [];
      if (nativeRate) await page.exposeFunction('gsNativeRate', nativeRate);
      for (const { name } of WORKLOADS) out.push(await page.evaluate((options) => window.runWorkload(options), { name, seconds, runs }));
      out.push(...(await page.evaluate((options) => window.runExtras(options), { seconds })));
      return out;
    });
    // threads: a page of its own, where tfjs picks its threaded build, in a fresh browser: right after
    // the single-thread page closed in the same browser, mnist's 2-thread speedup read 1.30x-1.62x
    // in four runs where that page alone gives 1.73x-1.78x (this 2-core VM)
    records.push(...(await onPage('bench/threads/index.html', 'runThreads', (page) => page.evaluate((options) => window.runThreads(options), { seconds, runs, threads, workloads: threadWorkloads }))));
    return records;
  } finally {
    await server.close();
  }
}
