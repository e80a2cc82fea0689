#!/usr/bin/env node
// gradscope command line: train presets or configs headlessly, compare two runs
// side by side, sweep dropout or learning rate, and diagnose what went wrong.
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { createNetwork, datasets, loadNetwork, papers, presets, PRESET_NAMES, presetScenario, reproduce, runScenario, loadDataset, toPyTorch } from './index.js';
import { compareText, findingsText, layerTable, remediesTable, sci, summary, sweepChart, sweepTable } from './report.js';
import { tryRemedies } from './remedies.js';
import { sweep } from './sweep.js';
import { maxOf } from './util.js';

class UsageError extends Error {}

const HELP = {
  main: `usage: gradscope <command> [options]

commands:
  train     train a preset or a config file, print per-layer gradient norms and the diagnosis
            (--try-remedies: and what each single-change remedy measurably does)
  compare   train two presets or configs with the same seed and data, side by side
  sweep     train at several dropout rates or learning rates: train vs test loss
  presets   list the failure-case presets
  demo      a deep sigmoid net next to a deep ReLU net (what npm start runs)
  export    --pytorch MODEL.json: a saved network as a runnable PyTorch script
  paper     ID: a paper card: the paper's setup beside ours, its claims checked on our runs

gradscope <command> --help shows each command's options; gradscope --version the version.`,
  train: `usage: gradscope train (--preset NAME [--remedy] | --config FILE) [options]

  --preset NAME        ${PRESET_NAMES.join(', ')}
                       NAME:REMEDY trains one single-change remedy (ids: gradscope presets)
  --remedy             train the preset's first remedy (the seed's) instead of its failure
  --config FILE        JSON: { "network": {layers, init, optimizer, ...}, "dataset": {name, ...}, "fit": {epochs, batchSize} }
                       (or the network keys at the top level)
  --dataset NAME       circle, xor, gaussian, spiral, moons, regressionPlane, regressionGaussian, digits
  --epochs N           override the number of epochs
  --seed N             seed for data, init and dropout, in [0, 4294967295] (default 1)
  --json               print the result as JSON on stdout
  --csv FILE           write per-epoch losses and per-layer gradient norms as CSV
                       (checked writable before training)
  --try-remedies       after the diagnosis, train each single-change remedy of each
                       finding from the same seed and data (the preset's own list, or
                       generic changes per finding) and print what each one measurably
                       does: the figures that define the finding and test accuracy,
                       before -> after, and whether diagnose still names it
  --remedy-seeds 1,2,3 seeds for --try-remedies (medians over them; default: --seed)`,
  compare: `usage: gradscope compare A [B] [--epochs N] [--seed N] [--json]

  A, B are preset names (the failure side), NAME:remedy (its first remedy, the
  seed's), NAME:REMEDY (one single-change remedy, ids: gradscope presets), or config
  files. With one preset name, compares its failure with its first remedy.`,
  sweep: `usage: gradscope sweep (--dropout LIST | --lr LIST) [--preset NAME | --config FILE] [options]

  --dropout 0,0.1,...,1  dropout rate applied to every hidden layer
  --lr 0.001,0.01,0.1    learning rate
  --preset NAME          the scenario to sweep (default: overfitting); NAME:REMEDY for one of its remedies
  --config FILE          or a config file (see train --help)
  --seeds 1,2,3          train each value on these seeds and report medians (or --seed N, default 1)
  --epochs N, --json

  Columns: final train and test loss (eval mode), test accuracy, the share of hidden
  ReLU units that are dead, and the largest gradient norm of the run.`,
  presets: 'usage: gradscope presets [--json]',
  demo: 'usage: gradscope demo [--epochs N] [--seed N]',
  export: `usage: gradscope export --pytorch MODEL.json [-o MODEL.py]

  MODEL.json is a saved network (net.toJSON(), the page's Save model). Writes a
  self-contained PyTorch script (layers, weights, optimizer state, train loop) to
  stdout or -o FILE.`,
  paper: `usage: gradscope paper ID [--json] [--seed N] [--csv mnist.csv [--label COLUMN]]

  ID is one of ${Object.keys(papers).join(', ')}.
  Runs the card: prints the paper's setup beside ours (what was scaled down and
  why), then each claim with the paper's value and where it stands (text, table
  or figure), our measured value and whether it holds. Exit 0 whatever the
  verdict; 2 on bad arguments.

  --seed N         seed for the data split, init and dropout (default 1; the tests use 1-3)
  --json           print the card as JSON (runs with their plottable series, claims)
  --csv FILE       a classification CSV to run on instead of digits (e.g. MNIST: a
                   header row or none; label in the column "label", else the first).
                   Pixel values all integers in [0, 255] are scaled to [0, 1] (said on stderr).
                   Cards on such data take minutes; the card's setup says how long.
  --label COLUMN   the label column's header name or 0-based index`,
};

