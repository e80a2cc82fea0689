// Time-series charts (uPlot): gradient norm per layer per step on a log scale
// with the vanishing / exploding zones shaded and exact zeros in a band of their
// own, loss and accuracy per epoch (a log axis once the loss spans more than
// three decades), and the dropout sweep. A comparison run is drawn dashed on the
// same axes. Long runs are decimated by keeping each bucket's minimum and
// maximum, so a one-step spike survives at any speed.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d', '#7c3aed', '#0d9488', '#b91c1c'];
export const layerColor = (l) => PALETTE[l % PALETTE.length];

/** a layer's colour darkened until text in it reads at 4.5:1 or more on white (WCAG AA) */
export function layerInk(l) {
  let rgb = [1, 3, 5].map((i) => parseInt(layerColor(l).slice(i, i + 2), 16));
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  while (1.05 / (lum(rgb) + 0.05) < 4.6) rgb = rgb.map((v) => Math.floor(v * 0.92));
  return `rgb(${rgb.join(',')})`;
}

// shaded zones of the gradient chart (absolute gradient norms)
export const VANISHING_BELOW = 1e-5;
export const EXPLODING_ABOVE = 1e2;
// the log axis shows gradient norms down to FLOOR (smaller positive ones are drawn at FLOOR);
// an exact 0 — no gradient at all — is drawn at ZERO_LEVEL, in a band of its own below
export const FLOOR = 1e-12;
export const ZERO_LEVEL = 1e-14;
const ZERO_BAND_TOP = 10 ** -13.5;
const MAX_BUCKETS = 1000; // per series; past this, neighbouring buckets merge 2:1 (each keeps its min and max)
const LOG_LOSS_DECADES = 3;
const HEAD = 1000; // the first steps are also kept at full resolution: a "first N steps" window shows every one // the loss axis turns logarithmic when the loss spans more than this

function widthOf(el) {
  return Math.max(260, Math.floor(el.clientWidth || el.parentElement?.clientWidth || 600) - 4);
}

function shadeZones(u) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const y = (v) => u.valToPos(v, 'y', true);
  ctx.save();
  const dpr = devicePixelRatio || 1;
  const zone = (from, to, color, label, ink, labelAtBottom) => {
    const y0 = Math.max(top, Math.min(top + height, y(to)));
    const y1 = Math.max(top, Math.min(top + height, y(from)));
    if (y1 - y0 < 1) return;
    ctx.fillStyle = color;
    ctx.fillRect(left, y0, width, y1 - y0);
    ctx.fillStyle = ink;
    ctx.textAlign = 'left';
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.fillText(label, left + 6 * dpr, labelAtBottom ? y1 - 4 * dpr : y0 + 13 * dpr);
  };
  const [min, max] = [u.scales.y.min, u.scales.y.max];
  if (min < ZERO_BAND_TOP) zone(min, ZERO_BAND_TOP, 'rgba(100,116,139,0.22)', '0 — no gradient (exactly zero)', '#334155', true);
  if (min < VANISHING_BELOW) zone(Math.max(min, ZERO_BAND_TOP), Math.min(VANISHING_BELOW, max), 'rgba(59,130,246,0.13)', `vanishing zone (< ${VANISHING_BELOW.toExponential(0)})`, '#1d4ed8', false);
  if (max > EXPLODING_ABOVE) zone(Math.max(EXPLODING_ABOVE, min), max, 'rgba(239,68,68,0.15)', `exploding zone (> ${EXPLODING_ABOVE.toExponential(0)})`, '#b91c1c', false);
  ctx.restore();
}

/** vertical dashed lines with a label, e.g. the first non-finite step */
function drawMarkers(u, markers) {
  const { ctx } = u;
  const { top, height, left, width } = u.bbox;
  const dpr = devicePixelRatio || 1;
  ctx.save();
  markers.forEach((m, i) => {
    const x = u.valToPos(m.x, 'x', true);
    if (!(x >= left && x <= left + width)) return;
    ctx.strokeStyle = m.color;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.lineWidth = 1.5 * dpr;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillStyle = m.color;
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.textAlign = x > left + width / 2 ? 'right' : 'left';
    ctx.fillText(m.label, x + (ctx.textAlign === 'left' ? 4 : -4) * dpr, top + (28 + 13 * i) * dpr);
  });
  ctx.restore();
}

