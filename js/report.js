// Text output for the CLI: per-layer tables, findings, side-by-side
// comparisons and a small bar chart. Pure functions returning strings.

import { maxFinite, minFinite, sci, sum } from './util.js';

export { sci };

const pad = (s, n) => String(s).padStart(n);
const padEnd = (s, n) => String(s).padEnd(n);
/** the longest cell's length (a loop: tables can be long) */
const widest = (cells) => cells.reduce((w, cell) => Math.max(w, String(cell).length), 0);
const pct = (v) => `${(100 * v).toFixed(0)}%`;

/** the dead share by its one definition (js/measure.js): layerStats().deadUnits, the last epoch's mask; a batch's share without it */
const deadShare = (s) => (s.deadUnits ? sum(s.deadUnits) / s.deadUnits.length : s.deadFraction);

export function layerTable(config, stats) {
  const rows = [['layer', 'units', 'activation', 'grad norm', 'dead', 'saturated', 'update/weight']];
  config.layers.forEach((layer, l) => {
    const s = stats[l];
    const kind = `${layer.activation}${layer.batchNorm ? '+bn' : ''}${layer.dropout ? ` drop ${layer.dropout}` : ''}`;
    rows.push([l, layer.units, kind, sci(s.gradNorm), pct(deadShare(s)), pct(s.saturatedFraction), sci(s.updateRatio)]);
  });
  const widths = rows[0].map((_, c) => widest(rows.map((r) => r[c])));
  return rows.map((r) => r.map((cell, c) => (c === 2 ? padEnd(cell, widths[c]) : pad(cell, widths[c]))).join('  ')).join('\n');
}

export function findingsText(findings) {
  if (findings.length === 0) return 'diagnosis: no failure case found';
  return ['diagnosis:', ...findings.map((f) => `  [${f.severity}] ${f.kind}${f.layers.length ? ` (layers ${f.layers.join(', ')})` : ''}: ${f.message}\n      remedy: ${f.remedy}`)].join('\n');
}

export function summary(history) {
  const last = history.epochs - 1;
  const out = { epochs: history.epochs, trainLoss: history.loss[last] };
  if (history.valLoss) {
    out.testLoss = history.valLoss[last];
    out.bestTestLoss = minFinite(history.valLoss, NaN);
  }
  if (history.valAccuracy) out.testAccuracy = history.valAccuracy[last];
  out.skippedSteps = sum(history.skippedSteps);
  return out;
}

/** two runs { title, stats, history, record (net.trainingRecord()), findings } side by side: per-layer gradient norms, losses, findings */
export function compareText(a, b) {
  const rows = [['', a.title, b.title]];
  const row = (label, x, y) => rows.push([label, String(x), String(y)]);
  const n = Math.max(a.stats.length, b.stats.length);
  const each = (run, l, f) => (run.stats[l] ? f(run, l) : '-');
  const gradNow = (run, l) => sci(run.stats[l].gradNorm);
  const gradMax = (run, l) => sci(maxFinite(run.record.steps.layers[l].gradNorm, 0));
  const deadSat = (run, l) => `${pct(deadShare(run.stats[l]))} / ${pct(run.stats[l].saturatedFraction)}`;
  for (let l = 0; l < n; l++) row(`layer ${l} grad norm`, each(a, l, gradNow), each(b, l, gradNow));
  for (let l = 0; l < n; l++) row(`layer ${l} max in run`, each(a, l, gradMax), each(b, l, gradMax));
  for (let l = 0; l < n; l++) row(`layer ${l} dead/sat.`, each(a, l, deadSat), each(b, l, deadSat));
  const sa = summary(a.history);
  const sb = summary(b.history);
  row('train loss', sci(sa.trainLoss), sci(sb.trainLoss));
  row('test loss (best)', `${sci(sa.testLoss)} (${sci(sa.bestTestLoss)})`, `${sci(sb.testLoss)} (${sci(sb.bestTestLoss)})`);
  if (sa.testAccuracy !== undefined || sb.testAccuracy !== undefined) {
    row('test accuracy', sa.testAccuracy !== undefined ? pct(sa.testAccuracy) : '-', sb.testAccuracy !== undefined ? pct(sb.testAccuracy) : '-');
  }
  row('skipped steps', sa.skippedSteps, sb.skippedSteps);
  const kinds = (f) => (f.length ? f.map((x) => x.kind).join(', ') : 'none');
  row('findings', kinds(a.findings), kinds(b.findings));
  const w0 = widest(rows.map((r) => r[0])) + 2;
  const w1 = widest(rows.map((r) => r[1])) + 3;
  return rows.map((r) => `${padEnd(r[0], w0)}${padEnd(r[1], w1)}${r[2]}`.trimEnd()).join('\n');
}

