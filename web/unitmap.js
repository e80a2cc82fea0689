// The output of one hidden unit over the plane (TensorFlow Playground's neuron
// maps), computed in JS from getParameters(): dense -> batch norm (running
// statistics, as in eval mode) or layer norm -> activation; dropout is the
// identity in eval mode. Used by the training worker for 2-D data only.

const ACT = {
  linear: (v) => v,
  relu: (v) => (v > 0 ? v : 0),
  'leaky-relu': (v) => (v > 0 ? v : 0.01 * v),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: Math.tanh,
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v)),
  silu: (v) => v / (1 + Math.exp(-v)),
  gelu: (v) => 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))), // tanh form: a picture, not a measurement
};

/** one layer's outputs for one input row */
function layerForward(cfg, p, input) {
  const units = cfg.units;
  const fanIn = input.length;
  const z = new Float64Array(units);
  for (let o = 0; o < units; o++) {
    let s = p.bias[o];
    for (let i = 0; i < fanIn; i++) s += p.weight[o * fanIn + i] * input[i];
    z[o] = s;
  }
  if (cfg.batchNorm) for (let o = 0; o < units; o++) z[o] = ((z[o] - p.runningMean[o]) / Math.sqrt(p.runningVar[o] + 1e-5)) * p.gamma[o] + p.beta[o];
  if (cfg.layerNorm) {
    let mean = 0;
    for (const v of z) mean += v / units;
    let variance = 0;
    for (const v of z) variance += (v - mean) ** 2 / units;
    for (let o = 0; o < units; o++) z[o] = ((z[o] - mean) / Math.sqrt(variance + 1e-5)) * p.gamma[o] + p.beta[o];
  }
  const f = ACT[cfg.activation ?? 'linear'] ?? ACT.linear;
  for (let o = 0; o < units; o++) z[o] = f(z[o]);
  return z;
}

/**
 * Float32Array(grid * grid): unit `unit` of hidden layer `layer` at each cell of
 * the plane [lo, hi]² (row 0 at the top, as the decision map).
 */
export function unitOutputs(config, params, layer, unit, [lo, hi], grid = 64) {
  const out = new Float32Array(grid * grid);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      let a = [lo + ((c + 0.5) / grid) * (hi - lo), hi - ((r + 0.5) / grid) * (hi - lo)];
      for (let l = 0; l <= layer; l++) a = layerForward(config.layers[l], params[l], a);
      out[r * grid + c] = a[unit];
    }
  }
  return out;
}