/** horizontal dashed guide lines with a label, e.g. the update:data ratio's −3 */
function drawGuides(u, guides) {
  const { ctx } = u;
  const { left, width, top, height } = u.bbox;
  const dpr = devicePixelRatio || 1;
  ctx.save();
  for (const g of guides) {
    const y = u.valToPos(g.y, 'y', true);
    if (!(y >= top && y <= top + height)) continue;
    ctx.strokeStyle = g.color;
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    ctx.fillStyle = g.color;
    ctx.textAlign = 'right';
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.fillText(g.label, left + width - 6 * dpr, y - 5 * dpr);
  }
  ctx.restore();
}

/**
 * Exponential moving average of a column, debiased as TensorBoard's smoothing
 * (weight a in [0, 1)); on a log chart the average is taken of log10 values.
 * Gaps stay gaps and do not reset the average.
 */
export function ema(col, a, log = false) {
  if (!a) return col;
  let s = 0;
  let n = 0;
  return col.map((v) => {
    if (v == null || !Number.isFinite(v) || (log && v <= 0)) return v;
    s = a * s + (1 - a) * (log ? Math.log10(v) : v);
    n++;
    const m = s / (1 - a ** n);
    return log ? 10 ** m : m;
  });
}

/**
 * A chart whose series are appended to as training goes; `sides` runs (2 when
 * comparing), each with its own count of points, aligned by index (x = 1, 2, …).
 * Values go into buckets of `stride` consecutive points; each bucket keeps its
 * minimum and maximum (and which came first), and is drawn as those two points,
 * so a spike of one step stays visible however long the run. Past MAX_BUCKETS,
 * neighbouring buckets merge 2:1; the x values stay shared by every series.
 */
class Series {
  constructor(el, { title, xLabel, yLabel, log = false, autoLog = false, xLog = false, yRange = null, names, sides = 1, sideNames = ['A', 'B'], extraAxis = null, zones = false, height = 240, floor = FLOOR }) {
    this.el = el;
    this.options = { title, xLabel, yLabel, extraAxis, zones, height, floor, xLog, yRange };
    this.names = names;
    this.sides = sides;
    this.sideNames = sideNames;
    this.log = log;
    this.autoLog = autoLog;
    const n = names.length * sides;
    this.lo = Array.from({ length: n }, () => []);
    this.hi = Array.from({ length: n }, () => []);
    this.loAt = Array.from({ length: n }, () => []);
    this.hiAt = Array.from({ length: n }, () => []);
    this.head = Array.from({ length: n }, () => []); // the first HEAD raw values of each series
    this.xs = []; // explicit x values of stride-1 buckets (the sweep's rates), else none
    this.raw = new Array(sides).fill(0);
    this.stride = 1;
    this.markers = [];
    this.guides = [];
    this.smoothing = 0; // EMA weight applied when drawn (0 = raw)
    this.window = null; // { first: N } or { last: N } steps shown; null = all (a drag-zoom also holds until double-click)
    this.zoomed = false;
    this.plot = this.#make([[], ...Array.from({ length: n }, () => [])]);
    el.dataset.series = String(n);
    el.dataset.points = '0';
    el.dataset.drawn = '0';
    el.dataset.log = String(log);
    this.dirty = false; // data appended since the last draw (each chart has its own flag)
  }

