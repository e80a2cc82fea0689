// Loading the core: SIMD detection and override, bytes / URL sources, and a
// clear error when what arrives is not wasm (an HTML 404 page, say).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { test } from 'node:test';

import { createNetwork, loadCore, simdSupported } from '../../js/index.js';

const wasmUrl = (variant) => new URL(`../../dist/gradscope_${variant}.wasm`, import.meta.url);

test('SIMD is detected on Node 20 and can be overridden', async () => {
  assert.equal(simdSupported(), true);
  assert.equal((await loadCore()).simd, true);
  assert.equal((await loadCore({ simd: false })).simd, false);
  await assert.rejects(loadCore({ simd: 'yes' }), /loadCore: simd is "yes"; expected true, false or undefined/);
});

test('the SIMD build uses SIMD instructions and the scalar build validates without them', async () => {
  const simd = await readFile(wasmUrl('simd'));
  const scalar = await readFile(wasmUrl('scalar'));
  // 0xfd is the SIMD opcode prefix; the scalar module must not need SIMD at all
  assert.ok(simd.includes(Buffer.from([0xfd, 0x0c])) || simd.includes(Buffer.from([0xfd, 0x00])), 'no v128 ops in the SIMD build');
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(scalar));
  assert.deepEqual(imports.map((i) => `${i.module}.${i.name}`), ['env.emscripten_notify_memory_growth']);
});

test('wasm bytes can be passed in; networks on them train', async () => {
  const bytes = await readFile(wasmUrl('scalar'));
  const net = await createNetwork({ inputs: 1, layers: [{ units: 1 }] }, { wasm: bytes, simd: false });
  assert.ok(Number.isFinite(net.trainStep(Float32Array.of(1, 2), Float32Array.of(1, 2)).loss));
  net.dispose();
});

test('bytes that are not wasm give an error that says so', async () => {
  const html = new TextEncoder().encode('<!DOCTYPE html><html><body>404 Not Found</body></html>');
  await assert.rejects(
    loadCore({ wasm: html }),
    /gradscope: the wasm bytes passed in `wasm` is not a WebAssembly module \(got text starting "<!DOCTYPE html><html><body>404 Not Found/,
  );
  await assert.rejects(loadCore({ wasm: new URL('file:///nonexistent/gradscope.wasm') }), /gradscope: cannot read \/nonexistent\/gradscope\.wasm/);
});

test('over HTTP: a 404 and an HTML page served as 200 both give clear errors; a real file loads', async (t) => {
  const wasm = await readFile(wasmUrl('simd'));
  const server = createServer((req, res) => {
    if (req.url === '/core.wasm') {
      res.writeHead(200, { 'content-type': 'application/wasm' });
      res.end(wasm);
    } else if (req.url === '/spa.wasm') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>app</title>');
    } else {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;
  await assert.rejects(loadCore({ wasm: `${base}/missing.wasm` }), /fetching http:\/\/127\.0\.0\.1:\d+\/missing\.wasm failed with HTTP 404/);
  await assert.rejects(loadCore({ wasm: `${base}/spa.wasm` }), /spa\.wasm is not a WebAssembly module \(got text starting "<!doctype html><title>app<\/title>"\)/);
  const core = await loadCore({ wasm: new URL(`${base}/core.wasm`) });
  assert.equal(typeof core.exports.gs_net_create, 'function');
});
