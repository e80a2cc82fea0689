// To PyTorch and back. toPyTorch(json) writes one self-contained Python script: an
// nn.Sequential with the same layers, the trained weights and running statistics,
// the optimizer with its hyperparameters and state (momentum buffers, Adam moments,
// step, learning-rate schedule position), the loss, and predict / train_step / train.
// Every tensor is embedded as base64 float32 bytes, so values arrive bit for bit.
// readPyTorch(doc) reads what python/export_state_dict.py (shipped with the package)
// writes from a PyTorch nn.Sequential; network.js builds the Network from it
// (loadPyTorch, loadNetwork). This module imports no Network: it takes documents and
// returns text or { config, parameters }, so network.js can import it without a cycle.
//
// Trust: toPyTorch checks its input with loadNetwork's own validator (persist.js
// parseState) and writes into the Python only numbers (num/int: finite, checked),
// True/False, fixed identifiers from the tables below and base64 text; nothing from the
// document reaches the script as text. The import checks every module field and every
// tensor's shape and declared size before it decodes or allocates anything.

import { LOSSES, normalizeConfig } from './config.js';
import { checkTensor, parseState } from './persist.js';
import { checkKeys, fail, integer, isPlainObject, number, oneOf, show } from './validate.js';

export const PYTORCH_FORMAT = 'gradscope-pytorch-state-dict';

const ACT = {
  linear: 'nn.Identity()',
  relu: 'nn.ReLU()',
  'leaky-relu': 'nn.LeakyReLU(0.01)',
  sigmoid: 'nn.Sigmoid()',
  tanh: 'nn.Tanh()',
  elu: 'nn.ELU(alpha=1.0)',
  selu: 'nn.SELU()',
  gelu: "nn.GELU(approximate='none')",
  silu: 'nn.SiLU()',
  softsign: 'nn.Softsign()',
};
const LOSS = { mse: 'nn.MSELoss()', bce: 'nn.BCEWithLogitsLoss()', 'softmax-ce': 'nn.CrossEntropyLoss()' };
const OPTIMIZER_CLASS = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop' };

/** base64 of little-endian float32 bytes, in browsers and Node alike */
function base64(values) {
  const f = Float32Array.from(values);
  const bytes = new Uint8Array(f.buffer);
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('toPyTorch: a big-endian host is not supported');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

// ---- what may enter the Python: each helper checks its value, so a wrong one is a bug
// here (an Error), never code in the script

const internal = (what, value) => {
  throw new Error(`toPyTorch: ${what} is ${show(value)}; expected a checked value (a gradscope bug: please report it)`);
};
/** a finite number: JS and Python read the same double from String(v) ("1e-8", "0.1", "1e+21") */
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? (Object.is(v, -0) ? '-0.0' : String(v)) : internal('a number for the script', v));
const int = (v) => (Number.isSafeInteger(v) ? String(v) : internal('an integer for the script', v));
const bool = (v) => (v === true ? 'True' : v === false ? 'False' : internal('a boolean for the script', v));
/** a fixed literal or identifier from one of this module's tables (own keys only) */
const lit = (table, key) => (typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : internal('a name for the script', key));
/** a Python string literal of text made only of [A-Za-z0-9_.+/=-] (names, base64), quoted */
const str = (s) => (typeof s === 'string' && /^[\w.+/=-]*$/.test(s) ? `"${s}"` : internal('a string for the script', s));
const ints = (list) => `[${list.map(int).join(', ')}]`;

/**
 * The parameter layout of the core's flat optimizer buffers: per layer the weight
 * (out x in), the bias (out), then gamma and beta (out) with batch or layer norm.
 */
function layout(config) {
  const out = [];
  let offset = 0;
  let inputs = config.inputs;
  config.layers.forEach((layer, i) => {
    const norm = layer.batchNorm || layer.layerNorm;
    const entries = [
      ['weight', layer.units * inputs],
      ['bias', layer.units],
      ...(norm ? [['gamma', layer.units], ['beta', layer.units]] : []),
    ];
    for (const [name, length] of entries) {
      out.push({ layer: i, name, offset, length });
      offset += length;
    }
    inputs = layer.units;
  });
  return out;
}

