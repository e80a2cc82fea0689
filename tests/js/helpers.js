// Shared test helpers.
import { readFileSync } from 'node:fs';

export const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

export const maxAbs = (values) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Scale-relative difference: max |a-b| / max(max |expected|, floor, 1e-6) over
 * a tensor. `floor` is the scale of related tensors: a tensor that should be 0
 * (a dense bias feeding batch norm) is compared at the scale of its neighbours.
 */
export function tensorDiff(actual, expected, floor = 0) {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  const scale = Math.max(maxAbs(expected), floor);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst / (1e-6 + scale);
}

/** Deterministic pseudo-random floats in [-1, 1) for test data. */
export function randomFloats(n, seed = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** XOR-quadrant data: x [n x 2], y [n] in {0, 1}. */
export function xorData(n, seed = 1) {
  const x = randomFloats(2 * n, seed);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
  return { x, y };
}

/** A small network with every layer kind, for the memory tests. */
export const MEMORY_TEST_CONFIG = {
  inputs: 2,
  layers: [{ units: 32, activation: 'relu', batchNorm: true, dropout: 0.1 }, { units: 1 }],
  loss: 'bce',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 3,
};