/**
 * A negative number after a flag that takes a value is that value (`--epochs -5`,
 * `--lr -0.1,0.1`), so the flag's own check can say what range it expects; parseArgs
 * alone calls it ambiguous. Joined as `--flag=-5`.
 */
function negativeValues(args, options) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith('--') ? arg.slice(2) : Object.keys(options).find((k) => arg === `-${options[k].short}`);
    if (options[name]?.type === 'string' && /^-\.?\d/.test(args[i + 1] ?? '')) {
      out.push(`--${name}=${args[++i]}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parse(command, args, options, allowPositionals = false) {
  try {
    return parseArgs({ args: negativeValues(args, options), options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(`${err.message.split('\n')[0]} (see gradscope ${command} --help)`);
  }
}

const SEED_MAX = 0xffffffff;
const EPOCHS_MAX = 1e6;

/** a flag's decimal integer in [min, max]: "1e3", "0x10", "" and "2.0" are refused */
function intOption(name, value, min, max) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} is "${value}"; expected an integer in [${min}, ${max}]`);
  }
  return n;
}

const seedOption = (values) => intOption('seed', values.seed, 0, SEED_MAX) ?? 1;
const epochsOption = (values) => intOption('epochs', values.epochs, 1, EPOCHS_MAX);

/**
 * Refuses a path the CSV cannot be written to, before any training starts: opens
 * it for appending (which changes nothing in an existing file) and removes the
 * file again if this check created it. (access(2) is no test when run as root.)
 */
function checkWritable(flag, file) {
  let existed = true;
  try {
    statSync(file);
  } catch {
    existed = false;
  }
  try {
    closeSync(openSync(file, 'a'));
    if (!existed) unlinkSync(file);
  } catch (err) {
    const dir = dirname(resolve(file));
    const why = err.code === 'ENOENT' ? (existsSync(dir) ? `no file can be created in ${dir}` : `no directory ${dir}`) : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'permission denied' : err.code ?? err.message;
    throw new UsageError(`${flag} ${file} cannot be written (${why}); expected a writable file path`);
  }
}

