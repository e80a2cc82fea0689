// gradscope against PyTorch (float64) reference runs: tests/fixtures/generate.py.
// Tolerances fit float32 arithmetic; the worst differences are printed. The replay
// itself is shared with reference-random.test.js (helpers.js replayTorchCase).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { TORCH_TOLERANCES as TOL, fixture, replayTorchCase } from './helpers.js';

const { cases, torch } = fixture('torch_reference.json');
const worst = { loss: ['', 0], gradient: ['', 0], parameter: ['', 0], prediction: ['', 0] };

function record(kind, where, diff) {
  if (diff > worst[kind][1]) worst[kind] = [where, diff];
  assert.ok(diff <= TOL[kind], `${where}: ${kind} differs from PyTorch by ${diff.toExponential(2)} (tolerance ${TOL[kind]})`);
}

for (const simd of [true, false]) {
  for (const c of cases) {
    test(`${c.name} matches PyTorch ${torch} (${simd ? 'SIMD' : 'scalar'})`, () => replayTorchCase(createNetwork, c, simd, record));
  }
}

after(() => {
  for (const [kind, [where, diff]] of Object.entries(worst)) {
    console.log(`# worst ${kind} difference vs PyTorch: ${diff.toExponential(2)} (${where})`);
  }
});
