// Number formatting for the page, written once: losses, shares, small and huge values.

/** a loss or a value: 4 decimals, scientific when tiny or huge, '–' when absent, 'NaN' / 'Infinity' as such */
export function fmt(v) {
  if (v === undefined || v === null) return '–';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return (a < 1e-3 && v !== 0) || a >= 1e6 ? v.toExponential(3) : v.toFixed(4);
}

/** a share in [0, 1] as a whole percentage */
export const share = (v) => (Number.isFinite(v) ? `${Math.round(100 * v)}%` : String(v));

/** two significant digits, scientific when tiny or huge (ratios, norms) */
export const sci = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 1e3 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(0) : String(Number(v.toPrecision(2)))) : String(v));

/** a gradient norm: scientific with one decimal, 'NaN' / 'Infinity' as such */
export const norm = (v) => (Number.isFinite(v) ? v.toExponential(1) : String(v));
