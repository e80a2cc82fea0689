// The Papers view: a paper card (the library's reproduce()) run in a worker of
// its own, drawn beside the paper's own numbers: the setup side by side, each
// figure from our runs, and the claims with the paper's value, ours and
// whether it holds. A link #paper=ID opens it and runs the card.
import uPlot from 'uplot';

import { PAPER_IDS, papers } from '../js/papers/index.js';
import { layerColor } from './charts.js';
import { h, replaceChildren, setOptions } from './dom.js';
import { TO_WORKER } from './messages.js';
import { Trainer } from './trainer.js';

const $ = (id) => document.getElementById(id);
const VERDICT = { true: '✓ holds', false: '✗ does not hold here', null: '– not measured' };

/** one line figure: every line series of the card's runs with this figure id */
function lineFigure(el, figure, series) {
  const lines = series.filter((s) => s.kind === 'line');
  // one x axis for all lines: the union of their x values
  const xs = [...new Set(lines.flatMap((s) => s.x.values))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const data = [xs, ...lines.map((s) => {
    const col = new Array(xs.length).fill(null);
    s.x.values.forEach((x, i) => (col[at.get(x)] = Number.isFinite(s.y.values[i]) ? s.y.values[i] : null));
    return col;
  })];
  const log = lines.some((s) => s.y.scale === 'log');
  const width = Math.max(260, Math.min(560, el.clientWidth || 480));
  new uPlot(
    {
      width,
      height: 220,
      scales: { x: { time: false }, y: log ? { distr: 3, log: 10 } : {} },
      // log axes read 1e-4, not a rounded 0
      axes: [{ label: lines[0]?.x.label ?? '' }, { label: lines[0]?.y.label ?? '', values: (u, vals) => vals.map((v) => (v == null ? '' : v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4) ? v.toExponential(0) : String(Number(v.toPrecision(3))))) }],
      series: [{ label: lines[0]?.x.label ?? 'x' }, ...lines.map((s, i) => ({ label: s.name, stroke: layerColor(i), width: 1.5, spanGaps: false, points: { show: xs.length < 40 } }))],
      legend: { live: false },
    },
    data,
    el,
  );
  el.dataset.series = String(lines.length);
}

/** one histogram figure: each series a translucent step outline over its edges */
function histogramFigure(el, series) {
  const hists = series.filter((s) => s.kind === 'histogram');
  const canvas = h('canvas', { width: 520, height: 215, attrs: { role: 'img', 'aria-label': hists.map((s) => s.name).join(', ') } });
  el.append(canvas, h('p', { className: 'legend' }, hists.map((s, i) => [h('span', { className: 'swatch', style: { background: layerColor(i) } }), ` ${s.name}  `])));
  const ctx = canvas.getContext('2d');
  let lo = Infinity;
  let hi = -Infinity;
  let top = 0;
  for (const s of hists) {
    lo = Math.min(lo, s.x.edges[0]);
    hi = Math.max(hi, s.x.edges.at(-1));
    for (const v of s.y.values) if (Number.isFinite(v)) top = Math.max(top, v);
  }
  const x = (v) => 30 + ((v - lo) / (hi - lo || 1)) * (canvas.width - 40);
  const y = (v) => canvas.height - 34 - (v / (top || 1)) * (canvas.height - 44);
  hists.forEach((s, i) => {
    ctx.strokeStyle = layerColor(i);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x(s.x.edges[0]), y(0));
    s.y.values.forEach((v, b) => {
      ctx.lineTo(x(s.x.edges[b]), y(v));
      ctx.lineTo(x(s.x.edges[b + 1]), y(v));
    });
    ctx.lineTo(x(s.x.edges.at(-1)), y(0));
    ctx.stroke();
  });
  ctx.fillStyle = '#374151';
  ctx.font = '11px sans-serif';
  // the range on one line, the quantity on the next, so neither covers the other
  ctx.textAlign = 'left';
  ctx.fillText(String(Number(lo.toPrecision(3))), 30, canvas.height - 20);
  ctx.textAlign = 'right';
  ctx.fillText(String(Number(hi.toPrecision(3))), canvas.width - 10, canvas.height - 20);
  ctx.textAlign = 'center';
  ctx.fillText(hists[0]?.x.label ?? '', canvas.width / 2, canvas.height - 4, canvas.width - 20);
  el.dataset.series = String(hists.length);
}