function numberList(name, value, { min = 0, max = Infinity, minOpen = false } = {}) {
  const parts = value.split(',');
  if (parts.length > 100) throw new UsageError(`--${name} has ${parts.length} values; expected at most 100`);
  return parts.map((part) => {
    const v = part.trim() === '' ? NaN : Number(part);
    if (!Number.isFinite(v) || (minOpen ? v <= min : v < min) || v > max) {
      throw new UsageError(`--${name} has "${part}"; expected numbers in ${minOpen ? '(' : '['}${min}, ${max}] separated by commas`);
    }
    return v;
  });
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const FIT_KEYS = ['epochs', 'batchSize', 'shuffle'];

function scenarioFromFile(file, datasetName) {
  let json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code ? err.message : `not valid JSON (${err.message.split('\n')[0]})`;
    throw new UsageError(`--config ${file}: ${why}`);
  }
  const bad = (what, value, expected) => {
    const shown = value === null ? 'null' : Array.isArray(value) ? 'an array' : JSON.stringify(value)?.slice(0, 40) ?? String(value);
    throw new UsageError(`--config ${file}: ${what} is ${shown}; expected ${expected}`);
  };
  if (!isObject(json)) bad('the file', json, 'an object { "network": {...}, "dataset": {...}, "fit": {...} } (or the network keys at the top level)');
  const { dataset = { name: 'circle' }, fit = { epochs: 30, batchSize: 20 }, network, ...rest } = json;
  if (!isObject(dataset)) bad('"dataset"', dataset, 'an object such as { "name": "circle", "samples": 400 }');
  if (!isObject(fit)) bad('"fit"', fit, 'an object such as { "epochs": 30, "batchSize": 20 }');
  const unknown = Object.keys(fit).find((k) => !FIT_KEYS.includes(k));
  if (unknown !== undefined) throw new UsageError(`--config ${file}: "fit" has an unknown key ${JSON.stringify(unknown)}; expected one of ${FIT_KEYS.join(', ')}`);
  if (fit.epochs !== undefined && !(Number.isInteger(fit.epochs) && fit.epochs >= 1 && fit.epochs <= EPOCHS_MAX)) bad('"fit.epochs"', fit.epochs, `an integer in [1, ${EPOCHS_MAX}]`);
  if (network !== undefined) {
    if (!isObject(network)) bad('"network"', network, 'an object { "layers": [...], ... }');
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new UsageError(`--config ${file}: has an unknown top-level key ${JSON.stringify(extra)} next to "network"; expected network, dataset, fit`);
  }
  return {
    name: file,
    label: file,
    dataset: datasetName ? { name: datasetName } : dataset,
    config: network ?? rest,
    fit,
  };
}

/** "NAME", "NAME:remedy", "NAME:failure" or a config file path */
function scenarioFromSpec(spec) {
  const [name, side = 'failure', ...more] = spec.split(':');
  if (Object.hasOwn(presets, name)) {
    const ids = presets[name].remedies.map((r) => r.id);
    if (side === 'remedy' && !presets[name].remedy) throw new UsageError(`preset ${name} has no remedy`);
    if (more.length || !['failure', 'remedy', ...ids].includes(side)) {
      throw new UsageError(`"${spec}": expected NAME, NAME:failure or NAME:remedy${ids.length ? `, or NAME:REMEDY with REMEDY one of ${ids.join(', ')}` : ''}`);
    }
    return presetScenario(name, side);
  }
  if (spec.endsWith('.json')) return scenarioFromFile(spec);
  throw new UsageError(`"${spec}" is neither a preset (${PRESET_NAMES.join(', ')}) nor a .json config file`);
}

function progress(epochs) {
  if (!process.stderr.isTTY) return undefined;
  return ({ epoch, loss, valLoss }) => {
    process.stderr.write(`\repoch ${epoch + 1}/${epochs}  loss ${sci(loss)}${valLoss !== undefined ? `  test loss ${sci(valLoss)}` : ''}   `);
    if (epoch + 1 === epochs) process.stderr.write('\n');
  };
}

async function run(scenario, { seed, epochs, quiet }) {
  const total = epochs ?? scenario.fit.epochs ?? 1;
  try {
    return await runScenario(scenario, { seed, epochs, onEpoch: quiet ? undefined : progress(total) });
  } catch (err) {
    // the library's validation errors (plain Errors naming the parameter) are the
    // user's bad input; a TypeError or RangeError would be a bug: shown with its stack
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    throw new UsageError(`${scenario.name}: ${err.message.split('\n')[0]}`);
  }
}

/**
 * Per-epoch rows: losses from fit's history, each layer's mean gradient norm
 * over the epoch's steps from the training record (which keeps the newest
 * steps only: epochs whose steps were dropped get empty cells).
 */
