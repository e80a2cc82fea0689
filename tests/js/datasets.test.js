// Datasets: shapes, determinism, label noise, the digits file, CSV errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { datasets } from '../../js/index.js';

const TWO_D = ['circle', 'xor', 'gaussian', 'spiral', 'moons', 'regressionPlane', 'regressionGaussian'];

test('2-D sets: shapes, split, label kinds, determinism per seed', () => {
  for (const name of TWO_D) {
    const d = datasets[name]({ samples: 300, seed: 4, testRatio: 0.3 });
    assert.equal(d.inputs, 2);
    assert.equal(d.train.x.length, 2 * 210, name);
    assert.equal(d.train.y.length, 210, name);
    assert.equal(d.test.y.length, 90, name);
    assert.ok(d.train.x instanceof Float32Array && d.train.y instanceof Float32Array);
    if (d.loss === 'bce') {
      assert.ok(d.train.y.every((v) => v === 0 || v === 1), name);
      const ones = [...d.train.y, ...d.test.y].filter((v) => v === 1).length;
      assert.equal(ones, 150, `${name}: classes balanced`);
    }
    assert.deepEqual(datasets[name]({ samples: 300, seed: 4, testRatio: 0.3 }), d, `${name}: same seed`);
    assert.notDeepEqual(datasets[name]({ samples: 300, seed: 5, testRatio: 0.3 }).train.x, d.train.x, `${name}: other seed`);
  }
});

test('label noise flips exactly that share of training labels and none of the test labels', () => {
  const clean = datasets.circle({ samples: 400, seed: 1 });
  const noisy = datasets.circle({ samples: 400, seed: 1, labelNoise: 0.25 });
  assert.deepEqual(noisy.train.x, clean.train.x);
  assert.deepEqual(noisy.test, clean.test);
  const flipped = clean.train.y.filter((v, i) => v !== noisy.train.y[i]).length;
  assert.equal(flipped, 50);
});

test('digits: 1,797 images of 64 pixels in [0, 1], 10 classes', async () => {
  const d = await datasets.digits({ seed: 0, testRatio: 0.2 });
  assert.equal(d.train.y.length + d.test.y.length, 1797);
  assert.equal(d.inputs, 64);
  assert.equal(d.outputs, 10);
  assert.equal(d.loss, 'softmax-ce');
  assert.ok(d.train.y instanceof Int32Array);
  assert.ok(d.train.x.every((v) => v >= 0 && v <= 1));
  assert.deepEqual(d.classValues, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('CSV: parses a header and numeric columns; ragged rows and non-numbers are named', () => {
  const csv = 'a,b,label\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n';
  const d = datasets.parseCsv(csv, { labelColumn: 'label', testRatio: 0.25 });
  assert.equal(d.inputs, 2);
  assert.equal(d.outputs, 2);
  assert.equal(d.train.y.length, 3);
  const r = datasets.parseCsv(csv, { labelColumn: 'b', task: 'regression', testRatio: 0.5 });
  assert.equal(r.loss, 'mse');
  assert.throws(() => datasets.parseCsv('a,b,label\n1,2,0\n3,4\n5,6,1', { labelColumn: 'label' }), /row 3 has 2 cells; expected 3/);
  assert.throws(() => datasets.parseCsv('a,b,label\n1,x,0\n3,4,1\n5,6,1', { labelColumn: 'label' }), /row 2, column "b" is "x"; expected a number/);
  assert.throws(() => datasets.parseCsv(csv, { labelColumn: 'y' }), /labelColumn is "y"; expected one of the header's columns: a, b, label/);
});

test('generator options are validated', () => {
  assert.throws(() => datasets.circle({ samples: 1 }), /datasets\.circle: samples is 1; expected an integer in \[2, /);
  assert.throws(() => datasets.xor({ noise: -1 }), /datasets\.xor: noise is -1; expected a finite number >= 0/);
  assert.throws(() => datasets.spiral({ testRatio: 1 }), /testRatio is 1; expected a number in \[0, 1\)/);
  assert.throws(() => datasets.moons({ sample: 10 }), /options has an unknown key "sample"/);
});
