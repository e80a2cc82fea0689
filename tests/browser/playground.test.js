// The playground in a real browser (Debian's chromium driven by playwright-core),
// served as the static build under its Content-Security-Policy (harness.js).
// Screenshots go to test-output/ for a person to look at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { PRESET_NAMES, presets } from '../../js/presets.js';
import { open, points, seriesCount, shots, useBrowser } from './harness.js';

useBrowser();

test('the page loads with no console errors and runs the SIMD core', async () => {
  const { page, problems } = await open();
  assert.equal(await page.textContent('#core'), 'wasm SIMD');
  assert.equal(await page.title(), "gradscope playground: watch every layer's gradients");
  await page.click('#step');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 1);
  // every control has a label a screen reader can announce, and can take keyboard focus
  const unlabeled = await page.$$eval('input, select, button', (els) =>
    els.filter((el) => !(el.closest('label') || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())) || el.tabIndex < 0).map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabeled, []);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const name of PRESET_NAMES) {
  test(`preset ${name}: one click trains, charts fill, the diagnosis panel names it`, async () => {
    const { page, problems } = await open();
    await page.selectOption('#speed', '0'); // as fast as possible
    await page.click(`#preset-buttons button[data-preset="${name}"]`);
    assert.match(await page.textContent('#preset-text'), new RegExp(presets[name].title));
    const layers = presets[name].failure.config.layers.length;
    const expect = presets[name].expect;
    const epochs = presets[name].failure.fit.epochs;
    await page.waitForFunction((n) => Number(document.getElementById('epoch').textContent) >= n, epochs, { timeout: 60_000 });
    if (expect) await page.waitForSelector(`#findings [data-kind="${expect}"]`, { timeout: 20_000 });
    else await page.waitForSelector('#findings [data-kind="healthy"]', { timeout: 20_000 });
    assert.equal(await seriesCount(page, 'grad-chart'), layers, 'one gradient-norm series per layer');
    assert.ok((await points(page, 'grad-chart')) > 10, 'the gradient chart received data');
    assert.ok((await points(page, 'loss-chart')) > 1, 'the loss chart received data');
    assert.equal(await page.$$eval('#unit-bars .unit-row', (rows) => rows.length), layers);
    await page.screenshot({ path: `${shots}/preset-${name}.png`, fullPage: true });
    if (expect) {
      // the remedy button applies the preset's remedy; its run must not raise the finding
      await page.click(`#findings [data-kind="${expect}"] button.seed`);
      assert.match(page.url(), new RegExp(`preset=${name}(%3A|:)${presets[name].remedy.id}(&|$)`));
      await page.waitForFunction((n) => Number(document.getElementById('epoch').textContent) >= n, epochs, { timeout: 60_000 });
      await page.waitForTimeout(400); // one more slow report (findings come a few times a second)
      assert.equal(await page.$(`#findings [data-kind="${expect}"]`), null, `${expect} still shown after the remedy`);
      await page.screenshot({ path: `${shots}/preset-${name}-remedy.png`, fullPage: true });
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('URL state round-trips: a copied link restores the setup', async () => {
  const { page } = await open();
  await page.selectOption('#dataset', 'xor');
  await page.click('#add-layer');
  await page.fill('#layers [data-layer="2"] [data-field="dropout"]', '0.3');
  await page.press('#layers [data-layer="2"] [data-field="dropout"]', 'Tab');
  await page.selectOption('#layers [data-layer="0"] [data-field="activation"]', 'tanh');
  await page.fill('#learningRate', '0.05');
  await page.press('#learningRate', 'Tab');
  await page.selectOption('#optimizer', 'sgd');
  await page.fill('#momentum', '0.9');
  await page.press('#momentum', 'Tab');
  const hash = new URL(page.url()).hash;
  assert.match(hash, /dataset=xor/);
  assert.match(hash, /optimizer=sgd&learningRate=0\.05&momentum=0\.9/);
  assert.match(decodeURIComponent(hash), /layers=8:tanh::0,8:relu::0,8:relu::0\.3/);
  const copy = await open(hash);
  const read = (p) => p.evaluate(() => ({
    dataset: document.getElementById('dataset').value,
    lr: document.getElementById('learningRate').value,
    optimizer: document.getElementById('optimizer').value,
    momentum: document.getElementById('momentum').value,
    layers: [...document.querySelectorAll('#layers .layer')].map((l) => [...l.querySelectorAll('[data-field]')].map((i) => (i.type === 'checkbox' ? i.checked : i.value)).join('/')),
  }));
  assert.deepEqual(await read(copy.page), await read(page));
  assert.equal(new URL(copy.page.url()).hash, hash);
  await page.close();
  await copy.page.close();
});

test('#preset=NAME&play=1 opens a preset, starts it and stops at its length', async () => {
  const { page } = await open('#preset=dead-relu&play=1');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
  await page.waitForSelector('#findings [data-kind="dead-relu"]', { timeout: 30_000 });
  const epochs = presets['dead-relu'].failure.fit.epochs;
  await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'false', null, { timeout: 30_000 });
  assert.equal(Number(await page.textContent('#epoch')), epochs);
  assert.match(await page.textContent('#status'), new RegExp(`Stopped at epoch ${epochs}: the length of this run`));
  assert.match(await page.textContent('#preset-text'), new RegExp(`Runs ${epochs} epochs`));
  await page.waitForTimeout(500);
  assert.equal(Number(await page.textContent('#epoch')), epochs, 'the preset trained past its length');
  // Play trains on past it, and says so
  await page.click('#play');
  await page.waitForFunction((n) => Number(document.getElementById('epoch').textContent) > n, epochs);
  assert.match(await page.textContent('#status'), /past this run's/);
  await page.close();
});

test('training runs in a worker: the page keeps answering while it trains', async (t) => {
  // no preset: a preset stops at its length, this run must keep training for the whole measurement
  const { page } = await open('#play=1&speed=0&samples=100&noise=0.15&labelNoise=0.2&batchSize=10&layers=128:relu::0,128:relu::0');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 5);
  const m = await page.evaluate(
    () =>
      new Promise((resolve) => {
        // event-loop gaps and frames over 2 s of training
        const frames0 = window.__gradscope.frames;
        const epoch0 = Number(document.getElementById('epoch').textContent);
        let last = performance.now();
        const gaps = [];
        const timer = setInterval(() => {
          const now = performance.now();
          gaps.push(now - last);
          last = now;
        }, 10);
        setTimeout(() => {
          clearInterval(timer);
          gaps.sort((a, b) => a - b);
          resolve({
            medianGapMs: gaps[gaps.length >> 1],
            p95GapMs: gaps[Math.floor(0.95 * gaps.length)],
            worstGapMs: gaps.at(-1),
            fps: (window.__gradscope.frames - frames0) / 2,
            epochsPerSecond: (Number(document.getElementById('epoch').textContent) - epoch0) / 2,
          });
        }, 2000);
      }),
  );
  t.diagnostic(`while training: ${m.fps} frames/s, ${m.epochsPerSecond} epochs/s, 10 ms timer gaps: median ${m.medianGapMs.toFixed(0)} ms, p95 ${m.p95GapMs.toFixed(0)} ms, worst ${m.worstGapMs.toFixed(0)} ms`);
  assert.ok(m.epochsPerSecond > 5, `training advanced ${m.epochsPerSecond} epochs/s`);
  // a 10 ms timer keeps firing on time: training on the main thread would stall it for whole fit calls
  assert.ok(m.medianGapMs < 20, `main thread busy: median timer gap ${m.medianGapMs} ms`);
  assert.ok(m.p95GapMs < 100, `main thread busy: 95th percentile timer gap ${m.p95GapMs} ms`);
  assert.ok(m.fps > 20, `only ${m.fps} frames/s while training`);
  // a control answers at once: pause takes effect while training
  const t0 = Date.now();
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'false');
  assert.ok(Date.now() - t0 < 1000);
  await page.close();
});

test('#simd=0 forces the scalar core, which trains', async () => {
  const { page, problems } = await open('#simd=0&preset=healthy&play=1&speed=0');
  assert.equal(await page.textContent('#core'), 'wasm scalar');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 10);
  assert.deepEqual(problems, []);
  await page.close();
});

test('compare mode overlays a second run; the sweep plots loss against dropout', async () => {
  const { page } = await open('#preset=vanishing-gradients&speed=0');
  await page.selectOption('#compare-with', 'remedy');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 10);
  assert.equal(await seriesCount(page, 'grad-chart'), 18, 'two runs x 9 layers');
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${shots}/compare-vanishing.png`, fullPage: true });
  await page.click('#play');
  await page.fill('#sweep-epochs', '5');
  await page.click('#sweep-run');
  await page.waitForFunction(() => document.getElementById('sweep-status').textContent === 'done', null, { timeout: 60_000 });
  assert.equal(await points(page, 'sweep-chart'), 11);
  await page.close();
});

test('save and load the model; click to add points; keyboard; digits confusion matrix', async () => {
  const { page, problems } = await open('#preset=healthy&speed=0');
  await page.click('#step');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const json = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(json.format, 'gradscope-network');
  await page.setInputFiles('#load', await download.path());
  // the loaded model's setup is built (ready is false from the page's setup until the worker's answer)
  await page.waitForFunction(() => [...document.querySelectorAll('#findings .note')].some((n) => n.textContent.startsWith('Loaded model')) && window.__gradscope.ready);
  // click the decision map: one more training point
  const before = await page.evaluate(() => window.__gradscope.trainSize);
  await page.click('#boundary', { position: { x: 150, y: 150 } });
  await page.waitForFunction((n) => window.__gradscope.trainSize === n + 1, before);
  // space toggles play when focus is on the page
  await page.click('h1');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'true');
  await page.keyboard.press(' ');
  await page.selectOption('#dataset', 'digits');
  await page.click('#step');
  await page.waitForSelector('#confusion table', { timeout: 20_000 });
  assert.match(await page.textContent('#confusion caption'), /Confusion matrix, test set: \d+\/\d+ correct/);
  await page.screenshot({ path: `${shots}/digits.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('readable on a phone: no horizontal scrolling', async () => {
  const { page } = await open('#preset=vanishing-gradients&play=1', { width: 390, height: 844 });
  await page.waitForTimeout(1500);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: `${shots}/phone.png`, fullPage: false });
  assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
  await page.close();
});