  #make(data) {
    const { title, xLabel, yLabel, extraAxis, zones, height, floor, xLog, yRange } = this.options;
    const log = this.log;
    // hovering shows each line's value at the cursor in the legend (the zero level reads 0)
    const show = (u, v) => (v == null ? '–' : zones && v <= ZERO_LEVEL * 1.01 ? '0' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4))));
    const series = [{ label: xLabel, value: (u, v) => (v == null ? '–' : String(Number(v.toPrecision(6)))) }];
    for (let s = 0; s < this.sides; s++) {
      for (const n of this.names) {
        series.push({
          label: this.sides > 1 ? `${n.label} ${this.sideNames[s]}` : n.label,
          stroke: n.color,
          width: 1.5,
          dash: s === 1 ? [6, 4] : undefined,
          scale: n.scale ?? 'y',
          value: show,
          // few points (one epoch after one Step): drawn as dots, so a single value is visible
          points: { show: (u, si, i0, i1) => i1 - i0 < 60, size: 6 },
        });
      }
    }
    // tick labels stay short when values explode (1e+23, not 100,000,…); the zero level reads "0"
    const tick = (v) => {
      if (v == null) return '';
      if (zones && v <= ZERO_LEVEL * 1.01) return Math.abs(Math.log10(v) - Math.log10(ZERO_LEVEL)) < 0.01 ? '0' : '';
      if (zones && v < FLOOR * 0.99) return '';
      return log || Math.abs(v) >= 1e4 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
    };
    const xAxis = xLog ? { label: xLabel, values: (u, vals) => vals.map((v) => (v == null ? '' : v.toExponential(0))) } : { label: xLabel };
    const axes = [xAxis, { label: log && !zones ? `${yLabel} (log scale)` : yLabel, scale: 'y', size: 64, values: (u, vals) => vals.map(tick) }];
    if (extraAxis) axes.push({ label: extraAxis.label, scale: extraAxis.scale, side: 1, grid: { show: false } });
    // log axis: whole decades between the floor (the zero level when there are zeros) and the largest value
    const decades = (u, min, max) => {
      const lowest = zones ? ZERO_LEVEL : floor;
      const lo = Math.max(lowest, Number.isFinite(min) && min > 0 ? min : lowest);
      const hi = Math.max(lo * 10, Number.isFinite(max) && max > 0 ? max : 1);
      const bottom = lo <= ZERO_LEVEL * 1.01 ? ZERO_LEVEL / 10 : 10 ** Math.floor(Math.log10(lo));
      return [bottom, 10 ** Math.ceil(Math.log10(hi))];
    };
    const scales = { x: xLog ? { time: false, distr: 3, log: 10 } : { time: false }, y: log ? { distr: 3, log: 10, range: decades } : yRange ? { range: yRange } : {} };
    if (extraAxis) scales[extraAxis.scale] = { range: extraAxis.range };
    const hooks = {
      draw: [(u) => drawMarkers(u, this.markers), (u) => drawGuides(u, this.guides)],
      // the y range shown, for tests and the curious
      setScale: [(u, key) => Object.assign(this.el.dataset, { [`${key}Min`]: String(u.scales[key].min), [`${key}Max`]: String(u.scales[key].max) })],
      // a drag on the chart zooms into steps; it holds while data streams in, until a double-click
      setSelect: [(u) => u.select.width > 0 && (this.zoomed = true)],
    };
    if (zones) hooks.drawClear = [shadeZones];
    const plot = new uPlot({ title, width: widthOf(this.el), height, series, axes, scales, legend: { live: true, markers: { width: 2, dash: (u, i) => (u.series[i].dash ? 'dashed' : 'solid') } }, hooks }, data, this.el);
    // two sides: the legend names each line once (side A's entries; the dashed side shares their colours), so
    // a comparison of N layers does not list 2N entries and squeeze the plot
    if (this.sides > 1) {
      const rows = plot.root.querySelectorAll('.u-legend .u-series');
      rows.forEach((row, i) => {
        if (i > this.names.length) row.hidden = true; // row 0 is x
      });
      this.el.dataset.legendEntries = String(this.names.length);
    }
    plot.over.addEventListener('dblclick', () => {
      this.zoomed = false;
      this.window = null;
      this.el.dispatchEvent(new CustomEvent('window-reset'));
    });
    return plot;
  }

  get buckets() {
    return this.raw.reduce((m, r) => Math.max(m, Math.ceil(r / this.stride)), 0); // one count per side (2 at most)
  }

  /** cols[i]: the new values of series i of this side (null or NaN: a gap); xs: their x values (stride 1 only) */
  append(side, cols, xs = null) {
    const base = side * this.names.length;
    const count = cols[0]?.length ?? 0;
    for (let j = 0; j < count; j++) {
      const r = this.raw[side]++;
      const k = Math.floor(r / this.stride);
      if (xs && this.stride === 1) this.xs[k] = xs[j];
      for (let i = 0; i < cols.length; i++) {
        const s = base + i;
        const v = cols[i][j];
        if (r < HEAD) this.head[s][r] = v === undefined || Number.isNaN(v) ? null : v;
        if (v === null || v === undefined || Number.isNaN(v)) {
          if (this.lo[s][k] === undefined) this.lo[s][k] = this.hi[s][k] = null;
          continue;
        }
        if (this.lo[s][k] == null) {
          this.lo[s][k] = this.hi[s][k] = v;
          this.loAt[s][k] = this.hiAt[s][k] = r;
        } else if (v < this.lo[s][k]) (this.lo[s][k] = v), (this.loAt[s][k] = r);
        else if (v > this.hi[s][k]) (this.hi[s][k] = v), (this.hiAt[s][k] = r);
      }
    }
    while (this.buckets > MAX_BUCKETS) this.#merge();
    this.el.dataset.points = String(this.#xValues().length);
    this.dirty = true;
  }

  /** neighbouring buckets merge 2:1, each keeping the lower minimum and the higher maximum */
  #merge() {
    this.stride *= 2;
    this.xs = [];
    for (let s = 0; s < this.lo.length; s++) {
      const [lo, hi, loAt, hiAt] = [this.lo[s], this.hi[s], this.loAt[s], this.hiAt[s]];
      const n = Math.ceil(lo.length / 2);
      const L = new Array(n);
      const H = new Array(n);
      const LA = new Array(n);
      const HA = new Array(n);
      for (let k = 0; k < n; k++) {
        const a = 2 * k;
        const b = a + 1;
        const pick = (vals, ats, better) => {
          const va = vals[a];
          const vb = b < vals.length ? vals[b] : undefined;
          if (va == null) return [vb ?? va, vb == null ? ats[a] : ats[b]];
          if (vb == null || !better(vb, va)) return [va, ats[a]];
          return [vb, ats[b]];
        };
        [L[k], LA[k]] = pick(lo, loAt, (x, y) => x < y);
        [H[k], HA[k]] = pick(hi, hiAt, (x, y) => x > y);
      }
      [this.lo[s], this.hi[s], this.loAt[s], this.hiAt[s]] = [L, H, LA, HA];
    }
  }

  /** one x per bucket at stride 1; two (its min and max, in the order they came) past it */
  #xValues() {
    const n = this.buckets;
    if (this.stride === 1) return Array.from({ length: n }, (_, k) => this.xs[k] ?? k + 1);
    const x = new Array(2 * n);
    for (let k = 0; k < n; k++) {
      x[2 * k] = k * this.stride + 1;
      x[2 * k + 1] = k * this.stride + this.stride / 2 + 1;
    }
    return x;
  }

  #columns() {
    const n = this.buckets;
    return this.lo.map((lo, s) => {
      if (this.stride === 1) return Array.from({ length: n }, (_, k) => lo[k] ?? null);
      const out = new Array(2 * n);
      for (let k = 0; k < n; k++) {
        const minFirst = (this.loAt[s][k] ?? 0) <= (this.hiAt[s][k] ?? 0);
        out[2 * k] = (minFirst ? lo[k] : this.hi[s][k]) ?? null;
        out[2 * k + 1] = (minFirst ? this.hi[s][k] : lo[k]) ?? null;
      }
      return out;
    });
  }

  /** the loss spans more than LOG_LOSS_DECADES decades: redraw on a log axis (for the rest of this run) */
  #wantsLog(cols) {
    if (!this.autoLog || this.log) return false;
    let min = Infinity;
    let max = -Infinity;
    this.names.forEach((n, i) => {
      if ((n.scale ?? 'y') !== 'y') return;
      for (let s = 0; s < this.sides; s++) {
        for (const v of cols[s * this.names.length + i]) if (v > 0) (min = Math.min(min, v)), (max = Math.max(max, v));
      }
    });
    return max / min > 10 ** LOG_LOSS_DECADES;
  }

  draw() {
    const firstN = this.window?.first && this.window.first <= HEAD ? Math.min(this.window.first, this.raw.reduce((m, r) => Math.max(m, r), 0)) : 0;
    // a "first N steps" window within the head: every step, not the buckets
    const x = firstN ? Array.from({ length: firstN }, (_, k) => k + 1) : this.#xValues();
    let cols = firstN ? this.head.map((h) => Array.from({ length: firstN }, (_, k) => h[k] ?? null)) : this.#columns();
    this.dirty = false;
    if (this.smoothing) cols = cols.map((c) => ema(c, this.smoothing, this.log));
    if (this.#wantsLog(cols)) {
      this.log = true;
      this.plot.destroy();
      this.plot = this.#make([[], ...cols.map(() => [])]);
      this.el.dataset.log = 'true';
    }
    if (this.log) cols = cols.map((c, i) => ((this.names[i % this.names.length].scale ?? 'y') === 'y' ? c.map((v) => (v > 0 ? v : null)) : c));
    const last = x.length ? x[x.length - 1] : 1;
    if (this.window) {
      // a window of steps that stays put while training goes on
      const [min, max] = this.window.first ? [1, Math.max(2, this.window.first)] : [Math.max(1, last - this.window.last), Math.max(2, last)];
      this.plot.setData([x, ...cols], false);
      this.plot.setScale('x', { min, max });
    } else if (this.zoomed) this.plot.setData([x, ...cols], false);
    else this.plot.setData([x, ...cols]);
    this.el.dataset.drawn = String(x.length); // what the chart shows now (tests read it)
  }

  /** shows the first N steps, the last N, or everything (null) */
  setWindow(window) {
    this.window = window;
    this.zoomed = false;
    this.el.dataset.window = window ? (window.first ? `first ${window.first}` : `last ${window.last}`) : 'all';
    this.draw();
  }

  resize() {
    this.plot.setSize({ width: widthOf(this.el), height: this.plot.height });
  }

  destroy() {
    this.plot.destroy();
    this.el.textContent = '';
  }
}

