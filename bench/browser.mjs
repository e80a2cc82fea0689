// --browser: the workloads in headless chromium (playwright-core), served by
// Vite's dev server from the repository root.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { createServer } from 'vite';

import { ensureTools } from '../scripts/toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function runInBrowser({ seconds, runs }) {
  ensureTools([{ cmd: 'chromium', pkg: 'chromium' }]);
  const server = await createServer({ configFile: false, root, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, fs: { allow: [root] } } });
  await server.listen();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`bench page: ${e.message}`));
    await page.goto(`${server.resolvedUrls.local[0]}bench/browser/index.html`);
    await page.waitForFunction(() => typeof window.runBench === 'function');
    return await page.evaluate((options) => window.runBench(options), { seconds, runs });
  } finally {
    await browser.close();
    await server.close();
  }
}
