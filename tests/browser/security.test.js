// Untrusted content never becomes markup. Markup is fed through every input
// path of the page — CSV header, cells and class labels, the file name, each
// field of a model file, every URL-hash key and value, library error messages —
// and no script may run (window.__pwned stays undefined), no element may appear,
// no Content-Security-Policy violation may happen (harness.js fails the test on
// one), and the text must show literally where the page shows it.
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';

import { createServer } from 'vite';

import { createNetwork } from '../../js/index.js';
import { CSP, CSP_DEV } from '../../vite.config.js';
import { base, open, root, shots, upload, useBrowser, violations } from './harness.js';

useBrowser();

const PAYLOADS = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=1</script>', '"><svg onload="window.__pwned=1">'];

/** nothing ran, no element was made from the payloads, no inline handler exists */
async function assertSafe(page, where) {
  const found = await page.evaluate(() => ({
    pwned: window.__pwned,
    elements: [...document.querySelectorAll('img, svg, iframe, object, embed, base, form')].map((e) => e.outerHTML.slice(0, 80)),
    inlineScripts: [...document.scripts].filter((s) => !s.src).length,
    handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`)),
  }));
  assert.deepEqual(found, { pwned: undefined, elements: [], inlineScripts: 0, handlers: [] }, where);
}

const textOf = (page, selector) => page.$eval(selector, (el) => el.textContent);
const errorsText = (page) => page.$$eval('#findings .error, #findings .note, #status', (els) => els.map((e) => e.textContent).join('\n'));
/** error and note paragraphs hold text only */
const messageElements = (page) => page.$$eval('#findings .messages *, #status *, #csv-note *', (els) => els.filter((e) => e.children.length).length);

test('the built page and the preview server carry the Content-Security-Policy, and it is enforced', async () => {
  const response = await fetch(base);
  const header = response.headers.get('content-security-policy');
  assert.ok(header.startsWith(CSP), `header: ${header}`);
  for (const part of ["script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self' blob:", "style-src 'self';", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "default-src 'self'"]) assert.ok(`${CSP};`.includes(part), part);
  const html = await response.text();
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; script-src &#39;self&#39; &#39;wasm-unsafe-eval&#39;/);
  assert.doesNotMatch(html.replace(/<script type="module" crossorigin src="[^"]+"><\/script>/, ''), /<script/, 'no inline script in the built page');
  assert.doesNotMatch(html, /<style|style="/, 'no inline style in the built page');
  const { page, problems } = await open();
  await page.click('#step');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 1);
  assert.deepEqual(problems, []);
  assert.deepEqual(violations, [], 'the page itself runs without a violation');
  // the policy is live: an inline script added at run time is refused and reported
  await page.evaluate(() => document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.__pwned = 1' })));
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.ok(violations.some((v) => /script-src/.test(v)), `expected a script-src violation, got ${JSON.stringify(violations)}`);
  violations.splice(0); // that one was made on purpose
  // the training worker gets the policy with its script (the header), and reports a violation to the page
  const [worker] = page.workers();
  const loaded = await worker.evaluate(() => import('data:text/javascript,self.__pwned=1').then(() => true, () => false));
  assert.equal(loaded, false, 'the worker imported a data: script');
  await page.waitForFunction(() => true);
  await page.waitForTimeout(200);
  assert.ok(violations.some((v) => /violation in a training worker: script-src/.test(v)), `expected the worker's violation, got ${JSON.stringify(violations)}`);
  violations.splice(0);
  await page.close();
});

test('the dev server sends its policy (inline style allowed for Vite only) and the page runs under it', async () => {
  const server = await createServer({ configFile: `${root}vite.config.js`, server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  await server.listen();
  try {
    const url = server.resolvedUrls.local[0];
    const header = (await fetch(url)).headers.get('content-security-policy');
    assert.ok(header.startsWith(CSP_DEV), `header: ${header}`);
    assert.match(CSP_DEV, /style-src 'self' 'unsafe-inline'/);
    const { page, problems } = await open(url);
    await page.click('#step');
    await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 1, null, { timeout: 30_000 });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await server.close();
  }
});

test('CSV header names, cells, class labels and the file name show as text', async () => {
  const { page } = await open('#speed=0');
  await page.selectOption('#dataset', 'csv');
  // header: every column name is markup; the label column (the last) holds 0/1
  const rows = [PAYLOADS.join(',')];
  for (let i = 0; i < 80; i++) rows.push(`${Math.sin(i).toFixed(3)},${Math.cos(i).toFixed(3)},${i % 2}`);
  await upload(page, '#csv-file', `${PAYLOADS[0]}.csv`, rows.join('\n'));
  await page.waitForFunction(() => window.__gradscope.trainSize === 40);
  assert.deepEqual(await page.$$eval('#csv-column option', (os) => os.map((o) => o.textContent)), PAYLOADS);
  const note = await textOf(page, '#csv-note');
  assert.ok(note.includes(`"${PAYLOADS[0]}.csv"`), `file name shown literally: ${note}`);
  assert.ok(note.includes(`label column "${PAYLOADS[2]}"`), note);
  await assertSafe(page, 'CSV header and file name');

  // class labels: three classes named by markup, shown in the confusion table
  const labelled = ['x,y,label'];
  for (let i = 0; i < 90; i++) labelled.push(`${Math.sin(i).toFixed(3)},${Math.cos(i * 0.3).toFixed(3)},${PAYLOADS[i % 3]}`);
  await upload(page, '#csv-file', 'labels.csv', labelled.join('\n'));
  await page.waitForFunction(() => window.__gradscope.trainSize === 45);
  await page.click('#step');
  await page.waitForSelector('#confusion table');
  const heads = await page.$$eval('#confusion th[scope="col"]', (ths) => ths.slice(1).map((t) => t.textContent));
  assert.deepEqual(heads, [...PAYLOADS].sort());
  const legend = await textOf(page, '#map-explain');
  for (const p of PAYLOADS) assert.ok(legend.includes(p), `the map legend names class ${p} as text: ${legend}`);
  assert.match(await textOf(page, '#csv-note'), /classification, 3 classes \(the label column holds text\)/);
  await page.screenshot({ path: `${shots}/security-csv-labels.png`, fullPage: true });
  await assertSafe(page, 'CSV class labels');

  // a cell that is markup: the library-style message quotes it as text
  for (const [i, p] of PAYLOADS.entries()) {
    await upload(page, '#csv-file', `cell${i}.csv`, `a,b,label\n1,2,0\n${p},3,1\n4,5,0`);
    await page.waitForFunction((name) => document.querySelector('#findings .error')?.textContent.includes(name), `cell${i}.csv`);
    const text = await textOf(page, '#findings .error');
    assert.ok(text.includes(`row 3, column "a" is ${JSON.stringify(p)}; expected a number`), text);
  }
  // a label column with one value, named by markup: the message names the column as text
  await upload(page, '#csv-file', 'one.csv', `a,${PAYLOADS[1]}\n1,7\n2,7\n3,7`);
  await page.waitForFunction(() => document.querySelector('#findings .error')?.textContent.includes('one.csv'));
  assert.ok((await textOf(page, '#findings .error')).includes(`column "${PAYLOADS[1]}" has 1 distinct value`));
  assert.equal(await messageElements(page), 0);
  await assertSafe(page, 'CSV cells and library messages');
  await page.close();
});

/** every field of a model file replaced by markup, one file per field */
function modelVariants(json) {
  const variants = [];
  const walk = (value, path) => {
    if (Array.isArray(value)) value.slice(0, 2).forEach((v, i) => walk(v, [...path, i]));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    if (path.length) variants.push(path);
  };
  walk(json, []);
  return variants.map((path, i) => {
    const copy = structuredClone(json);
    let at = copy;
    for (const key of path.slice(0, -1)) at = at[key];
    at[path.at(-1)] = PAYLOADS[i % PAYLOADS.length];
    return { path: path.join('.'), text: JSON.stringify(copy) };
  });
}

test('each field of a loaded model file, its keys and its name show as text', async () => {
  const net = await createNetwork({ inputs: 2, layers: [{ units: 3, activation: 'relu' }, { units: 1 }], loss: 'bce', optimizer: { type: 'adam', learningRate: 0.01 }, seed: 1 });
  const json = net.toJSON();
  net.dispose();
  json.parameters = json.parameters.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.slice(0, 4)]))); // short: the walk visits a few numbers per array
  const variants = modelVariants(json);
  variants.push({ path: 'extra key', text: JSON.stringify({ ...json, [PAYLOADS[0]]: PAYLOADS[1], config: { ...json.config, [PAYLOADS[2]]: 1 } }) });
  variants.push({ path: 'not JSON', text: `${PAYLOADS[1]} {` });
  const { page } = await open('#speed=0');
  for (const [i, v] of variants.entries()) {
    const name = `m${i}-${PAYLOADS[i % PAYLOADS.length]}.json`;
    await upload(page, '#load', name, v.text, 'application/json');
    await page.waitForFunction((n) => document.getElementById('findings').textContent.includes(`"${n}"`), name, { timeout: 10_000 });
    const text = await errorsText(page);
    assert.ok(text.includes(`"${name}"`), `${v.path}: the file name shown literally`);
    await assertSafe(page, `model field ${v.path}`);
  }
  assert.equal(await messageElements(page), 0);
  await page.screenshot({ path: `${shots}/security-model.png` });
  await page.close();
});