/** nn.Sequential indices: per layer Linear, then the norm, the activation, the dropout */
function modules(config) {
  const list = [];
  const index = [];
  let inputs = config.inputs;
  for (const layer of config.layers) {
    const at = { linear: list.length };
    list.push(`nn.Linear(${int(inputs)}, ${int(layer.units)})`);
    if (layer.batchNorm) {
      at.norm = list.length;
      list.push(`nn.BatchNorm1d(${int(layer.units)}, eps=1e-5, momentum=0.1)`);
    } else if (layer.layerNorm) {
      at.norm = list.length;
      list.push(`nn.LayerNorm(${int(layer.units)}, eps=1e-5)`);
    }
    if (layer.activation !== 'linear') list.push(lit(ACT, layer.activation));
    if (layer.dropout > 0) list.push(`nn.Dropout(p=${num(layer.dropout)})`);
    index.push(at);
    inputs = layer.units;
  }
  return { list, index };
}

/** the optimizer's torch state per parameter slice: torch name -> core buffer */
function stateNames(o) {
  switch (o.type) {
    case 'sgd':
      return o.momentum > 0 ? { momentum_buffer: 'm' } : {};
    case 'adam':
    case 'adamw':
      return { exp_avg: 'm', exp_avg_sq: 'v' };
    default:
      return { square_avg: 'v', ...(o.momentum > 0 ? { momentum_buffer: 'm' } : {}), ...(o.centered ? { grad_avg: 'a' } : {}) };
  }
}

function optimizerLine(o) {
  const head = `torch.optim.${lit(OPTIMIZER_CLASS, o.type)}(groups, lr=${num(o.learningRate)}`;
  switch (o.type) {
    case 'sgd':
      return `${head}, momentum=${num(o.momentum)}, nesterov=${bool(o.nesterov)})`;
    case 'adam':
    case 'adamw':
      return `${head}, betas=(${num(o.beta1)}, ${num(o.beta2)}), eps=${num(o.eps)})`;
    default:
      return `${head}, alpha=${num(o.alpha)}, eps=${num(o.eps)}, momentum=${num(o.momentum)}, centered=${bool(o.centered)})`;
  }
}

const LOSS_NAME = { mse: '"mse"', bce: '"bce"', 'softmax-ce': '"softmax-ce"' };
const DECAY_NAME = { none: '"none"', step: '"step"', exponential: '"exponential"', cosine: '"cosine"' };

/**
 * A self-contained Python script (PyTorch) that continues a network's training.
 * json: a Network (anything with toJSON()), its toJSON() output or that as text, checked
 * exactly as loadNetwork checks it.
 */
