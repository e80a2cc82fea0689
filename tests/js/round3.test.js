// The additions the paper cards need (issue 20), apart from their PyTorch references
// (reference-round3.test.js): validation at the boundary in the library's error grammar,
// the normalized config, persistence and the PyTorch script.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { normalizeConfig } from '../../js/config.js';
import { createNetwork } from '../../js/index.js';
import { isStandardError } from './helpers.js';

const base = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }] };

/** createNetwork(config) throws the standard error form naming `name` and `expected` */
async function refused(config, name, expected) {
  await assert.rejects(createNetwork(config), (err) => {
    assert.ok(isStandardError(err), err.message);
    assert.ok(err.message.includes(name), `${err.message} names ${name}`);
    if (expected) assert.ok(err.message.includes(expected), `${err.message} says ${expected}`);
    return true;
  });
}

test('init.bias: zeros, uniform or a float32 std >= 0; the default is not stored', async () => {
  const norm = (init) => normalizeConfig({ ...base, init }).init;
  assert.deepEqual(norm({ type: 'pytorch' }), { type: 'pytorch' });
  assert.deepEqual(norm({ type: 'pytorch', bias: 'uniform' }), { type: 'pytorch' });
  assert.deepEqual(norm({ type: 'pytorch', bias: 'zeros' }), { type: 'pytorch', bias: 'zeros' });
  assert.deepEqual(norm({ type: 'he', bias: 'zeros' }), { type: 'he' });
  assert.deepEqual(norm({ type: 'he', bias: 'uniform' }), { type: 'he', bias: 'uniform' });
  assert.deepEqual(norm({ type: 'normal', std: 0.1, bias: 0.05 }), { type: 'normal', std: 0.1, bias: 0.05 });
  assert.deepEqual(norm({ type: 'uniform', limit: 0.1, bias: 0 }), { type: 'uniform', limit: 0.1, bias: 0 });
  for (const bias of ['ones', null, -0.1, NaN, Infinity, 1e39, 1e-50, true, [0.1]]) {
    await refused({ ...base, init: { type: 'he', bias } }, 'init.bias', bias === 1e39 || bias === 1e-50 ? 'float32' : undefined);
  }
  await refused({ ...base, init: { type: 'he', bias: 'zeros', gain: 1 } }, 'init', 'unknown key "gain"');
});
