// To PyTorch and back. toPyTorch(net) writes one self-contained Python script: an
// nn.Sequential with the same layers, the trained weights and running statistics,
// the optimizer with its hyperparameters and state (momentum buffers, Adam moments,
// step, learning-rate schedule position), the loss, and predict / train_step / train.
// Every tensor is embedded as base64 float32 bytes, so values arrive bit for bit.
// fromPyTorch(doc) reads what python/export_state_dict.py (shipped with the package)
// writes from a PyTorch nn.Sequential; loadPyTorch(doc) builds the Network from it.

import { createNetwork } from './network.js';

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
};
const LOSS = { mse: 'nn.MSELoss()', bce: 'nn.BCEWithLogitsLoss()', 'softmax-ce': 'nn.CrossEntropyLoss()' };

/** base64 of little-endian float32 bytes, in browsers and Node alike */
function base64(values) {
  const f = Float32Array.from(values);
  const bytes = new Uint8Array(f.buffer);
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('toPyTorch: a big-endian host is not supported');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text) {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Python literal of a number (float32 values are exact as doubles; repr keeps them) */
const py = (v) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : v === null || v === undefined ? 'None' : Number.isInteger(v) ? `${v}` : `${v}`);
const pyStr = (s) => JSON.stringify(s);

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
      ['weight', layer.units * inputs, [layer.units, inputs]],
      ['bias', layer.units, [layer.units]],
      ...(norm ? [['gamma', layer.units, [layer.units]], ['beta', layer.units, [layer.units]]] : []),
    ];
    for (const [name, length, shape] of entries) {
      out.push({ layer: i, name, offset, length, shape });
      offset += length;
    }
    inputs = layer.units;
  });
  return { entries: out, total: offset };
}

