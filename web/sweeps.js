// The sweeps panel: this setup trained anew at each value of one parameter
// (dropout 0 … 1, learning rate 1e-4 … 10) by the library's sweep(), in a
// worker of its own, plotted and tabled point by point.
import { sweepChart } from './charts.js';
import { h } from './dom.js';
import { fmt, norm } from './format.js';
import { TO_WORKER } from './messages.js';
import { Trainer } from './trainer.js';

const $ = (id) => document.getElementById(id);
const VALUES = {
  dropout: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  learningRate: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10],
};
const EPOCHS_MAX = 2000;

const acc = (r) => (r.testAccuracy === undefined ? '–' : `${(100 * r.testAccuracy).toFixed(1)}%`);
const pointText = (r) => `train ${fmt(r.trainLoss)}, test ${fmt(r.testLoss)}${r.testAccuracy === undefined ? '' : `, acc ${acc(r)}`}, dead ReLU ${(100 * r.deadFraction).toFixed(0)}%, max ‖∇W‖ ${norm(r.maxGradNorm)}${r.diverged ? ' — diverged (loss not finite)' : ''}`;

/** getSetup() -> { state, custom, ready (false: why not) }; showError(text) */
export function createSweeps({ getSetup, showError, simd }) {
  let worker = null;
  let plot = null;
  let rows = [];

  const busy = (on) => {
    $('sweep-run').disabled = on;
    $('sweep-lr').disabled = on;
  };
  const stop = () => {
    worker?.terminate();
    worker = null;
    busy(false);
  };

  function table() {
    const lr = rows[0]?.param === 'learningRate';
    const head = h('tr', {}, [lr ? 'learning rate' : 'dropout', 'train loss', 'test loss', 'test acc.', 'dead ReLU', 'max ‖∇W‖'].map((t) => h('th', { scope: 'col' }, t)));
    const body = rows.map((r) =>
      h('tr', { className: r.diverged ? 'diverged' : '' }, h('th', { scope: 'row' }, String(r.value)), ...[fmt(r.trainLoss), fmt(r.testLoss), acc(r), `${(100 * r.deadFraction).toFixed(0)}%`, norm(r.maxGradNorm)].map((t) => h('td', {}, t))),
    );
    $('sweep-table').replaceChildren(h('table', {}, h('thead', {}, head), h('tbody', {}, body)));
  }

  const handlers = {
    'sweep-point'(msg) {
      plot?.push(msg);
      rows.push(msg);
      $('sweep-status').textContent = `${msg.param === 'learningRate' ? 'learning rate' : 'dropout'} ${msg.value}: ${pointText(msg)}`;
      table();
    },
    'sweep-done'() {
      $('sweep-status').textContent = 'done';
      stop();
    },
    error(msg) {
      $('sweep-status').textContent = `stopped: ${msg.message}`;
      stop();
      showError(`Sweep stopped: ${msg.message}`);
    },
  };

  function run(param) {
    const epochs = Number($('sweep-epochs').value);
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > EPOCHS_MAX) return showError(`Sweep: epochs per value must be an integer in [1, ${EPOCHS_MAX}]; got "${$('sweep-epochs').value}"`);
    const { state, custom, ready } = getSetup();
    if (ready !== true) return showError(`Sweep: ${ready}`);
    plot?.chart.destroy();
    plot = sweepChart($('sweep-chart'), param);
    rows = [];
    $('sweep-table').replaceChildren();
    busy(true);
    $('sweep-status').textContent = 'training…';
    worker?.terminate();
    worker = new Trainer(handlers, { simd });
    worker.send(TO_WORKER.sweep, { state, custom, param, values: VALUES[param], epochs });
  }

  $('sweep-run').addEventListener('click', () => run('dropout'));
  $('sweep-lr').addEventListener('click', () => run('learningRate'));
  return { resize: () => plot?.chart.resize() };
}
