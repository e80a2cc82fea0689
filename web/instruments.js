// The instruments practitioners read (issue 11): the last step's activation and
// gradient histograms per layer (small multiples), their distributions over
// time (a heat map per layer, one column per sample), a per-unit grid with dead
// units marked, and the output map of one hidden unit over the plane. Canvas
// drawing and DOM calls only; every label is text.
import { THRESHOLDS } from '../js/diagnose.js';
import { layerInk } from './charts.js';
import { h, replaceChildren } from './dom.js';

// norms past the diagnosis's exploding cut-off are an explosion, not training
const EXPLODING_NORM = THRESHOLDS.explodingNorm;

const MAX_COLUMNS = 240; // distribution samples kept per run; past it every other one is dropped
const MAX_UNITS = 64; // units drawn per layer in the grid

function sizeCanvas(canvas, cssHeight) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(120, canvas.clientWidth || 240);
  if (canvas.width !== Math.round(w * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(cssHeight * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, cssHeight);
  return { ctx, w, h: cssHeight };
}

const total = (hist) => hist.counts.reduce((a, b) => a + b, 0) + hist.zeros + hist.below + hist.above + (hist.nonFinite ?? 0);
const pct = (v, n) => `${n ? Math.round((100 * v) / n) : 0}%`;
const edgeText = (v) => (Math.abs(v) >= 1e3 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(0) : String(Number(v.toPrecision(2))));

/** one histogram as bars: grey for exact zeros (left) and for values beyond the edges */
function drawHistogram(canvas, hist, color) {
  const { ctx, w, h: height } = sizeCanvas(canvas, 70);
  const n = hist.counts.length;
  const slots = n + 3; // zeros | below | bins … | above
  const max = Math.max(1, hist.zeros, hist.below, hist.above, ...hist.counts);
  const bw = w / slots;
  const bar = (i, v, fill) => {
    if (!v) return;
    const bh = Math.max(1, (v / max) * (height - 4));
    ctx.fillStyle = fill;
    ctx.fillRect(i * bw, height - bh, Math.max(1, bw - 0.5), bh);
  };
  bar(0, hist.zeros, '#6b7280');
  bar(1, hist.below, '#cbd5e1');
  hist.counts.forEach((v, i) => bar(i + 2, v, color));
  bar(n + 2, hist.above, '#cbd5e1');
}

/**
 * The last step's histograms, per layer: activations and weight gradients.
 * histograms: net.layerHistograms() (activation, gradient of each layer).
 */
export function renderHistograms(el, config, histograms) {
  const layout = JSON.stringify(config.layers.map((l) => l.activation));
  if (el.dataset.layout !== layout) {
    el.dataset.layout = layout;
    replaceChildren(
      el,
      config.layers.flatMap((layer, l) =>
        ['activation', 'gradient'].map((q) =>
          h(
            'figure',
            { className: 'hist-cell', dataset: { layer: String(l), quantity: q } },
            h('canvas', { attrs: { role: 'img', 'aria-label': `layer ${l} ${q} histogram` } }),
            h('figcaption', {}),
          ),
        ),
      ),
    );
  }
  el.querySelectorAll('.hist-cell').forEach((cell) => {
    const l = Number(cell.dataset.layer);
    const q = cell.dataset.quantity;
    const hist = histograms[l]?.[q];
    if (!hist) return;
    const layer = config.layers[l];
    const n = total(hist);
    const color = layerInk(l);
    drawHistogram(cell.querySelector('canvas'), hist, color);
    const lo = edgeText(hist.edges[0]);
    const hi = edgeText(hist.edges[hist.edges.length - 1]);
    const what = q === 'activation' ? `activations of ${layer.activation ?? 'linear'}, ${lo} … ${hi}` : `log10 |∇W|, ${lo} … ${hi}`;
    const extra = q === 'activation' ? `zeros ${pct(hist.zeros, n)}` : `exact zeros ${pct(hist.zeros, n)}`;
    const text = `layer ${l}${l === config.layers.length - 1 ? ' (out)' : ''} · ${what} · ${extra}${hist.nonFinite ? ` · not finite ${hist.nonFinite}` : ''}`;
    const cap = cell.querySelector('figcaption');
    if (cap.textContent !== text) cap.textContent = text;
    cap.style.color = color;
    cell.dataset.zeros = String(n ? hist.zeros / n : 0);
  });
}

/**
 * Distributions over time: per layer, a heat map of one quantity's histogram,
 * one column per sample (every N steps), darker = a larger share of the values.
 */
export class Distributions {
  constructor(el) {
    this.el = el;
    this.samples = []; // { step, layers: [{ activation: counts, gradient: counts }] }
    this.stride = 1; // samples kept: every stride-th of those received
    this.seen = 0;
    this.dirty = false;
    this.quantity = 'activation';
    this.config = null;
    this.edges = null; // per layer { activation, gradient } edges (from the last step's histograms)
  }

  reset(config) {
    this.config = config;
    this.samples = [];
    this.stride = 1;
    this.seen = 0;
    this.edges = null;
    this.el.dataset.samples = '0';
    replaceChildren(
      this.el,
      config.layers.map((layer, l) =>
        h('figure', { className: 'dist-cell', dataset: { layer: String(l) } }, h('canvas', { attrs: { role: 'img', 'aria-label': `layer ${l} distribution over time` } }), h('figcaption', { style: { color: layerInk(l) } })),
      ),
    );
    this.dirty = true;
  }

  push(samples) {
    for (const s of samples) {
      if (this.seen++ % this.stride === 0) this.samples.push(s);
      if (this.samples.length > MAX_COLUMNS) {
        this.samples = this.samples.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
      }
    }
    if (samples.length) this.dirty = true;
    this.el.dataset.samples = String(this.samples.length);
  }

  draw() {
    if (!this.dirty || !this.config) return;
    this.dirty = false;
    const q = this.quantity;
    this.el.querySelectorAll('.dist-cell').forEach((cell) => {
      const l = Number(cell.dataset.layer);
      const { ctx, w, h: height } = sizeCanvas(cell.querySelector('canvas'), 70);
      const cols = this.samples.length;
      const cap = cell.querySelector('figcaption');
      const first = this.samples[0]?.step;
      const last = this.samples.at(-1)?.step;
      const edges = this.edges?.[l]?.[q];
      const range = edges ? `${edgeText(edges[0])} … ${edgeText(edges[edges.length - 1])}` : '';
      cap.textContent = `layer ${l} · ${q === 'activation' ? 'activations' : 'log10 |∇W|'} ${range}${cols ? ` · steps ${first}–${last}` : ' · no samples yet'}`;
      if (!cols) return;
      const bins = this.samples[0].layers[l]?.[q]?.length ?? 0;
      if (!bins) return;
      const latest = this.samples.at(-1).layers[l]?.[q] ?? [];
      let latestSum = 0;
      for (const v of latest) latestSum += v;
      cell.dataset.zeros = String(latestSum ? latest[0] / latestSum : 0);
      // a dead layer is one grey row at the bottom: say it, or the map looks blank
      if (latestSum && latest[0] / latestSum > 0.99) cap.textContent += ` · now ${q === 'activation' ? 'every output' : 'every gradient'} is exactly 0 (the grey bottom row): this layer is dead`;
      // one pixel per (sample, bin) in an image, scaled up: cheap however many samples
      const rows = bins + 1; // the bottom row: exact zeros; a gap row; then the bins upwards
      const img = new ImageData(cols, rows);
      const [r, g, b] = ink(l);
      this.samples.forEach((s, c) => {
        const counts = s.layers[l]?.[q];
        if (!counts) return;
        let sum = 0;
        for (const v of counts) sum += v;
        for (let i = 0; i < bins; i++) {
          if (!counts[i]) continue;
          const a = Math.min(1, Math.sqrt(counts[i] / (sum || 1)) * 1.4);
          const row = rows - 1 - (i ? i + 1 : 0);
          const at = 4 * (row * cols + c);
          const rgb = i === 0 ? [75, 85, 99] : [r, g, b];
          img.data[at] = rgb[0];
          img.data[at + 1] = rgb[1];
          img.data[at + 2] = rgb[2];
          img.data[at + 3] = Math.round(255 * a);
        }
      });
      const tmp = new OffscreenCanvas(cols, rows);
      tmp.getContext('2d').putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tmp, 0, 0, w, height);
    });
  }
}

