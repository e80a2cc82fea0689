// Compiled (not run) by tests/js/types.test.js: the public API as a TypeScript
// user writes it must type-check against js/index.d.ts, and misuse must not.
import {
  createNetwork,
  datasets,
  diagnose,
  loadNetwork,
  presets,
  runPreset,
  type Finding,
  type FitHistory,
  type LayerStats,
  type Network,
  type ProbeResult,
} from 'gradscope';

async function main(): Promise<void> {
  const net: Network = await createNetwork({
    inputs: 2,
    layers: [{ units: 8, activation: 'relu', batchNorm: true, dropout: 0.2 }, { units: 1 }],
    loss: 'bce',
    init: { type: 'normal', std: 0.1 },
    optimizer: { type: 'sgd', learningRate: 0.03, momentum: 0.9, nesterov: true },
    clipNorm: 1,
    seed: 42,
  });
  const data = datasets.circle({ samples: 100, noise: 0.1, seed: 1 });
  const step: { loss: number; skipped?: true } = net.trainStep(data.train.x, data.train.y);
  const grads = net.computeGradients(data.train.x, data.train.y);
  const w: Float32Array = grads.layers[0].weight;
  const history: FitHistory = await net.fit(data.train.x, data.train.y, {
    epochs: 2,
    batchSize: 10,
    validation: data.test,
    onEpoch: ({ epoch, loss, valLoss }) => console.log(epoch, loss, valLoss),
    signal: new AbortController().signal,
  });
  const norms: Float32Array = history.steps.layers[0].gradNorm;
  const stats: LayerStats[] = net.layerStats();
  const findings: Finding[] = diagnose(net, { vanishingRatio: 1e-3 });
  const copy = await loadNetwork(JSON.stringify(net.toJSON()), { simd: false });
  const p: Float32Array = copy.predict(data.test.x);
  const run = await runPreset('vanishing-gradients', 'remedy', { seed: 2 });
  run.net.dispose();
  console.log(step.loss, w, norms, stats[0].deadFraction, findings[0]?.kind, p, presets.healthy.title);
  // issue 20: softsign, init biases, orthogonal init, max-norm, the probe
  const glorot = await createNetwork({
    inputs: 2,
    layers: [{ units: 8, activation: 'softsign' }, { units: 1 }],
    init: { type: 'pytorch', bias: 'zeros' },
    optimizer: { type: 'sgd', learningRate: 0.1, maxNorm: 2 },
  });
  await createNetwork({ inputs: 2, layers: [{ units: 2 }], init: { type: 'orthogonal', gain: 1.5, bias: 0.1 } });
  const probe: ProbeResult = glorot.probe(data.test.x, data.test.y, { units: [{ layer: 0, unit: 1 }], gradientLimit: 0.01 });
  const spread: number = probe.layers[0].gradientStd + probe.units[0].p85;
  const probed = await glorot.fit(data.train.x, data.train.y, { probe: { x: data.test.x, y: data.test.y, every: 10 } });
  const firstProbe: number | undefined = probed.probes?.[0].step;
  console.log(spread, firstProbe, probe.layers[0].unitMean[0], probe.layers[0].gradient.counts[0]);
  glorot.dispose();
  // @ts-expect-error: bias is 'zeros' | 'uniform' | a number
  await createNetwork({ inputs: 2, layers: [{ units: 1 }], init: { type: 'he', bias: 'ones' } });
  // @ts-expect-error: unknown activation name
  await createNetwork({ inputs: 2, layers: [{ units: 1, activation: 'relu6' }] });
  // @ts-expect-error: adam has no momentum
  await createNetwork({ inputs: 2, layers: [{ units: 1 }], optimizer: { type: 'adam', momentum: 0.9 } });
  net.dispose();
}

main();
