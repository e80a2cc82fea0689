// Where a workload's training time goes: a CPU profile of fit, by function (self
// time), with the C functions named (a build of the SIMD core that keeps its
// function names, build/bench/gradscope_profile.wasm).
//   node bench/profile.mjs [--browser] [--workload NAME] [--seconds S] [--histogram-every N] [--train-step]
// --train-step profiles a loop of trainStep calls (as the bench's trainStep column) instead of fit;
// --core the core alone: bench/native.c's loop (gs_net_fit_epoch) through the wasm exports, no JS
// library, so what the library adds (and what the engine costs against native) can be told apart.
// --browser profiles in headless chromium (through the DevTools protocol), otherwise Node.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const workload = option('--workload', 'playground');
const seconds = Number(option('--seconds', 3));
const histogramEvery = Number(option('--histogram-every', 0));
const trainStep = argv.includes('--train-step');
const core = argv.includes('--core');
const wasmFile = join(root, 'build', 'bench', 'gradscope_profile.wasm');

// the release build of CMakeLists.txt (its flags, its export list), linked with
// --profiling-funcs in a build folder of its own: names kept, code unchanged
const profileDir = join(root, 'build', 'profile');
mkdirSync(profileDir, { recursive: true });
mkdirSync(dirname(wasmFile), { recursive: true });
const emEnv = { ...process.env, NODE_PATH: [process.env.NODE_PATH, '/usr/share/nodejs'].filter(Boolean).join(':') };
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, env: emEnv, stdio: ['ignore', 2, 2] });
run('emcmake', ['cmake', '-S', root, '-B', profileDir, '-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_EXE_LINKER_FLAGS=--profiling-funcs']);
run('cmake', ['--build', profileDir, '--target', 'gradscope_simd', '--parallel', '2']);
copyFileSync(join(profileDir, 'gradscope_simd.wasm'), wasmFile);

/** the network and data of a workload; loop() trains with fit for `seconds` and gives steps/s */
async function prepare({ workload, seconds, histogramEvery, trainStep, wasm, lib, workloads }) {
  const w = workloads.WORKLOADS.find((x) => x.name === workload);
  if (!w) throw new Error(`profile: no workload ${workload}`);
  // the fit calls of the bench (bench/impl.js gradscopeRunner): ~1e8 flops of epochs each, shuffled
  const flopsPerStep = 6 * workloads.parameterCount(w) * w.batch;
  const stepsPerEpoch = flopsPerStep > 1e8 ? 8 : 64;
  const epochs = Math.max(1, Math.round(1e8 / (stepsPerEpoch * flopsPerStep)));
  const { x, y } = workloads.syntheticData(w, w.batch * stepsPerEpoch);
  const net = await lib.createNetwork(workloads.gradscopeConfig(w), { wasm });
  const options = { epochs, batchSize: w.batch, shuffle: true, ...(histogramEvery ? { histogramEvery } : {}) };
  if (trainStep) {
    // bench/impl.js's trainStep loop: 8 batches in turn
    const ydim = w.loss === 'softmax-ce' ? 1 : w.outputs;
    const batches = Array.from({ length: 8 }, (_, b) => [x.subarray(b * w.batch * w.inputs, (b + 1) * w.batch * w.inputs), y.subarray(b * w.batch * ydim, (b + 1) * w.batch * ydim)]);
    const steps = (n) => {
      for (let i = 0; i < n; i++) net.trainStep(...batches[i % 8]);
    };
    const warmStart = performance.now();
    while (performance.now() - warmStart < 1000) steps(1000);
    return async () => {
      let done = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < seconds * 1000) steps(1000), (done += 1000);
      const rate = (done / (performance.now() - t0)) * 1000;
      net.dispose();
      return rate;
    };
  }
  const warm = performance.now();
  while (performance.now() - warm < 1000) await net.fit(x, y, options); // warm: optimizing tier in place, the record full
  return async () => {
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      await net.fit(x, y, options);
      steps += epochs * stepsPerEpoch;
    }
    const rate = (steps / (performance.now() - t0)) * 1000;
    net.dispose();
    return rate;
  };
}