function perEpochCsv(config, history, record) {
  const layers = record.steps.layers;
  const kept = record.steps.loss.length;
  const perEpoch = (record.firstStep + kept) / history.epochs;
  const cols = ['epoch', 'loss', 'valLoss', 'valAccuracy', ...config.layers.map((_, l) => `layer${l}GradNorm`)];
  const lines = [cols.join(',')];
  for (let e = 0; e < history.epochs; e++) {
    const from = Math.max(0, Math.round(e * perEpoch) - record.firstStep);
    const to = Math.round((e + 1) * perEpoch) - record.firstStep;
    const mean = (series) => {
      let s = 0;
      let n = 0;
      for (let i = from; i < to; i++) if (Number.isFinite(series[i])) (s += series[i]), n++;
      return n ? s / n : '';
    };
    lines.push([e + 1, history.loss[e], history.valLoss?.[e] ?? '', history.valAccuracy?.[e] ?? '', ...layers.map((l) => (to > 0 ? mean(l.gradNorm) : ''))].join(','));
  }
  return `${lines.join('\n')}\n`;
}

async function train(args) {
  const { values } = parse('train', args, {
    preset: { type: 'string' },
    remedy: { type: 'boolean' },
    config: { type: 'string' },
    dataset: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    csv: { type: 'string' },
    'try-remedies': { type: 'boolean' },
    'remedy-seeds': { type: 'string' },
  });
  if (values.help) return console.log(HELP.train);
  if (values['remedy-seeds'] !== undefined && !values['try-remedies']) throw new UsageError('--remedy-seeds goes with --try-remedies');
  if (!values.preset === !values.config) throw new UsageError('train needs exactly one of --preset NAME or --config FILE (see gradscope train --help)');
  let scenario;
  if (values.preset) {
    const [name, side] = values.preset.split(':');
    if (!Object.hasOwn(presets, name)) throw new UsageError(`--preset is "${values.preset}"; expected one of ${PRESET_NAMES.join(', ')} (optionally NAME:REMEDY)`);
    if (side !== undefined && values.remedy) throw new UsageError('--remedy goes with a plain --preset NAME, not NAME:REMEDY');
    scenario = scenarioFromSpec(side !== undefined ? values.preset : `${name}:${values.remedy ? 'remedy' : 'failure'}`);
    if (values.dataset) scenario = { ...scenario, dataset: { name: values.dataset } };
  } else {
    if (values.remedy) throw new UsageError('--remedy goes with --preset');
    scenario = scenarioFromFile(values.config, values.dataset);
  }
  const seed = seedOption(values);
  const epochs = epochsOption(values);
  const remedySeeds = values['remedy-seeds'] !== undefined ? seedList(values['remedy-seeds'], 'remedy-seeds') : [seed];
  if (values.csv) checkWritable('--csv', values.csv);
  const { net, history, findings } = await run(scenario, { seed, epochs, quiet: values.json });
  const stats = net.layerStats();
  const config = net.config;
  const csv = values.csv ? perEpochCsv(config, history, net.trainingRecord()) : null;
  net.dispose();
  if (csv) {
    try {
      writeFileSync(values.csv, csv);
    } catch (err) {
      throw new UsageError(`--csv ${values.csv} cannot be written (${err.code ?? err.message})`);
    }
  }
  const tried = values['try-remedies'] ? await remedies(scenario, findings, { seeds: remedySeeds, epochs, quiet: values.json }) : null;
  if (values.json) {
    console.log(JSON.stringify({ scenario: scenario.name, seed, config, summary: summary(history), history: { loss: history.loss, valLoss: history.valLoss, valAccuracy: history.valAccuracy }, layers: stats, findings, ...(tried ? { tryRemedies: tried } : {}) }, null, 2));
    return;
  }
  const s = summary(history);
  console.log(`${scenario.name} (${scenario.label}), seed ${seed}, ${s.epochs} epochs`);
  console.log(`train loss ${sci(s.trainLoss)}  test loss ${sci(s.testLoss)} (best ${sci(s.bestTestLoss)})${s.testAccuracy !== undefined ? `  test accuracy ${(100 * s.testAccuracy).toFixed(1)}%` : ''}${s.skippedSteps ? `  skipped steps ${s.skippedSteps}` : ''}`);
  console.log(`\n${layerTable(config, stats)}\n\n${findingsText(findings)}`);
  if (tried) console.log(tried.length ? `\n${tried.map(remediesTable).join('\n\n')}` : '\nno finding, so no remedy to try');
}

