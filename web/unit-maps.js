// The instruments that are not panels: the last step's histograms per layer,
// the grid of every unit (dead ones crossed out), and a hidden unit's output
// over the plane (2-D data), which the worker computes with the core's
// forward pass (net.layerOutputs) on hover, or follows while pinned.
import { fmt } from './format.js';
import { drawUnitMap, renderHistograms, renderUnitGrid } from './instruments.js';

const $ = (id) => document.getElementById(id);

/** requestMap(layer, unit, request): asks the worker for a unit's map */
export function createUnitMaps(requestMap) {
  let pick = { layer: null, unit: null, pinned: false };
  let request = 0;
  let view = null;

  const caption = (text) => ($('unit-map-caption').textContent = text);
  const need2d = () => `output maps need 2-D data (this data has ${view?.dataset?.inputs ?? '?'} inputs)`;

  function ask() {
    if (pick.layer === null) return;
    if (!view?.points) return caption(`layer ${pick.layer} unit ${pick.unit}: ${need2d()}`);
    requestMap(pick.layer, pick.unit, ++request);
  }

  /** hover shows a unit's map while none is pinned; a click pins it (again: unpins) */
  function onPick(layer, unit, click) {
    if (!click && pick.pinned) return;
    const same = pick.layer === layer && pick.unit === unit;
    pick = { layer, unit, pinned: click ? !(same && pick.pinned) : false };
    document.querySelectorAll('#unit-grid .unit').forEach((b) => b.setAttribute('aria-pressed', String(pick.pinned && Number(b.dataset.layer) === layer && Number(b.dataset.unit) === unit)));
    ask();
  }

  return {
    /** a new setup's view */
    reset(next) {
      view = next;
      $('hist-grid').dataset.layout = '';
      $('hist-grid').replaceChildren();
      $('unit-grid').dataset.layout = '';
      pick = { layer: null, unit: null, pinned: false };
      request++;
      const canvas = $('unit-map');
      canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      caption(view.points ? 'hover or click a unit' : need2d());
    },
    /** new weights: the pinned unit's map follows training */
    weightsChanged() {
      if (pick.pinned) ask();
    },
    draw(current) {
      view = current;
      if (view.histograms?.length) renderHistograms($('hist-grid'), view.config, view.histograms);
      renderUnitGrid($('unit-grid'), view.config, view.stats, onPick);
    },
    onMap(msg) {
      if (msg.request !== request) return;
      const max = drawUnitMap($('unit-map'), msg.values, msg.grid);
      const dead = view?.stats?.[msg.layer]?.deadUnits?.[msg.unit] ? ' — dead over the last epoch' : '';
      const range = max > 1e-12 ? `largest |output| ${fmt(max)}` : 'output 0 everywhere';
      caption(`layer ${msg.layer} unit ${msg.unit}${pick.pinned ? ' (pinned)' : ''}: blue positive, orange negative, white 0; ${range}${dead}`);
      $('unit-map').dataset.unit = `${msg.layer}:${msg.unit}`;
    },
  };
}
