// Runs every preset's failure and each of its single-change remedies on
// several seeds, and prints markdown tables: the median of each measured
// figure, and whether each remedy ALONE cures the failure (on how many seeds,
// and what it missed where it did not); then what tryRemedies() reports for
// each preset's finding (the figures that define it, before -> after, and the
// time it took). The numbers quoted in the README.
// usage: node scripts/preset-figures.mjs [seeds=5]
import { PRESET_NAMES, presets, runPreset } from '../js/index.js';
import { tryRemedies } from '../js/remedies.js';
import { median, sci } from '../js/util.js';
import { judgeRemedy, measure } from '../tests/js/preset-metrics.js';

const count = Number(process.argv[2] ?? 5);
if (!Number.isInteger(count) || count < 1 || count > 100) {
  console.error(`preset-figures: seeds is ${process.argv[2]}; expected an integer in [1, 100]`);
  process.exit(2);
}
const seeds = Array.from({ length: count }, (_, i) => i + 1);
const FIGURES = ['firstToLastGradRatio', 'maxGradNorm', 'skippedSteps', 'deadFraction', 'trainLoss', 'testLoss', 'gap', 'testAccuracy'];
const HEADS = ['first/last grad ratio', 'max grad norm', 'skipped steps', 'dead share', 'train loss', 'test loss', 'gap', 'test acc'];
const row = (cells) => `| ${cells.join(' | ')} |`;

async function runAll(name, side) {
  const runs = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const run = await runPreset(name, side, { seed });
    runs.push({ ms: performance.now() - t0, metrics: measure(run), kinds: run.findings.map((f) => f.kind) });
    run.net.dispose();
  }
  return runs;
}

const tally = (runs) => {
  const counts = new Map();
  for (const r of runs) for (const k of new Set(r.kinds)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts.size ? [...counts].map(([k, n]) => `${k} ${n}/${runs.length}`).join(', ') : 'none';
};

const figures = [];
const verdicts = [];
for (const name of PRESET_NAMES) {
  const p = presets[name];
  const failure = await runAll(name, 'failure');
  const sides = [['failure', failure]];
  for (const remedy of p.remedies) sides.push([remedy, await runAll(name, remedy.id)]);
  for (const [side, runs] of sides) {
    const label = side === 'failure' ? 'failure' : `${side.label}${side.seed ? ' (seed\'s)' : ''}`;
    figures.push(row([name, label, median(runs.map((r) => r.ms)).toFixed(0), ...FIGURES.map((f) => sci(median(runs.map((r) => r.metrics[f])))), tally(runs)]));
    if (side === 'failure' || !p.expect) continue;
    const judged = runs.map((r, i) => judgeRemedy(name, r.metrics, failure[i].metrics, r.kinds, p.expect));
    const cured = judged.filter(([ok]) => ok).length;
    const missed = new Map();
    for (const [, why] of judged) for (const w of why) missed.set(w, (missed.get(w) ?? 0) + 1);
    const verdict = cured === runs.length ? '**cures it**' : cured === 0 ? '**does not cure it**' : `**cures it on ${cured} of ${runs.length} seeds only**`;
    const notes = [...missed].map(([w, n]) => `${w} (${n}/${runs.length})`).join('; ');
    verdicts.push(row([name, side.label, side.seed ? 'yes' : '', `${cured}/${runs.length}`, verdict, notes || '-']));
  }
}

console.log(`Each remedy changes one thing in the failing preset; medians over seeds ${seeds.join(', ')}; losses in eval mode.\n`);
console.log(row(['preset', 'remedy', "seed's", 'cured (seeds)', 'verdict', 'missed']));
console.log(row(Array(6).fill('---')));
for (const line of verdicts) console.log(line);
console.log(`\nMeasured figures (median over seeds ${seeds.join(', ')}; "first/last grad ratio": the first layer's gradient norm over the output layer's; "dead share": the worst hidden layer's, over the last epoch; findings: on how many runs diagnose() named each):\n`);
console.log(row(['preset', 'run', 'ms/run', ...HEADS, 'findings']));
console.log(row(Array(HEADS.length + 4).fill('---')));
for (const line of figures) console.log(line);

console.log(`\ntryRemedies(preset, finding, { seeds: [${seeds.join(', ')}] }) on each preset's finding, at the preset's own length (medians over the seeds; "still found": on how many seeds diagnose() still names it; seconds: all seeds of that remedy, one after another):\n`);
const SHARE = ['deadFraction', 'saturatedFraction', 'testAccuracy'];
const cell = (m, v) => (Number.isNaN(v) ? '-' : SHARE.includes(m) ? `${(100 * v).toFixed(0)}%` : m === 'skippedSteps' ? String(v) : sci(v));
console.log(row(['preset', 'finding', 'remedy', 'defining figures, before → after', 'test acc', 'still found', 'seconds']));
console.log(row(Array(7).fill('---')));
for (const name of PRESET_NAMES) {
  const p = presets[name];
  if (!p.expect) continue;
  const out = await tryRemedies(name, p.expect, { seeds });
  const defining = out.metrics.filter((m) => m !== 'testAccuracy' && m !== 'testLoss');
  for (const r of out.results) {
    const figs = defining.map((m) => `${m} ${cell(m, r.metrics[m].before)} → ${cell(m, r.metrics[m].after)}`).join(', ');
    const acc = r.metrics.testAccuracy ? `${cell('testAccuracy', r.metrics.testAccuracy.before)} → ${cell('testAccuracy', r.metrics.testAccuracy.after)}` : '-';
    console.log(row([name, out.kind, `${r.label}${r.seed ? " (seed's)" : ''}`, figs, acc, `${r.stillFound}/${seeds.length}`, (r.ms / 1000).toFixed(2)]));
  }
}