/** tryRemedies() for each finding (one per kind), with progress on a terminal */
async function remedies(scenario, findings, { seeds, epochs, quiet }) {
  const tty = process.stderr.isTTY && !quiet;
  const out = [];
  for (const finding of findings) {
    if (out.some((r) => r.kind === finding.kind)) continue;
    try {
      out.push(
        await tryRemedies(scenario, finding, {
          seeds,
          ...(epochs !== undefined ? { epochs } : {}),
          onResult: tty ? (r) => process.stderr.write(`\r\x1b[K${finding.kind}: ${r.label} done`) : undefined,
        }),
      );
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      throw new UsageError(`${scenario.name}: ${err.message.split('\n')[0]}`);
    }
  }
  if (tty) process.stderr.write('\r\x1b[K');
  return out;
}

async function compare(args) {
  const { values, positionals } = parse('compare', args, { epochs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (values.help) return console.log(HELP.compare);
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('compare needs one preset name, or two presets / config files (see gradscope compare --help)');
  let specs = positionals;
  if (specs.length === 1) {
    scenarioFromSpec(specs[0]); // says what is wrong with the spec itself
    if (!(Object.hasOwn(presets, specs[0]) && presets[specs[0]].remedy)) throw new UsageError(`"${specs[0]}" alone must be a preset with a remedy`);
    specs = [specs[0], `${specs[0]}:remedy`];
  }
  const seed = seedOption(values);
  const epochs = epochsOption(values);
  const runs = [];
  for (const spec of specs) {
    const scenario = scenarioFromSpec(spec);
    const { net, history, findings } = await run(scenario, { seed, epochs, quiet: values.json });
    runs.push({ title: scenario.name, label: scenario.label, stats: net.layerStats(), history, record: net.trainingRecord(), findings });
    net.dispose();
  }
  if (values.json) {
    console.log(JSON.stringify(runs.map((r) => ({ scenario: r.title, summary: summary(r.history), layers: r.stats, findings: r.findings })), null, 2));
    return;
  }
  console.log(`seed ${seed}: ${runs[0].title} = ${runs[0].label}; ${runs[1].title} = ${runs[1].label}\n`);
  console.log(compareText(runs[0], runs[1]));
}

async function sweepCommand(args) {
  const { values } = parse('sweep', args, {
    dropout: { type: 'string' },
    lr: { type: 'string' },
    preset: { type: 'string' },
    config: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) return console.log(HELP.sweep);
  if (!values.dropout === !values.lr) throw new UsageError('sweep needs exactly one of --dropout LIST or --lr LIST (see gradscope sweep --help)');
  if (values.preset && values.config) throw new UsageError('sweep takes --preset or --config, not both');
  if (values.seed !== undefined && values.seeds !== undefined) throw new UsageError('sweep takes --seed N or --seeds LIST, not both');
  const param = values.dropout ? 'dropout' : 'learningRate';
  const flag = values.dropout ? 'dropout' : 'lr';
  const list = values.dropout ? numberList('dropout', values.dropout, { max: 1 }) : numberList('lr', values.lr, { min: 0, minOpen: true, max: 1e6 });
  let base;
  if (values.config) base = scenarioFromFile(values.config);
  else {
    const spec = values.preset ?? 'overfitting';
    const [name] = spec.split(':');
    if (!Object.hasOwn(presets, name)) throw new UsageError(`--preset is "${spec}"; expected one of ${PRESET_NAMES.join(', ')} (optionally NAME:REMEDY)`);
    base = scenarioFromSpec(spec);
  }
  const seeds = values.seeds !== undefined ? seedList(values.seeds) : [seedOption(values)];
  const epochs = epochsOption(values);
  const tty = process.stderr.isTTY && !values.json;
  let rows;
  try {
    rows = await sweep(base, {
      param,
      values: list,
      seeds,
      ...(epochs !== undefined ? { epochs } : {}),
      onPoint: tty ? (row, i) => process.stderr.write(`\r${flag} ${row.value} done (${i + 1}/${list.length})      `) : undefined,
    });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    throw new UsageError(`${base.name}: ${err.message.split('\n')[0]}`);
  }
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.json) {
    const out = rows.map(({ runs, seeds: _, ...row }) => ({ ...row, runs }));
    console.log(JSON.stringify({ scenario: base.name, param, seeds, rows: out }, null, 2));
    return;
  }
  const over = seeds.length === 1 ? `seed ${seeds[0]}` : `median over seeds ${seeds.join(', ')}`;
  console.log(`${base.name}, ${over}: final train loss (eval mode) and test loss per ${flag}\n`);
  console.log(sweepTable(flag, rows));
  if (process.stdout.isTTY) console.log(`\n${sweepChart(flag, rows)}`);
}

/** "1,2,3" -> seeds */
function seedList(value, flag = 'seeds') {
  const parts = value.split(',');
  if (parts.length > 100) throw new UsageError(`--${flag} has ${parts.length} seeds; expected at most 100`);
  return parts.map((part) => intOption(flag, part, 0, SEED_MAX));
}

function listPresets(args) {
  const { values } = parse('presets', args, { json: { type: 'boolean' } });
  if (values.help) return console.log(HELP.presets);
  if (values.json) return console.log(JSON.stringify(presets, null, 2));
  for (const [name, p] of Object.entries(presets)) {
    const lines = p.remedies.length ? [`failure: ${p.failure.label}`, 'remedies, one change each (* the seed\'s):', ...p.remedies.map((r) => `  ${name}:${r.id.padEnd(12)} ${r.label}${r.seed ? ' *' : ''}`)] : [`network: ${p.failure.label}`];
    console.log(`${name}: ${p.title}\n${lines.map((l) => `  ${l}`).join('\n')}\n  ${p.description}\n`);
  }
}

const fmt = (v) => (v === 0 ? '0' : v.toExponential(1)).padStart(8);

async function demo(args) {
  const { values } = parse('demo', args, { epochs: { type: 'string' }, seed: { type: 'string' } });
  if (values.help) return console.log(HELP.demo);
  const epochs = epochsOption(values) ?? 30;
  const seed = seedOption(values);
  const { train, test } = datasets.circle({ samples: 600, noise: 0.05, seed, testRatio: 1 / 3 });
  const depth = 6;
  const runs = [
    { name: 'deep sigmoid, xavier init', activation: 'sigmoid', init: 'xavier' },
    { name: 'deep ReLU, He init (the remedy)', activation: 'relu', init: 'he' },
  ];
  for (const r of runs) {
    const net = await createNetwork({
      inputs: 2,
      layers: [...Array.from({ length: depth }, () => ({ units: 16, activation: r.activation })), { units: 1 }],
      loss: 'bce',
      init: r.init,
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
      seed,
    });
    console.log(`\n${r.name} (${net.simd ? 'SIMD' : 'scalar'} core): gradient norm of each layer's weights`);
    console.log(`epoch  ${Array.from({ length: depth + 1 }, (_, l) => `layer ${l}`.padStart(8)).join(' ')}   train loss  test acc`);
    const t0 = performance.now();
    const every = Math.max(1, Math.floor(epochs / 6));
    let firstRatio = 0;
    await net.fit(train.x, train.y, {
      epochs,
      batchSize: 20,
      validation: test,
      onEpoch: ({ epoch, loss, valAccuracy }) => {
        const stats = net.layerStats();
        if (epoch === 0) firstRatio = stats[0].gradNorm / stats[depth].gradNorm;
        if (epoch % every !== 0 && epoch !== epochs - 1) return;
        const norms = stats.map((s) => fmt(s.gradNorm)).join(' ');
        console.log(`${String(epoch + 1).padStart(5)}  ${norms}   ${loss.toFixed(4).padStart(10)}  ${(100 * valAccuracy).toFixed(1).padStart(7)}%`);
      },
    });
    const ms = (performance.now() - t0) / epochs;
    console.log(`layer 0 / layer ${depth} gradient norm after epoch 1: ${firstRatio.toExponential(1)}; ${ms.toFixed(1)} ms per epoch`);
    net.dispose();
  }
  console.log('\nMore: gradscope presets, gradscope compare vanishing-gradients, gradscope train --preset dead-relu --try-remedies, gradscope sweep --dropout 0,0.2,0.4,0.6,0.8,1, gradscope sweep --lr 0.03,0.3,3 --preset dead-relu');
}

async function exportCommand(args) {
  const { values, positionals } = parse('export', args, { pytorch: { type: 'boolean' }, out: { type: 'string', short: 'o' } }, true);
  if (values.help) return console.log(HELP.export);
  if (!values.pytorch || positionals.length !== 1) throw new UsageError('export needs --pytorch and one saved model file (see gradscope export --help)');
  const [file] = positionals;
  if (values.out) checkWritable('-o', values.out);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : (err.code ?? err.message);
    throw new UsageError(`export: ${file} cannot be read (${why}); expected a saved network (net.toJSON(), the page's Save model)`);
  }
  let net;
  try {
    net = await loadNetwork(text);
  } catch (err) {
    // loadNetwork's validation errors name what is wrong in the file; a TypeError or RangeError would be a bug
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    throw new UsageError(`export: ${file}: ${err.message.replace(/\s*\n\s*/g, ' ')}`);
  }
  const script = toPyTorch(net);
  net.dispose();
  if (values.out) {
    try {
      writeFileSync(values.out, script);
    } catch (err) {
      throw new UsageError(`-o ${values.out} cannot be written (${err.code ?? err.message})`);
    }
  } else process.stdout.write(script);
}

/** a classification CSV for a card: header or none (then the label is column 0), pixel bytes scaled to [0, 1] */
function cardCsv(file, label, seed) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : (err.code ?? err.message);
    throw new UsageError(`--csv ${file} cannot be read (${why}); expected a CSV file`);
  }
  const newline = text.indexOf('\n');
  const first = (newline < 0 ? text : text.slice(0, newline)).trim();
  const delimiter = datasets.sniffDelimiter(first);
  const cells = first.split(delimiter);
  const headerless = cells.every((c) => c.trim() !== '' && Number.isFinite(Number(c)));
  if (headerless) text = `${cells.map((_, i) => (i === 0 ? 'label' : `x${i}`)).join(delimiter)}\n${text}`;
  const header = headerless ? ['label'] : cells.map((c) => c.trim().replace(/^"|"$/g, ''));
  let labelColumn = label ?? (header.includes('label') ? 'label' : 0);
  if (typeof labelColumn === 'string' && /^\d+$/.test(labelColumn)) labelColumn = Number(labelColumn);
  let data;
  try {
    data = datasets.parseCsv(text, { labelColumn, delimiter, seed, name: file });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    throw new UsageError(`--csv ${file}: ${err.message.replace(/\s*\n\s*/g, ' ')}`);
  }
  const bytes = [data.train.x, data.test.x].every((x) => x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
  const max = Math.max(0, maxOf(data.train.x), maxOf(data.test.x));
  if (bytes && max > 1) {
    for (const x of [data.train.x, data.test.x]) for (let i = 0; i < x.length; i++) x[i] /= 255;
    process.stderr.write(`--csv ${file}: pixel values 0-255 scaled to [0, 1]\n`);
  }
  return data;
}

