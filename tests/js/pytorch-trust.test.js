// Trust in the PyTorch path (issue 19): toPyTorch validates a document exactly as
// loadNetwork does and writes only numbers, fixed identifiers and fixed literals into
// the Python; the import of a state_dict export (fromPyTorch / loadPyTorch / loadNetwork)
// checks every module field and tensor shape before it allocates, never applies a final
// Sigmoid twice, refuses what it cannot represent with a sentence, and throws the
// library's one error grammar for malformed documents. The round trip torch -> gradscope
// -> torch keeps every tensor bit for bit. Tests needing torch run /usr/bin/python3.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createNetwork, fromPyTorch, loadNetwork, loadPyTorch, toPyTorch } from '../../js/index.js';
import { fixture, isStandardError } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const noTorch = !hasTorch && 'python3-torch not installed';

/** real exports of python/export_state_dict.py (tests/fixtures/pytorch_exports.py) */
const EXPORTS = Object.fromEntries(fixture('pytorch_exports.json').cases.map((c) => [c.name, c]));
const exported = (name) => structuredClone(EXPORTS[name].doc);

/** asserts fn throws an Error of the library's grammar, matching `pattern` */
function refuses(fn, pattern, label = '') {
  let error;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  assert.ok(error, `${label}: accepted, expected a refusal matching ${pattern}`);
  assert.ok(isStandardError(error), `${label}: not the standard error form: ${error?.constructor?.name}: ${error?.message}`);
  if (pattern) assert.match(error.message, pattern, label);
  return error.message;
}

// ---- issue 18: no import cycle -----------------------------------------------------------

test('js/pytorch.js is on no import cycle (it takes what it needs; network.js and index.js wire it)', () => {
  const dir = join(root, 'js');
  const graph = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    graph.set(file, [...text.matchAll(/^(?:import|export)\b[^'"]*?from\s+'\.\/([\w-]+\.js)'/gm)].map((m) => m[1]));
  }
  // every module reachable from pytorch.js, and whether pytorch.js is among them
  const seen = new Set();
  const walk = (f) => {
    for (const next of graph.get(f) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        walk(next);
      }
    }
  };
  walk('pytorch.js');
  assert.ok(!seen.has('pytorch.js'), `pytorch.js reaches itself through ${[...seen].join(', ')}`);
  assert.ok(!seen.has('network.js'), 'pytorch.js imports network.js (directly or not)');
});

// ---- toPyTorch: the same validator as loadNetwork; nothing from the document runs ---------

const PAYLOADS = [
  '0.01); print("INJECTED"); (1',
  '0.01\nprint("INJECTED")\n',
  '__import__("os").system("echo INJECTED")',
  '"""\nprint("INJECTED")\n"""',
  'adam"; print("INJECTED"); x="',
  { toString: () => 'print("INJECTED")' },
  ['print("INJECTED")'],
];

/** every value slot of a document (a few per tensor), as [parent, key, path] */
function fieldSlots(doc) {
  const out = [];
  const walk = (node, path) => {
    for (const key of Object.keys(node)) {
      const value = node[key];
      const at = `${path}.${key}`;
      if (Array.isArray(node) && Number(key) > 1) continue; // two values per tensor are enough
      out.push([node, key, at]);
      if (value !== null && typeof value === 'object') walk(value, at);
    }
  };
  walk(doc, 'json');
  return out;
}

test('toPyTorch validates with loadNetwork\'s validator: an injection string in any field is refused, with the same message', async () => {
  const net = await createNetwork({
    inputs: 2,
    layers: [{ units: 3, activation: 'relu', batchNorm: true, dropout: 0.25 }, { units: 3, activation: 'gelu', layerNorm: true }, { units: 2 }],
    loss: 'softmax-ce',
    init: { type: 'normal', std: 0.5 },
    optimizer: { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true, l1: 1e-4, schedule: { warmupSteps: 2, decay: 'cosine', decaySteps: 10, minLearningRate: 1e-4 } },
    clipNorm: 1,
    seed: 3,
  });
  net.trainStep(Float32Array.of(0.1, 0.2, -0.3, 0.4), Int32Array.of(0, 1));
  const base = net.toJSON();
  net.dispose();
  assert.doesNotThrow(() => toPyTorch(base));
  let cases = 0;
  for (const payload of PAYLOADS) {
    const probe = structuredClone(base);
    for (const [, , path] of fieldSlots(probe)) {
      for (const mode of ['replace', 'add key']) {
        const doc = structuredClone(base);
        const slot = fieldSlots(doc).find(([, , p]) => p === path);
        const [parent, key] = slot;
        if (mode === 'replace') parent[key] = payload;
        else if (parent[key] !== null && typeof parent[key] === 'object' && !Array.isArray(parent[key])) parent[key].injected = payload;
        else continue;
        cases++;
        const label = `${mode} ${path} = ${String(payload).slice(0, 30)}`;
        const message = refuses(() => toPyTorch(doc), /^toPyTorch: /, label);
        // the same validator: loadNetwork refuses with the same sentence
        const loaded = await loadNetwork(doc).then(
          (n) => (n.dispose(), 'loaded'),
          (err) => err.message,
        );
        assert.equal(loaded.replace(/^loadNetwork: /, ''), message.replace(/^toPyTorch: /, ''), label);
      }
    }
  }
  assert.ok(cases > 300, `${cases} cases`);
});

test('toPyTorch writes only numbers, fixed identifiers and fixed literals: the script of a valid document has no other text', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'leaky-relu', batchNorm: true }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, schedule: { decay: 'step', stepSize: 3, gamma: 0.5 } } });
  const script = toPyTorch(net);
  net.dispose();
  // the lines that carry the document's values: each a fixed shape of numbers and identifiers
  const pick = (prefix) => script.split('\n').find((l) => l.startsWith(prefix));
  assert.match(pick('BASE_LR = '), /^BASE_LR = [\d.e+-]+$/);
  assert.match(pick('CLIP_NORM = '), /^CLIP_NORM = [\d.e+-]+$/);
  assert.match(pick('optimizer = '), /^optimizer = torch\.optim\.SGD\(groups, lr=[\d.e+-]+, momentum=[\d.e+-]+, nesterov=(True|False)\)$/);
  assert.match(pick('SCHEDULE = '), /^SCHEDULE = \{"warmup_steps": \d+, "decay": "(none|step|exponential|cosine)", "decay_steps": \d+, "step_size": \d+, "gamma": [\d.e+-]+, "min_lr": [\d.e+-]+\}$/);
  for (const line of script.split('\n').filter((l) => /^ {4}"\d+\.\w+": /.test(l))) {
    assert.match(line, /^ {4}"\d+\.(weight|bias|running_mean|running_var)": (\(\[[\d, ]+\], "[A-Za-z0-9+/=]*"\)|\{("\w+": "[A-Za-z0-9+/=]*"(, )?)*\}),$/, line);
  }
});

