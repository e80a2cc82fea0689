// The CLI as a user runs it: exit codes, --help, JSON and CSV output, errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../js/cli.js', import.meta.url));
const gradscope = (...args) => spawnSync('node', [cli, ...args], { encoding: 'utf8' });

test('--help for the tool and each command', () => {
  const main = gradscope('--help');
  assert.equal(main.status, 0);
  assert.match(main.stdout, /usage: gradscope <command>/);
  for (const command of ['train', 'compare', 'sweep', 'presets', 'demo']) {
    const r = gradscope(command, '--help');
    assert.equal(r.status, 0, command);
    assert.match(r.stdout, new RegExp(`usage: gradscope ${command}`));
  }
  const none = gradscope();
  assert.equal(none.status, 2, 'no command is a usage error');
});

test('bad arguments exit non-zero with a one-line message', () => {
  const cases = [
    [['frobnicate'], /unknown command "frobnicate"; expected one of train, compare, sweep, presets, demo/],
    [['train'], /train needs exactly one of --preset NAME or --config FILE/],
    [['train', '--preset', 'nope'], /--preset is "nope"; expected one of healthy, vanishing-gradients/],
    [['train', '--preset', 'healthy', '--epochs', '0'], /--epochs is "0"; expected an integer in \[1, 1000000\]/],
    [['train', '--preset', 'healthy', '--epochs', '1.5'], /--epochs is "1\.5"; expected an integer in \[1, 1000000\]/],
    [['train', '--preset', 'healthy', '--seed', '4294967296'], /--seed is "4294967296"; expected an integer in \[0, 4294967295\]/],
    [['train', '--preset', 'healthy', '--seed=-1'], /--seed is "-1"; expected an integer in \[0, 4294967295\]/],
    [['train', '--preset', 'healthy', '--seed', '1e3'], /--seed is "1e3"; expected an integer/],
    [['train', '--preset', 'healthy', '--seed='], /--seed is ""; expected an integer/],
    [['compare', 'exploding-gradients', '--seed', '99999999999'], /--seed is "99999999999"; expected an integer in \[0, 4294967295\]/],
    [['demo', '--epochs', 'many'], /--epochs is "many"; expected an integer/],
    [['train', '--preset', 'healthy', '--csv', '/nonexistent-dir/run.csv'], /--csv \/nonexistent-dir\/run\.csv cannot be written \(no directory \/nonexistent-dir\); expected a writable file path/],
    [['train', '--preset', 'healthy', '--csv', tmpdir()], /cannot be written \(it is a directory\)/],
    [['train', '--preset', 'healthy', '--bogus'], /Unknown option '--bogus'/],
    [['train', '--config', '/nonexistent.json'], /--config \/nonexistent\.json: no such file/],
    [['compare'], /compare needs one preset name, or two presets/],
    [['compare', 'healthy'], /"healthy" alone must be a preset with a remedy/],
    [['compare', 'vanishing-gradients:cure'], /"vanishing-gradients:cure": expected NAME, NAME:failure or NAME:remedy, or NAME:REMEDY with REMEDY one of relu, relu-he, batch-norm/],
    [['compare', 'healthy:remedy'], /preset healthy has no remedy/],
    [['train', '--preset', 'dead-relu:leaky-relu', '--remedy'], /--remedy goes with a plain --preset NAME/],
    [['train', '--preset', 'toString'], /--preset is "toString"; expected one of healthy/],
    [['sweep', '--lr', '0,0.1'], /--lr has "0"; expected numbers in \(0, 1000000\] separated by commas/],
    [['sweep', '--lr', '1e39'], /--lr has "1e39"; expected numbers in \(0, 1000000\]/],
    [['sweep', '--lr', '0.1,'], /--lr has ""; expected numbers/],
    [['sweep', '--lr', '0.1', '--seed', '1', '--seeds', '1,2'], /sweep takes --seed N or --seeds LIST, not both/],
    [['sweep', '--lr', '0.1', '--seeds', '1,x'], /--seeds is "x"; expected an integer in \[0, 4294967295\]/],
    [['sweep', '--lr', '0.1', '--preset', 'dead-relu:cure'], /"dead-relu:cure": expected NAME, NAME:failure or NAME:remedy, or NAME:REMEDY with REMEDY one of lr-div10, leaky-relu/],
    [['sweep', '--preset', 'healthy'], /sweep needs exactly one of --dropout LIST or --lr LIST/],
    [['sweep', '--dropout', '0,1.5'], /--dropout has "1\.5"; expected numbers in \[0, 1\]/],
    [['train', '--preset', 'healthy', '--dataset', 'iris'], /dataset\.name is "iris"; expected one of circle/],
    [['train', '--preset', 'healthy', '--remedy-seeds', '1,2'], /--remedy-seeds goes with --try-remedies/],
    [['train', '--preset', 'healthy', '--try-remedies', '--remedy-seeds', '1,x'], /--remedy-seeds is "x"; expected an integer in \[0, 4294967295\]/],
    [['train', '--preset', 'healthy', '--try-remedies', '--remedy-seeds', ''], /--remedy-seeds is ""; expected an integer/],
  ];
  for (const [args, message] of cases) {
    const r = gradscope(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('bad config files: null, non-objects, bad "fit", "dataset", "network", invalid JSON -> one line, exit 2', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases = [
    ['null', /config\.json: the file is null; expected an object/],
    ['[1, 2]', /the file is an array; expected an object/],
    ['"text"', /the file is "text"; expected an object/],
    ['{"fit": null}', /"fit" is null; expected an object such as \{ "epochs": 30, "batchSize": 20 \}/],
    ['{"fit": 3}', /"fit" is 3; expected an object/],
    ['{"fit": {"epoch": 3}}', /"fit" has an unknown key "epoch"; expected one of epochs, batchSize, shuffle/],
    ['{"fit": {"epochs": 0}}', /"fit\.epochs" is 0; expected an integer in \[1, 1000000\]/],
    ['{"dataset": null}', /"dataset" is null; expected an object/],
    ['{"network": null}', /"network" is null; expected an object/],
    ['{"network": {"layers": [{"units": 1}]}, "layers": []}', /unknown top-level key "layers" next to "network"/],
    ['{"layers": [{"units": 4}, {"units": 1}], "dataset": {"name": "circle", "samples": -5}}', /samples is -5; expected an integer/],
    ['{"layers": [{"units": 4}, {"units": 1}], "fit": {"epochs": 1, "batchSize": 0}}', /batchSize is 0; expected an integer/],
    ['{', /not valid JSON/],
  ];
  const file = join(dir, 'config.json');
  for (const [text, message] of cases) {
    writeFileSync(file, text);
    for (const args of [['train', '--config', file], ['compare', file, 'healthy', '--epochs', '1'], ['sweep', '--dropout', '0', '--config', file, '--epochs', '1']]) {
      const r = gradscope(...args);
      assert.equal(r.status, 2, `${text} (${args[0]}): exit ${r.status}, stderr ${r.stderr}`);
      assert.match(r.stderr, message, text);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    }
  }
});

test('an unwritable --csv is refused before training starts', () => {
  const t0 = performance.now();
  const r = gradscope('train', '--preset', 'overfitting', '--csv', '/proc/gradscope-run.csv');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^gradscope: --csv \/proc\/gradscope-run\.csv cannot be written \(no file can be created in \/proc\); expected a writable file path$/m);
  assert.equal(r.stdout, '', 'nothing trained');
  assert.ok(performance.now() - t0 < 5000);
});

test('train --json: a preset run with its diagnosis', () => {
  const r = gradscope('train', '--preset', 'vanishing-gradients', '--epochs', '5', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.scenario, 'vanishing-gradients');
  assert.equal(out.history.loss.length, 5);
  assert.equal(out.layers.length, 9);
  assert.ok(out.findings.some((f) => f.kind === 'vanishing-gradients'));
});

test('train prints the per-layer table and the diagnosis; --csv writes per-epoch rows', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const csv = join(dir, 'run.csv');
  const r = gradscope('train', '--preset', 'dead-relu', '--csv', csv);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /layer\s+units\s+activation\s+grad norm\s+dead\s+saturated/);
  assert.match(r.stdout, /\[critical\] dead-relu/);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'epoch,loss,valLoss,valAccuracy,layer0GradNorm,layer1GradNorm,layer2GradNorm,layer3GradNorm');
  assert.equal(lines.length, 21);
  // a config file, with the network keys at the top level
  const config = join(dir, 'net.json');
  writeFileSync(config, JSON.stringify({ layers: [{ units: 8, activation: 'tanh' }, { units: 1 }], optimizer: { type: 'adam', learningRate: 0.02 }, dataset: { name: 'xor', samples: 200 }, fit: { epochs: 10, batchSize: 10 } }));
  const c = gradscope('train', '--config', config, '--json');
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).history.loss.length, 10);
  writeFileSync(config, JSON.stringify({ layers: [{ units: 0 }] }));
  const bad = gradscope('train', '--config', config);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /layers\[0\]\.units is 0; expected an integer/);
});