const HASH_KEYS = ['dataset', 'loss', 'init', 'optimizer', 'samples', 'noise', 'testRatio', 'labelNoise', 'initStd', 'learningRate', 'weightDecay', 'clipNorm', 'batchSize', 'seed', 'speed', 'histogramEvery', 'layers', 'preset', 'play', 'simd', 'compare', 'standardize'];

test('every URL-hash key and value shows as text in the "ignored" note', async () => {
  for (const p of PAYLOADS) {
    const params = new URLSearchParams();
    for (const key of HASH_KEYS) params.set(key, p);
    params.set(p, p); // an unknown key that is markup
    const { page } = await open(`#${params.toString()}`);
    const note = await textOf(page, '#findings .note');
    for (const key of HASH_KEYS) assert.ok(note.includes(`${key}=${p}`), `${key}: ${note}`);
    assert.ok(note.includes(`${p}=${p}`), note);
    await assertSafe(page, `hash ${p}`);
    // the same through a hash change on an open page
    await page.evaluate((h) => (location.hash = h), `#dataset=xor&${encodeURIComponent(p)}=${encodeURIComponent(p)}`);
    await page.waitForFunction((t) => [...document.querySelectorAll('#findings .note')].some((n) => n.textContent.includes(t)), `${p}=${p}`);
    assert.equal(await page.$eval('#dataset', (s) => s.value), 'xor');
    assert.equal(await messageElements(page), 0);
    await assertSafe(page, `hash change ${p}`);
    if (p === PAYLOADS[0]) await page.screenshot({ path: `${shots}/security-hash.png` });
    await page.close();
  }
});

