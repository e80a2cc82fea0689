// Side-by-side costs, in one process, alternating the contenders round by round
// (ratios from one run are trustworthy where single times are not):
//   node bench/compare.mjs --ref REV       this tree against git revision REV (built in a
//                                          worktree under build/bench/), the four workloads
//   node bench/compare.mjs --activations   the mnist workload with each activation and with
//                                          layer norm, against ReLU
// Options: --rounds N (default 5), --seconds S per measurement (default 0.6), --workload NAME.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { median, rate } from './impl.js';
import { WORKLOADS, gradscopeConfig, syntheticData } from './workloads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const rounds = Number(option('--rounds', 5));
const seconds = Number(option('--seconds', 0.6));
const only = option('--workload', null);

/** steps per second of fit on a workload's network (config overrides applied) */
async function fitRate(lib, w, config) {
  const stepsPerEpoch = 16;
  const { x, y } = syntheticData(w, w.batch * stepsPerEpoch);
  const net = await lib.createNetwork(config);
  const r = await rate(async () => {
    await net.fit(x, y, { epochs: 1, batchSize: w.batch });
    return stepsPerEpoch;
  }, { seconds, warmup: 0.2 });
  net.dispose();
  return r;
}

/** contenders: [{ name, lib, config(w) }]; prints each one's median rate and its cost against the first */
async function race(w, contenders) {
  const rates = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2) order.reverse();
    for (const i of order) rates[i].push(await fitRate(contenders[i].lib, w, contenders[i].config(w)));
  }
  const base = median(rates[0]);
  for (const [i, c] of contenders.entries()) {
    const m = median(rates[i]);
    const record = { kind: 'compare', workload: w.name, contender: c.name, stepsPerSecond: Number(m.toPrecision(4)), costVsFirst: Number((base / m - 1).toFixed(3)) };
    console.log(JSON.stringify(record));
  }
}

execFileSync('node', [join(root, 'scripts/build.mjs')], { stdio: ['ignore', 2, 2] });
const here = await import(pathToFileURL(join(root, 'js/index.js')).href);
const workloads = WORKLOADS.filter((w) => !only || w.name === only);

if (argv.includes('--activations')) {
  const mnist = WORKLOADS.find((w) => w.name === (only ?? 'mnist'));
  const variant = (activation, extra = {}) => ({
    name: `${activation}${extra.layerNorm ? ' + layer norm' : ''}`,
    lib: here,
    config: (w) => {
      const c = gradscopeConfig(w);
      return { ...c, layers: c.layers.map((l, i) => (i < c.layers.length - 1 ? { ...l, activation, ...extra } : l)) };
    },
  });
  const acts = ['relu', 'leaky-relu', 'elu', 'selu', 'gelu', 'silu', 'tanh', 'sigmoid'];
  await race(mnist, [...acts.map((a) => variant(a)), variant('relu', { layerNorm: true })]);
} else {
  const ref = option('--ref', null);
  if (!ref) throw new Error('compare: give --ref REV or --activations');
  const tree = join(root, 'build', 'bench', `ref-${ref.replace(/[^\w.-]/g, '_')}`);
  if (existsSync(tree)) {
    execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
    rmSync(tree, { recursive: true, force: true });
  }
  mkdirSync(dirname(tree), { recursive: true });
  execFileSync('git', ['worktree', 'add', '--detach', tree, ref], { cwd: root, stdio: ['ignore', 2, 2] });
  execFileSync('node', [join(tree, 'scripts/build.mjs')], { cwd: tree, stdio: ['ignore', 2, 2] });
  const before = await import(pathToFileURL(join(tree, 'js/index.js')).href);
  for (const w of workloads) {
    await race(w, [
      { name: ref, lib: before, config: gradscopeConfig },
      { name: 'this tree', lib: here, config: gradscopeConfig },
    ]);
  }
}
