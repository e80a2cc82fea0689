// Creating and disposing networks must not leak wasm memory. Its own file, so
// it runs in a fresh process whose memory has not grown yet.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNetwork, loadCore } from '../../js/index.js';
import { MEMORY_TEST_CONFIG, xorData } from './helpers.js';

const CONFIG = MEMORY_TEST_CONFIG;

test('10,000 create / train / dispose cycles do not grow memory', async (t) => {
  const core = await loadCore();
  const { x, y } = xorData(16);
  const cycle = async () => {
    const net = await createNetwork(CONFIG);
    net.trainStep(x, y);
    net.predict(x);
    net.dispose();
  };
  for (let i = 0; i < 100; i++) await cycle(); // warm up the allocator
  const before = core.memory.buffer.byteLength;
  for (let i = 0; i < 10000; i++) await cycle();
  const after = core.memory.buffer.byteLength;
  t.diagnostic(`memory before ${before} bytes, after 10,000 cycles ${after} bytes`);
  assert.equal(after, before);
});
