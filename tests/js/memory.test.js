// Wasm memory growth in the middle of training must not corrupt anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork, loadCore } from '../../js/index.js';
import { MEMORY_TEST_CONFIG, randomFloats, xorData } from './helpers.js';

const CONFIG = MEMORY_TEST_CONFIG;

test('memory growth in the middle of training gives the same result as without', async (t) => {
  const core = await loadCore();
  const { x, y } = xorData(64);
  const reference = await createNetwork(CONFIG);
  const refLosses = Array.from({ length: 20 }, () => reference.trainStep(x, y).loss);
  const refParams = reference.getParameters();

  const net = await createNetwork(CONFIG);
  const losses = Array.from({ length: 10 }, () => net.trainStep(x, y).loss);
  const before = core.memory.buffer.byteLength;
  // a second network with a 64 MB dataset forces the memory to grow
  const big = await createNetwork({ inputs: 256, layers: [{ units: 2 }], loss: 'mse' });
  const rows = 65536;
  await big.fit(randomFloats(rows * 256, 4), new Float32Array(rows * 2), { epochs: 1, batchSize: 4096 });
  const after = core.memory.buffer.byteLength;
  t.diagnostic(`memory grew from ${before >> 20} MiB to ${after >> 20} MiB`);
  assert.ok(after > before + 32 * 2 ** 20, 'memory must have grown');
  for (let s = 0; s < 10; s++) losses.push(net.trainStep(x, y).loss);
  assert.deepEqual(losses, refLosses);
  assert.deepEqual(net.getParameters(), refParams);
  [reference, net, big].forEach((n) => n.dispose());
});