test('file size limits: a CSV over 20 MB and a model over 50 MB are refused unread, with sizes', async () => {
  const make = (path, size) => {
    const fd = openSync(path, 'w');
    ftruncateSync(fd, size);
    closeSync(fd);
    return path;
  };
  const { page } = await open('#speed=0');
  await page.selectOption('#dataset', 'csv');
  await page.setInputFiles('#csv-file', make('/tmp/gradscope-big.csv', 20 * 1024 * 1024 + 1));
  await page.waitForSelector('#findings .error');
  assert.equal(await textOf(page, '#findings .error'), 'CSV file "gradscope-big.csv" is 20,971,521 bytes (20.0 MB); the limit is 20,971,520 bytes (20 MB). Nothing was read.');
  await page.setInputFiles('#load', make('/tmp/gradscope-big.json', 50 * 1024 * 1024 + 1));
  await page.waitForFunction(() => document.querySelector('#findings .error').textContent.includes('Model file'));
  assert.equal(await textOf(page, '#findings .error'), 'Load model: Model file "gradscope-big.json" is 52,428,801 bytes (50.0 MB); the limit is 52,428,800 bytes (50 MB). Nothing was read.');
  // Play has nothing to train after the refused CSV
  await page.click('#play');
  await page.waitForTimeout(300);
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
  assert.equal(await textOf(page, '#epoch'), '0');
  await page.close();
});

test('a large CSV parses in the worker: the page keeps answering', async (t) => {
  const rows = ['a,b,c,label'];
  for (let i = 0; i < 300_000; i++) rows.push(`${(Math.sin(i) * 3).toFixed(4)},${(Math.cos(i * 0.7) * 2).toFixed(4)},${((i % 97) / 97).toFixed(4)},${i % 3}`);
  const path = '/tmp/gradscope-large.csv';
  writeFileSync(path, rows.join('\n'));
  const { page } = await open('#speed=0');
  await page.selectOption('#dataset', 'csv');
  const watch = page.evaluate(
    () =>
      new Promise((resolve) => {
        let last = performance.now();
        let worst = 0;
        const t0 = last;
        const timer = setInterval(() => {
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
          if (window.__gradscope.trainSize === 150_000) {
            clearInterval(timer);
            resolve({ worst, ms: now - t0 });
          }
        }, 10);
      }),
  );
  await page.setInputFiles('#csv-file', path);
  const m = await watch;
  t.diagnostic(`${(rows.join('\n').length / 1e6).toFixed(1)} MB CSV, 300,000 rows: ready after ${m.ms.toFixed(0)} ms, longest main-thread gap ${m.worst.toFixed(0)} ms`);
  assert.ok(m.worst < 250, `the main thread stalled ${m.worst.toFixed(0)} ms`);
  assert.match(await textOf(page, '#csv-note'), /300000 rows, 3 features/);
  await page.close();
});