test('compare: failure and remedy side by side', () => {
  const r = gradscope('compare', 'exploding-gradients');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exploding-gradients\s+exploding-gradients:remedy/);
  assert.match(r.stdout, /findings\s+non-finite, exploding-gradients.*\s+none/);
  const j = gradscope('compare', 'vanishing-gradients', 'healthy', '--epochs', '3', '--json');
  assert.equal(j.status, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout).map((x) => x.scenario), ['vanishing-gradients', 'healthy']);
});

test('sweep: the regularization curve over dropout rates', () => {
  const r = gradscope('sweep', '--dropout', '0,0.6,1', '--json');
  assert.equal(r.status, 0, r.stderr);
  const { rows, param } = JSON.parse(r.stdout);
  assert.equal(param, 'dropout');
  assert.deepEqual(rows.map((x) => x.value), [0, 0.6, 1]);
  // no dropout memorizes (small train loss, large gap); 0.6 closes the gap; 1.0 learns nothing
  assert.ok(rows[0].testLoss - rows[0].trainLoss > 0.5, JSON.stringify(rows[0]));
  assert.ok(rows[1].testLoss < rows[0].testLoss, JSON.stringify(rows));
  assert.ok(rows[2].testAccuracy < 0.6, JSON.stringify(rows[2]));
  const table = gradscope('sweep', '--lr', '0.001,0.01', '--preset', 'healthy', '--epochs', '3');
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /lr\s+train loss\s+test loss\s+gap\s+test acc\s+dead ReLU\s+max grad norm/);
});