// ---- the import: a final Sigmoid with BCELoss -------------------------------------------

const GEN = `
import json, sys, torch
from torch import nn
sys.path.insert(0, sys.argv[1])
out_dir = sys.argv[2]
from export_state_dict import export
torch.manual_seed(0)


def train(model, fn, x, y, steps=10):
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        opt.zero_grad()
        fn(model(x), y).backward()
        opt.step()
    model.eval()
    return model


flat = lambda t: t.reshape(-1).tolist()
x = torch.randn(12, 3)
yb = (torch.rand(12, 1) > 0.5).float()
res = {"x": flat(x)}
m = train(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid()), nn.BCELoss(), x, yb)
with torch.no_grad():
    p = m(x)
res["sigmoid_bce"] = {"doc": export(m, loss="bce"), "y": flat(yb), "p": flat(p), "loss": nn.BCELoss()(p, yb).item()}
res["sigmoid_dropout_bce"] = export(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid(), nn.Dropout(0.1)), loss="bce")
ym = torch.rand(12, 2)
m = train(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid()), nn.MSELoss(), x, ym)
with torch.no_grad():
    res["sigmoid_mse"] = {"doc": export(m, loss="mse"), "p": flat(m(x))}
m = train(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=None), nn.ReLU(), nn.Linear(4, 1)), nn.MSELoss(), x, torch.randn(12, 1))
res["bn_cumulative"] = export(m, loss="mse")
cases = [
    ("bn-relu-dropout-ln-gelu, softmax-ce", "softmax-ce", nn.CrossEntropyLoss(), torch.arange(12) % 3,
     nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Dropout(0.2), nn.Linear(6, 5), nn.LayerNorm(5), nn.GELU(), nn.Linear(5, 3))),
    ("leaky-elu-selu-silu-tanh, mse", "mse", nn.MSELoss(), ym,
     nn.Sequential(nn.Linear(3, 5), nn.LeakyReLU(0.01), nn.Linear(5, 4), nn.ELU(), nn.Linear(4, 4), nn.SELU(), nn.Linear(4, 3), nn.SiLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2))),
    ("final Sigmoid with BCELoss", "bce", nn.BCELoss(), yb,
     nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())),
    ("logits with BCEWithLogitsLoss", "bce", nn.BCEWithLogitsLoss(), yb, nn.Sequential(nn.Linear(3, 4), nn.SiLU(), nn.Linear(4, 1))),
]
res["round_trip"] = []
for i, (name, loss, fn, y, m) in enumerate(cases):
    train(m, fn, x, y)
    torch.save(m, "%s/rt%d.pt" % (out_dir, i))
    res["round_trip"].append({"name": name, "loss": loss, "model": "%s/rt%d.pt" % (out_dir, i), "doc": export(m, loss=loss)})
try:
    export(nn.Sequential(nn.Linear(3, 1)), loss="hinge")
    res["bad_loss"] = None
except ValueError as e:
    res["bad_loss"] = str(e)
print(json.dumps(res))
`;

