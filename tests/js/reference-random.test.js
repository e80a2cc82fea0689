// gradscope against PyTorch (float64) on seeded random architectures (depth 1-5, widths
// 1-20, every activation, batch / layer norm, every loss and optimizer, weight decay,
// clipping): tests/fixtures/torch_random.json, written by tests/fixtures/generate.py.
// Same tolerances as reference.test.js; the worst differences are printed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { TORCH_TOLERANCES as TOL, fixture, replayTorchCase } from './helpers.js';

const { cases, torch } = fixture('torch_random.json');
const worst = { loss: ['', 0], gradient: ['', 0], parameter: ['', 0], prediction: ['', 0] };

function record(kind, where, diff) {
  if (!(diff <= worst[kind][1])) worst[kind] = [where, diff];
  assert.ok(diff <= TOL[kind], `${where}: ${kind} differs from PyTorch by ${diff.toExponential(2)} (tolerance ${TOL[kind]})`);
}

test('the random fixture holds at least 30 architectures', () => {
  assert.ok(cases.length >= 30, `${cases.length} cases`);
});

for (const simd of [true, false]) {
  for (const c of cases) {
    test(`${c.name} matches PyTorch ${torch} (${simd ? 'SIMD' : 'scalar'})`, () => replayTorchCase(createNetwork, c, simd, record, { bnBiasFloor: 1 }));
  }
}

after(() => {
  for (const [kind, [where, diff]] of Object.entries(worst)) {
    console.log(`worst ${kind} difference vs PyTorch (random architectures): ${diff.toExponential(2)} (${where})`);
  }
});