export function toPyTorch(json) {
  const doc = json !== null && typeof json === 'object' && typeof json.toJSON === 'function' ? json.toJSON() : json;
  const { config, parameters, step, buffers } = parseState(doc, 'toPyTorch');
  const o = config.optimizer;
  const outputs = config.layers.at(-1).units;
  const { list, index } = modules(config);
  const tensors = [];
  config.layers.forEach((layer, i) => {
    const p = parameters[i];
    const at = index[i];
    const fanIn = i === 0 ? config.inputs : config.layers[i - 1].units;
    tensors.push([`${at.linear}.weight`, [layer.units, fanIn], p.weight]);
    tensors.push([`${at.linear}.bias`, [layer.units], p.bias]);
    if (at.norm !== undefined) {
      tensors.push([`${at.norm}.weight`, [layer.units], p.gamma]);
      tensors.push([`${at.norm}.bias`, [layer.units], p.beta]);
    }
    if (layer.batchNorm) {
      tensors.push([`${at.norm}.running_mean`, [layer.units], p.runningMean]);
      tensors.push([`${at.norm}.running_var`, [layer.units], p.runningVar]);
    }
  });
  const torchName = (e) => {
    const at = index[e.layer];
    return e.name === 'weight' || e.name === 'bias' ? `${at.linear}.${e.name}` : `${at.norm}.${e.name === 'gamma' ? 'weight' : 'bias'}`;
  };
  const names = Object.entries(stateNames(o));
  const s = o.schedule ?? { warmupSteps: 0, decay: 'none' };
  const tensorLines = tensors.map(([name, shape, values]) => `    ${str(name)}: (${ints(shape)}, ${str(base64(values))}),`).join('\n');
  const stateLines = layout(config)
    .map((e) => `    ${str(torchName(e))}: {${names.map(([torch, key]) => `${str(torch)}: ${str(base64(buffers[key].subarray(e.offset, e.offset + e.length)))}`).join(', ')}},`)
    .join('\n');
  const bnIndices = index.filter((at, i) => config.layers[i].batchNorm).map((at) => at.norm);
  const predictOut = config.loss === 'bce' ? 'torch.sigmoid(out)' : config.loss === 'softmax-ce' ? 'torch.softmax(out, dim=1)' : 'out';
  const target = config.loss === 'softmax-ce' ? 'torch.as_tensor(y, dtype=torch.long).reshape(-1)' : `torch.as_tensor(y, dtype=torch.float32).reshape(-1, ${int(outputs)})`;
  const produces = config.loss === 'mse' ? 'raw outputs' : config.loss === 'bce' ? 'sigmoid probabilities' : 'softmax probabilities';
  return `#!/usr/bin/env python3
"""A gradscope network, exported to PyTorch by gradscope's toPyTorch().

The same layers, the trained weights and running statistics, and the optimizer with
its hyperparameters and state (buffers, step, learning-rate schedule position), so
training continues where gradscope left it. Every tensor is float32, stored as base64
bytes. Use it as a script (python3 model.py prints a summary) or import it:

    import model
    p = model.predict(x)              # eval mode: ${produces}, like gradscope's predict
    loss = model.train_step(x, y)     # one update on a batch: returns the loss before it
    model.train(x, y, epochs=10, batch_size=32)

x: (batch, ${int(config.inputs)}) floats; y: ${config.loss === 'softmax-ce' ? 'class indices' : `(batch, ${int(outputs)}) floats`}.
Dropout draws from torch's generator, not gradscope's: with dropout the updates differ.
"""
import base64
import math

import torch
from torch import nn

INPUTS = ${int(config.inputs)}
LOSS = ${lit(LOSS_NAME, config.loss)}
CLIP_NORM = ${num(config.clipNorm)}
L1 = ${num(o.l1)}  # adds L1 * sign(W) to dense weight gradients (after clipping)
MAX_NORM = ${num(o.maxNorm ?? 0)}  # after each step: torch.renorm(W, 2, 0, MAX_NORM) on every Linear weight (0: off)
WEIGHT_DECAY = ${num(o.weightDecay)}  # dense weights only (biases and norm parameters: 0)
BASE_LR = ${num(o.learningRate)}
SCHEDULE = {"warmup_steps": ${int(s.warmupSteps)}, "decay": ${lit(DECAY_NAME, s.decay)}, "decay_steps": ${int(s.decaySteps ?? 0)}, "step_size": ${int(s.stepSize ?? 0)}, "gamma": ${num(s.gamma ?? 0)}, "min_lr": ${num(s.minLearningRate ?? 0)}}

model = nn.Sequential(
${list.map((m) => `    ${m},`).join('\n')}
)
loss_fn = ${lit(LOSS, config.loss)}


def _tensor(shape, data):
    return torch.frombuffer(bytearray(base64.b64decode(data)), dtype=torch.float32).reshape(shape).clone()


PARAMETERS = {
${tensorLines}
}
_state = model.state_dict()
for _name, (_shape, _data) in PARAMETERS.items():
    _state[_name] = _tensor(_shape, _data)
for _i in ${ints(bnIndices)}:
    _state[f"{_i}.num_batches_tracked"] = torch.tensor(${int(step)}, dtype=torch.long)
model.load_state_dict(_state)

# weight decay on dense weights only, as gradscope: two parameter groups
_named = dict(model.named_parameters())
_dense = [_named[f"{i}.weight"] for i in ${ints(index.map((at) => at.linear))}]
_other = [p for p in model.parameters() if all(p is not w for w in _dense)]
groups = [{"params": _dense, "weight_decay": WEIGHT_DECAY}, {"params": _other, "weight_decay": 0.0}]
optimizer = ${optimizerLine(o)}

step = ${int(step)}  # optimizer steps taken: the schedule's position
OPTIMIZER_STATE = {
${stateLines}
}
for _name, _buffers in OPTIMIZER_STATE.items():
    _p = _named[_name]
    _st = {k: _tensor(tuple(_p.shape), v) for k, v in _buffers.items()}
    if ${bool(o.type !== 'sgd')}:
        _st["step"] = torch.tensor(float(step))
    if step > 0 and _st:
        optimizer.state[_p] = _st


def learning_rate(t):
    """the rate of optimizer step t (0-based): base x warmup x decay, as gradscope"""
    w = min(1.0, (t + 1) / SCHEDULE["warmup_steps"]) if SCHEDULE["warmup_steps"] > 0 else 1.0
    s = t - SCHEDULE["warmup_steps"]
    d = 1.0
    if s >= 0 and SCHEDULE["decay"] == "step":
        d = SCHEDULE["gamma"] ** (s // SCHEDULE["step_size"])
    elif s >= 0 and SCHEDULE["decay"] == "exponential":
        d = SCHEDULE["gamma"] ** s
    elif s >= 0 and SCHEDULE["decay"] == "cosine":
        m = SCHEDULE["min_lr"] / BASE_LR
        d = m + (1 - m) * (1 + math.cos(math.pi * min(s, SCHEDULE["decay_steps"]) / SCHEDULE["decay_steps"])) / 2
    return BASE_LR * w * d


def _target(y):
    return ${target}


def predict(x):
    """eval mode, no gradients: ${config.loss === 'mse' ? 'the raw outputs' : 'probabilities'}"""
    model.eval()
    with torch.no_grad():
        out = model(torch.as_tensor(x, dtype=torch.float32).reshape(-1, INPUTS))
        return ${predictOut}


def train_step(x, y):
    """one update on a batch (as gradscope's trainStep): returns the loss before it"""
    global step
    model.train()
    for g in optimizer.param_groups:
        g["lr"] = learning_rate(step)
    optimizer.zero_grad()
    loss = loss_fn(model(torch.as_tensor(x, dtype=torch.float32).reshape(-1, INPUTS)), _target(y))
    loss.backward()
    if CLIP_NORM > 0:
        nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
    if L1 > 0:
        for w in _dense:
            w.grad.add_(torch.sign(w.detach()), alpha=L1)
    optimizer.step()
    if MAX_NORM > 0:
        with torch.no_grad():
            for w in _dense:
                w.copy_(torch.renorm(w, 2, 0, MAX_NORM))
    step += 1
    return loss.item()


def train(x, y, epochs=1, batch_size=32, shuffle=True):
    """minibatch training; returns the mean loss of each epoch"""
    x = torch.as_tensor(x, dtype=torch.float32).reshape(-1, INPUTS)
    y = torch.as_tensor(y)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(x)) if shuffle else torch.arange(len(x))
        total, batches = 0.0, 0
        for i in range(0, len(x), batch_size):
            rows = order[i : i + batch_size]
            total += train_step(x[rows], y[rows])
            batches += 1
        losses.append(total / batches)
    return losses


if __name__ == "__main__":
    print(model)
    print(f"optimizer: {type(optimizer).__name__}, step {step}, next learning rate {learning_rate(step):.6g}; loss: {LOSS}")
`;
}