const BACK = `
import importlib.util, json, sys, torch
from torch import nn
job = json.load(open(sys.argv[1]))
x = torch.tensor(job["x"]).reshape(-1, 3)
out = []
for i, c in enumerate(job["cases"]):
    orig = torch.load(c["model"])
    orig.eval()
    spec = importlib.util.spec_from_file_location("rt%d" % i, c["script"])
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    a = [t for t in orig.state_dict().values() if t.is_floating_point()]
    b = [t for t in m.model.state_dict().values() if t.is_floating_point()]
    with torch.no_grad():
        o = orig(x)
    if c["loss"] == "softmax-ce":
        o = torch.softmax(o, dim=1)
    elif c["loss"] == "bce" and not isinstance(list(orig)[-1], nn.Sigmoid):
        o = torch.sigmoid(o)
    p = m.predict(x)
    out.append({"tensors": [len(a), len(b)], "unequal": [k for k, (u, v) in enumerate(zip(a, b)) if not torch.equal(u, v)],
                "predict": (p - o).abs().max().item()})
print(json.dumps(out))
`;

let generated = null;
function fromTorch(dir) {
  writeFileSync(join(dir, 'gen.py'), GEN);
  const py = spawnSync(PYTHON, [join(dir, 'gen.py'), join(root, 'python'), dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, py.stderr);
  return JSON.parse(py.stdout);
}

const maxDiff = (a, b) => {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

test('PyTorch through torch and back', { skip: noTorch, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-trust-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  generated = fromTorch(dir);
  const x = Float32Array.from(generated.x);

  await t.test('a model ending in nn.Sigmoid, exported with loss bce (BCELoss): the Sigmoid becomes bce on logits, applied once', async () => {
    const { doc, y, p, loss } = generated.sigmoid_bce;
    const { config } = fromPyTorch(doc);
    assert.deepEqual(config.layers.map((l) => l.activation), ['relu', 'linear']);
    assert.equal(config.loss, 'bce');
    const net = await loadPyTorch(doc);
    const d = maxDiff(net.predict(x), p);
    const l = net.evaluate(x, Float32Array.from(y)).loss;
    net.dispose();
    assert.ok(d < 1e-6, `predictions differ from torch's by ${d} (a second sigmoid gives ~0.1)`);
    assert.ok(Math.abs(l - loss) < 1e-5, `loss ${l} vs torch's BCELoss ${loss}`);
    // the same through loadNetwork, and with loss given as an option
    const again = await loadNetwork(JSON.stringify({ ...doc, loss: null }), { loss: 'bce' });
    assert.ok(maxDiff(again.predict(x), p) < 1e-6);
    again.dispose();
  });

  await t.test('a Dropout between the final Sigmoid and bce is refused with a sentence; with mse the Sigmoid stays', async () => {
    refuses(() => fromPyTorch(generated.sigmoid_dropout_bce), /fromPyTorch: doc\.modules\[4\]\.type is "Dropout"; expected .*final Sigmoid/);
    const { doc, p } = generated.sigmoid_mse;
    const net = await loadPyTorch(doc);
    assert.equal(net.config.layers.at(-1).activation, 'sigmoid');
    assert.ok(maxDiff(net.predict(x), p) < 1e-6);
    net.dispose();
  });

  await t.test('export_state_dict.py refuses a loss gradscope does not have', () => {
    assert.equal(generated.bad_loss, "export: loss is 'hinge'; expected None, 'mse', 'bce' or 'softmax-ce'");
  });

  await t.test('BatchNorm1d(momentum=None) (a cumulative average) is refused, not loaded as momentum 0.1', async () => {
    const doc = generated.bn_cumulative;
    assert.equal(doc.modules[1].momentum, null);
    refuses(() => fromPyTorch(doc), /fromPyTorch: doc\.modules\[1\]\.momentum is null; expected 0\.1 .*cumulative/);
    await assert.rejects(loadNetwork(doc), /loadNetwork: doc\.modules\[1\]\.momentum is null; expected 0\.1/);
  });

  await t.test('torch -> gradscope -> torch: every tensor bit for bit, the same predictions', async () => {
    const job = { x: generated.x, cases: [] };
    for (const [i, c] of generated.round_trip.entries()) {
      const net = await loadNetwork(c.doc);
      const script = join(dir, `rt${i}.py`);
      writeFileSync(script, net.toPyTorch());
      net.dispose();
      job.cases.push({ ...c, script });
    }
    writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
    writeFileSync(join(dir, 'back.py'), BACK);
    const py = spawnSync(PYTHON, [join(dir, 'back.py'), join(dir, 'job.json')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(py.status, 0, py.stderr);
    JSON.parse(py.stdout).forEach((r, i) => {
      const { name } = generated.round_trip[i];
      t.diagnostic(`${name}: ${r.tensors[0]} tensors, ${r.unequal.length} differ; predictions differ by ${r.predict}`);
      assert.equal(r.tensors[0], r.tensors[1], `${name}: tensor count`);
      assert.deepEqual(r.unequal, [], `${name}: tensors that came back different`);
      assert.equal(r.predict, 0, `${name}: predictions differ by ${r.predict}`);
    });
  });
});

// ---- the import: module fields and tensors ----------------------------------------------

test('tensor shapes are checked: a transposed weight, [6], "junk" and a missing shape are refused', () => {
  const doc = exported('bn-ln-gelu-softmax');
  assert.deepEqual(doc.state_dict['0.weight'].shape, [5, 3]);
  for (const [shape, pattern] of [
    [[3, 5], /fromPyTorch: doc\.state_dict\["0\.weight"\]\.shape is \[3,5\]; expected \[5, 3\] \(nn\.Linear's weight is \[out_features, in_features\]\)/],
    [[15], /doc\.state_dict\["0\.weight"\]\.shape is \[15\]; expected \[5, 3\]/],
    ['junk', /doc\.state_dict\["0\.weight"\]\.shape is "junk"; expected \[5, 3\]/],
    [undefined, /doc\.state_dict\["0\.weight"\]\.shape is undefined; expected \[5, 3\]/],
  ]) {
    const bad = structuredClone(doc);
    bad.state_dict['0.weight'].shape = shape;
    refuses(() => fromPyTorch(bad), pattern, JSON.stringify(shape));
  }
  const bn = structuredClone(doc);
  bn.state_dict['1.running_var'].shape = [6];
  refuses(() => fromPyTorch(bn), /doc\.state_dict\["1\.running_var"\]\.shape is \[6\]; expected \[5\]/);
});

test('declared sizes are checked against the shapes before anything is allocated', () => {
  const doc = exported('bn-ln-gelu-softmax');
  const cases = [
    [{ length: 2147483647 }, /doc\.state_dict\["0\.weight"\]\.data is \{"length":2147483647\}; expected base64 of 15 little-endian float32 values/],
    [new Array(2 ** 31 - 1), /doc\.state_dict\["0\.weight"\]\.data\.length is 2147483647; expected 15/],
    ['A'.repeat(1 << 20), /doc\.state_dict\["0\.weight"\]\.data\.length is 1048576; expected 80 base64 characters \(15 float32 values\)/],
    ['!'.repeat(80), /doc\.state_dict\["0\.weight"\]\.data\[0\] is "!"; expected a base64 character/],
    [`${'A'.repeat(78)}==`, /doc\.state_dict\["0\.weight"\]\.data\[78\] is "="; expected a base64 character/],
    [Array(15).fill(NaN), /doc\.state_dict\["0\.weight"\]\.data\[0\] is NaN; expected a finite float32/],
    [`${'/'.repeat(80)}`, /doc\.state_dict\["0\.weight"\]\.data\[0\] is NaN; expected a finite float32/],
  ];
  for (const [data, pattern] of cases) {
    const bad = structuredClone(doc);
    bad.state_dict['0.weight'].data = data;
    const t0 = performance.now();
    refuses(() => fromPyTorch(bad), pattern, String(pattern));
    assert.ok(performance.now() - t0 < 500, `took ${performance.now() - t0} ms`);
  }
  // a number array of the right length is a tensor too
  const arr = structuredClone(doc);
  const values = fromPyTorch(doc).parameters[0].weight;
  arr.state_dict['0.weight'].data = Array.from(values);
  assert.deepEqual(fromPyTorch(arr).parameters[0].weight, values);
  const negative = structuredClone(doc);
  negative.state_dict['1.running_var'].data = [-1, 1, 1, 1, 1];
  refuses(() => fromPyTorch(negative), /doc\.state_dict\["1\.running_var"\]\.data\[0\] is -1; expected a number >= 0/);
});

test('module fields: LeakyReLU slope and norm eps are required numbers; two Dropouts in a row and a Linear without its bias flag are refused', () => {
  const leaky = exported('nobias-leaky-elu-mse');
  assert.equal(leaky.modules[1].type, 'LeakyReLU');
  const bn = exported('bn-ln-gelu-softmax');
  const edits = [
    [leaky, (d) => delete d.modules[1].negative_slope, /doc\.modules\[1\]\.negative_slope is undefined; expected 0\.01/],
    [leaky, (d) => (d.modules[1].negative_slope = '0.01'), /doc\.modules\[1\]\.negative_slope is "0\.01"; expected 0\.01/],
    [leaky, (d) => (d.modules[1].negative_slope = 0.2), /doc\.modules\[1\]\.negative_slope is 0\.2; expected 0\.01/],
    [bn, (d) => delete d.modules[1].eps, /doc\.modules\[1\]\.eps is undefined; expected 0\.00001/],
    [bn, (d) => (d.modules[1].eps = '1e-5'), /doc\.modules\[1\]\.eps is "1e-5"; expected 0\.00001/],
    [bn, (d) => (d.modules[5].eps = null), /doc\.modules\[5\]\.eps is null; expected 0\.00001/],
    [bn, (d) => delete d.modules[1].momentum, /doc\.modules\[1\]\.momentum is undefined; expected 0\.1/],
    [bn, (d) => d.modules.splice(4, 0, { type: 'Dropout', p: 0.5 }), /doc\.modules\[4\]\.type is "Dropout"; expected at most one Dropout per layer/],
    [bn, (d) => delete d.modules[0].bias, /doc\.modules\[0\]\.bias is undefined; expected true or false/],
    [bn, (d) => (d.modules[0].bias = false), /doc\.modules\[0\]\.bias is false; expected true, since doc\.state_dict holds "0\.bias"/],
    [bn, (d) => (d.modules[0].bias = 'true'), /doc\.modules\[0\]\.bias is "true"; expected true or false/],
    [bn, (d) => (d.state_dict['2.weight'] = d.state_dict['1.weight']), /doc\.state_dict has a tensor "2\.weight" that no module has; expected only the tensors of doc\.modules/],
    [bn, (d) => (d.modules[3].p = 1.5), /doc\.modules\[3\]\.p is 1\.5; expected a number in \[0, 1\]/],
    [bn, (d) => (d.modules[6].approximate = 'tanh'), /doc\.modules\[6\]\.approximate is "tanh"; expected one of "none"/],
    [bn, (d) => (d.modules[2].inplace = true), /doc\.modules\[2\] has an unknown key "inplace"; expected one of type/],
  ];
  for (const [doc, edit, pattern] of edits) {
    const bad = structuredClone(doc);
    edit(bad);
    refuses(() => fromPyTorch(bad), pattern, String(pattern));
  }
  // a Linear with bias=False (and no stored bias) loads with a zero bias
  const { parameters } = fromPyTorch(leaky);
  assert.equal(leaky.modules[0].bias, false);
  assert.deepEqual(Array.from(parameters[0].bias), [0, 0, 0, 0]);
});

test('malformed documents and odd names get the library\'s error grammar, never an engine error', async () => {
  const good = exported('bn-ln-gelu-softmax');
  const docs = [
    ['{', /fromPyTorch: doc is not valid JSON/],
    ['null', /fromPyTorch: doc is null; expected/],
    [{ format: 'x' }, /fromPyTorch: doc\.format is "x"; expected "gradscope-pytorch-state-dict"/],
    [{ format: 'gradscope-pytorch-state-dict' }, /fromPyTorch: doc\.version is undefined; expected 1/],
    [{ ...good, modules: undefined }, /doc\.modules is undefined; expected an array/],
    [{ ...good, modules: 5 }, /doc\.modules is 5; expected an array/],
    [{ ...good, modules: [] }, /doc\.modules is an array of length 0; expected/],
    [{ ...good, modules: [null] }, /doc\.modules\[0\] is null; expected an object/],
    [{ ...good, modules: [{}] }, /doc\.modules\[0\]\.type is undefined; expected one of "Linear"/],
    [{ ...good, state_dict: null }, /doc\.state_dict is null; expected an object/],
    [{ ...good, state_dict: { ...good.state_dict, '0.weight': 7 } }, /doc\.state_dict\["0\.weight"\] is 7; expected \{ shape: \[5, 3\], data \}/],
    [{ ...good, loss: 'hinge' }, /doc\.loss is "hinge"; expected null or one of "mse", "bce", "softmax-ce"/],
    [{ ...good, extra: 1 }, /doc has an unknown key "extra"/],
    [{ ...good, modules: good.modules.map((m, i) => (i === 0 ? { ...m, in_features: '3' } : m)) }, /doc\.modules\[0\]\.in_features is "3"; expected an integer/],
    [{ ...good, modules: good.modules.map((m, i) => (i === 4 ? { ...m, in_features: 6 } : m)) }, /doc\.modules\[4\]\.in_features is 6; expected 5 \(the out_features of the Linear before it\)/],
    [{ ...good, modules: [{ type: 'ReLU' }, ...good.modules] }, /doc\.modules\[0\]\.type is "ReLU"; expected a Linear first/],
  ];
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    docs.push([{ ...good, modules: good.modules.map((m, i) => (i === 2 ? { type: name } : m)) }, new RegExp(`doc\\.modules\\[2\\]\\.type is "${name}"; expected one of "Linear"`)]);
  }
  for (const [doc, pattern] of docs) {
    refuses(() => fromPyTorch(doc), pattern, String(pattern));
    // loadNetwork routes a state_dict export the same way, naming itself
    if (typeof doc === 'object' && doc.format === 'gradscope-pytorch-state-dict') {
      await assert.rejects(loadNetwork(doc), (err) => isStandardError(err) && err.message.startsWith('loadNetwork: ') && pattern.test(err.message.replace('loadNetwork', 'fromPyTorch')));
      await assert.rejects(loadNetwork(JSON.stringify(doc)), (err) => isStandardError(err) && err.message.startsWith('loadNetwork: '));
      await assert.rejects(loadPyTorch(doc), (err) => isStandardError(err) && err.message.startsWith('loadPyTorch: '));
    }
  }
  // a saved network that merely mentions the export format is still a saved network
  const net = await createNetwork({ inputs: 2, layers: [{ units: 1 }] });
  const saved = { ...net.toJSON(), note: 'gradscope-pytorch-state-dict' };
  net.dispose();
  await assert.rejects(loadNetwork(JSON.stringify(saved)), /^Error: loadNetwork: json has an unknown key "note"; expected one of format/);
  await assert.rejects(loadNetwork(saved), /^Error: loadNetwork: json has an unknown key "note"/);
  // options are checked too
  refuses(() => fromPyTorch(good, { loss: 'hinge' }), /fromPyTorch: options\.loss is "hinge"; expected one of/);
  refuses(() => fromPyTorch(good, { lr: 1 }), /fromPyTorch: options has an unknown key "lr"/);
  refuses(() => fromPyTorch(good, { optimizer: { type: 'adam', learningRate: 'x' } }), /fromPyTorch: optimizer\.learningRate is "x"; expected/);
  await assert.rejects(loadPyTorch(good, { simd: 'yes' }), /simd/);
});
