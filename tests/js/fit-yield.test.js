// fit yields to the event loop between epochs (every 8 ms) through one shared MessageChannel:
// a timer's abort lands during a long fit, and in Node the channel holds the process open
// only while a fit waits on it (a script whose last await is a fit finishes it, then exits).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createNetwork } from '../../js/index.js';
import { randomFloats } from './helpers.js';

const index = fileURLToPath(new URL('../../js/index.js', import.meta.url));

async function longFit(options) {
  const net = await createNetwork({ inputs: 4, layers: [{ units: 64, activation: 'relu' }, { units: 1 }], loss: 'mse', seed: 3 });
  const x = randomFloats(4 * 2048, 1);
  const y = randomFloats(2048, 2);
  try {
    return await net.fit(x, y, { epochs: 100000, batchSize: 16, ...options });
  } finally {
    net.dispose();
  }
}

test('an abort from a timer stops a long fit between epochs, and two fits may wait on the yields at once', async () => {
  const started = performance.now();
  const stop = (ms) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), ms);
    return controller.signal;
  };
  const [a, b] = await Promise.all([longFit({ signal: stop(60) }), longFit({ signal: stop(120) })]);
  assert.equal(a.aborted, true);
  assert.equal(b.aborted, true);
  assert.ok(a.epochs >= 1 && b.epochs >= 1 && a.epochs < 100000 && b.epochs < 100000, `epochs ${a.epochs}, ${b.epochs}`);
  assert.ok(performance.now() - started < 30_000, 'the fits ended long before their 100,000 epochs');
});

test('a Node script whose last await is a fit of many yields finishes it and exits', () => {
  const script = `
    import { createNetwork } from ${JSON.stringify(index)};
    const net = await createNetwork({ inputs: 2, layers: [{ units: 64, activation: 'relu' }, { units: 1 }], loss: 'mse' });
    const x = new Float32Array(2 * 4096).fill(0.5), y = new Float32Array(4096).fill(1);
    const started = performance.now();
    const h = await net.fit(x, y, { epochs: 30, batchSize: 16 });
    console.log(JSON.stringify({ epochs: h.epochs, ms: performance.now() - started }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim().split('\n').pop());
  assert.equal(out.epochs, 30);
  assert.ok(out.ms > 8, `the fit ran ${out.ms} ms: long enough to yield at least once`);
});
