// npm run test:consumers [NAME...]: the package as bundler users get it.
//   1. `npm pack --ignore-scripts` the package with the .wasm files as built
//   2. for each consumer of tests/consumers/consumers.mjs: the bundler at its exact
//      version in a cache folder outside the repository (GRADSCOPE_CONSUMER_CACHE,
//      default ~/.cache/gradscope-consumers/NAME; `npm ci` from the committed lock
//      tests/consumers/locks/NAME.json runs only when it changes; delete a lock to have
//      `npm install` write a fresh one), the packed tarball unpacked as node_modules/gradscope,
//      the app of tests/consumers/app (index.html, src/main.js, src/worker.js) and the
//      README recipe for NAME, if there is one, written verbatim as its config file
//   3. build into dist/, serve dist/ (with a Content-Security-Policy that allows wasm
//      through 'wasm-unsafe-eval' only) and, for Vite, also run the dev server; in
//      chromium the app trains in the page and in a module worker and loads the digits
//      data, and trains through gradscope/worker (a worker it starts itself, or for
//      esbuild / Rollup the app's own worker importing gradscope/worker/host); any page error,
//      console error or failed request fails the consumer (a favicon's 404 aside)
// Prints one line per consumer (recipe or zero config, times, results) and a table.
// GRADSCOPE_CONSUMER_BUDGET_S (default 900) stops before starting a consumer past it.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { CONSUMERS } from '../tests/consumers/consumers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheRoot = process.env.GRADSCOPE_CONSUMER_CACHE ?? join(homedir(), '.cache', 'gradscope-consumers');
const budgetMs = Number(process.env.GRADSCOPE_CONSUMER_BUDGET_S ?? 900) * 1000;
const only = process.argv.slice(2);
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'";

/** the README's recipes: NAME -> the fenced block after `<!-- consumer:NAME -->` */
export function readmeRecipes(text = readFileSync(join(root, 'README.md'), 'utf8')) {
  const recipes = {};
  for (const m of text.matchAll(/<!-- consumer:([\w-]+) -->\n(?:[ \t]*\n)*```[\w-]*\n([\s\S]*?)\n```/g)) recipes[m[1]] = `${m[2]}\n`;
  return recipes;
}

const sh = (cmd, args, cwd, extra = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...extra });

/** the tarball of the current tree; the .wasm files as built (npm test builds them first) */
function pack() {
  for (const f of ['dist/gradscope_simd.wasm', 'dist/gradscope_scalar.wasm']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-pack-'));
  const [info] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
  return join(dir, info.filename);
}

/** the consumer's folder with its bundler installed (once per pinned versions) and a fresh app */
function prepare(consumer, tarball, recipe) {
  const dir = join(cacheRoot, consumer.name);
  mkdirSync(dir, { recursive: true });
  const pkg = { name: `consumer-${consumer.name}`, private: true, type: 'module', dependencies: consumer.deps };
  // exact versions all the way down: tests/consumers/locks/NAME.json is the app's
  // package-lock.json (`npm ci`); a missing one is written there by `npm install`
  const lockFile = join(root, 'tests', 'consumers', 'locks', `${consumer.name}.json`);
  const lock = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : null;
  const marker = join(dir, '.installed.json');
  const want = JSON.stringify({ deps: consumer.deps, lock: lock && createHash('sha256').update(lock).digest('hex') });
  let installMs = 0;
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== want) {
    const t = Date.now();
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    if (lock) {
      writeFileSync(join(dir, 'package-lock.json'), lock);
      sh('npm', ['ci', '--no-audit', '--no-fund'], dir);
    } else {
      rmSync(join(dir, 'package-lock.json'), { force: true });
      sh('npm', ['install', '--no-audit', '--no-fund'], dir);
      writeFileSync(lockFile, readFileSync(join(dir, 'package-lock.json')));
    }
    writeFileSync(marker, want);
    installMs = Date.now() - t;
  }
  // the packed tarball, as npm would unpack it (gradscope has no dependencies)
  const target = join(dir, 'node_modules', 'gradscope');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  sh('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], dir);
  for (const stale of ['dist', 'src', 'index.html', '.parcel-cache', 'node_modules/.vite', 'vite.config.mjs', 'webpack.config.mjs', 'rollup.config.mjs', 'build.sh', 'build.mjs']) {
    rmSync(join(dir, stale), { recursive: true, force: true });
  }
  cpSync(join(root, 'tests/consumers/app'), dir, { recursive: true });
  if (recipe && consumer.recipe === 'package.json') writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, ...JSON.parse(recipe) }, null, 2));
  else writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  if (recipe && consumer.recipe !== 'package.json') writeFileSync(join(dir, consumer.recipe ?? 'vite.config.mjs'), recipe);
  return { dir, installMs };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.gz': 'application/gzip', '.css': 'text/css', '.json': 'application/json', '.map': 'application/json' };