// NaN: a gap (the non-finite marker shows where it began); 0: the zero level; tiny: the floor; huge: clamped
const positive = (v) => (Number.isNaN(v) ? null : v === 0 ? ZERO_LEVEL : Math.min(Math.max(v, FLOOR), 1e38));

export function gradientChart(el, nLayers, sides, sideNames) {
  const names = Array.from({ length: nLayers }, (_, l) => ({ label: `layer ${l}${l === nLayers - 1 ? ' (out)' : ''}`, color: layerColor(l) }));
  const chart = new Series(el, { xLabel: 'step', yLabel: '‖∇W‖', log: true, names, sides, sideNames, zones: true });
  const marked = new Array(sides).fill(false);
  return {
    chart,
    push(side, layers) {
      if (!marked[side]) {
        // the first step whose gradient norm is not finite (NaN or ±Infinity), and its layer
        let first = null;
        layers.forEach((l, layer) => {
          const j = Array.prototype.findIndex.call(l.gradNorm, (v) => !Number.isFinite(v));
          if (j >= 0 && (first === null || j < first.j)) first = { j, layer };
        });
        if (first) {
          marked[side] = true;
          const step = chart.raw[side] + first.j + 1;
          chart.markers.push({ x: step, color: side === 0 ? '#111827' : '#6b7280', label: `${sides > 1 ? `${chart.sideNames[side]}: ` : ''}first non-finite gradient: step ${step}, layer ${first.layer}` });
          el.dataset.nonFinite = `${step}:${first.layer}`;
        }
      }
      chart.append(side, layers.map((l) => Array.from(l.gradNorm, positive)));
    },
  };
}