function ink(l) {
  const m = layerInk(l).match(/\d+/g);
  return m ? m.map(Number) : [37, 99, 235];
}

/** a grid of each layer's units (hidden layers), dead ones marked; onPick(layer, unit) on hover / click */
export function renderUnitGrid(el, config, stats, onPick) {
  const hidden = config.layers.slice(0, -1);
  const layout = JSON.stringify(hidden.map((l) => [l.units, l.activation]));
  if (el.dataset.layout !== layout) {
    el.dataset.layout = layout;
    replaceChildren(
      el,
      hidden.map((layer, l) => {
        const shown = Math.min(layer.units, MAX_UNITS);
        const units = Array.from({ length: shown }, (_, u) => {
          const b = h('button', { type: 'button', className: 'unit', dataset: { layer: String(l), unit: String(u) }, attrs: { 'aria-label': `layer ${l} unit ${u}`, 'aria-pressed': 'false' } });
          b.addEventListener('click', () => onPick(l, u, true));
          b.addEventListener('mouseenter', () => onPick(l, u, false));
          return b;
        });
        return h(
          'div',
          { className: 'unit-layer', dataset: { layer: String(l) }, attrs: { role: 'group', 'aria-label': `Units of layer ${l}` } },
          h('span', { className: 'name', style: { color: layerInk(l) } }, `layer ${l} · ${layer.activation}`),
          units,
          layer.units > shown ? h('span', { className: 'num' }, `+${layer.units - shown}`) : null,
        );
      }),
    );
  }
  el.querySelectorAll('.unit-layer').forEach((row, l) => {
    const mask = stats?.[l]?.deadUnits;
    let dead = 0;
    row.querySelectorAll('.unit').forEach((b, u) => {
      const isDead = !!mask?.[u];
      dead += isDead;
      if (b.classList.contains('dead') !== isDead) {
        b.classList.toggle('dead', isDead);
        b.textContent = isDead ? '✕' : '';
        b.title = isDead ? `layer ${l} unit ${u}: dead (0 for every example of the last epoch)` : `layer ${l} unit ${u}`;
      }
    });
    row.dataset.dead = String(mask ? mask.reduce((a, v) => a + v, 0) : 0);
  });
}

