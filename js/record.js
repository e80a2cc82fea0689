// Bounded logs of training steps. A step row is [loss, learning rate, then
// every layer's STAT_NAMES statistics] (ROW_HEAD floats before the stats). Rows are copied into fixed chunks, so memory stays
// bounded however long training runs: a log keeps its newest `limit` steps
// (plus at most two chunks of 1024) and counts the ones it dropped.
import { ROW_HEAD, STAT_NAMES } from './contract.js';

const STAT_COUNT = STAT_NAMES.length;
const CHUNK_ROWS = 1024;

export class StepLog {
  #perStep;
  #limit;
  #chunks = []; // full chunks, oldest first
  #tail; // the chunk being filled
  #tailRows = 0;
  #chunkedRows = 0; // rows in #chunks
  #dropped = 0;

  /** nLayers: layers per row; limit: steps kept (the newest) */
  constructor(nLayers, limit) {
    this.#perStep = ROW_HEAD + nLayers * STAT_COUNT;
    this.#limit = limit;
    this.#tail = new Float32Array(CHUNK_ROWS * this.#perStep);
  }

  get nLayers() {
    return (this.#perStep - ROW_HEAD) / STAT_COUNT;
  }
  /** steps kept */
  get length() {
    return this.#chunkedRows + this.#tailRows;
  }
  /** steps dropped from the front (the index of the first kept step) */
  get dropped() {
    return this.#dropped;
  }

  /** appends one row: loss, learning rate, then stats (a Float32Array of nLayers * STAT_COUNT) */
  appendRow(loss, learningRate, stats) {
    const at = this.#tailRows * this.#perStep;
    this.#tail[at] = loss;
    this.#tail[at + 1] = learningRate;
    this.#tail.set(stats, at + ROW_HEAD);
    if (++this.#tailRows === CHUNK_ROWS) this.#seal();
  }

  /** appends whole rows (e.g. a view of the core's fit log): copied */
  appendRows(rows) {
    const total = rows.length / this.#perStep;
    for (let done = 0; done < total; ) {
      const n = Math.min(total - done, CHUNK_ROWS - this.#tailRows);
      this.#tail.set(rows.subarray(done * this.#perStep, (done + n) * this.#perStep), this.#tailRows * this.#perStep);
      this.#tailRows += n;
      done += n;
      if (this.#tailRows === CHUNK_ROWS) this.#seal();
    }
  }

  /** forgets every row; keeps the tail buffer, so clearing costs no allocation */
  clear() {
    this.#chunks = [];
    this.#chunkedRows = 0;
    this.#tailRows = 0;
    this.#dropped = 0;
  }

  #seal() {
    this.#chunks.push(this.#tail);
    this.#chunkedRows += CHUNK_ROWS;
    this.#tail = new Float32Array(CHUNK_ROWS * this.#perStep);
    this.#tailRows = 0;
    while (this.#chunkedRows - CHUNK_ROWS >= this.#limit) {
      this.#chunks.shift();
      this.#chunkedRows -= CHUNK_ROWS;
      this.#dropped += CHUNK_ROWS;
    }
  }

  /** -> { loss, learningRate: Float32Array, layers: [{ gradNorm: Float32Array, ... }] } of the kept steps */
  series() {
    const total = this.length;
    const nLayers = this.nLayers;
    const per = this.#perStep;
    const loss = new Float32Array(total);
    const learningRate = new Float32Array(total);
    const layers = Array.from({ length: nLayers }, () => Object.fromEntries(STAT_NAMES.map((name) => [name, new Float32Array(total)])));
    let step = 0;
    const blocks = [...this.#chunks.map((c) => [c, CHUNK_ROWS]), [this.#tail, this.#tailRows]];
    for (const [block, rows] of blocks) {
      for (let s = 0; s < rows; s++, step++) {
        loss[step] = block[s * per];
        learningRate[step] = block[s * per + 1];
        for (let l = 0; l < nLayers; l++) {
          const base = s * per + ROW_HEAD + l * STAT_COUNT;
          const layer = layers[l];
          for (let i = 0; i < STAT_COUNT; i++) layer[STAT_NAMES[i]][step] = block[base + i];
        }
      }
    }
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