// ---- back from PyTorch ---------------------------------------------------------------

/** the modules of an export, with the keys each has besides `type` (own-key lookups only) */
const MODULE_KEYS = {
  Linear: ['in_features', 'out_features', 'bias'],
  BatchNorm1d: ['eps', 'momentum'],
  LayerNorm: ['eps'],
  Dropout: ['p'],
  ReLU: [],
  LeakyReLU: ['negative_slope'],
  Sigmoid: [],
  Tanh: [],
  ELU: ['alpha'],
  SELU: [],
  GELU: ['approximate'],
  SiLU: [],
  Softsign: [],
  Identity: [],
};
const MODULE_NAMES = Object.keys(MODULE_KEYS).map((k) => JSON.stringify(k)).join(', ');
const FROM_ACT = { ReLU: 'relu', LeakyReLU: 'leaky-relu', Sigmoid: 'sigmoid', Tanh: 'tanh', ELU: 'elu', SELU: 'selu', GELU: 'gelu', SiLU: 'silu', Softsign: 'softsign' };
const ORDER = 'the order Linear -> BatchNorm1d or LayerNorm? -> activation? -> Dropout? per layer';
const BASE64_CHAR = /[^A-Za-z0-9+/]/;

/**
 * The export json holds (an object, or its JSON text), or null when json is something
 * else: loadNetwork's switch between its two formats.
 */
