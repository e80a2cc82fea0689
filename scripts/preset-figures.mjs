// Runs every preset pair on several seeds and prints the median of each
// measured figure and the time per run: the numbers quoted in the README.
// usage: node scripts/preset-figures.mjs [seeds=5]
import { PRESET_NAMES, presets, runPreset } from '../js/index.js';
import { measure } from '../tests/js/preset-metrics.js';

const seeds = Array.from({ length: Number(process.argv[2] ?? 5) }, (_, i) => i + 1);
const median = (v) => {
  const s = v.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const fmt = (v) => (!Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : v.toPrecision(3));
const FIGURES = ['firstToLastGradRatio', 'maxGradNorm', 'skippedSteps', 'deadFraction', 'trainLoss', 'testLoss', 'gap', 'testAccuracy'];

console.log(`median over seeds ${seeds.join(', ')}`);
console.log(['preset', 'side', 'ms/run', ...FIGURES, 'diagnosed (runs)'].join(' | '));
for (const name of PRESET_NAMES) {
  for (const side of presets[name].remedy ? ['failure', 'remedy'] : ['failure']) {
    const rows = [];
    const times = [];
    let named = 0;
    for (const seed of seeds) {
      const t0 = performance.now();
      const run = await runPreset(name, side, { seed });
      times.push(performance.now() - t0);
      rows.push(measure(run));
      if (presets[name].expect && run.findings.some((f) => f.kind === presets[name].expect)) named++;
      if (!presets[name].expect && run.findings.length === 0) named++;
      run.net.dispose();
    }
    const label = presets[name].expect ? `${presets[name].expect} ${named}/${seeds.length}` : `no findings ${named}/${seeds.length}`;
    console.log([name, side, median(times).toFixed(0), ...FIGURES.map((f) => fmt(median(rows.map((r) => r[f])))), label].join(' | '));
  }
}