const verdict = (holds) => (holds === true ? 'holds' : holds === false ? 'does not hold' : 'not measured');

function wrapped(text, indent, width = 100) {
  const words = String(text).split(/\s+/);
  const lines = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent.length) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

function cardText(meta, card) {
  const out = [`${meta.title}`, `${meta.authors} (${meta.venue}, ${meta.year}) - card ${card.id}, seed ${card.seed}, on ${card.data}`, '', 'setup: the paper | ours'];
  for (const row of meta.setup.rows) out.push(`  ${row.item}:`, wrapped(`paper: ${row.paper}`, '    '), wrapped(`ours:  ${row.ours}`, '    '));
  out.push(wrapped(`why scaled down: ${meta.setup.why}`, '  '), '', `claims (${card.claims.length}):`);
  card.claims.forEach((c, i) => {
    out.push(wrapped(`${i + 1}. [${verdict(c.holds)}] ${c.text}`, '  '));
    out.push(wrapped(`paper: ${c.paper.value} (${c.paper.source}: ${c.paper.where})`, '     '));
    out.push(wrapped(`ours:  ${c.ours}`, '     '));
    if (c.note) out.push(wrapped(`note:  ${c.note}`, '     '));
  });
  const counts = [true, false, null].map((h) => card.claims.filter((c) => c.holds === h).length);
  out.push('', `card: ${verdict(card.holds)} (${counts[0]} hold, ${counts[1]} do not, ${counts[2]} not measured); ${(card.ms / 1000).toFixed(1)} s`);
  return out.join('\n');
}

