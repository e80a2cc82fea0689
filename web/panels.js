// The panel registry: every chart and instrument that follows training is one
// entry here (create, push, draw, resize, smoothing) and one container in
// index.html. main.js builds them anew for each setup, hands every progress
// report to each, and draws at most one dirty panel per frame. Adding an
// instrument is one entry and its container.
import { gradientChart, lossChart, ratioChart, unitsChart } from './charts.js';
import { Distributions, GradNormDistribution } from './instruments.js';
import { drawSchedule } from './views.js';

const $ = (id) => document.getElementById(id);

/** a uPlot series chart: pushes what `take` picks from a report, smooths when asked */
const seriesPanel = (make, take, { smooth = false } = {}) => (ctx) => {
  const made = make(ctx);
  return {
    push(side, msg) {
      take(made, side, msg);
    },
    get dirty() {
      return !!made.chart?.dirty;
    },
    draw: () => made.chart?.draw(),
    resize: () => made.chart?.resize(),
    destroy: () => made.chart?.destroy(),
    smoothing(a) {
      if (!smooth || !made.chart) return;
      made.chart.smoothing = a;
      made.chart.dirty = true;
    },
    setWindow: (w) => made.chart?.setWindow?.(w),
    get raw() {
      return made.chart?.raw;
    },
  };
};

/** a persistent instrument (it keeps its DOM): reset per setup, fed by side A only */
function instrument(object, reset, take) {
  return (ctx) => {
    reset(object, ctx);
    return {
      push(side, msg) {
        if (side === 0) take(object, msg);
      },
      get dirty() {
        return object.dirty;
      },
      draw: () => object.draw(),
      resize() {
        object.dirty = true;
      },
      destroy() {},
      smoothing() {},
    };
  };
}

const stepsIn = (msg) => msg.steps.loss.length > 0;
let distributions = null;
let normDist = null;

/** id, the container it draws into, whether it is below the first screen (drawn only while in view), create(ctx) */
export const PANELS = [
  {
    id: 'grad',
    create: seriesPanel(({ nLayers, sides, sideNames }) => gradientChart($('grad-chart'), nLayers, sides, sideNames), (p, side, msg) => stepsIn(msg) && p.push(side, msg.steps.layers), { smooth: true }),
  },
  {
    id: 'loss',
    create: seriesPanel(({ sides, state, sideNames }) => lossChart($('loss-chart'), sides, state.config.loss !== 'mse', sideNames), (p, side, msg) => msg.steps.epochs.length && p.push(side, msg.steps.epochs)),
  },
  {
    id: 'units',
    create: seriesPanel(({ state }) => unitsChart($('units-chart'), state.config.layers.slice(0, -1)), (p, side, msg) => side === 0 && stepsIn(msg) && p.push(msg.steps.layers), { smooth: true }),
  },
  {
    id: 'ratio',
    instrument: true,
    create: seriesPanel(({ nLayers, sides, sideNames }) => ratioChart($('ratio-chart'), nLayers, sides, sideNames), (p, side, msg) => stepsIn(msg) && p.push(side, msg.steps.layers), { smooth: true }),
  },
  {
    id: 'distributions',
    instrument: true,
    create: (ctx) =>
      instrument(
        (distributions ??= new Distributions($('dist-grid'))),
        (o, c) => {
          o.quantity = $('dist-quantity').value; // the view keeps its quantity across setups
          o.reset(c.config);
        },
        (o, msg) => {
          if (msg.steps.histograms?.length) o.push(msg.steps.histograms);
          if (msg.histograms) o.edges = msg.histograms.map((l) => ({ activation: l.activation.edges, gradient: l.gradient.edges }));
        },
      )(ctx),
  },
  {
    id: 'norm',
    instrument: true,
    create: (ctx) =>
      instrument(
        (normDist ??= new GradNormDistribution($('norm-hist'), $('norm-caption'))),
        (o, c) => o.reset(c.config.clipNorm ?? 0),
        (o, msg) => stepsIn(msg) && o.push(msg.steps.layers),
      )(ctx),
  },
  {
    id: 'schedule',
    // the learning rate per step, when the optimizer has a schedule (the worker samples the core's, setSchedule)
    create: () => {
      const at = { step: 0, dirty: false, rates: null };
      $('lr-figure').hidden = true;
      return {
        setSchedule(rates) {
          at.rates = rates;
          at.dirty = !!rates;
          $('lr-figure').hidden = !rates;
        },
        push(side, msg) {
          if (side !== 0 || !at.rates || !msg.steps.loss.length) return;
          at.step += msg.steps.loss.length;
          at.dirty = true;
        },
        get dirty() {
          return at.dirty;
        },
        draw() {
          at.dirty = false;
          drawSchedule($('lr-chart'), $('lr-caption'), at.rates, at.step);
        },
        resize() {
          at.dirty = !!at.rates;
        },
        destroy() {},
        smoothing() {},
      };
    },
  },
];

/** the distributions view's quantity changed */
export function setDistributionQuantity(q) {
  if (!distributions) return;
  distributions.quantity = q;
  distributions.dirty = true;
}

const CHART_MS = 200; // each panel redraws at most 5 times a second while data streams in

/**
 * The panels of the current setup and their drawing: at most one dirty panel
 * per animation frame, each at most every CHART_MS; the instruments below the
 * first screen only while some of them is in view (their data keeps arriving).
 * onFrame(): the rest of the page's per-frame work.
 */
export class PanelBoard {
  panels = [];
  instrumentsVisible = false;

  constructor({ metrics, onFrame, onInstrumentsShown }) {
    const frame = () => {
      requestAnimationFrame(frame);
      const t0 = performance.now();
      metrics.frames++;
      for (const p of this.panels) {
        if ((p.instrument && !this.instrumentsVisible) || !p.dirty || t0 - p.lastDraw < CHART_MS) continue;
        p.lastDraw = t0;
        p.draw();
        break;
      }
      onFrame();
      metrics.worstFrameMs = Math.max(metrics.worstFrameMs, performance.now() - t0);
    };
    requestAnimationFrame(frame);
    new IntersectionObserver((entries) => {
      this.instrumentsVisible = entries.some((e) => e.isIntersecting);
      if (!this.instrumentsVisible) return;
      for (const p of this.panels) if (p.instrument) p.resize();
      onInstrumentsShown();
    }).observe($('instruments'));
  }

  /** every panel anew for a setup; ctx: { config, state, nLayers, sides, sideNames } */
  create(ctx) {
    for (const p of this.panels) p.destroy();
    this.panels = PANELS.map((entry) => Object.assign(entry.create(ctx), { id: entry.id, instrument: !!entry.instrument, lastDraw: 0 }));
  }

  get(id) {
    return this.panels.find((p) => p.id === id);
  }

  push(side, msg) {
    for (const p of this.panels) p.push(side, msg);
  }

  smoothing(a) {
    for (const p of this.panels) p.smoothing(a);
  }

  resize() {
    for (const p of this.panels) p.resize();
  }
}
