// Time-series charts (uPlot): gradient norm per layer per step on a log scale
// with the vanishing / exploding zones shaded, loss and accuracy per epoch, and
// the dropout sweep. A comparison run is drawn dashed on the same axes.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d', '#7c3aed', '#0d9488', '#b91c1c'];
export const layerColor = (l) => PALETTE[l % PALETTE.length];

// shaded zones of the gradient chart (absolute gradient norms)
export const VANISHING_BELOW = 1e-5;
export const EXPLODING_ABOVE = 1e2;
// the log axis shows gradient norms down to FLOOR; smaller ones (0 included) are drawn at FLOOR
export const FLOOR = 1e-12;
const MAX_POINTS = 2000; // per series; older points are thinned 2:1 past this

function widthOf(el) {
  return Math.max(260, Math.floor(el.clientWidth || el.parentElement?.clientWidth || 600) - 4);
}

function shadeZones(u) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const y = (v) => u.valToPos(v, 'y', true);
  ctx.save();
  const dpr = devicePixelRatio || 1;
  const zone = (from, to, color, label, ink) => {
    const y0 = Math.max(top, Math.min(top + height, y(to)));
    const y1 = Math.max(top, Math.min(top + height, y(from)));
    if (y1 - y0 < 1) return;
    ctx.fillStyle = color;
    ctx.fillRect(left, y0, width, y1 - y0);
    ctx.fillStyle = ink;
    ctx.textAlign = 'left';
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.fillText(label, left + 6 * dpr, label.startsWith('vanishing') ? y1 - 5 * dpr : y0 + 13 * dpr);
  };
  const [min, max] = [u.scales.y.min, u.scales.y.max];
  if (min < VANISHING_BELOW) zone(min, Math.min(VANISHING_BELOW, max), 'rgba(59,130,246,0.13)', `vanishing zone (< ${VANISHING_BELOW.toExponential(0)}; 0 is drawn at ${FLOOR.toExponential(0)})`, '#1d4ed8');
  if (max > EXPLODING_ABOVE) zone(Math.max(EXPLODING_ABOVE, min), max, 'rgba(239,68,68,0.15)', `exploding zone (> ${EXPLODING_ABOVE.toExponential(0)})`, '#b91c1c');
  ctx.restore();
}

/**
 * A chart whose series are appended to as training goes; `sides` runs (2 when
 * comparing), each with its own count of points, aligned by index (x = 1, 2, …).
 * Past MAX_POINTS every series is thinned 2:1 and later points are sampled at
 * the same stride, so the x values stay shared.
 */
class Series {
  constructor(el, { title, xLabel, yLabel, log = false, names, sides = 1, extraAxis = null, zones = false, height = 240 }) {
    this.el = el;
    this.names = names;
    this.x = [];
    this.cols = Array.from({ length: names.length * sides }, () => []);
    this.raw = new Array(sides).fill(0);
    this.stride = 1;
    const none = () => ''; // the legend names the lines; values show on the chart
    const series = [{ label: xLabel, value: none }];
    for (let s = 0; s < sides; s++) {
      for (const n of names) {
        series.push({
          label: sides > 1 ? `${n.label} ${s === 0 ? 'A' : 'B'}` : n.label,
          stroke: n.color,
          width: 1.5,
          dash: s === 1 ? [6, 4] : undefined,
          scale: n.scale ?? 'y',
          value: none,
          // few points (one epoch after one Step): drawn as dots, so a single value is visible
          points: { show: (u, si, i0, i1) => i1 - i0 < 60, size: 6 },
        });
      }
    }
    // tick labels stay short when values explode (1e+23, not 100,000,…)
    const tick = (v) => (v == null ? '' : log || Math.abs(v) >= 1e4 ? v.toExponential(0) : String(Number(v.toPrecision(3))));
    const axes = [{ label: xLabel }, { label: yLabel, scale: 'y', size: 64, values: (u, vals) => vals.map(tick) }];
    if (extraAxis) axes.push({ label: extraAxis.label, scale: extraAxis.scale, side: 1, grid: { show: false } });
    // log axis: whole decades between FLOOR and the largest value, so splits stay few
    const decades = (u, min, max) => {
      const lo = Math.max(FLOOR, Number.isFinite(min) && min > 0 ? min : FLOOR);
      const hi = Math.max(lo * 10, Number.isFinite(max) && max > 0 ? max : 1);
      return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
    };
    const scales = { x: { time: false }, y: log ? { distr: 3, log: 10, range: decades } : {} };
    if (extraAxis) scales[extraAxis.scale] = { range: extraAxis.range };
    this.plot = new uPlot(
      { title, width: widthOf(el), height, series, axes, scales, legend: { live: false }, hooks: zones ? { drawClear: [shadeZones] } : {} },
      [[], ...this.cols],
      el,
    );
    el.dataset.series = String(names.length * sides);
    el.dataset.points = '0';
    el.dataset.drawn = '0';
    this.dirty = false; // data appended since the last draw (each chart has its own flag)
  }