/** nn.Sequential indices: per layer Linear, then the norm, the activation, the dropout */
function modules(config) {
  const list = [];
  const index = [];
  let inputs = config.inputs;
  for (const layer of config.layers) {
    const at = { linear: list.length };
    list.push(`nn.Linear(${inputs}, ${layer.units})`);
    if (layer.batchNorm) {
      at.norm = list.length;
      list.push(`nn.BatchNorm1d(${layer.units}, eps=1e-5, momentum=0.1)`);
    } else if (layer.layerNorm) {
      at.norm = list.length;
      list.push(`nn.LayerNorm(${layer.units}, eps=1e-5)`);
    }
    if (layer.activation !== 'linear') list.push(ACT[layer.activation]);
    if (layer.dropout > 0) list.push(`nn.Dropout(p=${py(layer.dropout)})`);
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
  const lr = py(o.learningRate);
  switch (o.type) {
    case 'sgd':
      return `torch.optim.SGD(groups, lr=${lr}, momentum=${py(o.momentum)}, nesterov=${py(o.nesterov)})`;
    case 'adam':
      return `torch.optim.Adam(groups, lr=${lr}, betas=(${py(o.beta1)}, ${py(o.beta2)}), eps=${py(o.eps)})`;
    case 'adamw':
      return `torch.optim.AdamW(groups, lr=${lr}, betas=(${py(o.beta1)}, ${py(o.beta2)}), eps=${py(o.eps)})`;
    default:
      return `torch.optim.RMSprop(groups, lr=${lr}, alpha=${py(o.alpha)}, eps=${py(o.eps)}, momentum=${py(o.momentum)}, centered=${py(o.centered)})`;
  }
}

/** A self-contained Python script (PyTorch) that continues this network's training. */
export function toPyTorch(net) {
  const json = typeof net.toJSON === 'function' ? net.toJSON() : net;
  if (!json || json.format !== 'gradscope-network') throw new Error('toPyTorch: expected a Network (or its toJSON() output)');
  const { config, parameters, optimizer: state } = json;
  const o = config.optimizer;
  const { list, index } = modules(config);
  const { entries, total } = layout(config);
  const tensors = [];
  config.layers.forEach((layer, i) => {
    const p = parameters[i];
    const at = index[i];
    tensors.push([`${at.linear}.weight`, [layer.units, i === 0 ? config.inputs : config.layers[i - 1].units], p.weight]);
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
  const names = stateNames(o);
  const buffers = Object.entries(names).map(([torch, key]) => {
    if (!state[key] || state[key].length !== total) throw new Error(`toPyTorch: the saved optimizer state has no ${key} buffer of ${total} numbers`);
    return [torch, key];
  });
  const s = o.schedule ?? { warmupSteps: 0, decay: 'none' };
  const tensorLines = tensors.map(([name, shape, values]) => `    ${pyStr(name)}: (${JSON.stringify(shape)}, ${pyStr(base64(values))}),`).join('\n');
  const stateLines = entries
    .map((e) => `    ${pyStr(torchName(e))}: {${buffers.map(([torch, key]) => `${pyStr(torch)}: ${pyStr(base64(state[key].slice(e.offset, e.offset + e.length)))}`).join(', ')}},`)
    .join('\n');
  const bnIndices = index.filter((at, i) => config.layers[i].batchNorm).map((at) => at.norm);
  const predictOut = config.loss === 'bce' ? 'torch.sigmoid(out)' : config.loss === 'softmax-ce' ? 'torch.softmax(out, dim=1)' : 'out';
  const target = config.loss === 'softmax-ce' ? 'torch.as_tensor(y, dtype=torch.long).reshape(-1)' : `torch.as_tensor(y, dtype=torch.float32).reshape(-1, ${config.layers.at(-1).units})`;
  return `#!/usr/bin/env python3
"""A gradscope network, exported to PyTorch by gradscope's toPyTorch().

The same layers, the trained weights and running statistics, and the optimizer with
its hyperparameters and state (buffers, step, learning-rate schedule position), so
training continues where gradscope left it. Every tensor is float32, stored as base64
bytes. Use it as a script (python3 model.py prints a summary) or import it:

    import model
    p = model.predict(x)              # eval mode: ${config.loss === 'mse' ? 'raw outputs' : config.loss === 'bce' ? 'sigmoid probabilities' : 'softmax probabilities'}, like gradscope's predict
    loss = model.train_step(x, y)     # one update on a batch: returns the loss before it
    model.train(x, y, epochs=10, batch_size=32)

x: (batch, ${config.inputs}) floats; y: ${config.loss === 'softmax-ce' ? 'class indices' : `(batch, ${config.layers.at(-1).units}) floats`}.
Dropout draws from torch's generator, not gradscope's: with dropout the updates differ.
"""
import base64
import math

import torch
from torch import nn

INPUTS = ${config.inputs}
LOSS = ${pyStr(config.loss)}
CLIP_NORM = ${py(config.clipNorm)}
L1 = ${py(o.l1 ?? 0)}  # adds L1 * sign(W) to dense weight gradients (after clipping)
WEIGHT_DECAY = ${py(o.weightDecay)}  # dense weights only (biases and norm parameters: 0)
BASE_LR = ${py(o.learningRate)}
SCHEDULE = {"warmup_steps": ${py(s.warmupSteps ?? 0)}, "decay": ${pyStr(s.decay ?? 'none')}, "decay_steps": ${py(s.decaySteps ?? 0)}, "step_size": ${py(s.stepSize ?? 0)}, "gamma": ${py(s.gamma ?? 0)}, "min_lr": ${py(s.minLearningRate ?? 0)}}

model = nn.Sequential(
${list.map((m) => `    ${m},`).join('\n')}
)
loss_fn = ${LOSS[config.loss]}


def _tensor(shape, data):
    return torch.frombuffer(bytearray(base64.b64decode(data)), dtype=torch.float32).reshape(shape).clone()


PARAMETERS = {
${tensorLines}
}
_state = model.state_dict()
for _name, (_shape, _data) in PARAMETERS.items():
    _state[_name] = _tensor(_shape, _data)
for _i in ${JSON.stringify(bnIndices)}:
    _state[f"{_i}.num_batches_tracked"] = torch.tensor(${state.step}, dtype=torch.long)
model.load_state_dict(_state)

# weight decay on dense weights only, as gradscope: two parameter groups
_named = dict(model.named_parameters())
_dense = [_named[f"{i}.weight"] for i in ${JSON.stringify(index.map((at) => at.linear))}]
_other = [p for p in model.parameters() if all(p is not w for w in _dense)]
groups = [{"params": _dense, "weight_decay": WEIGHT_DECAY}, {"params": _other, "weight_decay": 0.0}]
optimizer = ${optimizerLine(o)}

step = ${state.step}  # optimizer steps taken: the schedule's position
OPTIMIZER_STATE = {
${stateLines}
}
for _name, _buffers in OPTIMIZER_STATE.items():
    _p = _named[_name]
    _st = {k: _tensor(tuple(_p.shape), v) for k, v in _buffers.items()}
    if ${py(o.type !== 'sgd')}:
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

const FROM_ACT = { ReLU: 'relu', LeakyReLU: 'leaky-relu', Sigmoid: 'sigmoid', Tanh: 'tanh', ELU: 'elu', SELU: 'selu', GELU: 'gelu', SiLU: 'silu', Identity: 'linear' };

function fail(what, expected) {
  throw new Error(`fromPyTorch: ${what}; expected ${expected}`);
}

/**
 * { config, parameters } (for createNetwork and setParameters) from what
 * python/export_state_dict.py writes: the modules of an nn.Sequential (Linear,
 * BatchNorm1d, LayerNorm, activations, Dropout) and its state_dict.
 * The optimizer starts fresh (step 0) with `optimizer` (default SGD 0.01), `loss` from
 * the export (default mse), `seed` for dropout.
 */
export function fromPyTorch(doc, { optimizer, loss, seed = 0 } = {}) {
  if (typeof doc === 'string') doc = JSON.parse(doc);
  if (!doc || doc.format !== 'gradscope-pytorch-state-dict') fail(`format is ${JSON.stringify(doc?.format)}`, '"gradscope-pytorch-state-dict" (written by python/export_state_dict.py)');
  const sd = doc.state_dict ?? fail('state_dict is missing', 'an object of tensors');
  const tensor = (name, length) => {
    const t = sd[name] ?? fail(`state_dict has no ${name}`, 'every parameter of the model');
    const values = typeof t.data === 'string' ? fromBase64(t.data) : Float32Array.from(t.data);
    if (values.length !== length) fail(`${name} has ${values.length} numbers`, `${length}`);
    return Array.from(values);
  };
  const layers = [];
  const parameters = [];
  let inputs = null;
  let current = null;
  doc.modules.forEach((m, i) => {
    if (m.type === 'Linear') {
      if (inputs === null) inputs = m.in_features;
      else if (m.in_features !== current.units) fail(`modules[${i}] (Linear) takes ${m.in_features} inputs after ${current.units} units`, 'matching sizes');
      current = { units: m.out_features, activation: 'linear', batchNorm: false, layerNorm: false, dropout: 0, stage: 'linear' };
      layers.push(current);
      const p = { weight: tensor(`${i}.weight`, m.out_features * m.in_features), bias: m.bias ? tensor(`${i}.bias`, m.out_features) : new Array(m.out_features).fill(0) };
      parameters.push(p);
      return;
    }
    if (!current) fail(`modules[${i}] is ${m.type} before any Linear`, 'a Linear first');
    const p = parameters.at(-1);
    if (m.type === 'BatchNorm1d' || m.type === 'LayerNorm') {
      if (current.stage !== 'linear') fail(`modules[${i}] (${m.type}) follows ${current.stage}`, 'the norm right after its Linear');
      if (Math.abs(m.eps - 1e-5) > 1e-12) fail(`modules[${i}] eps is ${m.eps}`, '1e-5 (gradscope\'s)');
      if (m.type === 'BatchNorm1d' && Math.abs((m.momentum ?? 0.1) - 0.1) > 1e-12) fail(`modules[${i}] momentum is ${m.momentum}`, '0.1');
      current[m.type === 'BatchNorm1d' ? 'batchNorm' : 'layerNorm'] = true;
      p.gamma = tensor(`${i}.weight`, current.units);
      p.beta = tensor(`${i}.bias`, current.units);
      if (m.type === 'BatchNorm1d') {
        p.runningMean = tensor(`${i}.running_mean`, current.units);
        p.runningVar = tensor(`${i}.running_var`, current.units);
      }
      current.stage = 'norm';
    } else if (m.type in FROM_ACT) {
      if (current.stage === 'activation' || current.stage === 'dropout') fail(`modules[${i}] (${m.type}) is a second activation`, 'one activation per layer');
      if (m.type === 'LeakyReLU' && Math.abs(m.negative_slope - 0.01) > 1e-12) fail(`modules[${i}] negative_slope is ${m.negative_slope}`, '0.01');
      if (m.type === 'ELU' && m.alpha !== 1) fail(`modules[${i}] alpha is ${m.alpha}`, '1');
      if (m.type === 'GELU' && m.approximate && m.approximate !== 'none') fail(`modules[${i}] approximate is ${m.approximate}`, "'none' (exact erf)");
      current.activation = FROM_ACT[m.type];
      current.stage = 'activation';
    } else if (m.type === 'Dropout') {
      current.dropout = m.p;
      current.stage = 'dropout';
    } else {
      fail(`modules[${i}] is ${m.type}`, 'Linear, BatchNorm1d, LayerNorm, Dropout or an activation (ReLU, LeakyReLU, Sigmoid, Tanh, ELU, SELU, GELU, SiLU, Identity)');
    }
  });
  if (!layers.length) fail('no Linear layer', 'an nn.Sequential with at least one Linear');
  const config = {
    inputs,
    layers: layers.map(({ stage, ...l }) => l),
    loss: loss ?? doc.loss ?? 'mse',
    init: { type: 'he' },
    optimizer: optimizer ?? { type: 'sgd', learningRate: 0.01 },
    clipNorm: 0,
    seed,
  };
  return { config, parameters };
}

/**
 * A Network from python/export_state_dict.py output (an object or its JSON text):
 * fromPyTorch's config, built, then its parameters and running statistics set.
 * options: fromPyTorch's (optimizer, loss, seed) and createNetwork's (simd, wasm).
 */
export async function loadPyTorch(doc, options = {}) {
  const { optimizer, loss, seed, ...core } = options;
  const { config, parameters } = fromPyTorch(doc, { optimizer, loss, seed });
  const net = await createNetwork(config, core);
  try {
    net.setParameters(parameters);
  } catch (err) {
    net.dispose();
    throw err;
  }
  return net;
}
