// Canvas and HTML views: the network diagram, the decision map with its points,
// the digits confusion matrix, and per-layer dead / saturated bars.
import { sci } from './format.js';
import { layerInk } from './charts.js';
import { h, replaceChildren } from './dom.js';

const MAX_NODES = 12; // drawn per layer; the rest are summarized as "+n"

/** gradient norm -> colour: grey-blue when tiny (vanishing), green mid, red when huge */
export function gradColor(g) {
  if (!Number.isFinite(g)) return '#111827';
  const t = Math.min(1, Math.max(0, (Math.log10(Math.max(g, 1e-12)) + 7) / 9)); // 1e-7 .. 1e2
  const hue = 220 - 220 * t;
  return `hsl(${hue}, 75%, ${35 + 20 * (1 - Math.abs(t - 0.5) * 2)}%)`;
}

export function drawNetwork(canvas, config, stats, weights) {
  const ctx = canvas.getContext('2d');
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const sizes = [config.inputs, ...config.layers.map((l) => l.units)];
  const cols = sizes.length;
  const x = (c) => 30 + (c * (w - 60)) / (cols - 1);
  const shown = sizes.map((n) => Math.min(n, MAX_NODES));
  const y = (c, i) => 30 + ((i + 0.5) * (h - 58)) / shown[c];
  // links: weight sign and size, per layer scaled to its largest weight
  for (let l = 0; l < config.layers.length; l++) {
    const W = weights?.[l];
    if (!W) continue;
    const fanIn = sizes[l];
    let max = 1e-12;
    for (let o = 0; o < shown[l + 1]; o++) for (let i = 0; i < shown[l]; i++) max = Math.max(max, Math.abs(W[o * fanIn + i]) || 0);
    for (let o = 0; o < shown[l + 1]; o++) {
      for (let i = 0; i < shown[l]; i++) {
        const v = W[o * fanIn + i];
        if (!Number.isFinite(v)) continue;
        const a = Math.abs(v) / max;
        ctx.strokeStyle = v >= 0 ? `rgba(37,99,235,${0.1 + 0.6 * a})` : `rgba(234,88,12,${0.1 + 0.6 * a})`;
        ctx.lineWidth = 0.3 + 2.5 * a;
        ctx.beginPath();
        ctx.moveTo(x(l), y(l, i));
        ctx.lineTo(x(l + 1), y(l + 1, o));
        ctx.stroke();
      }
    }
  }
  // nodes: coloured by the gradient norm of the layer's weights
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (let c = 0; c < cols; c++) {
    const layer = c === 0 ? null : config.layers[c - 1];
    const s = c === 0 ? null : stats?.[c - 1];
    for (let i = 0; i < shown[c]; i++) {
      // a dead unit (0 for every example of the last epoch): grey with a cross
      const dead = !!s?.deadUnits?.[i];
      ctx.fillStyle = dead ? '#d1d5db' : s ? gradColor(s.gradNorm) : '#9ca3af';
      ctx.beginPath();
      ctx.arc(x(c), y(c, i), 6, 0, 2 * Math.PI);
      ctx.fill();
      if (dead) {
        ctx.strokeStyle = '#111827';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(x(c) - 4, y(c, i) - 4);
        ctx.lineTo(x(c) + 4, y(c, i) + 4);
        ctx.moveTo(x(c) + 4, y(c, i) - 4);
        ctx.lineTo(x(c) - 4, y(c, i) + 4);
        ctx.stroke();
      }
    }
    ctx.fillStyle = '#374151';
    const short = { relu: 'relu', 'leaky-relu': 'lrelu', sigmoid: 'sigm', tanh: 'tanh', linear: 'lin', softsign: 'ssign' };
    const act = (a) => (Object.hasOwn(short, a) ? short[a] : a);
    const top = c === 0 ? 'input' : c === cols - 1 ? 'output' : `${act(layer.activation)}${layer.batchNorm ? '+bn' : layer.layerNorm ? '+ln' : ''}${layer.dropout ? ` d${layer.dropout}` : ''}`;
    ctx.fillText(top, x(c), 11);
    ctx.fillText(String(sizes[c]), x(c), 22);
    if (sizes[c] > MAX_NODES) ctx.fillText(`+${sizes[c] - MAX_NODES} more`, x(c), h - 6);
    // the layer's weight-gradient norm, as the colour says it: '0' for none, NaN / Infinity as such
    if (s) ctx.fillText(s.gradNorm === 0 ? '‖∇W‖ 0' : sci(s.gradNorm), x(c), h - (sizes[c] > MAX_NODES ? 18 : 6));
  }
}

