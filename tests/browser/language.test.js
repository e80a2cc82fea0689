// The page speaks the library's whole language (issue 18): model files saved
// by the library with options the first page could not show are shown as they
// are, linked, reset, stepped and saved without a change; the walk's findings
// (notes that pile up, a seed remedy per finding, the regression card, the
// phone layout) each have a check here.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { createNetwork } from '../../js/index.js';
import { open, press, shots, upload, useBrowser } from './harness.js';

useBrowser();

const FILES = {
  'adamw-layernorm': { inputs: 2, layers: [{ units: 8, activation: 'gelu', layerNorm: true }, { units: 8, activation: 'elu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'adamw', learningRate: 0.003, weightDecay: 0.05 }, seed: 3 },
  'rmsprop-centered': { inputs: 2, layers: [{ units: 6, activation: 'silu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true } },
  'nesterov-0.5': { inputs: 2, layers: [{ units: 6, activation: 'selu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.5, nesterov: true } },
  'adam-cosine-l1': { inputs: 2, layers: [{ units: 6, activation: 'tanh', batchNorm: true }, { units: 1 }], loss: 'bce', optimizer: { type: 'adam', learningRate: 0.01, l1: 1e-4, schedule: { warmupSteps: 100, decay: 'cosine', decaySteps: 1000, minLearningRate: 1e-4 } } },
};

/** what the controls show, read from the page */
const shown = (page) =>
  page.evaluate(() => {
    const v = (id) => document.getElementById(id);
    const field = (id) => (v(id).closest('[data-field]')?.hidden ? null : v(id).type === 'checkbox' ? v(id).checked : v(id).value);
    return {
      optimizer: field('optimizer'),
      learningRate: field('learningRate'),
      momentum: field('momentum'),
      nesterov: field('nesterov'),
      centered: field('centered'),
      weightDecay: field('weightDecay'),
      l1: field('l1'),
      decay: field('decay'),
      warmupSteps: field('warmupSteps'),
      advancedOpen: v('advanced').open,
      layers: [...document.querySelectorAll('#layers .layer')].map((l) => ['activation', 'norm'].map((f) => l.querySelector(`[data-field="${f}"]`).value).join(':')),
    };
  });

test('model files with every optimizer kind, layer norm and a schedule: shown as they are, and unchanged after Reset, Step, Save and the link', async () => {
  const { page, problems } = await open('#speed=0');
  for (const [name, config] of Object.entries(FILES)) {
    const net = await createNetwork(config);
    const saved = net.toJSON();
    const normalized = net.config;
    net.dispose();
    const path = `${shots}/language-${name}.json`;
    writeFileSync(path, JSON.stringify(saved));
    await page.setInputFiles('#load', path);
    await page.waitForFunction((n) => document.querySelector('#findings .note')?.textContent.includes(`Loaded model "language-${n}.json"`), name);
    const controls = await shown(page);
    const o = normalized.optimizer;
    assert.equal(controls.optimizer, o.type, name);
    assert.equal(Number(controls.learningRate), o.learningRate, name);
    assert.equal(controls.momentum === null ? null : Number(controls.momentum), o.momentum ?? null, `${name} momentum`);
    assert.equal(controls.nesterov, o.type === 'sgd' ? o.nesterov : null, `${name} nesterov`);
    assert.equal(controls.centered, o.type === 'rmsprop' ? o.centered : null, `${name} centered`);
    assert.equal(Number(controls.l1), o.l1, `${name} l1`);
    assert.equal(controls.decay, o.schedule?.decay ?? 'none', `${name} decay`);
    assert.deepEqual(controls.layers, normalized.layers.map((l) => `${l.activation}:${l.batchNorm ? 'batchNorm' : l.layerNorm ? 'layerNorm' : ''}`), `${name} layers`);
    assert.equal(controls.advancedOpen, !!(o.nesterov || o.centered || o.l1 || o.schedule), `${name}: the advanced group opens by itself when the setup uses it`);
    assert.equal(await page.$$eval('#findings .note', (n) => n.filter((e) => e.textContent.startsWith('Loaded model')).length), 1, 'one "Loaded model" note: the one of this setup');

    // the page's own link opens the same setup, with nothing refused
    const link = await open(new URL(page.url()).hash);
    assert.deepEqual(await shown(link.page), { ...controls, advancedOpen: controls.advancedOpen });
    assert.equal(await link.page.$$eval('#findings .note', (n) => n.map((e) => e.textContent).join(' ')), '');
    await link.page.close();

    // Reset, Step, Save: the saved model's config is the one loaded
    await press(page, '#reset');
    await press(page, '#step');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) === 1, null, { timeout: 20_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const after = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.deepEqual(after.config, normalized, `${name} after Reset, Step and Save`);
  }
  await page.screenshot({ path: `${shots}/language-loaded.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a model file the page cannot show is refused with a sentence naming it, and the setup stays', async () => {
  const { page } = await open('#speed=0');
  const net = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'relu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'sgd', learningRate: 25 } });
  const path = `${shots}/language-lr25.json`;
  writeFileSync(path, JSON.stringify(net.toJSON()));
  net.dispose();
  const before = page.url();
  await page.setInputFiles('#load', path);
  await page.waitForSelector('#findings .error');
  assert.match(await page.textContent('#findings .error'), /the page cannot show this model: its optimizer\.learningRate is 25/);
  assert.equal(page.url(), before);
  await page.close();
});

test('the exploding preset: one seed remedy per finding, and applying any keeps the run to the preset length', async () => {
  const { page } = await open('#preset=exploding-gradients&speed=0&play=1');
  await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'false', null, { timeout: 60_000 });
  const perFinding = await page.$$eval('#findings .finding', (fs) => fs.map((f) => [f.dataset.kind, f.querySelectorAll('button.seed').length, f.querySelectorAll('button').length]));
  assert.ok(perFinding.length >= 1, JSON.stringify(perFinding));
  for (const [kind, seeds] of perFinding) assert.equal(seeds, 1, `${kind}: one remedy marked the seed's`);
  // the first button of the first finding (the non-finite one, when raised)
  await press(page, '#findings .finding button.apply');
  await page.waitForFunction(() => document.getElementById('play').getAttribute('aria-pressed') === 'false' && /Stopped at epoch/.test(document.getElementById('status').textContent), null, { timeout: 60_000 });
  assert.equal(Number(await page.textContent('#epoch')), 20, 'the remedied run stops at the preset length');
  assert.match(page.url(), /epochs=20/);
  await page.close();
});

test('a note belongs to its setup: an applied remedy is not shown after another preset opens', async () => {
  const { page } = await open('#preset=vanishing-gradients&speed=0&play=1');
  await page.waitForSelector('#findings [data-kind="vanishing-gradients"] button.seed', { timeout: 60_000 });
  await press(page, '#findings [data-kind="vanishing-gradients"] button.seed');
  await page.waitForFunction(() => [...document.querySelectorAll('#findings .note')].some((n) => n.textContent.startsWith('Applied "ReLU"')));
  await press(page, '#preset-buttons [data-preset="overfitting"]');
  await page.waitForFunction(() => window.__gradscope.ready && document.getElementById('dataset').value === 'circle');
  assert.equal(await page.$$eval('#findings .note', (n) => n.filter((e) => e.textContent.includes('Applied')).length), 0);
  await page.close();
});

test('a regression CSV after a classification CSV: the card shows predicted against true, not an empty confusion matrix', async () => {
  const { page } = await open('#speed=0');
  await page.selectOption('#dataset', 'csv');
  const rows = (f) => ['a,b,c,y', ...Array.from({ length: 80 }, (_, i) => [i % 7, (i * 3) % 5, i % 2, f(i)].join(','))].join('\n');
  await upload(page, '#csv-file', 'classes.csv', rows((i) => (i % 2 ? 'yes' : 'no')));
  await page.waitForFunction(() => document.getElementById('map-card').dataset.kind === 'confusion');
  await upload(page, '#csv-file', 'prices.csv', rows((i) => 1000 + 37 * i));
  await page.waitForFunction(() => document.getElementById('map-card').dataset.kind === 'scatter', null, { timeout: 20_000 });
  await press(page, '#step');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) === 1, null, { timeout: 20_000 });
  assert.equal(await page.textContent('#map-title'), 'Predicted vs true (test set)');
  assert.equal(await page.isHidden('#confusion'), true);
  assert.doesNotMatch(await page.textContent('#map-explain'), /class/);
  await page.screenshot({ path: `${shots}/language-regression-csv.png` });
  await page.close();
});

test('slow motion prints the loss formatted, however large', async () => {
  const { page } = await open('#preset=exploding-gradients&speed=-20&play=1');
  await page.waitForFunction(() => Number(document.getElementById('step-count').textContent) >= 5, null, { timeout: 20_000 });
  const loss = await page.textContent('#train-loss');
  assert.match(loss, /^(–|NaN|Infinity|-?\d+\.\d{4}|-?\d\.\d{3}e[+-]\d+)$/, loss);
  await page.close();
});

test('a comparison names each layer once in the gradient legend', async () => {
  const { page } = await open('#preset=vanishing-gradients&speed=0&compare=remedy');
  await page.waitForFunction(() => document.querySelector('#grad-chart .u-legend'));
  const visible = await page.$$eval('#grad-chart .u-legend .u-series', (rows) => rows.filter((r) => !r.hidden).length);
  assert.equal(visible, 1 + 9, 'the step and the 9 layers, not 2 × 9');
  await page.close();
});

test('phone 390×844: every remedy button and its measured effect fit the screen; the sticky bar stays small', async () => {
  const { page } = await open('#preset=dead-relu&speed=0&play=1', { width: 390, height: 844 });
  await page.waitForSelector('#findings [data-kind="dead-relu"] button.seed', { timeout: 60_000 });
  const boxes = await page.$$eval('#findings .remedy-option button, #findings .measured', (els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.right]));
  for (const [left, right] of boxes) assert.ok(left >= 0 && right <= 390, `${left}..${right} within 390 px`);
  const bar = await page.$eval('.transport', (e) => e.getBoundingClientRect().height);
  assert.ok(bar <= 0.2 * 844, `the sticky bar is ${bar} px high`);
  await page.screenshot({ path: `${shots}/language-phone.png`, fullPage: true });
  await page.close();
});

test('the keys s and r work after a mouse press on a button (the button keeps focus)', async () => {
  const { page } = await open('#speed=0');
  await press(page, '#step');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) === 1, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'step');
  await page.keyboard.press('s');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) === 2, null, { timeout: 20_000 });
  await page.keyboard.press('r');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) === 0, null, { timeout: 20_000 });
  await page.close();
});