/** the CSP, plus the hash of each inline script a bundler put in the page (Parcel's import map) */
function cspFor(file, body) {
  if (extname(file) !== '.html') return CSP;
  const hashes = [...body.toString('utf8').matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .filter((m) => m[1].trim())
    .map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  return hashes.length ? CSP.replace("script-src 'self'", `script-src 'self' ${hashes.join(' ')}`) : CSP;
}

/** a static server for dist/: no SPA fallback, a CSP header on every response */
function serve(dir) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': cspFor(file, body) });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() })));
}

async function devServer(consumer, dir) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const [cmd, ...args] = consumer.dev;
  const child = spawn(join(dir, 'node_modules', '.bin', cmd), [...args, String(port)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/`;
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until || child.exitCode !== null) throw new Error(`dev server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    close: () => {
      try {
        process.kill(-child.pid);
      } catch {
        // already gone
      }
    },
    log: () => log,
  };
}

/** opens the app, waits for window.__result, checks it; returns it */
async function runPage(browser, url, label) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // a console error names its URL, so a favicon's 404 can be told from the app's
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}${m.location()?.url ? ` (${m.location().url})` : ''}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  try {
    await page.goto(url);
    try {
      await page.waitForFunction(() => window.__result, null, { timeout: 90_000 });
    } catch (err) {
      throw new Error(`${label}: no result (${err.message.split('\n')[0]})\n${problems.join('\n')}`);
    }
    const result = await page.evaluate(() => window.__result);
    if (result.error) throw new Error(`${label}: ${result.error}\n${problems.join('\n')}`);
    for (const side of ['page', 'worker']) {
      const r = result[side];
      if (!(r.last < 0.5 * r.first) || !(r.accuracy > 0.9)) throw new Error(`${label}: ${side} did not learn: ${JSON.stringify(r)}`);
      if (r.simd !== true) throw new Error(`${label}: ${side} ran the scalar core: ${JSON.stringify(r)}`);
      if (r.digits !== 1797) throw new Error(`${label}: ${side} digits: ${r.digits}`);
    }
    const a = result.api;
    if (!(a.last < 0.1 * a.first) || a.epochs !== 300 || !(a.p[0] < 0.2 && a.p[1] > 0.8 && a.p[2] > 0.8 && a.p[3] < 0.2) || a.simd !== true) {
      throw new Error(`${label}: gradscope/worker (${a.mode}) did not learn XOR: ${JSON.stringify(a)}`);
    }
    return { result, problems };
  } finally {
    await page.close();
  }
}

const FIXED_404 = /favicon\.ico/;