// class 0 orange, class 1 blue (as in the binary map), then more for softmax classes
export const CLASS_COLORS = [
  [234, 88, 12],
  [37, 99, 235],
  [22, 163, 74],
  [147, 51, 234],
  [202, 138, 4],
  [8, 145, 178],
  [219, 39, 119],
  [75, 85, 99],
  [101, 163, 13],
  [185, 28, 28],
];
const classColor = (j) => CLASS_COLORS[j % CLASS_COLORS.length];
const tint = (rgb, strength) => rgb.map((v) => 255 - (255 - v) * strength);

/**
 * Heat map of the network's output over the plane, with the data on top.
 * boundary: { kind: 'probability' | 'value', values } (one output per cell) or
 * { kind: 'classes', k, classes, confidence } (softmax: the predicted class of each
 * cell, its colour faded by how sure the network is).
 */
export function drawBoundary(canvas, { points, boundary, grid = 64, regression, domain }) {
  const ctx = canvas.getContext('2d');
  const size = canvas.width;
  ctx.clearRect(0, 0, size, size);
  if (boundary) {
    const img = ctx.createImageData(grid, grid);
    if (boundary.kind === 'classes') {
      const { k, classes, confidence } = boundary;
      for (let i = 0; i < grid * grid; i++) {
        // confidence 1/k (a guess) -> faint, 1 -> full tint
        const sure = Number.isFinite(confidence[i]) ? Math.min(1, Math.max(0, (confidence[i] - 1 / k) / (1 - 1 / k))) : 0;
        const rgb = Number.isFinite(confidence[i]) ? tint(classColor(classes[i]), 0.12 + 0.38 * sure) : [128, 128, 128];
        for (let c = 0; c < 3; c++) img.data[4 * i + c] = rgb[c];
        img.data[4 * i + 3] = 255;
      }
    } else {
      const values = boundary.values;
      let lo = 0;
      let hi = 1;
      if (regression) {
        lo = Infinity;
        hi = -Infinity;
        for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
      }
      for (let i = 0; i < grid * grid; i++) {
        const p = Number.isFinite(values[i]) ? Math.min(1, Math.max(0, (values[i] - lo) / (hi - lo || 1))) : 0.5;
        for (let c = 0; c < 3; c++) img.data[4 * i + c] = 255 - (255 - (p * CLASS_COLORS[1][c] + (1 - p) * CLASS_COLORS[0][c])) * 0.45;
        img.data[4 * i + 3] = 255;
      }
    }
    const tmp = new OffscreenCanvas(grid, grid);
    tmp.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = boundary.kind !== 'classes'; // class regions keep crisp edges
    ctx.drawImage(tmp, 0, 0, size, size);
  }
  if (!points) return;
  const [lo, hi] = domain;
  const px = (v) => ((v - lo) / (hi - lo)) * size;
  const py = (v) => size - ((v - lo) / (hi - lo)) * size;
  let yLo = Infinity;
  let yHi = -Infinity;
  if (regression) for (const v of points.train.y) (yLo = Math.min(yLo, v)), (yHi = Math.max(yHi, v));
  const colorOf = (label) => {
    if (!regression) return `rgb(${classColor(label).join(',')})`;
    const p = (label - yLo) / (yHi - yLo || 1);
    return `rgb(${[0, 1, 2].map((k) => Math.round(p * CLASS_COLORS[1][k] + (1 - p) * CLASS_COLORS[0][k])).join(',')})`;
  };
  const draw = (part, hollow) => {
    for (let i = 0; i < part.y.length; i++) {
      ctx.beginPath();
      ctx.arc(px(part.x[2 * i]), py(part.x[2 * i + 1]), 3.2, 0, 2 * Math.PI);
      if (hollow) {
        ctx.strokeStyle = colorOf(part.y[i]);
        ctx.lineWidth = 1.5;
        ctx.stroke();
      } else {
        ctx.fillStyle = colorOf(part.y[i]);
        ctx.fill();
        ctx.strokeStyle = 'white';
        ctx.lineWidth = 0.8;
        ctx.stroke();
      }
    }
  };
  draw(points.train, false);
  draw(points.test, true);
}

