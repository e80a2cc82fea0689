// A bounded log of fixed-width rows (typed-array chunks in a ring), and logs that
// show another's rows without copying them. A network's record of training steps
// and its histogram snapshots are such logs; a fit's history shows their rows.
//
// A log keeps its newest `limit` rows (plus at most one chunk) and counts the ones
// it dropped. Its chunks are a ring: a chunk whose rows it dropped is filled again
// with the newest. Memory never touched before costs far more than the copy
// (chromium on a VM: ~0.7 µs per 228-byte row of a fresh ArrayBuffer, against a
// playground step of ~3 µs; a chunk filled again ~0.004 µs).
//
// A log that shows another's rows (appendFrom) holds references to its chunks and
// the generation each had: rows of a chunk filled again since are gone, and count
// as dropped. Copying them out for the views still alive was tried: which views are
// alive only a garbage collection tells, and in a loop of fits nobody reads, the
// copies for histories not yet collected cost 12% of a playground fit in chromium
// (a whole fit's rows copied as it returns: 10%, in garbage collection, the copies
// being larger than the young generation).

export class RowLog {
  #width;
  #limit;
  #Type;
  #chunkRows;
  #segments = []; // the kept rows, oldest first: { chunk, at, rows, gen } (rows at..at+rows of chunk.data while chunk.gen === gen)
  #rows = 0; // rows in #segments (a view's may include rows filled over since: see #prune)
  #dropped = 0; // rows appended and no longer in #segments
  #clearedAt = 0; // rows appended before the last clear(): still in the ring, no longer shown
  #tail = null; // own chunk being filled: { data, gen, owner: this }
  #tailRows = 0;
  #free = []; // own chunks whose rows were dropped: filled again next
  #allocated = 0;

  /** width: values per row; limit: rows kept (the newest); Type: the chunks' typed array; chunkRows: rows per chunk */
  constructor(width, limit, { Type = Float32Array, chunkRows = 1024 } = {}) {
    this.#width = width;
    this.#limit = limit;
    this.#Type = Type;
    this.#chunkRows = chunkRows;
  }

  get width() {
    return this.#width;
  }
  /** rows kept (since the last clear) */
  get length() {
    this.#prune();
    return Math.min(this.#rows, this.appended);
  }
  /** rows dropped from the front (the index of the first kept row, counted from the last clear) */
  get dropped() {
    return this.appended - this.length;
  }
  /** rows appended since the last clear, kept or dropped */
  get appended() {
    return this.#rows + this.#dropped - this.#clearedAt;
  }
  /** chunks this log has allocated: bounded by its limit, however many rows it was given */
  get chunksAllocated() {
    return this.#allocated;
  }

  /**
   * appends one row: two numbers, then values (width - 2 of them). Both logs' rows start so: a
   * step's loss and learning rate, a histogram snapshot's step (low and high 32 bits).
   */
  appendRow(first, second, values) {
    if (!this.#tail) this.#newTail();
    const data = this.#tail.data;
    const at = this.#tailRows * this.#width;
    data[at] = first;
    data[at + 1] = second;
    data.set(values, at + 2);
    this.#filled(1);
  }

  /** appends whole rows (a typed array of n * width values, e.g. a view of the core's fit log): copied */
  appendRows(rows) {
    const width = this.#width;
    const total = rows.length / width;
    for (let done = 0; done < total; ) {
      if (!this.#tail) this.#newTail();
      const n = Math.min(total - done, this.#chunkRows - this.#tailRows);
      this.#tail.data.set(rows.subarray(done * width, (done + n) * width), this.#tailRows * width);
      this.#filled(n);
      done += n;
    }
  }

  /**
   * appends the last n rows of another log without copying them: this log shows
   * them for as long as that log keeps them (a fit's steps are the record's newest
   * rows; the record keeps the newest `limit` of the network).
   */
  appendFrom(source, n) {
    if (!(n >= 0 && n <= source.length)) throw new RangeError(`RowLog.appendFrom: ${n} rows of a log of ${source.length}`);
    const picked = [];
    for (let i = source.#segments.length - 1, left = n; left > 0; i--) {
      const s = source.#segments[i];
      const take = Math.min(left, s.rows);
      picked.push([s.chunk, s.at + s.rows - take, take, s.gen]);
      left -= take;
    }
    for (let i = picked.length - 1; i >= 0; i--) this.#push(...picked[i]);
    this.#trim();
  }

  /**
   * forgets every row: they are no longer shown, and their memory is filled again when the
   * ring comes round to it, as if they had been kept (logs showing them lose them no sooner)
   */
  clear() {
    this.#clearedAt = this.#rows + this.#dropped;
  }

  /** calls visit(data, offset) for each kept row, oldest first */
  forEachRow(visit) {
    let skip = this.#rows - this.length; // cleared rows still in the ring
    const width = this.#width;
    for (const { chunk, at, rows } of this.#segments) {
      for (let r = at + Math.min(skip, rows); r < at + rows; r++) visit(chunk.data, r * width);
      skip -= Math.min(skip, rows);
    }
  }

  /** the chunk filled next: a dropped one (a new generation: logs showing its rows drop them), or a new one */
  #newTail() {
    this.#tail = this.#free.shift(); // the oldest: rows leave the ring in the order they came
    if (this.#tail) this.#tail.gen++;
    else {
      this.#tail = { data: new this.#Type(this.#chunkRows * this.#width), gen: 0, owner: this };
      this.#allocated++;
    }
    this.#tailRows = 0;
  }

  /** n rows were written after the tail's filled ones */
  #filled(n) {
    this.#push(this.#tail, this.#tailRows, n, this.#tail.gen);
    this.#tailRows += n;
    if (this.#tailRows === this.#chunkRows) this.#tail = null;
    this.#trim(); // before the next chunk: a dropped one is filled again
  }

  #push(chunk, at, rows, gen) {
    const last = this.#segments[this.#segments.length - 1];
    if (last && last.chunk === chunk && last.gen === gen && last.at + last.rows === at) last.rows += rows;
    else this.#segments.push({ chunk, at, rows, gen });
    this.#rows += rows;
  }

  /** drops the oldest segments while the newest `limit` rows remain; an own chunk left with no kept rows is filled again next */
  #trim() {
    while (this.#segments.length > 1 && this.#rows - this.#segments[0].rows >= this.#limit) {
      const s = this.#segments.shift();
      this.#rows -= s.rows;
      this.#dropped += s.rows;
      if (s.chunk.owner === this && s.chunk !== this.#tail && !this.#segments.some((k) => k.chunk === s.chunk)) this.#free.push(s.chunk);
    }
  }

  /**
   * drops the rows of chunks filled again since this log took them, and every older row:
   * what is shown stays the newest rows, with no gap (a ring fills its oldest chunk first,
   * but rows taken after its clear() can be in newer chunks than older rows still shown)
   */
  #prune() {
    let stale = -1;
    for (let i = this.#segments.length - 1; i >= 0; i--) {
      if (this.#segments[i].chunk.gen !== this.#segments[i].gen) {
        stale = i;
        break;
      }
    }
    if (stale < 0) return;
    for (const s of this.#segments.splice(0, stale + 1)) {
      this.#rows -= s.rows;
      this.#dropped += s.rows;
    }
  }
}