/** bench/native.c's loop in wasm: the workload's network built through the exports, whole epochs of batch * 64 rows */
async function prepareCore({ workload, seconds, histogramEvery, wasm, workloads }) {
  const w = workloads.WORKLOADS.find((x) => x.name === workload);
  if (!w) throw new Error(`profile: no workload ${workload}`);
  const ACT = { linear: 0, relu: 1, sigmoid: 3, tanh: 4 }; // gradscope.h gs_activation
  const LOSS = { mse: 0, bce: 1, 'softmax-ce': 2 }; // gs_loss
  const bytes = typeof wasm === 'string' ? await (await fetch(wasm)).arrayBuffer() : wasm;
  const { instance } = await WebAssembly.instantiate(bytes, { env: { emscripten_notify_memory_growth() {} } });
  const e = instance.exports;
  e._initialize?.();
  const net = e.gs_net_create(w.inputs, LOSS[w.loss], 1);
  for (const l of w.hidden) e.gs_net_add_layer(net, l.units, ACT[l.activation], l.batchNorm ? 1 : 0, l.dropout ?? 0);
  e.gs_net_add_layer(net, w.outputs, 0, 0, 0);
  e.gs_net_set_sgd(net, w.optimizer.learningRate, w.optimizer.momentum ?? 0, 0, 0);
  if (e.gs_net_build(net)) throw new Error('profile: gs_net_build failed');
  const rows = w.batch * 64;
  const ydim = w.loss === 'softmax-ce' ? 1 : w.outputs;
  if (e.gs_net_set_dataset(net, rows)) throw new Error('profile: gs_net_set_dataset failed');
  const x = new Float32Array(e.memory.buffer, e.gs_net_data_x(net), rows * w.inputs);
  const y = new Float32Array(e.memory.buffer, e.gs_net_data_y(net), rows * ydim);
  let s = 12345;
  for (let i = 0; i < x.length; i++) x[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2147483648 - 1;
  for (let i = 0; i < y.length; i++) y[i] = i % (ydim === 1 && w.loss === 'softmax-ce' ? w.outputs : 2);
  if (histogramEvery && e.gs_net_set_fit_histograms(net, histogramEvery)) throw new Error('profile: gs_net_set_fit_histograms failed');
  const loss = e.malloc(4);
  const warm = performance.now();
  while (performance.now() - warm < 1000) e.gs_net_fit_epoch(net, w.batch, 1, loss);
  return async () => {
    let steps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) e.gs_net_fit_epoch(net, w.batch, 1, loss), (steps += 64);
    return (steps / (performance.now() - t0)) * 1000;
  };
}

/** self time per function of a DevTools CPU profile, largest first */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = new Map();
  let sum = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id).callFrame;
    const name = frame.functionName || `(${frame.url.split('/').pop() || 'anonymous'})`;
    const dt = profile.timeDeltas[i] ?? 0;
    total.set(name, (total.get(name) ?? 0) + dt);
    sum += dt;
  });
  return [...total].sort((a, b) => b[1] - a[1]).map(([name, t]) => ({ name, share: t / sum }));
}

let profile;
let stepsPerSecond;
const options = { workload, seconds, histogramEvery, trainStep };
const setup = core ? prepareCore : prepare;
if (argv.includes('--browser')) {
  const { chromium } = await import('playwright-core');
  const { createServer } = await import('vite');
  const server = await createServer({ configFile: false, root, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, fs: { allow: [root] } } });
  await server.listen();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.resolvedUrls.local[0]}bench/browser/index.html`);
    await page.addScriptTag({ type: 'module', content: `window.prepare = ${setup.toString()};` });
    await page.waitForFunction(() => typeof window.prepare === 'function');
    await page.evaluate(async (o) => {
      const lib = await import('/js/index.js');
      const workloads = await import('/bench/workloads.js');
      window.loop = await window.prepare({ ...o, wasm: new URL('/build/bench/gradscope_profile.wasm', location.href).href, lib, workloads });
    }, options);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    stepsPerSecond = await page.evaluate(() => window.loop());
    ({ profile } = await cdp.send('Profiler.stop'));
  } finally {
    await browser.close();
    await server.close();
  }
} else {
  const lib = await import(pathToFileURL(join(root, 'js/index.js')).href);
  const workloads = await import(pathToFileURL(join(root, 'bench/workloads.js')).href);
  const loop = await setup({ ...options, wasm: readFileSync(wasmFile), lib, workloads });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  stepsPerSecond = await loop();
  ({ profile } = await session.post('Profiler.stop'));
  session.disconnect();
}

console.log(`${workload}${core ? ', the core alone' : ''}${trainStep ? ', trainStep' : ''}${histogramEvery ? `, histograms every ${histogramEvery} steps` : ''} (${argv.includes('--browser') ? 'chromium' : 'node'}): ${stepsPerSecond.toFixed(1)} steps/s under the profiler; self time:`);
for (const { name, share } of selfTimes(profile).filter((r) => r.share >= 0.005)) console.log(`${(100 * share).toFixed(1).padStart(6)}%  ${name}`);
