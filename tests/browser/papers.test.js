// The Papers view (issue 20): a link #paper=ID runs the library's card in a
// worker and draws it: every figure from our runs, and every claim with the
// paper's value, ours and the verdict, as reproduce() returns them; Stop
// stops it; readable projected at 1280×720 and on a phone.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { papers } from '../../js/index.js';
import { open, press, shots, useBrowser } from './harness.js';

useBrowser();

test('#paper=he-2015 runs the card in the page and shows its figures and claims, the paper\'s values beside ours', async () => {
  const { page, problems } = await open('#paper=he-2015', { width: 1280, height: 720 });
  assert.equal(await page.isHidden('#playground'), true, 'the Papers view replaces the playground');
  await page.waitForFunction(() => document.getElementById('papers-view').dataset.done === 'done', null, { timeout: 90_000 });
  const figures = await page.$$eval('#paper-figures .paper-figure', (fs) => fs.map((f) => [f.dataset.figure, Number(f.querySelector('.paper-plot').dataset.series ?? 0)]));
  assert.deepEqual(figures.map(([id]) => id), papers['he-2015'].figures.map((f) => f.id));
  for (const [id, series] of figures) assert.ok(series > 0, `figure ${id} drew ${series} series`);
  const claims = await page.$$eval('#paper-claims tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  assert.ok(claims.length >= 3, `${claims.length} claims`);
  for (const [text, paper, ours, verdict] of claims) {
    assert.ok(text && ours, 'a claim and our value');
    assert.match(paper, /\((text|table|figure), /, 'the paper value says where it stands');
    assert.match(verdict, /^(✓ holds|✗ does not hold here|– not measured)/);
  }
  assert.match(await page.textContent('#paper-status'), /^Seed 1, digits, [\d.]+ s: /);
  assert.match(page.url(), /#paper=he-2015$/);
  await page.screenshot({ path: `${shots}/paper-he-2015.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a card can be stopped; back to the playground; the header button opens the view without running', async () => {
  const { page, problems } = await open('#preset=healthy&speed=0', { width: 390, height: 844 });
  await press(page, '#papers-open');
  assert.equal(await page.isVisible('#papers-view'), true);
  assert.match(await page.textContent('#paper-status'), /Press Run/);
  await page.selectOption('#paper-id', 'klambauer-2017');
  await press(page, '#paper-run');
  await page.waitForFunction(() => document.getElementById('paper-progress').value > 0, null, { timeout: 30_000 });
  await press(page, '#paper-stop');
  await page.waitForFunction(() => document.getElementById('papers-view').dataset.done === 'stopped', null, { timeout: 30_000 });
  assert.match(await page.textContent('#paper-status'), /^Stopped: /);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth <= 1), true, 'no horizontal scrolling on a phone');
  await page.screenshot({ path: `${shots}/paper-phone-stopped.png`, fullPage: true });
  await press(page, '#paper-close');
  assert.equal(await page.isVisible('#playground'), true);
  assert.match(page.url(), /preset=healthy/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an unknown card in a link is named, with the list', async () => {
  const { page } = await open('#paper=nobody-1999');
  assert.match(await page.textContent('#paper-status'), /No paper card "nobody-1999"; the cards are .*he-2015/);
  await page.close();
});