/** per hidden layer over the steps: the dead share of a ReLU layer, the saturated share of a sigmoid / tanh one */
export function unitsChart(el, layers) {
  const shown = layers.map((l, i) => ({ l, i })).filter(({ l }) => ['relu', 'sigmoid', 'tanh'].includes(l.activation));
  const names = shown.map(({ l, i }) => ({ label: `layer ${i} ${l.activation === 'relu' ? 'dead' : 'saturated'}`, color: layerColor(i) }));
  if (!names.length) {
    el.textContent = '';
    el.dataset.series = '0';
    return { chart: null, push() {} };
  }
  const chart = new Series(el, { xLabel: 'step', yLabel: 'share of units', names, height: 160, yRange: [0, 1] });
  return {
    chart,
    push(steps) {
      chart.append(0, shown.map(({ l, i }) => Array.from(l.activation === 'relu' ? steps[i].deadFraction : steps[i].saturatedFraction)));
    },
  };
}

/** where the update:data chart draws an update of exactly 0 */
export const NO_UPDATE = -12;

/** log10 of each layer's update:data ratio (std of the update over std of the weights) per step, a guide at −3 */
export function ratioChart(el, nLayers, sides = 1, sideNames = ['A', 'B']) {
  const names = Array.from({ length: nLayers }, (_, l) => ({ label: `layer ${l}${l === nLayers - 1 ? ' (out)' : ''}`, color: layerColor(l) }));
  const chart = new Series(el, { xLabel: 'step', yLabel: 'log10 update:data', names, sides, sideNames, height: 200,
    // the −3 guide always in view
    yRange: (u, min, max) => [Math.floor(Math.min(Number.isFinite(min) ? min : -4, -4)), Math.ceil(Math.max(Number.isFinite(max) ? max : -2, -2))],
  });
  chart.guides.push({ y: -3, label: '−3: about a thousandth per step', color: '#111827' });
  // an update of exactly 0 (a dead layer, dropout 1) is drawn on a line of its own, not as a gap where the line stops
  let zeroShown = false;
  const log10 = (v) => {
    if (v === 0) {
      if (!zeroShown) {
        zeroShown = true;
        chart.guides.push({ y: NO_UPDATE, label: `${NO_UPDATE}: no update at all (exactly 0: the layer gets no gradient)`, color: '#6b7280' });
      }
      return NO_UPDATE;
    }
    return Number.isFinite(v) && v > 0 ? Math.log10(v) : null;
  };
  return {
    chart,
    push(side, layers) {
      chart.append(side, layers.map((l) => Array.from(l.updateDataRatio ?? [], log10)));
    },
  };
}

