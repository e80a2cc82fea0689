// Small numeric helpers shared by diagnose, sweep, the CLI's report and the
// preset figures. Every reduction is a plain loop: none spreads an array into
// a call (spreading a series into Math.max overflows the stack past ~100k values in Node and
// ~60k in a browser worker), so they work on a record of any length.

/** Median of the finite values of an array or typed array (NaN when there are none). */
export function median(values) {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  if (n === 0) return NaN;
  const v = new Float64Array(n);
  n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) v[n++] = values[i];
  v.sort();
  const mid = n >> 1;
  return n % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Largest finite value in values[from, to) (`empty` when there is none). */
export function maxFinite(values, empty = -Infinity, from = 0, to = values.length) {
  let max = empty;
  let found = false;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (Number.isFinite(v) && (!found || v > max)) {
      max = v;
      found = true;
    }
  }
  return max;
}

/** Smallest finite value in values (`empty` when there is none). */
export function minFinite(values, empty = Infinity) {
  let min = empty;
  let found = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && (!found || v < min)) {
      min = v;
      found = true;
    }
  }
  return min;
}

/** Sum of an array (a loop; no spread). */
export function sum(values) {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/**
 * A number for findings' evidence: 3 significant digits as a number, or a
 * short exponential string for very large or very small magnitudes.
 */
export const compact = (v) => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)));

/** A number for tables: 3 significant digits, exponential outside [0.01, 1000). */
export const sci = (v) => (!Number.isFinite(v) ? String(v) : v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toPrecision(3) : v.toExponential(2));

/** Math.max over an array of any length (a plain loop, not a spread); NaN if any is NaN, -Infinity for none */
export function maxOf(values) {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) m = Math.max(m, values[i]);
  return m;
}

/** Math.min over an array of any length (a plain loop, not a spread); NaN if any is NaN, Infinity for none */
export function minOf(values) {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) m = Math.min(m, values[i]);
  return m;
}
