// Every preset with each of its single-change remedies, opened from a link and
// trained to the preset's length: the page shows the remedy's setup and its
// diagnosis, and a screenshot per remedy goes to test-output/ for a person to
// look at (remedy-PRESET-ID.png). A remedy the measurements say cures its
// failure must not show that failure at the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PRESET_NAMES, presets } from '../../js/presets.js';
import { epochOf, open, shots, useBrowser } from './harness.js';

useBrowser();

// remedies the library's figures (npm run figures, seeds 1-5) show do not cure the
// failure on seed 1: they may still show it, and the page must say so honestly
const NOT_A_CURE = new Set(['dead-relu:leaky-relu']);

for (const name of PRESET_NAMES.filter((n) => presets[n].remedies?.length && presets[n].expect)) {
  test(`${name}: each single remedy from a link trains to the preset's length`, async () => {
    const epochs = presets[name].failure.fit.epochs;
    for (const remedy of presets[name].remedies) {
      const { page, problems } = await open(`#preset=${name}:${remedy.id}&play=1&speed=0`);
      await page.waitForFunction((n) => Number(document.getElementById('epoch').textContent) >= n, epochs, { timeout: 90_000 });
      assert.ok((await epochOf(page)) >= epochs);
      await page.waitForTimeout(500); // the last slow report (findings come a few times a second)
      const shown = await page.$$eval('#findings [data-kind]', (els) => els.map((el) => el.dataset.kind));
      if (!NOT_A_CURE.has(`${name}:${remedy.id}`)) assert.ok(!shown.includes(presets[name].expect), `${remedy.label}: ${presets[name].expect} still shown (${shown.join(', ')})`);
      await page.screenshot({ path: `${shots}/remedy-${name}-${remedy.id}.png`, fullPage: true });
      assert.deepEqual(problems, []);
      await page.close();
    }
  });
}