test('sweep --lr over seeds on the dead-ReLU preset: medians, dead share and gradient norms per rate', () => {
  const r = gradscope('sweep', '--lr', '0.3,3', '--preset', 'dead-relu', '--seeds', '1,2', '--epochs', '10', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.param, 'learningRate');
  assert.deepEqual(out.seeds, [1, 2]);
  assert.deepEqual(out.rows.map((x) => x.value), [0.3, 3]);
  assert.deepEqual(out.rows.map((x) => x.runs.length), [2, 2]);
  assert.ok(out.rows[1].deadFraction > 0.7 && out.rows[0].deadFraction < 0.5, JSON.stringify(out.rows.map((x) => x.deadFraction)));
  // a single remedy of a preset can be swept as well
  const leaky = gradscope('sweep', '--lr', '3', '--preset', 'dead-relu:leaky-relu', '--epochs', '2');
  assert.equal(leaky.status, 0, leaky.stderr);
  assert.match(leaky.stdout, /^dead-relu:leaky-relu, seed 1:/);
});

test('train and compare take single remedies by id; presets lists them', () => {
  const t = gradscope('train', '--preset', 'exploding-gradients:clip-norm-1', '--epochs', '3', '--json');
  assert.equal(t.status, 0, t.stderr);
  const out = JSON.parse(t.stdout);
  assert.equal(out.scenario, 'exploding-gradients:clip-norm-1');
  assert.equal(out.config.clipNorm, 1);
  const c = gradscope('compare', 'dead-relu', 'dead-relu:leaky-relu', '--epochs', '2', '--json');
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout).map((x) => x.scenario), ['dead-relu', 'dead-relu:leaky-relu']);
  const p = gradscope('presets');
  assert.match(p.stdout, /dead-relu:lr-div10\s+learning rate ÷10 \*/);
  assert.match(p.stdout, /dead-relu:leaky-relu\s+leaky ReLU\n/);
});

