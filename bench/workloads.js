// The four benchmark workloads, defined once for every implementation.
export const WORKLOADS = [
  {
    name: 'playground',
    inputs: 2,
    hidden: [8, 8, 8, 8].map((units) => ({ units, activation: 'tanh' })),
    outputs: 1,
    batch: 10,
    loss: 'bce',
    optimizer: { type: 'sgd', learningRate: 0.01 },
  },
  {
    name: 'digits',
    inputs: 64,
    hidden: [128, 128].map((units) => ({ units, activation: 'relu', batchNorm: true, dropout: 0.2 })),
    outputs: 10,
    batch: 32,
    loss: 'softmax-ce',
    optimizer: { type: 'sgd', learningRate: 0.01, momentum: 0.9 },
  },
  {
    name: 'mnist',
    inputs: 784,
    hidden: [512, 512].map((units) => ({ units, activation: 'relu' })),
    outputs: 10,
    batch: 128,
    loss: 'softmax-ce',
    optimizer: { type: 'sgd', learningRate: 0.01 },
  },
  {
    name: 'deepsigmoid',
    inputs: 2,
    hidden: Array.from({ length: 10 }, () => ({ units: 16, activation: 'sigmoid' })),
    outputs: 1,
    batch: 32,
    loss: 'bce',
    optimizer: { type: 'sgd', learningRate: 0.01 },
  },
];

/** trainable parameters: dense weights and biases, batch-norm gamma and beta */
export function parameterCount(w) {
  let fanIn = w.inputs;
  let n = 0;
  for (const layer of [...w.hidden, { units: w.outputs }]) {
    n += fanIn * layer.units + layer.units + (layer.batchNorm ? 2 * layer.units : 0);
    fanIn = layer.units;
  }
  return n;
}

/**
 * multiply-add flops a training step cannot do without: per dense layer the forward
 * product and the weight gradient (2 x in x out x batch each), and the input
 * gradient for every layer but the first (nothing consumes dL/dx of the data)
 */
export function neededFlops(w) {
  let fanIn = w.inputs;
  let n = 0;
  [...w.hidden, { units: w.outputs }].forEach((layer, l) => {
    n += (l === 0 ? 4 : 6) * fanIn * layer.units * w.batch;
    fanIn = layer.units;
  });
  return n;
}

/** deterministic synthetic data: x uniform in [-1, 1), labels by row index */
export function syntheticData(w, rows) {
  let s = 12345;
  const x = new Float32Array(rows * w.inputs);
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  const classes = w.loss === 'softmax-ce';
  const y = classes ? Int32Array.from({ length: rows }, (_, i) => i % w.outputs) : Float32Array.from({ length: rows * w.outputs }, (_, i) => i % 2);
  return { x, y };
}

export const gradscopeConfig = (w) => ({
  inputs: w.inputs,
  layers: [...w.hidden, { units: w.outputs }],
  loss: w.loss,
  optimizer: w.optimizer,
  seed: 1,
});