export function lossChart(el, sides, withAccuracy, sideNames) {
  const names = [
    { label: 'train loss', color: '#2563eb' },
    { label: 'test loss', color: '#dc2626' },
  ];
  if (withAccuracy) names.push({ label: 'test accuracy', color: '#16a34a', scale: 'acc' });
  const chart = new Series(el, {
    xLabel: 'epoch',
    yLabel: 'loss',
    log: false,
    autoLog: true,
    names,
    sides,
    sideNames,
    extraAxis: withAccuracy ? { label: 'accuracy', scale: 'acc', range: [0, 1] } : null,
  });
  return {
    chart,
    push(side, epochs) {
      const finite = (v) => (Number.isFinite(v) ? v : null);
      const cols = [epochs.map((e) => finite(e.loss)), epochs.map((e) => finite(e.valLoss))];
      if (withAccuracy) cols.push(epochs.map((e) => finite(e.valAccuracy)));
      chart.append(side, cols);
    },
  };
}

/** final losses (and the dead-ReLU share) against the dropout rate or, on a log axis, the learning rate */
export function sweepChart(el, param = 'dropout') {
  const lr = param === 'learningRate';
  const chart = new Series(el, {
    xLabel: lr ? 'learning rate (log scale)' : 'dropout rate',
    yLabel: 'final loss',
    xLog: lr,
    autoLog: true,
    names: [
      { label: 'train loss (eval mode)', color: '#2563eb' },
      { label: 'test loss', color: '#dc2626' },
      { label: 'dead ReLU share', color: '#4b5563', scale: 'share' },
    ],
    extraAxis: { label: 'dead ReLU share', scale: 'share', range: [0, 1] },
    height: 220,
  });
  el.dataset.param = param;
  return {
    chart,
    push(point) {
      const finite = (v) => (Number.isFinite(v) ? v : null); // a diverged run is a gap (the status line says so)
      chart.append(0, [[finite(point.trainLoss)], [finite(point.testLoss)], [finite(point.deadFraction)]], [point.value]); // x is the swept value
      chart.draw();
    },
  };
}
