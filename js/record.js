// Bounded logs of training steps. A step row is [loss, learning rate, then
// every layer's STAT_NAMES statistics] (ROW_HEAD floats before the stats). Rows are copied into fixed chunks, so memory stays
// bounded however long training runs: a log keeps its newest `limit` steps
// (plus at most one chunk of 1024) and counts the ones it dropped. A log may hold
// another's rows by reference (appendFrom: a fit's steps are the record's newest).
import { ROW_HEAD, STAT_NAMES } from './contract.js';

const STAT_COUNT = STAT_NAMES.length;
const CHUNK_ROWS = 1024;

export class StepLog {
  #perStep;
  #limit;
  #segments = []; // the kept rows, oldest first: { buf, at, rows, own } (rows at..at+rows of buf)
  #rows = 0; // rows in #segments
  #dropped = 0;
  #tail = null; // the chunk being filled by appendRows (its filled rows end the last own segment)
  #tailRows = 0;
  #spare = null; // the chunk of a cleared log, filled next instead of a new one
  #followers = new Set(); // WeakRefs to logs that hold rows of this log's chunks (appendFrom)
  #pruneAt = 16;
  #following = new WeakSet(); // sources this log is registered with
  #self = new WeakRef(this);

  /** nLayers: layers per row; limit: steps kept (the newest) */
  constructor(nLayers, limit) {
    this.#perStep = ROW_HEAD + nLayers * STAT_COUNT;
    this.#limit = limit;
  }

  get nLayers() {
    return (this.#perStep - ROW_HEAD) / STAT_COUNT;
  }
  /** steps kept */
  get length() {
    return this.#rows;
  }
  /** steps dropped from the front (the index of the first kept step) */
  get dropped() {
    return this.#dropped;
  }

  /** appends one row: loss, learning rate, then stats (a Float32Array of nLayers * STAT_COUNT) */
  appendRow(loss, learningRate, stats) {
    // written straight into the tail chunk: a row of its own was fresh memory on every step
    if (!this.#tail) this.#newTail();
    const at = this.#tailRows * this.#perStep;
    this.#tail[at] = loss;
    this.#tail[at + 1] = learningRate;
    this.#tail.set(stats, at + ROW_HEAD);
    this.#push(this.#tail, this.#tailRows, 1, true);
    if (++this.#tailRows === CHUNK_ROWS) this.#tail = null;
    this.#trim();
  }

  /** appends whole rows (e.g. a view of the core's fit log): copied */
  appendRows(rows) {
    const per = this.#perStep;
    const total = rows.length / per;
    for (let done = 0; done < total; ) {
      if (!this.#tail) this.#newTail();
      const n = Math.min(total - done, CHUNK_ROWS - this.#tailRows);
      this.#tail.set(rows.subarray(done * per, (done + n) * per), this.#tailRows * per);
      this.#push(this.#tail, this.#tailRows, n, true);
      this.#tailRows += n;
      done += n;
      if (this.#tailRows === CHUNK_ROWS) this.#tail = null;
    }
    this.#trim();
  }

  /**
   * appends the last n rows of another log without copying them: this log keeps
   * references to the source's chunks (a fit's steps are the record's newest rows).
   * The source never rewrites a row another log holds: before it reuses its chunk
   * after clear() it gives every such log a copy.
   * Fresh memory costs more than the copy (chromium, 2 to 3 logs of 268-byte rows:
   * ~0.7 µs per row each, on a 12 µs playground step; the copy is 0.003 µs).
   */
  appendFrom(source, n) {
    if (!(n >= 0 && n <= source.#rows)) throw new RangeError(`StepLog.appendFrom: ${n} rows of a log of ${source.#rows}`);
    if (!this.#following.has(source)) {
      this.#following.add(source);
      source.#follow(this.#self);
    }
    const picked = [];
    for (let i = source.#segments.length - 1, left = n; left > 0; i--) {
      const s = source.#segments[i];
      const take = Math.min(left, s.rows);
      picked.push([s.buf, s.at + s.rows - take, take]);
      left -= take;
    }
    for (let i = picked.length - 1; i >= 0; i--) this.#push(picked[i][0], picked[i][1], picked[i][2], false);
    this.#trim();
  }

  /** forgets every row; keeps its chunk, so clearing costs no allocation */
  clear() {
    const chunk = this.#tail ?? this.#spare ?? this.#segments.find((s) => s.own)?.buf ?? null;
    this.#segments = [];
    this.#rows = 0;
    this.#dropped = 0;
    this.#tail = null;
    this.#spare = chunk && this.#release(chunk);
  }

  /** the chunk appendRows / appendRow fill next: a cleared log's, or a new one */
  #newTail() {
    this.#tail = this.#spare ?? new Float32Array(CHUNK_ROWS * this.#perStep);
    this.#spare = null;
    this.#tailRows = 0;
  }

  #push(buf, at, rows, own) {
    const last = this.#segments[this.#segments.length - 1];
    if (last && last.buf === buf && last.at + last.rows === at) last.rows += rows;
    else this.#segments.push({ buf, at, rows, own });
    this.#rows += rows;
  }

  /**
   * drops the oldest segments while the newest `limit` rows remain. A dropped chunk
   * is not reused: followers that may still hold it (a fit's history) would need
   * copies, and giving them copies measured slower than fresh chunks (chromium
   * playground: 18% of the time in #release). Reusing only the chunks no live
   * follower holds (WeakRef) did not pay either: dropped histories stay reachable
   * through their WeakRefs until a full GC, which the bench's loop rarely causes
   * (60 of 635 chunks reused in a chromium playground profile; a WeakRef to a
   * young holder object renewed at every append, none more).
   */
  #trim() {
    while (this.#segments.length > 1 && this.#rows - this.#segments[0].rows >= this.#limit) {
      const s = this.#segments.shift();
      this.#rows -= s.rows;
      this.#dropped += s.rows;
    }
  }

  #follow(ref) {
    this.#followers.add(ref);
    if (this.#followers.size >= this.#pruneAt) {
      for (const r of this.#followers) if (!r.deref()) this.#followers.delete(r);
      this.#pruneAt = 2 * this.#followers.size + 16;
    }
  }

  /** every log that holds rows of chunk gets its own copy of them; returns chunk, free to rewrite */
  #release(chunk) {
    for (const ref of this.#followers) {
      const log = ref.deref();
      if (!log) {
        this.#followers.delete(ref);
        continue;
      }
      for (const s of log.#segments) {
        if (s.buf !== chunk) continue;
        s.buf = chunk.slice(s.at * this.#perStep, (s.at + s.rows) * this.#perStep);
        s.at = 0;
      }
    }
    return chunk;
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
    for (const { buf: block, at, rows } of this.#segments) {
      for (let s = at; s < at + rows; s++, step++) {
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

/**
 * A copy of counts (a Uint32Array, e.g. a view of the core's histogram snapshots, none
 * above `bound`) in the narrowest unsigned type that holds `bound`: Uint8Array,
 * Uint16Array or Uint32Array. Kept snapshots cost fresh memory, which costs more than
 * the copy (chromium, playground's 3120-byte snapshots every 10 steps:
 * #collectHistograms was 20% of the time); small networks count in bytes.
 */
export function compactCounts(counts, bound) {
  const Type = bound < 256 ? Uint8Array : bound < 65536 ? Uint16Array : Uint32Array;
  const out = new Type(counts.length);
  out.set(counts);
  return out;
}