test('train --try-remedies: each single-change remedy of each finding measured, as a table and in --json', () => {
  const r = gradscope('train', '--preset', 'dead-relu', '--epochs', '10', '--try-remedies', '--remedy-seeds', '1,2');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /remedies for dead-relu, one change each \(\* the seed's\), 10 epochs, seeds 1, 2; before: found on 2\/2/);
  assert.match(r.stdout, /remedy\s+dead share\s+test acc\s+still found\s+seeds\s+seconds/);
  // the seed's remedy cures it; leaky ReLU leaves no ReLU to die but does not learn
  const lr = r.stdout.match(/learning rate ÷10 \*\s+100% → (\d+)%\s+\d+% → (\d+)%\s+0\/2\s+1,2\s+[\d.]+/);
  assert.ok(lr && Number(lr[1]) < 50 && Number(lr[2]) > 90, r.stdout);
  const leaky = r.stdout.match(/leaky ReLU\s+100% → 0%\s+\d+% → (\d+)%/);
  assert.ok(leaky && Number(leaky[1]) < 70, r.stdout);
  const j = gradscope('train', '--preset', 'exploding-gradients', '--epochs', '5', '--try-remedies', '--json');
  assert.equal(j.status, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  const kinds = out.findings.map((f) => f.kind).filter((k, i, all) => all.indexOf(k) === i);
  assert.deepEqual(out.tryRemedies.map((t) => t.kind), kinds);
  const exploding = out.tryRemedies.find((t) => t.kind === 'exploding-gradients');
  assert.deepEqual(exploding.metrics, ['maxGradNorm', 'skippedSteps', 'testAccuracy']);
  assert.deepEqual(exploding.seeds, [1]);
  assert.deepEqual(exploding.results.map((x) => x.id), ['lr-div10', 'batch-norm', 'clip-norm-1', 'he-init']);
  for (const x of exploding.results) {
    assert.equal(x.metrics.skippedSteps.after, 0, x.id);
    assert.ok(x.metrics.maxGradNorm.after < 1e3 && x.metrics.maxGradNorm.before > 1e3, x.id);
    assert.ok(x.ms > 0);
  }
  const none = gradscope('train', '--preset', 'healthy', '--epochs', '5', '--try-remedies');
  assert.equal(none.status, 0, none.stderr);
  assert.match(none.stdout, /no finding, so no remedy to try/);
});

test('presets lists every preset', () => {
  const r = gradscope('presets');
  assert.equal(r.status, 0);
  for (const name of ['healthy', 'vanishing-gradients', 'exploding-gradients', 'dead-relu', 'overfitting', 'dropout-one']) {
    assert.match(r.stdout, new RegExp(`^${name}: `, 'm'));
  }
});

// issue 19: negative numbers are values; export's bad files; configs that do not fit the data

test('negative numbers are values, refused with the range expected (not "argument is ambiguous")', () => {
  const cases = [
    [['train', '--preset', 'healthy', '--epochs', '-5'], /^gradscope: --epochs is "-5"; expected an integer in \[1, 1000000\]$/],
    [['train', '--preset', 'healthy', '--seed', '-1'], /^gradscope: --seed is "-1"; expected an integer in \[0, 4294967295\]$/],
    [['demo', '--epochs', '-0'], /^gradscope: --epochs is "-0"; expected an integer in \[1, 1000000\]$/],
    [['sweep', '--lr', '-0.1,0.1'], /^gradscope: --lr has "-0\.1"; expected numbers in \(0, 1000000\] separated by commas$/],
    [['sweep', '--dropout', '-.5'], /^gradscope: --dropout has "-\.5"; expected numbers in \[0, 1\] separated by commas$/],
    [['sweep', '--lr', '0.1', '--seeds', '-1,2'], /^gradscope: --seeds is "-1"; expected an integer in \[0, 4294967295\]$/],
    [['compare', 'exploding-gradients', '--seed', '-7'], /^gradscope: --seed is "-7"; expected an integer in \[0, 4294967295\]$/],
  ];
  for (const [args, message] of cases) {
    const r = gradscope(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr.trim(), message, args.join(' '));
  }
  // an option-like word after a flag is still an option, not a value
  const flag = gradscope('train', '--preset', 'healthy', '--epochs', '--json');
  assert.equal(flag.status, 2);
  assert.match(flag.stderr, /argument is ambiguous|--epochs/);
});

test('export --pytorch with a missing or invalid file: one sentence, exit 2', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"format": "gradscope-network", "version": 1}');
  const text = join(dir, 'text.json');
  writeFileSync(text, 'not json');
  const cases = [
    [['export', '--pytorch', join(dir, 'missing.json')], /^gradscope: export: .*missing\.json cannot be read \(no such file\); expected a saved network/],
    [['export', '--pytorch', dir], /^gradscope: export: .* cannot be read \(it is a directory\); expected a saved network/],
    [['export', '--pytorch', text], /^gradscope: export: .*text\.json: loadNetwork: json is not valid JSON/],
    [['export', '--pytorch', bad], /^gradscope: export: .*bad\.json: loadNetwork: \S+ is /],
  ];
  for (const [args, message] of cases) {
    const r = gradscope(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a --config that does not fit the dataset is refused, naming both shapes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'net.json');
  const cases = [
    [{ layers: [{ units: 8, activation: 'relu' }, { units: 4 }], dataset: { name: 'circle' } }, [], /the network has 4 outputs \(its last layer's units\); the dataset \(circle\) has 1 target column; expected a last layer of 1 unit/],
    [{ inputs: 4, layers: [{ units: 8, activation: 'relu' }, { units: 1 }] }, [], /the network has 4 inputs \(config\.inputs\); the dataset \(circle\) has 2 input columns/],
    [{ loss: 'softmax-ce', layers: [{ units: 8, activation: 'relu' }, { units: 1 }] }, [], /config\.loss is "softmax-ce"; the dataset \(circle\) is labelled for "bce"/],
    [{ inputs: 2, layers: [{ units: 8, activation: 'relu' }, { units: 1 }] }, ['--dataset', 'digits'], /the network has 2 inputs \(config\.inputs\); the dataset \(digits\) has 64 input columns/],
    [{ layers: [{ units: 8, activation: 'relu' }, { units: 1 }] }, ['--dataset', 'digits'], /the network has 1 output \(its last layer's units\); the dataset \(digits\) has 10 classes; expected a last layer of 10 units/],
  ];
  for (const [config, extra, message] of cases) {
    writeFileSync(file, JSON.stringify({ ...config, fit: { epochs: 1, batchSize: 20 } }));
    const r = gradscope('train', '--config', file, ...extra);
    assert.equal(r.status, 2, `${JSON.stringify(config)}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  // a config that names what the data has trains
  writeFileSync(file, JSON.stringify({ inputs: 2, loss: 'bce', layers: [{ units: 8, activation: 'relu' }, { units: 1 }], fit: { epochs: 2, batchSize: 20 } }));
  const ok = gradscope('train', '--config', file, '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).history.loss.length, 2);
});

test('paper: bad arguments exit 2 with one line; --json prints the card; --csv runs it on the file', (t) => {
  const cases = [
    [['paper'], /paper needs one card id: .*he-2015.*klambauer-2017/],
    [['paper', 'nope'], /paper: "nope" is not a card; expected one of .*he-2015/],
    [['paper', 'he-2015', '--seed', '-1'], /--seed is "-1"; expected an integer in \[0, 4294967295\]/],
    [['paper', 'he-2015', '--label', 'digit'], /--label goes with --csv/],
    [['paper', 'he-2015', '--csv', '/nonexistent.csv'], /--csv \/nonexistent\.csv cannot be read \(no such file\)/],
  ];
  for (const [args, message] of cases) {
    const r = gradscope(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  const help = gradscope('paper', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /usage: gradscope paper ID \[--json\] \[--seed N\] \[--csv mnist\.csv/);

  // a headerless CSV of pixel bytes, label first (as mnist_train.csv): scaled to [0, 1], run instead of digits
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-paper-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tiny.csv');
  const rows = Array.from({ length: 120 }, (_, i) => [i % 3, ...Array.from({ length: 16 }, (_, j) => ((i * 7 + j * 13 + (i % 3) * 40) % 256))].join(','));
  writeFileSync(file, `${rows.join('\n')}\n`);
  const r = gradscope('paper', 'klambauer-2017', '--json', '--seed', '2', '--csv', file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /pixel values 0-255 scaled to \[0, 1\]/);
  const { paper, card } = JSON.parse(r.stdout);
  assert.equal(paper.title, 'Self-Normalizing Neural Networks');
  assert.equal(card.seed, 2);
  assert.equal(card.data, file);
  assert.ok(card.claims.length > 0 && card.claims.every((c) => [true, false, null].includes(c.holds) && c.paper.source));
  assert.equal(card.runs[0].config.inputs, 16);
});