test('CSV upload: a numeric CSV with a header trains as a classification task', async () => {
  const { page, problems } = await open('#speed=0');
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 120; i++) {
    const a = Math.sin(i * 1.3);
    const b = Math.cos(i * 0.7);
    rows.push(`${a.toFixed(3)},${b.toFixed(3)},${(a * b).toFixed(3)},${a + b > 0 ? 'yes' : 'no'}`.replace(/yes|no/, (w) => (w === 'yes' ? '1' : '0')));
  }
  await page.selectOption('#dataset', 'csv');
  await page.setInputFiles('#csv-file', { name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await page.waitForFunction(() => window.__gradscope.trainSize === 60); // 120 rows, test share 0.5
  await page.click('#step');
  await page.waitForSelector('#confusion table');
  assert.equal(await page.$eval('#csv-column', (s) => s.selectedOptions[0].textContent), 'label');
  const bad = await open('#speed=0');
  await bad.page.selectOption('#dataset', 'csv');
  await bad.page.setInputFiles('#csv-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('x,label\n1,0\n2\n3,1') });
  await bad.page.waitForSelector('#findings .error');
  assert.match(await bad.page.textContent('#findings .error'), /row 3 has 1 cells; expected 2/);
  assert.deepEqual(problems, []);
  await page.close();
  await bad.page.close();
});
