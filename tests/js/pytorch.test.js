// To PyTorch and back, checked with Debian's python3-torch: the script toPyTorch()
// writes predicts what gradscope predicts (eval mode) and, given one more training
// step on the same batch (dropout 0), ends with the same parameters, running
// statistics and loss — for each optimizer with its state and a schedule mid-way.
// And a model trained in PyTorch, exported by python/export_state_dict.py, loads with
// loadPyTorch and predicts what PyTorch predicts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createNetwork, fromPyTorch, loadPyTorch, toPyTorch } from '../../js/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

const CASES = {
  'adam, warmup + cosine, clip, L1, L2; gelu + batch norm, tanh + layer norm, silu': {
    inputs: 3,
    layers: [{ units: 8, activation: 'gelu', batchNorm: true }, { units: 6, activation: 'tanh', layerNorm: true }, { units: 5, activation: 'silu' }, { units: 3 }],
    loss: 'softmax-ce',
    optimizer: { type: 'adam', learningRate: 0.01, weightDecay: 1e-3, l1: 1e-4, schedule: { warmupSteps: 3, decay: 'cosine', decaySteps: 20, minLearningRate: 1e-3 } },
    clipNorm: 0.5,
  },
  'sgd nesterov momentum, step decay, L2; elu + batch norm, selu, leaky-relu': {
    inputs: 3,
    layers: [{ units: 7, activation: 'elu', batchNorm: true }, { units: 6, activation: 'selu' }, { units: 4, activation: 'leaky-relu' }, { units: 2 }],
    loss: 'bce',
    optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-2, schedule: { warmupSteps: 0, decay: 'step', stepSize: 2, gamma: 0.5 } },
  },
  'rmsprop centered with momentum, exponential decay; relu, sigmoid; mse': {
    inputs: 3,
    layers: [{ units: 8, activation: 'relu' }, { units: 5, activation: 'sigmoid', layerNorm: true }, { units: 2 }],
    loss: 'mse',
    optimizer: { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true, weightDecay: 1e-3, schedule: { warmupSteps: 2, decay: 'exponential', gamma: 0.9 } },
  },
  'adamw (decoupled decay), plain sgd; layer norm + gelu': {
    inputs: 3,
    layers: [{ units: 6, activation: 'gelu', layerNorm: true }, { units: 3 }],
    loss: 'softmax-ce',
    optimizer: { type: 'adamw', learningRate: 0.02 },
  },
  'sgd momentum with max-norm 0.4 (binding); relu, tanh; mse': {
    inputs: 3,
    layers: [{ units: 8, activation: 'relu' }, { units: 5, activation: 'tanh' }, { units: 2 }],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.3, momentum: 0.9, maxNorm: 0.4 },
  },
  'adam; softsign, softsign + batch norm; bce': {
    inputs: 3,
    layers: [{ units: 7, activation: 'softsign' }, { units: 5, activation: 'softsign', batchNorm: true }, { units: 2 }],
    loss: 'bce',
    optimizer: { type: 'adam', learningRate: 0.02 },
  },
  'sgd without momentum (no state), dropout configured at 0': {
    inputs: 3,
    layers: [{ units: 5, activation: 'tanh', dropout: 0 }, { units: 1 }],
    loss: 'bce',
    optimizer: { type: 'sgd', learningRate: 0.1 },
  },
};

function batch(config, rows, seed) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const x = Float32Array.from({ length: rows * config.inputs }, rand);
  const out = config.layers.at(-1).units;
  const y = config.loss === 'softmax-ce' ? Int32Array.from({ length: rows }, (_, i) => i % out) : config.loss === 'bce' ? Float32Array.from({ length: rows * out }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0) : Float32Array.from({ length: rows * out }, rand);
  return { x, y };
}

const DRIVER = `
import importlib.util, json, sys, torch
job = json.load(open(sys.argv[1]))
out = []
for c in job:
    spec = importlib.util.spec_from_file_location("m%d" % len(out), c["script"])
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    p = m.predict(torch.tensor(c["x"])).reshape(-1).tolist()
    lr = m.learning_rate(m.step)
    loss = m.train_step(torch.tensor(c["x"]), torch.tensor(c["y"]))
    state = {k: v.reshape(-1).tolist() for k, v in m.model.state_dict().items() if v.is_floating_point()}
    out.append({"predict": p, "lr": lr, "loss": loss, "state": state, "step": m.step})
print(json.dumps(out))
`;