async function paperCommand(args) {
  const { values, positionals } = parse('paper', args, { json: { type: 'boolean' }, seed: { type: 'string' }, csv: { type: 'string' }, label: { type: 'string' } }, true);
  if (values.help) return console.log(HELP.paper);
  const ids = Object.keys(papers);
  if (positionals.length !== 1) throw new UsageError(`paper needs one card id: ${ids.join(', ')} (see gradscope paper --help)`);
  const [id] = positionals;
  if (!Object.hasOwn(papers, id)) throw new UsageError(`paper: "${id}" is not a card; expected one of ${ids.join(', ')}`);
  if (values.label !== undefined && values.csv === undefined) throw new UsageError('--label goes with --csv');
  const seed = seedOption(values);
  const data = values.csv !== undefined ? cardCsv(values.csv, values.label, seed) : undefined;
  const tty = process.stderr.isTTY && !values.json;
  if (tty) process.stderr.write(`${id}: ${data ? papers[id].setup.timeWithData : papers[id].setup.time}\n`);
  let card;
  try {
    card = await reproduce(id, { seed, ...(data ? { data } : {}), onProgress: tty ? ({ done, total, label }) => process.stderr.write(`\r\x1b[K${done}/${total} ${label}`) : undefined });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    throw new UsageError(`paper ${id}: ${err.message.split('\n')[0]}`);
  }
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.json) return console.log(JSON.stringify({ paper: papers[id], card }, null, 2));
  console.log(cardText(papers[id], card));
}

const COMMANDS = { train, compare, sweep: sweepCommand, presets: listPresets, demo, export: exportCommand, paper: paperCommand };

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') {
    console.log(HELP.main);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
    return 0;
  }
  const fn = COMMANDS[command];
  if (!fn) throw new UsageError(`unknown command "${command}"; expected one of ${Object.keys(COMMANDS).join(', ')} (see gradscope --help)`);
  await fn(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`gradscope: ${err instanceof UsageError ? err.message : err.stack}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