function showSetup(id) {
  const p = papers[id];
  $('paper-title').textContent = `${p.authors} (${p.year}), “${p.title}”, ${p.venue}`;
  const rows = p.setup.rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, String(r.item)), h('td', {}, String(r.paper)), h('td', {}, String(r.ours))));
  replaceChildren($('paper-setup'), h('table', {}, h('thead', {}, h('tr', {}, ['', 'the paper', 'ours'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)));
  $('paper-why').textContent = `${p.setup.why} Runs in ${p.setup.time}${p.setup.timeWithData ? `; with data of your own (e.g. MNIST as CSV): ${p.setup.timeWithData}` : ''}.`;
  replaceChildren($('paper-figures'));
  replaceChildren($('paper-claims'));
}

function showCard(card) {
  const p = papers[card.id];
  const all = card.runs.flatMap((r) => r.series);
  replaceChildren(
    $('paper-figures'),
    p.figures.map((f) => {
      const el = h('figure', { className: 'paper-figure', dataset: { figure: f.id } });
      const series = all.filter((s) => s.figure === f.id);
      const plot = h('div', { className: 'paper-plot' });
      el.append(plot, h('figcaption', {}, f.caption));
      queueMicrotask(() => (series.some((s) => s.kind === 'histogram') ? histogramFigure(plot, series) : lineFigure(plot, f, series)));
      return el;
    }),
  );
  const rows = card.claims.map((c) =>
    h(
      'tr',
      { className: `holds-${String(c.holds)}` },
      h('td', {}, c.text),
      h('td', {}, `${c.paper.value} (${c.paper.source}, ${c.paper.where})`),
      h('td', {}, c.ours),
      h('td', {}, VERDICT[String(c.holds)], c.note ? h('div', { className: 'note' }, c.note) : null),
    ),
  );
  replaceChildren($('paper-claims'), h('table', {}, h('thead', {}, h('tr', {}, ['claim', 'the paper', 'ours', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)));
  $('paper-status').textContent = card.aborted
    ? `Stopped: ${card.runs.length} run${card.runs.length === 1 ? '' : 's'} finished; claims need the whole card.`
    : `Seed ${card.seed}, ${card.data}, ${(card.ms / 1000).toFixed(1)} s: ${VERDICT[String(card.holds)]}${card.holds === false ? ' (see the claims that do not)' : ''}.`;
  $('papers-view').dataset.done = card.aborted ? 'stopped' : 'done';
}

/** the view: open(id) shows and runs a card; onClose() goes back to the playground */
export function createPapersView({ simd, onClose }) {
  let worker = null;
  let running = false;
  setOptions($('paper-id'), PAPER_IDS.map(String), Object.fromEntries(PAPER_IDS.map((id) => [id, `${papers[id].authors.split(',')[0]} ${papers[id].year}: ${papers[id].title}`])));
  const busy = (on) => {
    running = on;
    $('paper-run').disabled = on;
    $('paper-stop').disabled = !on;
  };
  const handlers = {
    'paper-progress'(msg) {
      $('paper-progress').value = msg.total ? msg.done / msg.total : 0;
      $('paper-status').textContent = `${msg.label} (${msg.done} of ${msg.total})`;
    },
    'paper-done'(msg) {
      busy(false);
      showCard(msg.card);
    },
    error(msg) {
      busy(false);
      $('paper-status').textContent = `Stopped: ${msg.message}`;
    },
  };
  function run() {
    const id = $('paper-id').value;
    const seed = Number($('paper-seed').value);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      $('paper-status').textContent = `Seed must be an integer in [0, 4294967295]; got "${$('paper-seed').value}"`;
      return;
    }
    showSetup(id);
    history.replaceState(null, '', `#paper=${id}${seed !== 1 ? `&seed=${seed}` : ''}`);
    worker ??= new Trainer(handlers, { simd });
    busy(true);
    $('papers-view').dataset.done = '';
    $('paper-progress').value = 0;
    $('paper-status').textContent = `Running ${id}: about ${papers[id].setup.time}…`;
    worker.send(TO_WORKER.paper, { id, seed });
  }
  $('paper-run').addEventListener('click', run);
  $('paper-stop').addEventListener('click', () => worker?.send(TO_WORKER.stopPaper));
  $('paper-id').addEventListener('change', () => !running && showSetup($('paper-id').value));
  function close() {
    worker?.terminate();
    worker = null;
    busy(false);
    $('papers-view').hidden = true;
    $('playground').hidden = false;
    onClose();
  }
  $('paper-close').addEventListener('click', close);
  return {
    close,
    get shown() {
      return !$('papers-view').hidden;
    },
    /** shows the view and runs card `id` (an unknown id: the first card, not run, with a note; run false: shown only) */
    open(id, seed = 1, { run: start = true } = {}) {
      $('papers-view').hidden = false;
      $('playground').hidden = true;
      const known = PAPER_IDS.includes(id);
      $('paper-id').value = known ? id : PAPER_IDS[0];
      $('paper-seed').value = String(seed);
      showSetup($('paper-id').value);
      if (known && start) run();
      else if (known) $('paper-status').textContent = `Press Run: about ${papers[id].setup.time}.`;
      else $('paper-status').textContent = `No paper card "${id}"; the cards are ${PAPER_IDS.join(', ')}.`;
    },
  };
}