const maxDiff = (a, b) => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return d;
};

test('toPyTorch: the script predicts as gradscope and one more step gives the same parameters', { skip: !hasTorch && 'python3-torch not installed', timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-torch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const nets = [];
  const job = [];
  for (const [name, config] of Object.entries(CASES)) {
    const net = await createNetwork({ ...config, seed: 7 });
    const { x, y } = batch(config, 16, 3);
    for (let i = 0; i < 5; i++) net.trainStep(x, y); // optimizer state and schedule mid-way
    const script = join(dir, `case${job.length}.py`);
    writeFileSync(script, toPyTorch(net));
    job.push({ script, x: Array.from(x), y: Array.from(y) });
    nets.push({ name, net, x, y, config });
  }
  writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
  writeFileSync(join(dir, 'driver.py'), DRIVER);
  const py = spawnSync(PYTHON, [join(dir, 'driver.py'), join(dir, 'job.json')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, py.stderr);
  const results = JSON.parse(py.stdout);
  const figures = [];
  nets.forEach(({ name, net, x, y, config }, i) => {
    const r = results[i];
    const pred = net.predict(x);
    const dPredict = maxDiff(r.predict, pred);
    assert.ok(Math.abs(r.lr - net.learningRate) <= 1e-6 * net.learningRate, `${name}: learning rate ${r.lr} vs ${net.learningRate}`);
    const { loss } = net.trainStep(x, y);
    const dLoss = Math.abs(r.loss - loss) / Math.max(1, Math.abs(loss));
    const params = net.getParameters();
    let dParams = 0;
    // compare by walking the script's module order: Linear, then its norm
    const names = Object.keys(r.state);
    let k = 0;
    for (const [l, p] of params.entries()) {
      const layer = config.layers[l];
      const take = () => r.state[names[k++]];
      dParams = Math.max(dParams, maxDiff(take(), p.weight));
      // a dense bias right before batch norm has a gradient of exactly 0 in exact
      // arithmetic (the norm subtracts it); Adam and RMSprop divide the float32 rounding
      // noise left there by its own size, so that update is noise on both sides
      const noise = take();
      if (!(layer.batchNorm && config.optimizer.type !== 'sgd')) dParams = Math.max(dParams, maxDiff(noise, p.bias));
      if (layer.batchNorm || layer.layerNorm) dParams = Math.max(dParams, maxDiff(take(), p.gamma), maxDiff(take(), p.beta));
      if (layer.batchNorm) dParams = Math.max(dParams, maxDiff(take(), p.runningMean), maxDiff(take(), p.runningVar));
    }
    assert.equal(k, names.length, `${name}: every tensor compared`);
    figures.push(`${name}: predict ${dPredict.toExponential(1)}, loss ${dLoss.toExponential(1)}, parameters after one step ${dParams.toExponential(1)}`);
    assert.ok(dPredict < 1e-5, `${name}: predictions differ by ${dPredict}`);
    assert.ok(dLoss < 1e-5, `${name}: losses differ by ${dLoss}`);
    assert.ok(dParams < 1e-5, `${name}: parameters after one step differ by ${dParams}`);
    assert.equal(r.step, net.toJSON().optimizer.step);
    net.dispose();
  });
  for (const f of figures) t.diagnostic(f);
});

test('the script is runnable on its own and names its parts', { skip: !hasTorch && 'python3-torch not installed' }, async (t) => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu', batchNorm: true, dropout: 0.3 }, { units: 1 }], loss: 'bce', optimizer: { type: 'adam' } });
  const script = toPyTorch(net);
  net.dispose();
  for (const part of ['nn.Linear(2, 4)', 'nn.BatchNorm1d(4, eps=1e-5, momentum=0.1)', 'nn.ReLU()', 'nn.Dropout(p=0.3', 'nn.BCEWithLogitsLoss()', 'torch.optim.Adam(', 'def train(x, y', 'def predict(x)']) {
    assert.ok(script.includes(part), `script lacks ${part}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-torch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'model.py'), script);
  const run = spawnSync(PYTHON, [join(dir, 'model.py')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /optimizer: Adam, step 0, next learning rate 0\.001; loss: bce/);
});

const TRAIN_IN_TORCH = `
import json, sys, torch
from torch import nn
sys.path.insert(0, sys.argv[1])
from export_state_dict import export
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 6), nn.LayerNorm(6), nn.GELU(), nn.Linear(6, 3))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.randn(32, 4)
y = torch.arange(32) % 3
for _ in range(20):
    opt.zero_grad()
    nn.CrossEntropyLoss()(model(x), y).backward()
    opt.step()
model.eval()
with torch.no_grad():
    p = torch.softmax(model(x), dim=1)
print(json.dumps({"doc": export(model, loss="softmax-ce"), "x": x.reshape(-1).tolist(), "p": p.reshape(-1).tolist()}))
`;

test('back from PyTorch: python/export_state_dict.py + loadPyTorch predict as PyTorch does', { skip: !hasTorch && 'python3-torch not installed', timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-torch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'train.py'), TRAIN_IN_TORCH);
  const py = spawnSync(PYTHON, [join(dir, 'train.py'), join(root, 'python')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, py.stderr);
  const { doc, x, p } = JSON.parse(py.stdout);
  const net = await loadPyTorch(doc, { optimizer: { type: 'adam', learningRate: 1e-3 } });
  const { config } = fromPyTorch(doc);
  assert.deepEqual(config.layers.map((l) => [l.units, l.activation, l.batchNorm, l.layerNorm, l.dropout]), [
    [8, 'relu', true, false, 0.2],
    [6, 'gelu', false, true, 0],
    [3, 'linear', false, false, 0],
  ]);
  const d = maxDiff(Array.from(net.predict(Float32Array.from(x))), p);
  t.diagnostic(`PyTorch-trained model in gradscope: predictions differ by ${d.toExponential(1)}`);
  assert.ok(d < 1e-5, `predictions differ by ${d}`);
  // fine-tunes in gradscope, and its script goes back to PyTorch
  const before = net.evaluate(Float32Array.from(x), Int32Array.from({ length: 32 }, (_, i) => i % 3)).loss;
  await net.fit(Float32Array.from(x), Int32Array.from({ length: 32 }, (_, i) => i % 3), { epochs: 20, batchSize: 32 });
  assert.ok(net.evaluate(Float32Array.from(x), Int32Array.from({ length: 32 }, (_, i) => i % 3)).loss < before);
  net.dispose();
  assert.throws(() => fromPyTorch({ ...doc, modules: [...doc.modules, { type: 'Conv1d' }] }), /fromPyTorch: doc\.modules\[8\]\.type is "Conv1d"; expected one of "Linear", "BatchNorm1d"/);
  assert.throws(() => fromPyTorch({ format: 'x' }), /fromPyTorch: doc\.format is "x"; expected "gradscope-pytorch-state-dict"/);
});

test('gradscope export --pytorch MODEL.json writes the script', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-torch-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'relu', layerNorm: true }, { units: 2 }], loss: 'softmax-ce', optimizer: { type: 'rmsprop' } });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(net.toJSON()));
  const expected = toPyTorch(net);
  net.dispose();
  const cli = join(root, 'js/cli.js');
  const out = spawnSync('node', [cli, 'export', '--pytorch', join(dir, 'model.json'), '-o', join(dir, 'model.py')], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(readFileSync(join(dir, 'model.py'), 'utf8'), expected);
  assert.equal(spawnSync('node', [cli, 'export', '--pytorch', join(dir, 'model.json')], { encoding: 'utf8' }).stdout, expected);
  const bad = spawnSync('node', [cli, 'export', join(dir, 'model.json')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /export needs --pytorch and one saved model file/);
});

test('net.toPyTorch() is toPyTorch(net), and loadNetwork takes a PyTorch export', async () => {
  const { createNetwork, loadNetwork, toPyTorch, fromPyTorch } = await import('../../js/index.js');
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'relu' }, { units: 1 }], seed: 4 });
  assert.equal(net.toPyTorch(), toPyTorch(net));
  net.dispose();
  assert.equal(typeof fromPyTorch, 'function');
  await assert.rejects(loadNetwork({ format: 'gradscope-pytorch-state-dict' }), /loadPyTorch|fromPyTorch|state_dict|expected/);
});
