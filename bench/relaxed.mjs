// The opt-in relaxed-SIMD core against the SIMD build, side by side in one process per
// engine: fit steps per second on the four workloads, the contenders alternating round by
// round (ratios from one run are trustworthy where single times are not), medians.
//   node bench/relaxed.mjs [--rounds N (7)] [--seconds S per measurement (0.5)] [--node] [--browser]
// (both engines when neither is named). Contenders:
//   simd          dist/gradscope_simd.wasm, Emscripten 3.1.6 (clang 14 + wasm-opt): the default
//   clang19-simd  the relaxed route's toolchain without -mrelaxed-simd (built here, not shipped):
//                 separates what the newer compiler changes from what the FMA gains
//   relaxed       dist/gradscope_relaxed.wasm
// Node 20 runs relaxed SIMD only with --experimental-wasm-relaxed-simd: the Node part
// re-runs itself with the flag. Chromium has it by default (since 114).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { median } from './impl.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const rounds = Number(option('--rounds', 7));
const seconds = Number(option('--seconds', 0.5));

/**
 * Runs where it is evaluated (Node, or the page through playwright: it imports only by
 * URL). cores: { name: wasm URL }; returns { env, rows: [{ workload, core, rates }] }.
 */
async function measure({ base, cores, rounds, seconds }) {
  const lib = await import(`${base}js/index.js`);
  const { rate } = await import(`${base}bench/impl.js`);
  const { WORKLOADS, gradscopeConfig, syntheticData } = await import(`${base}bench/workloads.js`);
  const names = Object.keys(cores);
  const rows = [];
  for (const w of WORKLOADS) {
    const stepsPerEpoch = 16;
    const { x, y } = syntheticData(w, w.batch * stepsPerEpoch);
    const nets = [];
    for (const name of names) {
      const net = await lib.createNetwork(gradscopeConfig(w), { wasm: cores[name] });
      if (net.relaxed !== (name === 'relaxed')) throw new Error(`${name}: net.relaxed is ${net.relaxed}`);
      nets.push(net);
    }
    const rates = names.map(() => []);
    for (let round = 0; round < rounds; round++) {
      const order = names.map((_, i) => i);
      if (round % 2) order.reverse();
      for (const i of order) {
        rates[i].push(await rate(async () => {
          await nets[i].fit(x, y, { epochs: 1, batchSize: w.batch });
          return stepsPerEpoch;
        }, { seconds, warmup: round === 0 ? 0.3 : 0.05 }));
      }
    }
    for (const net of nets) net.dispose();
    names.forEach((core, i) => rows.push({ workload: w.name, core, rates: rates[i] }));
  }
  const env = typeof navigator !== 'undefined' && navigator.userAgent ? (navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent) : `node ${process.version}`;
  return { env, rows };
}


/** per workload: each core's median rate, and the median of the per-round ratios (paired rounds cancel drift) */
function report({ env, rows }) {
  const byWorkload = new Map();
  for (const r of rows) {
    if (!byWorkload.has(r.workload)) byWorkload.set(r.workload, {});
    byWorkload.get(r.workload)[r.core] = r.rates;
  }
  const paired = (a, b) => median(a.map((x, i) => x / b[i]));
  console.log(`\n${env}: fit steps/s, medians of ${rounds} interleaved rounds of ${seconds} s; ratios: medians of the per-round ratios`);
  console.log('| workload | simd | clang19-simd | relaxed | relaxed / simd | relaxed / clang19-simd |\n| --- | --- | --- | --- | --- | --- |');
  for (const [w, r] of byWorkload) {
    const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)]));
    const vsSimd = paired(r.relaxed, r.simd);
    const vsClang = paired(r.relaxed, r['clang19-simd']);
    console.log(`| ${w} | ${m.simd.toFixed(0)} | ${m['clang19-simd'].toFixed(0)} | ${m.relaxed.toFixed(0)} | ${vsSimd.toFixed(2)}× | ${vsClang.toFixed(2)}× |`);
    console.log(JSON.stringify({ kind: 'relaxed', env, workload: w, stepsPerSecond: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number(v.toPrecision(4))])), relaxedVsSimd: Number(vsSimd.toFixed(3)), relaxedVsClang19Simd: Number(vsClang.toFixed(3)) }));
  }
}

const coreFiles = {
  simd: join(root, 'dist', 'gradscope_simd.wasm'),
  'clang19-simd': join(root, 'build', 'relaxed-bench', 'gradscope_clang19_simd.wasm'),
  relaxed: join(root, 'dist', 'gradscope_relaxed.wasm'),
};

if (argv.includes('--child')) {
  const cores = Object.fromEntries(Object.entries(coreFiles).map(([k, f]) => [k, pathToFileURL(f).href]));
  report(await measure({ base: pathToFileURL(`${root}/`).href, cores, rounds, seconds }));
} else {
  execFileSync('node', [join(root, 'scripts/build.mjs')], { stdio: ['ignore', 2, 2] });
  const { buildClangCore } = await import('../scripts/build-relaxed.mjs');
  buildClangCore({ relaxed: false, out: coreFiles['clang19-simd'] });
  const both = !argv.includes('--node') && !argv.includes('--browser');
  if (both || argv.includes('--node')) {
    execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', fileURLToPath(import.meta.url), '--child', '--rounds', String(rounds), '--seconds', String(seconds)], { stdio: 'inherit' });
  }
  if (both || argv.includes('--browser')) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const origin = 'http://gradscope.bench/';
      // the repository's files as a static server would serve them
      await page.route(`${origin}**`, (route) => {
        const path = decodeURIComponent(new URL(route.request().url()).pathname);
        const type = path.endsWith('.wasm') ? 'application/wasm' : path.endsWith('.js') ? 'text/javascript' : 'text/html';
        if (path === '/') return route.fulfill({ contentType: type, body: '<!doctype html><title>relaxed bench</title>' });
        const file = path.startsWith('/build/') || path.startsWith('/dist/') || path.startsWith('/js/') || path.startsWith('/bench/') ? join(root, path) : null;
        return file ? route.fulfill({ contentType: type, body: readFileSync(file) }) : route.fulfill({ status: 404, body: 'not found' });
      });
      await page.goto(origin);
      const cores = Object.fromEntries(Object.entries(coreFiles).map(([k, f]) => [k, `${origin}${f.slice(root.length + 1)}`]));
      report(await page.evaluate(measure, { base: origin, cores, rounds, seconds }));
    } finally {
      await browser.close();
    }
  }
}
