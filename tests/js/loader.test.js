// Loading the core: SIMD detection and override, bytes / URL sources, and a
// clear error when what arrives is not wasm (an HTML 404 page, say).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { test } from 'node:test';

import { EXPORTS } from '../../js/contract.js';
import { createNetwork, loadCore, setWasmPaths, simdSupported } from '../../js/index.js';

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

test('net.simd tells the truth for bytes passed in; a contradiction or an unnamed Module is refused', async () => {
  const { declaresSimd } = await import('../../js/loader.js');
  const simd = await readFile(wasmUrl('simd'));
  const scalar = await readFile(wasmUrl('scalar'));
  assert.equal(declaresSimd(simd), true);
  assert.equal(declaresSimd(scalar), false);
  const a = await createNetwork({ inputs: 1, layers: [{ units: 1 }] }, { wasm: new Uint8Array(scalar) });
  const b = await createNetwork({ inputs: 1, layers: [{ units: 1 }] }, { wasm: new Uint8Array(simd) });
  assert.equal(a.simd, false);
  assert.equal(b.simd, true);
  a.dispose();
  b.dispose();
  await assert.rejects(loadCore({ wasm: new Uint8Array(scalar), simd: true }), /loadCore: simd is true but the wasm passed in is the scalar build/);
  const module = new WebAssembly.Module(scalar);
  await assert.rejects(loadCore({ wasm: module }), /wasm is a WebAssembly\.Module, whose build cannot be read back; pass simd: true .* or false/);
  assert.equal((await loadCore({ wasm: module, simd: false })).simd, false);
});

test('one core per URL, per bytes and per module: networks share it', async () => {
  const bytes = new Uint8Array(await readFile(wasmUrl('scalar')));
  assert.equal(await loadCore({ wasm: bytes }), await loadCore({ wasm: bytes }));
  const url = wasmUrl('scalar');
  assert.equal(await loadCore({ wasm: url }), await loadCore({ wasm: url.href }));
  const module = new WebAssembly.Module(bytes);
  assert.equal(await loadCore({ wasm: module, simd: false }), await loadCore({ wasm: module, simd: false }));
});

test('setWasmPaths: a folder or per-file URLs; the scalar build when only the SIMD file is missing; errors name every URL and the fix', async (t) => {
  const simd = await readFile(wasmUrl('simd'));
  const scalar = await readFile(wasmUrl('scalar'));
  const hits = [];
  const server = createServer((req, res) => {
    hits.push(req.url);
    const file = { '/full/gradscope_simd.wasm': simd, '/full/gradscope_scalar.wasm': scalar, '/half/gradscope_scalar.wasm': scalar }[req.url];
    if (file) {
      res.writeHead(200, { 'content-type': 'application/wasm' });
      res.end(file);
    } else {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not Found</h1>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.close();
    setWasmPaths(null);
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  setWasmPaths(`${base}/full`);
  const full = await loadCore();
  assert.equal(full.simd, true);
  assert.equal(await loadCore(), full, 'fetched and compiled once');
  assert.deepEqual(hits, ['/full/gradscope_simd.wasm']);
  setWasmPaths(`${base}/half/`);
  const half = await loadCore();
  assert.equal(half.simd, false, 'scalar fallback');
  await assert.rejects(loadCore({ simd: true }), (err) => {
    assert.match(err.message, /gradscope: cannot load the WebAssembly core: fetching http:\/\/127\.0\.0\.1:\d+\/half\/gradscope_simd\.wasm failed with HTTP 404/);
    assert.match(err.message, /optimizeDeps: \{ exclude: \['gradscope'\] \}/);
    assert.match(err.message, /setWasmPaths\('\/their\/folder\/'\)/);
    assert.match(err.message, /npm run build/);
    return true;
  });
  setWasmPaths({ simd: `${base}/none.wasm`, scalar: `${base}/none2.wasm` });
  await assert.rejects(loadCore(), /fetching http:\S+\/none\.wasm failed with HTTP 404; fetching http:\S+\/none2\.wasm failed with HTTP 404/);
  assert.throws(() => setWasmPaths({ wasm: 'x' }), /setWasmPaths: unknown key "wasm"; expected simd, scalar, relaxed, threads or digits/);
  assert.throws(() => setWasmPaths('relative/'), /setWasmPaths: the folder is "relative\/"; expected an absolute URL/);
  assert.throws(() => setWasmPaths(5), /setWasmPaths: got 5/);
  setWasmPaths(null);
  assert.equal((await loadCore()).simd, true);
});

test("asset URLs: Vite's pre-bundle folder maps back to the package; a missing packaged file names npm run build", async () => {
  const { assetCandidates } = await import('../../js/loader.js');
  const [url] = assetCandidates('simd', () => new URL('../dist/gradscope_simd.wasm', 'http://localhost:5173/node_modules/.vite/deps/gradscope.js?v=1234'));
  assert.equal(url.href, 'http://localhost:5173/node_modules/gradscope/dist/gradscope_simd.wasm');
  const { fetchAsset } = await import('../../js/loader.js');
  await assert.rejects(
    fetchAsset('simd', () => new URL('file:///nowhere/dist/gradscope_simd.wasm'), () => null, 'the WebAssembly core'),
    /gradscope: cannot load the WebAssembly core: cannot read \/nowhere\/dist\/gradscope_simd\.wasm \(ENOENT\)\. .*In a git checkout without dist\/, run `npm run build`/,
  );
});

// issue 19: own, known keys only; a foreign module is named as not a gradscope build

test('setWasmPaths takes own, known keys only (not constructor, toString, hasOwnProperty)', () => {
  try {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      const where = JSON.parse(`{ ${JSON.stringify(key)}: "https://example.com/x.wasm" }`);
      assert.throws(() => setWasmPaths(where), new RegExp(`^Error: setWasmPaths: unknown key "${key}"; expected simd, scalar, relaxed, threads or digits$`), key);
    }
    // an inherited known key is not one of its own: nothing is taken from the prototype
    setWasmPaths(Object.create({ simd: 'https://example.com/inherited.wasm' }));
  } finally {
    setWasmPaths(null);
  }
});

test('a foreign wasm module is refused as not a gradscope build, naming what it lacks', async () => {
  // (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  const foreign = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0,
    32, 1, 106, 11,
  ]);
  assert.equal(WebAssembly.validate(foreign), true);
  const n = EXPORTS.length;
  const message = new RegExp(`^Error: gradscope: the wasm bytes passed in \`wasm\` is not a gradscope build: it lacks memory and ${n} of the ${n} functions the core needs \\(gs_net_create, gs_net_add_layer, gs_net_set_init, \\.\\.\\.\\); expected gradscope_simd\\.wasm, gradscope_scalar\\.wasm, gradscope_relaxed\\.wasm or gradscope_threads\\.wasm$`);
  await assert.rejects(loadCore({ wasm: foreign }), message);
  await assert.rejects(createNetwork({ inputs: 2, layers: [{ units: 1 }] }, { wasm: foreign.slice() }), message);
  await assert.rejects(loadCore({ wasm: new WebAssembly.Module(foreign), simd: false }), /^Error: gradscope: the WebAssembly\.Module passed in `wasm` is not a gradscope build: it lacks memory and/);
  // a real build still loads
  assert.equal((await loadCore({ wasm: await readFile(wasmUrl('scalar')) })).simd, false);
});
