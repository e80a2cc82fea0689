// One definition of the dead share (js/measure.js): on the dead-ReLU preset
// the share diagnose() reports, the units layerStats().deadUnits marks,
// measureRun() (tryRemedies) and sweep() agree unit for unit; the per-batch
// share and the histogram's zeros are other quantities, never smaller, as
// documented.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { layerTable } from '../../js/report.js';
import { measureRun } from '../../js/measure.js';
import { presetScenario, runScenario } from '../../js/presets.js';
import { sweep } from '../../js/sweep.js';
import { maxOf } from '../../js/util.js';

const count = (mask) => mask.reduce((n, v) => n + v, 0);

for (const seed of [1, 2]) {
  test(`dead-relu preset (seed ${seed}): diagnose's dead share = layerStats().deadUnits, layer by layer; the message counts the same units`, async () => {
    const run = await runScenario(presetScenario('dead-relu'), { seed });
    try {
      const { net, findings } = run;
      const finding = findings.find((f) => f.kind === 'dead-relu');
      assert.ok(finding);
      const stats = net.layerStats();
      const masks = stats.map((s) => s.deadUnits);
      const units = net.config.layers.map((l) => l.units);
      assert.deepEqual(finding.evidence.units, units);
      assert.deepEqual(finding.evidence.deadUnits, masks.map(count));
      masks.forEach((mask, l) => assert.equal(finding.evidence.deadFraction[l], Number((count(mask) / mask.length).toPrecision(3)), `layer ${l}`));
      // the text names each flagged layer's count and their total, as the unit grid shows them
      const flagged = finding.layers;
      for (const l of flagged) assert.match(finding.message, new RegExp(`\\b${count(masks[l])} of ${units[l]} in layer ${l}\\b`));
      const total = flagged.reduce((n, l) => n + count(masks[l]), 0);
      if (flagged.length > 1) assert.match(finding.message, new RegExp(`\\(${total} of ${flagged.reduce((n, l) => n + units[l], 0)}\\)`));
      // not every unit is dead on these seeds, so "the worst layer's share for all" would show
      assert.ok(masks.slice(0, -1).some((m) => count(m) < m.length), 'some hidden layer keeps live units');
      // tryRemedies' and sweep's measurement: the worst hidden layer's share, and the same units
      const m = measureRun(run);
      assert.equal(m.deadFraction, maxOf(masks.slice(0, -1).map((mask) => count(mask) / mask.length)));
      assert.equal(m.deadUnits, masks.slice(0, -1).reduce((n, mask) => n + count(mask), 0));
      assert.equal(m.reluUnits, 96);
      // the CLI's table shows the same share
      const table = layerTable(net.config, stats).split('\n');
      masks.forEach((mask, l) => assert.match(table[l + 1], new RegExp(` ${((100 * count(mask)) / mask.length).toFixed(0)}% `), `table row ${l}`));
      // documented, not the same quantity: one batch's share of silent units, and its share of zero values, are never smaller
      const hist = net.layerHistograms();
      masks.slice(0, -1).forEach((mask, l) => {
        const share = count(mask) / mask.length;
        assert.ok(stats[l].deadFraction >= share, `layer ${l}: batch ${stats[l].deadFraction} vs epoch ${share}`);
        const a = hist[l].activation;
        const values = a.counts.reduce((n, c) => n + c, 0) + a.zeros + a.below + a.above + a.nonFinite;
        assert.ok(a.zeros / values >= stats[l].deadFraction, `layer ${l}: zero values ${a.zeros / values} vs batch ${stats[l].deadFraction}`);
      });
    } finally {
      run.net.dispose();
    }
  });
}

test("sweep's dead share is measureRun's: the same run gives the same figure", async () => {
  const scenario = presetScenario('dead-relu');
  const [row] = await sweep(scenario, { param: 'learningRate', values: [3], seeds: [1], epochs: 5 });
  const run = await runScenario({ ...scenario, config: { ...scenario.config, optimizer: { ...scenario.config.optimizer, learningRate: 3 } } }, { seed: 1, epochs: 5 });
  try {
    const m = measureRun(run);
    assert.equal(row.deadFraction, m.deadFraction);
    assert.equal(row.runs[0].deadUnits, m.deadUnits);
    const masks = run.net.layerStats().map((s) => s.deadUnits);
    assert.equal(m.deadFraction, maxOf(masks.slice(0, -1).map((mask) => count(mask) / mask.length)));
    assert.ok(m.deadFraction > 0.5);
  } finally {
    run.net.dispose();
  }
});
