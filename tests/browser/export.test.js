// The page exports the trained network as a runnable PyTorch script (issue 12 §4).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { open, useBrowser } from './harness.js';

useBrowser();

test('Export to PyTorch downloads a script with the same layers and weights', async () => {
  const { page, problems } = await open('#preset=dead-relu:lr-div10&speed=0&play=1');
  await page.waitForFunction(() => Number(document.getElementById('epoch').textContent) >= 3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-pytorch')]);
  assert.equal(download.suggestedFilename(), 'gradscope-model.py');
  const script = readFileSync(await download.path(), 'utf8');
  assert.match(script, /^import torch$/m);
  assert.match(script, /nn\.Sequential|torch\.nn\.Sequential/);
  assert.match(script, /nn\.ReLU|torch\.nn\.ReLU/);
  assert.deepEqual(problems, []);
  await page.close();
});