export function asPyTorchExport(json) {
  let doc = json;
  if (typeof json === 'string') {
    if (!json.includes(PYTORCH_FORMAT)) return null;
    try {
      doc = JSON.parse(json);
    } catch {
      return null; // not JSON: loadNetwork's own check says so
    }
  }
  return isPlainObject(doc) && doc.format === PYTORCH_FORMAT ? doc : null;
}

/** a number a module field must equal (gradscope's fixed constant), within float rounding */
function constant(where, name, value, expected, why) {
  const ok = typeof value === 'number' && Math.abs(value - expected) <= 1e-9 * expected;
  if (!ok) fail(where, name, value, `${expected}${why}`);
}

/**
 * One tensor of the state_dict: present, { shape, data } with exactly `shape`, and data
 * (base64 float32 or a number array) of the size that shape declares, checked before it
 * is decoded. -> Float32Array
 */
function readTensor(where, sd, key, shape, used, { nonNegative = false, hint = '' } = {}) {
  const label = `doc.state_dict[${JSON.stringify(key)}]`;
  const expected = `[${shape.join(', ')}]`;
  if (!Object.hasOwn(sd, key)) fail(where, label, undefined, `{ shape: ${expected}, data } (the tensor of doc.modules[${key.split('.')[0]}])`);
  used.add(key);
  const t = sd[key];
  if (!isPlainObject(t)) fail(where, label, t, `{ shape: ${expected}, data }`);
  checkKeys(where, label, t, ['shape', 'data']);
  const s = t.shape;
  if (!Array.isArray(s) || s.length !== shape.length || s.some((v, k) => v !== shape[k])) {
    const given = Array.isArray(s) && s.length <= 8 ? JSON.stringify(s) : show(s); // a short shape, as written
    throw new Error(`${where}: ${label}.shape is ${given}; expected ${expected}${hint}`);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  let values;
  if (typeof t.data === 'string') {
    const chars = 4 * Math.ceil((4 * n) / 3);
    if (t.data.length !== chars) fail(where, `${label}.data.length`, t.data.length, `${chars} base64 characters (${n} float32 values)`);
    const pad = (3 - ((4 * n) % 3)) % 3;
    const body = t.data.slice(0, chars - pad);
    const bad = body.search(BASE64_CHAR);
    if (bad >= 0) fail(where, `${label}.data[${bad}]`, t.data[bad], 'a base64 character (A-Z, a-z, 0-9, +, /)');
    if (t.data.slice(chars - pad) !== '='.repeat(pad)) fail(where, `${label}.data[${chars - pad}]`, t.data[chars - pad], `"=" (base64 of ${4 * n} bytes ends in ${pad} "=")`);
    const text = atob(t.data);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    values = new Float32Array(bytes.buffer); // little-endian hosts only, as base64() above
  } else if (Array.isArray(t.data)) {
    if (t.data.length !== n) fail(where, `${label}.data.length`, t.data.length, `${n} (shape ${expected})`);
    values = t.data;
  } else {
    fail(where, `${label}.data`, t.data, `base64 of ${n} little-endian float32 values (or an array of ${n} numbers)`);
  }
  return checkTensor(where, `${label}.data`, values, n, expected, { nonNegative });
}

/**
 * { config, parameters } from what python/export_state_dict.py writes (an object or its
 * JSON text), checked in full: where names the caller in errors. The loss is
 * options.loss, else the export's, else 'mse'; a final nn.Sigmoid with loss 'bce' (a model
 * trained with nn.BCELoss) becomes 'bce' on the logits without that Sigmoid, so predict
 * applies it once.
 */
export function readPyTorch(input, options, where) {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new Error(`${where}: doc is not valid JSON (${err.message}); expected what python/export_state_dict.py writes`);
    }
  }
  if (!isPlainObject(options)) fail(where, 'options', options, 'an object { optimizer?, loss?, seed? }');
  checkKeys(where, 'options', options, ['optimizer', 'loss', 'seed']);
  if (options.loss !== undefined) oneOf(where, 'options.loss', options.loss, LOSSES);
  if (!isPlainObject(doc)) fail(where, 'doc', doc, `what python/export_state_dict.py writes (format "${PYTORCH_FORMAT}")`);
  if (doc.format !== PYTORCH_FORMAT) fail(where, 'doc.format', doc.format, `"${PYTORCH_FORMAT}" (written by python/export_state_dict.py)`);
  checkKeys(where, 'doc', doc, ['format', 'version', 'modules', 'loss', 'state_dict']);
  if (doc.version !== 1) fail(where, 'doc.version', doc.version, '1');
  if (doc.loss !== undefined && doc.loss !== null && !LOSSES.includes(doc.loss)) fail(where, 'doc.loss', doc.loss, `null or one of ${LOSSES.map((l) => JSON.stringify(l)).join(', ')}`);
  const mods = doc.modules;
  if (!Array.isArray(mods) || mods.length === 0) fail(where, 'doc.modules', mods, "an array of the nn.Sequential's modules, at least one Linear");
  const sd = doc.state_dict;
  if (!isPlainObject(sd)) fail(where, 'doc.state_dict', sd, 'an object of tensors { shape, data }');
  const loss = options.loss ?? doc.loss ?? 'mse';

  // the structure: one gradscope layer per Linear and the modules after it
  const layers = [];
  let current = null; // { units, activation, batchNorm, layerNorm, dropout, stage, at: module indices }
  for (let i = 0; i < mods.length; i++) {
    const m = mods[i];
    const name = `doc.modules[${i}]`;
    if (!isPlainObject(m)) fail(where, name, m, 'an object { type, ... } as python/export_state_dict.py writes');
    const type = m.type;
    if (typeof type !== 'string' || !Object.hasOwn(MODULE_KEYS, type)) fail(where, `${name}.type`, type, `one of ${MODULE_NAMES}`);
    checkKeys(where, name, m, ['type', ...MODULE_KEYS[type]]);
    if (type === 'Identity') continue; // no parameters, no effect
    if (type === 'Linear') {
      const fanIn = integer(where, `${name}.in_features`, m.in_features, 1, 1 << 20);
      const units = integer(where, `${name}.out_features`, m.out_features, 1, 1 << 20);
      if (typeof m.bias !== 'boolean') fail(where, `${name}.bias`, m.bias, 'true or false (whether the Linear has a bias)');
      if (!m.bias && Object.hasOwn(sd, `${i}.bias`)) fail(where, `${name}.bias`, false, `true, since doc.state_dict holds "${i}.bias"`);
      if (current && fanIn !== current.units) fail(where, `${name}.in_features`, fanIn, `${current.units} (the out_features of the Linear before it)`);
      current = { fanIn, units, activation: 'linear', batchNorm: false, layerNorm: false, dropout: 0, stage: 'linear', at: { linear: i, bias: m.bias } };
      layers.push(current);
      continue;
    }
    if (!current) fail(where, `${name}.type`, type, "a Linear first (each of gradscope's layers starts with nn.Linear)");
    if (type === 'BatchNorm1d' || type === 'LayerNorm') {
      if (current.stage !== 'linear') fail(where, `${name}.type`, type, `a norm right after its Linear (${ORDER})`);
      constant(where, `${name}.eps`, m.eps, 1e-5, " (gradscope's norms use eps 1e-5)");
      if (type === 'BatchNorm1d') {
        if (m.momentum === null) {
          fail(where, `${name}.momentum`, null, "0.1 (gradscope's batch norm keeps an exponential running average with momentum 0.1; momentum=None, PyTorch's cumulative average, is not supported)");
        }
        constant(where, `${name}.momentum`, m.momentum, 0.1, " (gradscope's batch norm momentum)");
      }
      current[type === 'BatchNorm1d' ? 'batchNorm' : 'layerNorm'] = true;
      current.at.norm = i;
      current.stage = 'norm';
    } else if (type === 'Dropout') {
      if (current.stage === 'dropout') fail(where, `${name}.type`, type, `at most one Dropout per layer (${ORDER}); two in a row are one Dropout of p = 1 - (1 - p1)(1 - p2)`);
      current.dropout = number(where, `${name}.p`, m.p, { min: 0, max: 1, float32: true });
      current.at.dropout = i;
      current.stage = 'dropout';
    } else {
      if (current.stage === 'activation' || current.stage === 'dropout') fail(where, `${name}.type`, type, `one activation per layer (${ORDER})`);
      if (type === 'LeakyReLU') constant(where, `${name}.negative_slope`, m.negative_slope, 0.01, " (gradscope's leaky-relu slope)");
      if (type === 'ELU') constant(where, `${name}.alpha`, m.alpha, 1, " (gradscope's elu alpha)");
      if (type === 'GELU') oneOf(where, `${name}.approximate`, m.approximate, ['none']);
      current.activation = FROM_ACT[type];
      current.at.activation = i;
      current.stage = 'activation';
    }
  }
  if (!layers.length) fail(where, 'doc.modules', mods, 'an nn.Sequential with at least one Linear');
  // a final Sigmoid trained with nn.BCELoss: gradscope's bce is BCEWithLogits, which
  // holds that sigmoid; keeping the layer would apply it twice
  const last = layers.at(-1);
  if (loss === 'bce' && last.activation === 'sigmoid') {
    if (last.stage === 'dropout') {
      fail(where, `doc.modules[${last.at.dropout}].type`, 'Dropout', "no Dropout after the final Sigmoid with loss 'bce': gradscope's bce takes logits, so the final Sigmoid becomes part of the loss, and a Dropout after it has no place");
    }
    last.activation = 'linear';
  }
  const config = normalizeConfig(
    {
      inputs: layers[0].fanIn,
      layers: layers.map(({ units, activation, batchNorm, layerNorm, dropout }) => ({ units, activation, batchNorm, layerNorm, dropout })),
      loss,
      init: 'he',
      optimizer: options.optimizer ?? { type: 'sgd', learningRate: 0.01 },
      seed: options.seed ?? 0,
    },
    where,
  );

  // the tensors, each checked against its shape before it is decoded
  const used = new Set();
  const parameters = layers.map((layer) => {
    const { linear, norm } = layer.at;
    const p = {
      weight: readTensor(where, sd, `${linear}.weight`, [layer.units, layer.fanIn], used, { hint: " (nn.Linear's weight is [out_features, in_features])" }),
      bias: layer.at.bias ? readTensor(where, sd, `${linear}.bias`, [layer.units], used) : new Float32Array(layer.units),
    };
    if (norm !== undefined) {
      p.gamma = readTensor(where, sd, `${norm}.weight`, [layer.units], used);
      p.beta = readTensor(where, sd, `${norm}.bias`, [layer.units], used);
    }
    if (layer.batchNorm) {
      p.runningMean = readTensor(where, sd, `${norm}.running_mean`, [layer.units], used);
      p.runningVar = readTensor(where, sd, `${norm}.running_var`, [layer.units], used, { nonNegative: true });
    }
    return p;
  });
  for (const key of Object.keys(sd)) {
    if (!used.has(key)) throw new Error(`${where}: doc.state_dict has a tensor ${JSON.stringify(key)} that no module has; expected only the tensors of doc.modules`);
  }
  return { config, parameters };
}

/**
 * { config, parameters } (for createNetwork and setParameters) from what
 * python/export_state_dict.py writes: the modules of an nn.Sequential (Linear,
 * BatchNorm1d, LayerNorm, activations, Dropout) and its state_dict.
 * The optimizer starts fresh (step 0) with `optimizer` (default SGD 0.01), `loss` from
 * the export (default mse), `seed` for dropout.
 */
export function fromPyTorch(doc, options = {}) {
  return readPyTorch(doc, options, 'fromPyTorch');
}