async function runConsumer(browser, consumer, tarball, recipes) {
  const t0 = Date.now();
  const recipe = recipes[consumer.name] ?? null;
  if (consumer.recipe && !recipe) throw new Error(`${consumer.name}: README has no <!-- consumer:${consumer.name} --> recipe`);
  const { dir, installMs } = prepare(consumer, tarball, recipe);
  const env = { ...process.env, PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH}` };
  const t1 = Date.now();
  const [cmd, ...args] = consumer.build;
  try {
    sh(cmd, args, dir, { env });
  } catch (err) {
    throw new Error(`${consumer.name}: build failed:\n${err.stdout}\n${err.stderr}`);
  }
  const buildMs = Date.now() - t1;
  // the opt-in relaxed-SIMD core is never a literal `new URL`: a bundler must not emit it into an
  // app that never asks for it (recipes that copy dist/*.wasm by hand copy it, knowingly). Found
  // by its mark (the custom section "gradscope.build"), since webpack renames files to hashes.
  const emitted = readdirSync(join(dir, 'dist'), { recursive: true }).filter((f) => f.endsWith('.wasm') && readFileSync(join(dir, 'dist', f)).includes('gradscope.build'));
  if (emitted.length && !/\*\.wasm/.test(recipe ?? '')) throw new Error(`${consumer.name}: the build emitted the opt-in relaxed core (${emitted.join(', ')}), which this app never asks for`);
  const runs = [];
  const server = await serve(join(dir, 'dist'));
  try {
    const { result, problems } = await runPage(browser, `${server.url}?worker=${consumer.worker ?? 'auto'}`, `${consumer.name} build`);
    // a clean console: a recipe puts the files where gradscope looks first (no 404 on the way)
    const extra = problems.filter((p) => !FIXED_404.test(p));
    if (extra.length) throw new Error(`${consumer.name} build: ${extra.join('\n')}`);
    runs.push({ mode: 'build', page: result.page.ms, worker: result.worker.ms, api: result.api.mode });
  } finally {
    server.close();
  }
  if (consumer.dev) {
    const dev = await devServer(consumer, dir);
    try {
      const { result, problems } = await runPage(browser, `${dev.url}?worker=${consumer.worker ?? 'auto'}`, `${consumer.name} dev`);
      const extra = problems.filter((p) => !FIXED_404.test(p));
      if (extra.length) throw new Error(`${consumer.name} dev: ${extra.join('\n')}\n${dev.log()}`);
      runs.push({ mode: 'dev', page: result.page.ms, worker: result.worker.ms, api: result.api.mode });
    } finally {
      dev.close();
    }
  }
  return { name: consumer.name, config: recipe ? `README recipe (${consumer.recipe ?? 'vite.config.mjs'})` : 'zero config', installMs, buildMs, runs, totalMs: Date.now() - t0 };
}

async function main() {
  const recipes = readmeRecipes();
  const chosen = CONSUMERS.filter((c) => !only.length || only.includes(c.name));
  if (!chosen.length) throw new Error(`no consumer named ${only.join(', ')}; known: ${CONSUMERS.map((c) => c.name).join(', ')}`);
  const tp = Date.now();
  const tarball = pack();
  console.log(`packed ${tarball} in ${seconds(Date.now() - tp)}`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const rows = [];
  const failures = [];
  try {
    for (const consumer of chosen) {
      if (Date.now() - started > budgetMs) {
        failures.push(`${consumer.name}: not run, the ${seconds(budgetMs)} budget was spent`);
        continue;
      }
      try {
        const row = await runConsumer(browser, consumer, tarball, recipes);
        rows.push(row);
        const modes = row.runs.map((r) => `${r.mode}: page ${r.page} ms, worker ${r.worker} ms, gradscope/worker (${r.api}) ok`).join('; ');
        console.log(`ok ${row.name} — ${row.config}; install ${seconds(row.installMs)}, build ${seconds(row.buildMs)}, total ${seconds(row.totalMs)}; ${modes}`);
      } catch (err) {
        failures.push(`${consumer.name}: ${err.message}`);
        console.log(`FAIL ${consumer.name}\n${err.message}`);
      }
    }
  } finally {
    await browser.close();
    rmSync(join(tarball, '..'), { recursive: true, force: true });
  }
  console.log('\n| consumer | configuration | modes | trains in page + worker | time |\n| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.name} | ${r.config} | ${r.runs.map((x) => x.mode).join(' + ')} | yes | ${seconds(r.totalMs)} |`);
  console.log(`\nconsumers: ${rows.length} passed, ${failures.length} failed, ${seconds(Date.now() - started)}`);
  if (failures.length) {
    console.error(failures.join('\n\n'));
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