/** canvas pixel -> data coordinates */
export function canvasToData(canvas, event, domain) {
  const rect = canvas.getBoundingClientRect();
  const [lo, hi] = domain;
  return {
    x: lo + ((event.clientX - rect.left) / rect.width) * (hi - lo),
    y: hi - ((event.clientY - rect.top) / rect.height) * (hi - lo),
  };
}

/** The confusion matrix as a table; class names (which may come from a CSV) are text. */
export function renderConfusion(el, matrix, k, classNames = null) {
  let max = 1;
  let total = 0;
  let correct = 0;
  for (let i = 0; i < matrix.length; i++) (max = Math.max(max, matrix[i])), (total += matrix[i]);
  for (let i = 0; i < k; i++) correct += matrix[i * k + i];
  const name = (i) => (classNames ? String(classNames[i]) : String(i));
  if (k > 30) {
    // a table of k² cells helps nobody (and costs a long paint): the count only
    replaceChildren(el, h('p', { className: 'caption' }, `Test set: ${correct}/${total} correct over ${k} classes (the confusion matrix is drawn for at most 30 classes).`));
    return;
  }
  const head = h('tr', {}, h('th', { scope: 'col' }, 'true \\ predicted'), Array.from({ length: k }, (_, j) => h('th', { scope: 'col' }, name(j))));
  const rows = Array.from({ length: k }, (_, i) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, name(i)),
      Array.from({ length: k }, (_, j) => {
        const v = matrix[i * k + j];
        const a = v / max;
        return h('td', { style: { background: i === j ? `rgba(22,163,74,${a})` : `rgba(220,38,38,${a})` } }, v ? String(v) : '');
      }),
    ),
  );
  replaceChildren(el, h('table', {}, h('caption', {}, `Confusion matrix, test set: ${correct}/${total} correct`), h('thead', {}, head), h('tbody', {}, rows)));
}

/** the dead share the diagnosis and the unit grid count: units that are 0 for every example of the last epoch */
function epochDead(s) {
  if (!s.deadUnits?.length) return s.deadFraction;
  let n = 0;
  for (const d of s.deadUnits) n += d ? 1 : 0;
  return n / s.deadUnits.length;
}
const deadText = (layer, s) => (layer.activation === 'relu' ? `${Math.round(100 * epochDead(s))}%` : 'n/a');
const satText = (layer, s) => (layer.activation === 'sigmoid' || layer.activation === 'tanh' ? `${Math.round(100 * s.saturatedFraction)}%` : 'n/a');