/** a unit's output over the plane: orange negative, white 0, blue positive (scaled to the largest |value|) */
export function drawUnitMap(canvas, values, grid) {
  const ctx = canvas.getContext('2d');
  let max = 1e-12;
  for (const v of values) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  const img = ctx.createImageData(grid, grid);
  for (let i = 0; i < grid * grid; i++) {
    const v = values[i];
    const t = Number.isFinite(v) ? v / max : 0;
    const rgb = t >= 0 ? [37, 99, 235] : [234, 88, 12];
    const a = Math.abs(t);
    for (let c = 0; c < 3; c++) img.data[4 * i + c] = Number.isFinite(v) ? 255 - (255 - rgb[c]) * a : 128;
    img.data[4 * i + 3] = 255;
  }
  const tmp = new OffscreenCanvas(grid, grid);
  tmp.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  return max;
}

/**
 * The distribution of the total gradient norm over the steps of this run (the
 * tuning playbook's view for choosing a clip threshold): a histogram of log10
 * ‖g‖ with the clip norm and the 90th percentile marked, and the share of steps
 * the clip norm cuts. ‖g‖ here is the L2 norm over every layer's weight and bias
 * gradients before clipping (batch-norm γ/β are not in the per-step record).
 */
export class GradNormDistribution {
  static LO = -10;
  static HI = 40;
  static WIDTH = 0.25; // log10 units per bin

  constructor(canvas, caption) {
    this.canvas = canvas;
    this.caption = caption;
    this.reset(0);
  }

  reset(clipNorm) {
    const n = Math.round((GradNormDistribution.HI - GradNormDistribution.LO) / GradNormDistribution.WIDTH);
    this.counts = new Uint32Array(n);
    this.zero = 0;
    this.nonFinite = 0;
    this.steps = 0;
    this.clipNorm = clipNorm;
    this.clipped = 0;
    this.dirty = true;
  }

  /** layers: per layer { gradNorm, biasGradNorm } arrays of the new steps */
  push(layers) {
    const steps = layers[0]?.gradNorm?.length ?? 0;
    const { LO, WIDTH } = GradNormDistribution;
    for (let t = 0; t < steps; t++) {
      let sq = 0;
      for (const l of layers) sq += l.gradNorm[t] ** 2 + (l.biasGradNorm?.[t] ?? 0) ** 2;
      const norm = Math.sqrt(sq);
      this.steps++;
      if (!Number.isFinite(norm)) {
        this.nonFinite++;
        continue;
      }
      if (this.clipNorm > 0 && norm > this.clipNorm) this.clipped++;
      if (norm === 0) {
        this.zero++;
        continue;
      }
      const i = Math.floor((Math.log10(norm) - LO) / WIDTH);
      this.counts[Math.min(this.counts.length - 1, Math.max(0, i))]++;
    }
    if (steps) this.dirty = true;
  }

