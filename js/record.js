// What a network records of its training: every step's row (StepLog) and fit's
// epochs (EpochLog), bounded however long training runs; helpers that read them.
import { ROW_HEAD, STAT_NAMES } from './contract.js';
import { RowLog } from './row-log.js';

const STAT_COUNT = STAT_NAMES.length;

/**
 * Step rows: [loss, learning rate, then every layer's STAT_NAMES statistics]
 * (ROW_HEAD = 2 floats before the stats), in a RowLog of Float32Array chunks:
 * appendRow(loss, learningRate, stats) adds one.
 */
export class StepLog extends RowLog {
  /** nLayers: layers per row; limit: steps kept (the newest) */
  constructor(nLayers, limit) {
    super(ROW_HEAD + nLayers * STAT_COUNT, limit);
  }

  get nLayers() {
    return (this.width - ROW_HEAD) / STAT_COUNT;
  }

  /** -> { loss, learningRate: Float32Array, layers: [{ gradNorm: Float32Array, ... }] } of the kept steps */
  series() {
    const total = this.length;
    const nLayers = this.nLayers;
    const loss = new Float32Array(total);
    const learningRate = new Float32Array(total);
    const layers = Array.from({ length: nLayers }, () => Object.fromEntries(STAT_NAMES.map((name) => [name, new Float32Array(total)])));
    let step = 0;
    this.forEachRow((block, row) => {
      loss[step] = block[row];
      learningRate[step] = block[row + 1];
      for (let l = 0; l < nLayers; l++) {
        const base = row + ROW_HEAD + l * STAT_COUNT;
        const layer = layers[l];
        for (let i = 0; i < STAT_COUNT; i++) layer[STAT_NAMES[i]][step] = block[base + i];
      }
      step++;
    });
    return { loss, learningRate, layers };
  }
}

/** Per-epoch numbers kept by a network's record: the newest `limit` epochs. */
export class EpochLog {
  #limit;
  loss = [];
  valLoss = [];
  valAccuracy = [];
  deadFraction = []; // per epoch: each layer's share of ReLU units dead over the whole epoch
  dropped = 0;

  constructor(limit) {
    this.#limit = limit;
  }

  push({ loss, valLoss, valAccuracy, deadFraction }) {
    this.loss.push(loss);
    if (deadFraction !== undefined) this.deadFraction.push(deadFraction);
    if (valLoss !== undefined) this.valLoss.push(valLoss);
    if (valAccuracy !== undefined) this.valAccuracy.push(valAccuracy);
    // drop in blocks, so the cost of shifting is amortized
    if (this.loss.length >= 2 * this.#limit) {
      const cut = this.loss.length - this.#limit;
      this.loss.splice(0, cut);
      this.valLoss.splice(0, Math.max(0, this.valLoss.length - this.#limit));
      this.valAccuracy.splice(0, Math.max(0, this.valAccuracy.length - this.#limit));
      this.deadFraction.splice(0, Math.max(0, this.deadFraction.length - this.#limit));
      this.dropped += cut;
    }
  }

  toJSON() {
    return { loss: this.loss.slice(), valLoss: this.valLoss.slice(), valAccuracy: this.valAccuracy.slice(), deadFraction: this.deadFraction.map((d) => d.slice()) };
  }
}

/**
 * The first non-finite step in a log's rows (a Float32Array of step rows):
 * { step, layer, kind } (layer = nLayers for the loss), or null.
 */
export function firstNonFinite(rows, nLayers, kinds) {
  const per = ROW_HEAD + nLayers * STAT_COUNT;
  const flag = STAT_NAMES.indexOf('nonFinite');
  for (let s = 0; s < rows.length / per; s++) {
    for (let l = 0; l < nLayers; l++) {
      const code = rows[s * per + ROW_HEAD + l * STAT_COUNT + flag];
      if (code) return { step: s, layer: l, kind: kinds[code] ?? 'activation' };
    }
    if (!Number.isFinite(rows[s * per])) return { step: s, layer: nLayers, kind: 'loss' };
  }
  return null;
}

/**
 * An array of `length` counts, none above `bound`, in the narrowest unsigned type
 * that holds them: Uint8Array, Uint16Array or Uint32Array. Kept histogram snapshots
 * cost fresh memory, which costs more than the copy; small networks count in bytes.
 */
export function countsArray(length, bound) {
  const Type = bound < 256 ? Uint8Array : bound < 65536 ? Uint16Array : Uint32Array;
  return new Type(length);
}