  /** cols[i]: the new values of series i of this side */
  append(side, cols) {
    const base = side * this.names.length;
    for (let j = 0; j < cols[0].length; j++) {
      const r = this.raw[side]++;
      if (r % this.stride) continue;
      const k = r / this.stride;
      while (this.x.length <= k) this.x.push(this.x.length * this.stride + 1);
      cols.forEach((values, i) => {
        this.cols[base + i][k] = values[j];
      });
    }
    if (this.x.length > MAX_POINTS) {
      const even = (_, i) => i % 2 === 0;
      this.stride *= 2;
      this.x = this.x.filter(even);
      this.cols = this.cols.map((c) => Array.from({ length: Math.ceil(c.length / 2) }, (_, i) => c[2 * i]));
    }
    this.el.dataset.points = String(this.x.length);
    this.dirty = true;
  }

  draw() {
    const n = this.x.length;
    this.dirty = false;
    this.plot.setData([this.x, ...this.cols.map((c) => Array.from({ length: n }, (_, i) => c[i] ?? null))]);
    this.el.dataset.drawn = String(n); // what the chart shows now (tests read it)
  }

  resize() {
    this.plot.setSize({ width: widthOf(this.el), height: this.plot.height });
  }

  destroy() {
    this.plot.destroy();
    this.el.textContent = '';
  }
}

const positive = (v) => (Number.isNaN(v) ? null : Math.min(Math.max(v, FLOOR), 1e38)); // NaN: a gap; 0: at the floor

export function gradientChart(el, nLayers, sides) {
  const names = Array.from({ length: nLayers }, (_, l) => ({ label: `layer ${l}${l === nLayers - 1 ? ' (out)' : ''}`, color: layerColor(l) }));
  const chart = new Series(el, { xLabel: 'step', yLabel: '‖∇W‖', log: true, names, sides, zones: true });
  return {
    chart,
    push(side, layers) {
      chart.append(side, layers.map((l) => Array.from(l.gradNorm, positive)));
    },
  };
}

export function lossChart(el, sides, withAccuracy) {
  const names = [
    { label: 'train loss', color: '#2563eb' },
    { label: 'test loss', color: '#dc2626' },
  ];
  if (withAccuracy) names.push({ label: 'test accuracy', color: '#16a34a', scale: 'acc' });
  const chart = new Series(el, {
    xLabel: 'epoch',
    yLabel: 'loss',
    log: false,
    names,
    sides,
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

export function sweepChart(el) {
  const chart = new Series(el, {
    xLabel: 'dropout rate',
    yLabel: 'final loss',
    names: [
      { label: 'train loss (eval mode)', color: '#2563eb' },
      { label: 'test loss', color: '#dc2626' },
    ],
    height: 220,
  });
  return {
    chart,
    push(point) {
      chart.append(0, [[point.trainLoss], [point.testLoss]]);
      chart.x[chart.x.length - 1] = point.rate; // x is the rate here, not a count
      chart.draw();
    },
  };
}
