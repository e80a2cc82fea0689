// The map card and the network drawing: a decision map for 2-D data, a
// confusion matrix for classes (under the map on 2-D data), predicted against
// true for regression beyond 2-D; the legend says what the colours mean.
import { h, replaceChildren } from './dom.js';
import { CLASS_COLORS, drawBoundary, drawNetwork, drawScatter, renderUnitBars } from './views.js';

const $ = (id) => document.getElementById(id);
const swatch = (rgb) => h('span', { className: 'swatch', style: { background: `rgb(${rgb.join(',')})` } });

export function clearMap() {
  for (const id of ['net-view', 'boundary']) $(id).getContext('2d').clearRect(0, 0, $(id).width, $(id).height);
  $('unit-bars').replaceChildren();
  $('unit-bars').dataset.layout = '';
  $('confusion').replaceChildren();
}

/** what the map card shows for this data */
function mapKind(view) {
  if (view.points) return 'map';
  return view.regression ? 'scatter' : 'confusion';
}

/** view: { config, stats, weights, points, boundary, scatter, regression, dataset }; loss: the config's */
export function drawMapAndNetwork(view, loss) {
  drawNetwork($('net-view'), view.config, view.stats, view.weights);
  if (view.stats?.length) renderUnitBars($('unit-bars'), view.config, view.stats);
  const kind = mapKind(view);
  $('boundary').hidden = kind === 'confusion';
  $('confusion').hidden = loss !== 'softmax-ce'; // classes: the matrix, under the map on 2-D data
  $('map-card').dataset.kind = kind;
  $('map-title').textContent = { map: 'Decision map', confusion: 'Confusion matrix', scatter: 'Predicted vs true (test set)' }[kind];
  if (kind === 'map') drawBoundary($('boundary'), { points: view.points, boundary: view.boundary, regression: view.regression, domain: view.points.domain });
  else if (kind === 'scatter' && view.scatter) drawScatter($('boundary'), view.scatter);
  showLegend(kind, view, loss);
}

/** what the map's colours mean for this dataset (class names from a CSV are text) */
function showLegend(kind, view, loss) {
  const d = view.dataset;
  const key = JSON.stringify([kind, view.regression, d?.outputs, d?.classNames, !!d?.targetScaler]);
  if ($('map-explain').dataset.key === key) return;
  $('map-explain').dataset.key = key;
  if (kind === 'confusion') return replaceChildren($('map-explain'), 'Rows: the true class, columns: the predicted class, over the test set; the diagonal is right.');
  if (kind === 'scatter') return replaceChildren($('map-explain'), `Each dot is a test row: across, its true value; up, the network's prediction. On the grey diagonal they agree.${d?.targetScaler ? ' Both in standardized units of the target.' : ''}`);
  const dots = 'Filled dots: training data; hollow rings: test data.';
  if (view.regression) return replaceChildren($('map-explain'), `Background: the predicted value, `, swatch(CLASS_COLORS[0]), 'low to ', swatch(CLASS_COLORS[1]), `high. ${dots}`);
  const k = loss === 'softmax-ce' ? (d?.outputs ?? 2) : 2;
  const names = Array.from({ length: Math.min(k, CLASS_COLORS.length) }, (_, i) => [swatch(CLASS_COLORS[i]), `${d?.classNames ? String(d.classNames[i]) : `class ${i}`}${i < k - 1 ? ', ' : ''}`]);
  replaceChildren($('map-explain'), 'Background: the predicted class at each point (fainter where the network is unsure). ', names, `${k > CLASS_COLORS.length ? ' …' : ''}. ${dots}`);
}