  /** the norm below which a share q of the finite non-zero steps lie (bin resolution), or null */
  quantile(q) {
    let total = 0;
    for (const c of this.counts) total += c;
    if (!total) return null;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= q * total) return 10 ** (GradNormDistribution.LO + (i + 1) * GradNormDistribution.WIDTH);
    }
    return null;
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const { ctx, w, h: height } = sizeCanvas(this.canvas, 90);
    let first = this.counts.findIndex((c) => c > 0);
    let last = this.counts.length - 1 - [...this.counts].reverse().findIndex((c) => c > 0);
    const p90 = this.quantile(0.9);
    const { LO, WIDTH } = GradNormDistribution;
    const binOf = (v) => Math.floor((Math.log10(v) - LO) / WIDTH);
    if (first < 0) (first = 0), (last = 0);
    if (this.clipNorm > 0) (first = Math.min(first, binOf(this.clipNorm))), (last = Math.max(last, binOf(this.clipNorm)));
    first = Math.max(0, first - 2);
    last = Math.min(this.counts.length - 1, last + 2);
    const span = last - first + 1;
    const bw = (w - 20) / span;
    const max = Math.max(1, ...this.counts.slice(first, last + 1));
    const x = (bin) => 10 + (bin - first) * bw;
    for (let i = first; i <= last; i++) {
      if (!this.counts[i]) continue;
      const bh = Math.max(1, (this.counts[i] / max) * (height - 24));
      ctx.fillStyle = this.clipNorm > 0 && 10 ** (LO + i * WIDTH) >= this.clipNorm ? '#dc2626' : '#2563eb';
      ctx.fillRect(x(i), height - 14 - bh, Math.max(1, bw - 0.5), bh);
    }
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#374151';
    ctx.textAlign = 'left';
    ctx.fillText(`1e${(LO + first * WIDTH).toFixed(0)}`, 10, height - 2);
    ctx.textAlign = 'right';
    ctx.fillText(`1e${(LO + (last + 1) * WIDTH).toFixed(0)}`, w - 10, height - 2);
    const mark = (v, color, label) => {
      const px = x((Math.log10(v) - LO) / WIDTH);
      ctx.strokeStyle = color;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(px, 4);
      ctx.lineTo(px, height - 14);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = color;
      ctx.textAlign = px > w / 2 ? 'right' : 'left';
      ctx.fillText(label, px + (px > w / 2 ? -3 : 3), 12);
    };
    if (p90) mark(p90, '#065f46', '90th pct');
    if (this.clipNorm > 0) mark(this.clipNorm, '#991b1b', `clip ${this.clipNorm}`);
    const fmt = (v) => (v >= 1e3 || v < 1e-2 ? v.toExponential(1) : String(Number(v.toPrecision(2))));
    const clipText =
      this.clipNorm > 0
        ? `clip norm ${this.clipNorm}: ${this.steps ? Math.round((100 * this.clipped) / this.steps) : 0}% of steps clipped${this.clipped * 2 > this.steps ? ' (more than half: too aggressive)' : ''}`
        : !p90
          ? 'clipping off'
          : p90 > EXPLODING_NORM
            ? // an exploded run's own percentile is no threshold: the diagnosis takes it from the steps before the explosion
              'clipping off; these norms include the explosion, so their 90th percentile is no threshold (the diagnosis proposes one from the steps before it)'
            : `clipping off; a clip norm near the 90th percentile, ${fmt(p90)}, would cut the largest 10% of steps`;
    const text = `${this.steps} steps; 90th percentile of ‖g‖ ${p90 ? fmt(p90) : '–'}; ${clipText}${this.nonFinite ? `; ${this.nonFinite} not finite` : ''}${this.zero ? `; ${this.zero} exactly 0` : ''}.`;
    if (this.caption.textContent !== text) this.caption.textContent = text;
    this.canvas.dataset.steps = String(this.steps);
    this.canvas.dataset.clipped = String(this.clipped);
  }
}
