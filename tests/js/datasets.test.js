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

test('CSV: values beyond float32, a label-only file and too few rows for the split are refused, naming row and column', () => {
  const big = 'a,b,label\n1,2,0\n3,1e39,1\n5,6,1\n7,8,0';
  assert.throws(() => datasets.parseCsv(big, { labelColumn: 'label' }), /^Error: datasets\.parseCsv: row 3, column "b" is 1e39; expected a number within float32 range/);
  assert.throws(() => datasets.parseCsv('a,b,y\n1,2,0\n3,4,-4e38\n5,6,1', { labelColumn: 'y', task: 'regression', testRatio: 0.5 }), /row 3, column "y" is -4e38; expected a number within float32 range/);
  // the largest float32 itself is fine
  assert.equal(datasets.parseCsv('a,y\n3.4028234663852886e38,0\n1,1\n2,0\n3,1', { labelColumn: 'y', testRatio: 0.5 }).inputs, 1);
  assert.throws(() => datasets.parseCsv('label\n0\n1\n1\n0', { labelColumn: 'label' }), /datasets\.parseCsv: text is "a header of 1 column \(label\) split at \\",\\""; expected a label column and at least one feature column/);
  assert.throws(() => datasets.parseCsv('a,b,label\n1,2,0\n3,4,1', { labelColumn: 'label' }), /text is "2 data rows \(split by testRatio 0\.2 into 2 train and 0 test\)"; expected enough rows for at least 1 train and 1 test row/);
  assert.throws(() => datasets.parseCsv('a,label\n1,0\n2,1\n3,1', { labelColumn: 'label', testRatio: 0.9 }), /3 data rows \(split by testRatio 0\.9 into 0 train and 3 test\)/);
  // testRatio 0 asks for no test part
  assert.equal(datasets.parseCsv('a,label\n1,0\n2,1', { labelColumn: 'label', testRatio: 0 }).test.y.length, 0);
  assert.throws(() => datasets.parseCsv('a,label\n1,0\n2,1', { labelColumn: 'label', delimiter: '|' }), /delimiter is "\|"; expected one of ",", ";", "\\t" \(tab\) or "auto"/);
  assert.throws(() => datasets.parseCsv('a,label\n1,0\n2,1', { labelColumn: 'label', labelcolumn: 'a' }), /options has an unknown key "labelcolumn"/);
});

test('CSV: semicolons, tabs, "auto", column indices, quoted cells and row numbers as in the file', () => {
  const semi = 'a;b;label\n1;2;0\n\n3;4;1\n5;6;1\n7;8;0\n';
  const d = datasets.parseCsv(semi, { labelColumn: 'label', delimiter: ';', testRatio: 0.25 });
  assert.equal(d.inputs, 2);
  assert.deepEqual(d, datasets.parseCsv(semi, { labelColumn: 'label', delimiter: 'auto', testRatio: 0.25 }));
  assert.deepEqual(d, datasets.parseCsv(semi.replaceAll(';', '\t'), { labelColumn: 2, delimiter: '\t', testRatio: 0.25 }));
  assert.deepEqual(d, datasets.parseCsv(semi.replaceAll(';', ','), { labelColumn: 'label', testRatio: 0.25 }));
  // the blank line 3 still counts: errors give the line number of the file
  assert.throws(() => datasets.parseCsv('a;label\n1;0\n\n3\n5;1', { labelColumn: 'label', delimiter: ';' }), /row 4 has 1 cells; expected 2 \(one per header column, split at ";"\)/);
  assert.throws(() => datasets.parseCsv('a,label\n1,0\n2,1', { labelColumn: 2 }), /labelColumn is 2; expected one of the header's columns: a, label \(or a column index in \[0, 1\]\)/);
  assert.deepEqual(datasets.parseCsv('\ufeffa;label\r\n1;0\r\n2;1\r\n3;1', { labelColumn: 'a', delimiter: 'auto', testRatio: 0.4, task: 'regression' }).inputs, 1);
  const quoted = datasets.parseCsv('"x","species"\n1,"setosa"\n2,"versicolor"\n3,"setosa"\n4,"versicolor"', { labelColumn: 'species', testRatio: 0.5 });
  assert.deepEqual(quoted.classValues, ['setosa', 'versicolor']);
});

test('CSV: string class labels become classes sorted by code units; a continuous target is refused as classes', () => {
  const rows = ['x,y,kind'];
  const kinds = ['zebra', 'ant', 'Moth', 'ant', 'zebra', 'Moth', 'bee', 'bee'];
  kinds.forEach((k, i) => rows.push(`${i},${-i},${k}`));
  const d = datasets.parseCsv(rows.join('\n'), { labelColumn: 'kind', testRatio: 0.25, seed: 2 });
  assert.deepEqual(d.classValues, ['Moth', 'ant', 'bee', 'zebra']);
  assert.equal(d.outputs, 4);
  assert.equal(d.loss, 'softmax-ce');
  // each row keeps its own label: row i has x = i
  for (const part of [d.train, d.test]) {
    for (let r = 0; r < part.y.length; r++) assert.equal(d.classValues[part.y[r]], kinds[part.x[2 * r]]);
  }
  assert.throws(() => datasets.parseCsv(rows.join('\n'), { labelColumn: 'kind', task: 'regression' }), /row 2, column "kind" is "zebra"; expected a number/);
  // 150 distinct prices are not 150 classes
  const prices = ['size,price', ...Array.from({ length: 150 }, (_, i) => `${i},${(1000 + i * 3.7).toFixed(1)}`)].join('\n');
  assert.throws(() => datasets.parseCsv(prices, { labelColumn: 'price' }), /column "price" is "more than 100 distinct values"; expected at most 100 classes for task "classification" \(a continuous target: use task "regression"\)/);
  assert.equal(datasets.parseCsv(prices, { labelColumn: 'price', task: 'regression' }).loss, 'mse');
  assert.throws(() => datasets.parseCsv('a,label\n1,cat\n2,cat\n3,cat', { labelColumn: 'label', testRatio: 0.5 }), /column "label" is "1 distinct value"; expected at least 2 classes/);
});

test('csvColumnInfo: per column whether it is numeric and how many distinct values (bounded), and a suggested task', () => {
  const prices = ['size;price;grade;kind', ...Array.from({ length: 1500 }, (_, i) => `${i};${(i * 1.5).toFixed(1)};${i % 3};${i % 2 ? 'a' : 'b'}`)].join('\n');
  const info = datasets.csvColumnInfo(prices, { delimiter: 'auto' });
  assert.equal(info.delimiter, ';');
  assert.equal(info.rows, 1500);
  assert.deepEqual(info.columns.map((c) => c.name), ['size', 'price', 'grade', 'kind']);
  assert.deepEqual(info.columns.map((c) => c.numeric), [true, true, true, false]);
  assert.deepEqual(info.columns.map((c) => c.integer), [true, false, true, false]);
  assert.deepEqual(info.columns.map((c) => c.distinct), [1000, 1000, 3, 2]);
  assert.deepEqual(info.columns.map((c) => c.distinctCapped), [true, true, false, false]);
  assert.deepEqual(info.columns.map((c) => c.suggestedTask), ['regression', 'regression', 'classification', 'classification']);
  assert.throws(() => datasets.csvColumnInfo('a,b\n1,2\n3'), /datasets\.csvColumnInfo: row 3 has 1 cells; expected 2/);
  assert.throws(() => datasets.csvColumnInfo(42), /datasets\.csvColumnInfo: text is 42; expected CSV text/);
});