export function renderUnitBars(el, config, stats) {
  const layout = JSON.stringify(config.layers);
  if (el.dataset.layout !== layout) {
    el.dataset.layout = layout;
    replaceChildren(
      el,
      config.layers.map((layer, l) =>
        h(
          'div',
          { className: 'unit-row', dataset: { layer: String(l) } },
          h('span', { className: 'unit-name', style: { color: layerInk(l) } }, `layer ${l} · ${layer.activation}`),
          h('span', { className: 'bar' }, h('span', { className: 'fill dead' })),
          h('span', { className: 'num' }),
          h('span', { className: 'bar' }, h('span', { className: 'fill sat' })),
          h('span', { className: 'num' }),
        ),
      ),
    );
  }
  // same layers: move the bars and change the numbers, no new DOM
  el.querySelectorAll('.unit-row').forEach((row, l) => {
    const s = stats[l];
    if (!s) return;
    const layer = config.layers[l];
    const [deadBar, satBar] = row.querySelectorAll('.bar');
    const [dead, sat] = row.querySelectorAll('.fill');
    const [deadNum, satNum] = row.querySelectorAll('.num');
    dead.style.width = `${100 * epochDead(s)}%`;
    sat.style.width = `${100 * s.saturatedFraction}%`;
    deadBar.title = `dead ReLU units: ${deadText(layer, s)}`;
    satBar.title = `saturated outputs: ${satText(layer, s)}`;
    deadNum.textContent = `dead ${deadText(layer, s)}`;
    satNum.textContent = `sat. ${satText(layer, s)}`;
  });
}

/**
 * The learning rate per optimizer step (the core's own schedule, sampled by the
 * worker), with the step the run has reached marked.
 */
export function drawSchedule(canvas, caption, rates, step) {
  const ctx = canvas.getContext('2d');
  const { width: w, height: hgt } = canvas;
  ctx.clearRect(0, 0, w, hgt);
  if (!rates?.length) return;
  let max = 0;
  for (const r of rates) max = Math.max(max, r);
  const x = (t) => 4 + ((w - 8) * t) / Math.max(1, rates.length - 1);
  const y = (r) => hgt - 12 - ((hgt - 20) * r) / (max || 1);
  ctx.strokeStyle = '#2563eb';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  const stride = Math.max(1, Math.floor(rates.length / w));
  for (let t = 0; t < rates.length; t += stride) (t === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, x(t), y(rates[t]));
  ctx.lineTo(x(rates.length - 1), y(rates[rates.length - 1]));
  ctx.stroke();
  const at = Math.min(step, rates.length - 1);
  ctx.fillStyle = '#dc2626';
  ctx.fillRect(x(at) - 1, 4, 2, hgt - 16);
  ctx.fillStyle = '#4b5563';
  ctx.font = '10px sans-serif';
  ctx.fillText('0', 2, hgt - 1);
  ctx.fillText(`step ${rates.length - 1}`, w - 52, hgt - 1);
  const now = step < rates.length ? `step ${step}: ${Number(rates[step].toPrecision(3))}` : `step ${step}: past the ${rates.length} steps drawn`;
  caption.textContent = `Learning rate per step (the core's schedule): from ${Number(rates[0].toPrecision(3))}, peak ${Number(max.toPrecision(3))}, ${Number(rates[rates.length - 1].toPrecision(3))} at step ${rates.length - 1}. Now ${now}.`;
}

/** regression beyond 2-D: each test row's predicted value against its true value, the diagonal where they agree */
export function drawScatter(canvas, { truth, predicted }) {
  const ctx = canvas.getContext('2d');
  const size = canvas.width;
  ctx.clearRect(0, 0, size, size);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of truth) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (!(hi >= lo)) return;
  const pad = 0.05 * (hi - lo || 1);
  lo -= pad;
  hi += pad;
  const p = (v) => ((v - lo) / (hi - lo)) * size;
  ctx.strokeStyle = '#9ca3af';
  ctx.beginPath();
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  ctx.stroke();
  ctx.fillStyle = `rgb(${CLASS_COLORS[1].join(',')})`;
  for (let i = 0; i < truth.length; i++) {
    const y = predicted[i];
    if (!Number.isFinite(y)) continue;
    ctx.fillRect(p(truth[i]) - 1.5, size - Math.min(size + 3, Math.max(-3, p(y))) - 1.5, 3, 3);
  }
}