/** sweep() rows [{ value, trainLoss, testLoss, testAccuracy?, deadFraction?, maxGradNorm? }] as a table */
export function sweepTable(param, rows) {
  const header = [param, 'train loss', 'test loss', 'gap', 'test acc', 'dead ReLU', 'max grad norm'];
  const opt = (v, f) => (v === undefined ? '-' : f(v));
  const body = rows.map((r) => [r.value, sci(r.trainLoss), sci(r.testLoss), sci(r.testLoss - r.trainLoss), opt(r.testAccuracy, pct), opt(r.deadFraction, pct), opt(r.maxGradNorm, sci)]);
  const all = [header, ...body];
  const widths = header.map((_, c) => widest(all.map((r) => r[c])));
  return all.map((r) => r.map((cell, c) => pad(cell, widths[c])).join('  ')).join('\n');
}

/** horizontal bars of train (#) and test (=) loss per value, scaled to the largest finite loss */
export function sweepChart(param, rows, width = 40) {
  const max = Math.max(maxFinite(rows.flatMap((r) => [r.trainLoss, r.testLoss]), 0), 1e-9);
  const bar = (v, ch) => (Number.isFinite(v) ? ch.repeat(Math.max(v > 0 ? 1 : 0, Math.round((v / max) * width))) : '(not finite)');
  const label = Math.max(param.length, widest(rows.map((r) => r.value)));
  const lines = [`${padEnd(param, label)}  loss: # train  = test   (full bar = ${sci(max)})`];
  for (const r of rows) {
    lines.push(`${pad(r.value, label)}  ${bar(r.trainLoss, '#')}`);
    lines.push(`${pad('', label)}  ${bar(r.testLoss, '=')}`);
  }
  return lines.join('\n');
}

const METRIC_LABELS = {
  firstToLastGradRatio: 'first/last grad',
  maxGradNorm: 'max grad norm',
  skippedSteps: 'skipped steps',
  deadFraction: 'dead share',
  saturatedFraction: 'saturated',
  gap: 'test-train gap',
  testAccuracy: 'test acc',
  testLoss: 'test loss',
};
const SHARES = ['deadFraction', 'saturatedFraction', 'testAccuracy'];
const metricText = (name, v) => (v === undefined || Number.isNaN(v) ? '-' : SHARES.includes(name) ? pct(v) : name === 'skippedSteps' ? String(Math.round(v * 10) / 10) : sci(v));

/**
 * tryRemedies() output as a table: per remedy (* the seed's) each defining
 * figure and test accuracy before -> after, on how many seeds diagnose still
 * names the finding, and the seconds it took.
 */
export function remediesTable(result) {
  const header = ['remedy', ...result.metrics.map((m) => METRIC_LABELS[m] ?? m), 'still found', 'seeds', 'seconds'];
  const body = result.results.map((r) =>
    r.error
      ? [`${r.label}${r.seed ? ' *' : ''}`, `refused: ${r.error}`]
      : [
          `${r.label}${r.seed ? ' *' : ''}`,
          ...result.metrics.map((m) => `${metricText(m, r.metrics[m].before)} → ${metricText(m, r.metrics[m].after)}`),
          `${r.stillFound}/${r.seeds.length}`,
          r.seeds.join(','),
          (r.ms / 1000).toFixed(2),
        ],
  );
  const all = [header, ...body.filter((r) => r.length === header.length)];
  const widths = header.map((_, c) => widest(all.map((r) => r[c])));
  const line = (r) => (r.length === header.length ? r.map((cell, c) => (c === 0 ? padEnd(cell, widths[c]) : pad(cell, widths[c]))).join('  ') : `${padEnd(r[0], widths[0])}  ${r[1]}`);
  const title = `remedies for ${result.kind}, one change each (* the seed's), ${result.epochs} epochs, seed${result.seeds.length > 1 ? 's' : ''} ${result.seeds.join(', ')}; before: found on ${result.before.found}/${result.seeds.length}`;
  return [title, line(header), ...body.map(line)].join('\n');
}
