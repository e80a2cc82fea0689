// Input checks. Every error names where it happened, the parameter, the value
// and what was expected; nothing is clamped or coerced silently.

export function show(value) {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return isDetached(value) ? `a detached ${value.constructor.name} (its buffer was transferred)` : `a ${value.constructor.name} of length ${value.length}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Whether a typed array's (or an ArrayBuffer's) memory was detached: transferred to a
 * worker or elsewhere. Engines without ArrayBuffer.prototype.detached (Node 20) refuse
 * to make a view of a detached buffer.
 */
export function isDetached(value) {
  const buffer = ArrayBuffer.isView(value) ? value.buffer : value;
  if (!(buffer instanceof ArrayBuffer)) return false;
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** an option's value, or the default when it is absent: null is a value (and gets refused), not absence */
export const given = (value, fallback) => (value === undefined ? fallback : value);

export function fail(where, name, value, expected) {
  throw new Error(`${where}: ${name} is ${show(value)}; expected ${expected}`);
}

export function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

export function checkKeys(where, name, obj, allowed) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new Error(`${where}: ${name} has an unknown key ${JSON.stringify(key)}; expected one of ${allowed.join(', ')}`);
    }
  }
}

export function integer(where, name, value, min, max = Number.MAX_SAFE_INTEGER) {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(where, name, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

/**
 * A finite number in a range. float32: the value goes to the core as a
 * float32, so it must survive that rounding: not overflow to Infinity (1e39),
 * not underflow to 0 (1e-50), and not land on a bound it was not on
 * (beta 1 - 1e-10 rounds to 1; dropout 1 - 1e-9 rounds to 1, "drop everything").
 */
export function number(where, name, value, { min = -Infinity, max = Infinity, maxOpen = false, minOpen = false, float32 = false } = {}) {
  const within = (v) => Number.isFinite(v) && (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
  const lo = minOpen ? '(' : '[';
  const hi = maxOpen ? ')' : ']';
  const range = max === Infinity ? (min === -Infinity ? 'a finite number' : `a finite number ${minOpen ? '>' : '>='} ${min}`) : `a number in ${lo}${min}, ${max}${hi}`;
  if (typeof value !== 'number' || !within(value)) fail(where, name, value, range);
  if (float32) {
    const f = Math.fround(value);
    const why = !Number.isFinite(f)
      ? 'it overflows to Infinity'
      : f === 0 && value !== 0
        ? 'it rounds to 0'
        : !within(f) || (f !== value && (f === min || f === max))
          ? `it rounds to ${f}`
          : null;
    if (why) fail(where, name, value, `${range} that a float32 holds (${why})`);
  }
  return value;
}

export function boolean(where, name, value) {
  if (typeof value !== 'boolean') fail(where, name, value, 'true or false');
  return value;
}

export function oneOf(where, name, value, choices) {
  if (!choices.includes(value)) fail(where, name, value, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
  return value;
}

/** x: a Float32Array holding whole rows of `cols` values -> number of rows */
export function rowsOf(where, name, x, cols) {
  if (!(x instanceof Float32Array)) fail(where, name, x, `a Float32Array of shape [batch x ${cols}]`);
  if (x.length === 0 || x.length % cols !== 0) {
    fail(where, `${name}.length`, x.length, `a positive multiple of ${cols} (shape [batch x ${cols}])`);
  }
  const rows = x.length / cols;
  if (rows > 0x7fffffff) fail(where, `${name} rows`, rows, 'at most 2,147,483,647 rows');
  return rows;
}

const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array];

/**
 * y for a batch of `rows` examples. mse/bce: Float32Array [rows x outputs];
 * softmax-ce: class indices in [0, outputs) as an integer typed array or number[].
 * Writes float values into `out` (a view of wasm memory).
 */
export function checkTargets(where, name, y, rows, outputs, loss) {
  if (loss === 'softmax-ce') {
    const intArray = INTEGER_ARRAYS.some((T) => y instanceof T);
    if (!intArray && !Array.isArray(y)) {
      fail(where, name, y, `class indices (Int32Array, Uint8Array or number[]) of length ${rows}`);
    }
    if (y.length !== rows) fail(where, `${name}.length`, y.length, `${rows} class indices, one per row of x`);
    for (let i = 0; i < rows; i++) {
      const c = y[i];
      if (!Number.isInteger(c) || c < 0 || c >= outputs) {
        fail(where, `${name}[${i}]`, c, `a class index in [0, ${outputs - 1}]`);
      }
    }
    return;
  }
  if (!(y instanceof Float32Array)) fail(where, name, y, `a Float32Array of shape [${rows} x ${outputs}]`);
  if (y.length !== rows * outputs) {
    fail(where, `${name}.length`, y.length, `${rows * outputs} (shape [${rows} x ${outputs}] for ${rows} rows of x)`);
  }
}
