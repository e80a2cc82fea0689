#!/usr/bin/env node
// gradscope command line. `gradscope demo` trains two small deep networks on a
// 2-D task headlessly and prints each layer's gradient norm as they train:
// sigmoid layers whose lower gradients vanish, and ReLU + He init, which keeps
// them alive.
import { parseArgs } from 'node:util';

import { createNetwork, datasets } from './index.js';

const USAGE = `usage: gradscope <command> [options]

commands:
  demo    train a deep sigmoid and a deep ReLU network side by side and print
          per-layer gradient norms (options: --epochs N, --seed N)

options:
  -h, --help   show this help`;

const fmt = (v) => (v === 0 ? '0' : v.toExponential(1)).padStart(8);

async function demo(args) {
  const { values } = parseArgs({
    args,
    options: { epochs: { type: 'string', default: '30' }, seed: { type: 'string', default: '1' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log('usage: gradscope demo [--epochs N] [--seed N]');
    return;
  }
  const epochs = Number(values.epochs);
  const seed = Number(values.seed);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs is ${values.epochs}; expected a positive integer`);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed is ${values.seed}; expected a non-negative integer`);
  const { train, test } = datasets.circle({ samples: 600, noise: 0.05, seed, testRatio: 1 / 3 });
  const depth = 6;
  const runs = [
    { name: 'deep sigmoid, xavier init', activation: 'sigmoid', init: 'xavier' },
    { name: 'deep ReLU, He init (the remedy)', activation: 'relu', init: 'he' },
  ];
  for (const run of runs) {
    const net = await createNetwork({
      inputs: 2,
      layers: [...Array.from({ length: depth }, () => ({ units: 16, activation: run.activation })), { units: 1 }],
      loss: 'bce',
      init: run.init,
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
      seed,
    });
    console.log(`\n${run.name} (${net.simd ? 'SIMD' : 'scalar'} core): gradient norm of each layer's weights`);
    console.log(`epoch  ${Array.from({ length: depth + 1 }, (_, l) => `layer ${l}`.padStart(8)).join(' ')}   train loss  test acc`);
    const t0 = performance.now();
    const every = Math.max(1, Math.floor(epochs / 6));
    let firstRatio = 0;
    await net.fit(train.x, train.y, {
      epochs,
      batchSize: 20,
      validation: test,
      onEpoch: ({ epoch, loss, valAccuracy }) => {
        const stats = net.layerStats();
        if (epoch === 0) firstRatio = stats[0].gradNorm / stats[depth].gradNorm;
        if (epoch % every !== 0 && epoch !== epochs - 1) return;
        const norms = stats.map((s) => fmt(s.gradNorm)).join(' ');
        console.log(`${String(epoch + 1).padStart(5)}  ${norms}   ${loss.toFixed(4).padStart(10)}  ${(100 * valAccuracy).toFixed(1).padStart(7)}%`);
      },
    });
    const ms = (performance.now() - t0) / epochs;
    console.log(`layer 0 / layer ${depth} gradient norm after epoch 1: ${firstRatio.toExponential(1)}; ${ms.toFixed(1)} ms per epoch`);
    net.dispose();
  }
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'demo') {
    await demo(rest);
    return 0;
  }
  console.error(`gradscope: unknown command "${command}"; expected one of: demo (see gradscope --help)`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`gradscope: ${err.message}`);
    process.exitCode = 2;
  },
);
