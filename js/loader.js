// Loads and instantiates the gradscope WebAssembly core: SIMD when the engine
// supports it (or as told), the scalar build otherwise. Works in browsers,
// workers and Node.js (fs). The `new URL(..., import.meta.url)` expressions are
// literal so bundlers (webpack 5, Vite, Parcel) find and emit the .wasm files.
// Where a bundler leaves them alone (esbuild, Rollup) the files are also looked
// for next to the bundle, and setWasmPaths() points at them explicitly. One
// compiled module and one instance are kept per URL (or per bytes / module
// passed in), shared by every network made from it.
import { EXPORTS, LIMITS } from './contract.js';
import { importNode } from './node-import.js';
import { createPool, threadsUnavailable } from './threads.js';

// i32.const 0; i8x16.splat; i8x16.popcnt — validates only where SIMD exists
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// (v128, v128, v128) -> v128: local.get 0, 1, 2; f32x4.relaxed_madd (0xfd 0x105) — validates
// only where relaxed SIMD exists in its final encoding (Chrome 114+, Node.js 21+)
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0,
  32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

export function relaxedSimdSupported() {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

const RELAXED_NEEDS = 'Chrome / Edge 114+, Node.js 21+, or Node.js 20 run with --experimental-wasm-relaxed-simd';

const FILES = { simd: 'gradscope_simd.wasm', scalar: 'gradscope_scalar.wasm', relaxed: 'gradscope_relaxed.wasm', threads: 'gradscope_threads.wasm', digits: 'digits.csv.gz' };

const DIST = '../dist/';

// The packaged files. A thunk each: where import.meta.url is missing (a classic-script or
// IIFE bundle) `new URL` throws "Invalid URL", which becomes a clear error below.
const PACKAGED = {
  simd: () => new URL('../dist/gradscope_simd.wasm', import.meta.url),
  scalar: () => new URL('../dist/gradscope_scalar.wasm', import.meta.url),
  // Not a literal on purpose: bundlers emit the file of every literal `new URL(..., import.meta.url)`,
  // and this opt-in core should cost nothing to apps that never ask for it. Node finds it in the
  // package; a bundled app that wants it serves the file and names it with setWasmPaths.
  relaxed: () => new URL(DIST + FILES.relaxed, import.meta.url),
  // opt-in too, for the same reason
  threads: () => new URL(DIST + FILES.threads, import.meta.url),
};

/** this module's own URL (the bundle's, once bundled) */
const here = () => import.meta.url;
const noModuleUrl = () => {
  try {
    return typeof here() !== 'string';
  } catch {
    return true;
  }
};

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export { importNode };

const FIX =
  'Bundlers: Vite 6/7 dev server — add `optimizeDeps: { exclude: [\'gradscope\'] }` to vite.config; esbuild / Rollup — copy ' +
  'node_modules/gradscope/dist/*.wasm (and data/digits.csv.gz) to dist/ (and data/) one folder above your bundle, the first URL tried; anywhere — serve those files and call ' +
  "setWasmPaths('/their/folder/') before the first network (see the README's Bundlers table). " +
  'In a git checkout without dist/, run `npm run build`';

let paths = {}; // from setWasmPaths: { simd?, scalar?, relaxed?, digits? } as URL strings

/** the base for relative URLs: the page (or worker) address, when there is one */
const pageBase = () => globalThis.location?.href;

/**
 * Where the core's .wasm files (and the digits data) are served, for bundlers that do
 * not emit them: a folder URL holding gradscope_simd.wasm, gradscope_scalar.wasm (and
 * gradscope_relaxed.wasm, digits.csv.gz), or { simd, scalar, relaxed, digits } URLs each;
 * null goes back to the packaged files. Applies to cores loaded afterwards.
 */
export function setWasmPaths(where) {
  const resolve = (key, v) => {
    if (typeof v !== 'string' && !(v instanceof URL)) {
      throw new Error(`setWasmPaths: ${key} is ${typeof v === 'string' ? JSON.stringify(v) : Object.prototype.toString.call(v).slice(8, -1).toLowerCase()}; expected a URL or string`);
    }
    try {
      return new URL(v, pageBase()).href;
    } catch {
      throw new Error(`setWasmPaths: ${key} is ${JSON.stringify(String(v))}; expected an absolute URL (no page address to resolve it against here)`);
    }
  };
  if (where === null || where === undefined) {
    paths = {};
  } else if (typeof where === 'string' || where instanceof URL) {
    let base = resolve('the folder', where);
    if (!base.endsWith('/')) base += '/';
    paths = Object.fromEntries(Object.entries(FILES).map(([k, file]) => [k, new URL(file, base).href]));
  } else if (typeof where === 'object' && !Array.isArray(where)) {
    const next = {};
    for (const [key, v] of Object.entries(where)) {
      if (!Object.hasOwn(FILES, key)) throw new Error(`setWasmPaths: unknown key "${key}"; expected simd, scalar, relaxed, threads or digits`);
      if (v !== undefined) next[key] = resolve(key, v);
    }
    paths = next;
  } else {
    throw new Error(`setWasmPaths: got ${JSON.stringify(where)}; expected a folder URL, { simd, scalar, relaxed, threads, digits } or null`);
  }
}

/**
 * Where to look for a packaged asset, in order: the setWasmPaths() URL if one was set;
 * else the packaged URL (Vite 6/7's dev pre-bundler moves the module to
 * node_modules/.vite/deps, so it is mapped back to node_modules/gradscope) and the same
 * file next to the bundle. `packaged` is a thunk giving the package-relative URL.
 */
export function assetCandidates(key, packaged) {
  if (paths[key]) return [new URL(paths[key])];
  const out = [];
  let url = null;
  try {
    url = packaged();
  } catch {
    // no import.meta.url (classic script / IIFE bundle): only the page-relative guess remains
  }
  if (url) {
    url = new URL(url.href.replace(/\/node_modules\/\.vite\/(dist|data)\//, '/node_modules/gradscope/$1/'));
    out.push(url);
    // next to the bundled module, for esbuild / Rollup builds that leave the URL as written
    let beside = null;
    try {
      beside = new URL(FILES[key], here());
    } catch {
      // no usable module URL
    }
    if (beside && /^(https?|blob):$/.test(beside.protocol) && beside.href !== url.href) out.push(beside);
  } else if (pageBase()) {
    out.push(new URL(FILES[key], pageBase()));
  }
  return out;
}

/** a reader of a module's bytes from offset 8 (after magic and version): c.p is the position */
function moduleReader(bytes) {
  const c = { p: 8 };
  c.leb = () => {
    let result = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[c.p++];
      if (b === undefined || shift > 28) throw new Error('truncated');
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return result >>> 0;
  };
  return c;
}

/**
 * Whether a module uses SIMD, read from its bytes: the SIMD build declares v128 values
 * (function types or locals), the scalar build cannot. Only sections are walked, not
 * instructions, so this is cheap and exact for both builds.
 */
export function declaresSimd(bytes) {
  const c = moduleReader(bytes);
  const leb = c.leb;
  const V128 = 0x7b;
  try {
    while (c.p < bytes.length) {
      const id = bytes[c.p++];
      const size = leb();
      const end = c.p + size;
      if (id === 1) {
        for (let n = leb(); n > 0 && c.p < end; n--) {
          if (bytes[c.p++] !== 0x60) break; // not a plain function type (GC proposal): the code section decides
          for (let k = leb(); k > 0; k--) if (bytes[c.p++] === V128) return true; // params
          for (let k = leb(); k > 0; k--) if (bytes[c.p++] === V128) return true; // results
        }
      } else if (id === 10) {
        for (let n = leb(); n > 0; n--) {
          const bodyEnd = leb() + c.p;
          for (let groups = leb(); groups > 0; groups--) {
            leb();
            if (bytes[c.p++] === V128) return true;
          }
          c.p = bodyEnd;
        }
      }
      c.p = end;
    }
  } catch {
    return false; // malformed: compiling it will say so
  }
  return false;
}

/**
 * Whether a module is the relaxed-SIMD build, read from its bytes: scripts/build-relaxed.mjs
 * marks it with a custom section "gradscope.build" holding "relaxed-simd" (the other builds
 * have none; tests/js/relaxed.test.js checks the mark agrees with the opcodes).
 */
export function declaresRelaxed(bytes) {
  const c = moduleReader(bytes);
  const leb = c.leb;
  const text = (from, to) => new TextDecoder().decode(bytes.subarray(from, to));
  try {
    while (c.p < bytes.length) {
      const id = bytes[c.p++];
      const size = leb();
      const end = c.p + size;
      if (id === 0) {
        const nameLength = leb();
        if (text(c.p, c.p + nameLength) === 'gradscope.build' && text(c.p + nameLength, end) === 'relaxed-simd') return true;
      }
      c.p = end;
    }
  } catch {
    return false; // malformed: compiling it will say so
  }
  return false;
}

export function describeBytes(bytes) {
  const head = new TextDecoder().decode(bytes.slice(0, 60)).replace(/\s+/g, ' ').trim();
  return /^[\x20-\x7e]*$/.test(head) ? `text starting "${head}"` : `${bytes.length} bytes of another format`;
}

const isWasm = (b) => b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;

const notWasm = (source, bytes) => `${source} is not a WebAssembly module (got ${describeBytes(bytes)})`;

/** { bytes } or { reason } (a clause naming the URL) for one URL; never throws */
async function readUrl(url) {
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await importNode('node:fs/promises');
    try {
      return { bytes: new Uint8Array(await readFile(url)) };
    } catch (err) {
      return { reason: `cannot read ${decodeURIComponent(url.pathname)} (${err.code ?? err.message})` };
    }
  }
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    return { reason: `fetching ${url} failed (${err.message})` };
  }
  if (!response.ok) return { reason: `fetching ${url} failed with HTTP ${response.status}` };
  return { bytes: new Uint8Array(await response.arrayBuffer()) };
}

/**
 * The first of the candidate URLs for a packaged asset (see assetCandidates) whose bytes
 * pass `check` (null = fine, else what is wrong): { url, bytes }, or throws naming every URL
 * tried and the fix.
 */
export async function fetchAsset(key, packaged, check, what) {
  const tried = [];
  const candidates = assetCandidates(key, packaged);
  if (!candidates.length) tried.push('no URL: import.meta.url is not available (a classic script or IIFE bundle; build as an ES module)');
  for (const url of candidates) {
    const r = await readUrl(url);
    const wrong = r.reason ?? check(url, r.bytes);
    if (!wrong) return { url, bytes: r.bytes };
    tried.push(wrong);
  }
  throw new Error(`gradscope: cannot load ${what}: ${tried.join('; ')}. ${FIX}`);
}

// Imports for a standalone Emscripten module: memory-growth notification (our
// views are made fresh per use, so nothing to do). Other Emscripten versions may
// add WASI imports; they get stubs that fail loudly if the core ever calls them.
function importsFor(module) {
  const imports = {};
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') continue;
    imports[mod] ??= {};
    imports[mod][name] =
      name === 'emscripten_notify_memory_growth'
        ? () => {}
        : () => {
            throw new Error(`gradscope: the core called the unexpected import ${mod}.${name}`);
          };
  }
  return imports;
}

/**
 * Refuses a module that is not a gradscope build before any of its code runs: it must
 * export memory and every function of the contract (js/contract.js EXPORTS).
 */
function checkExports(module, source, threads = false) {
  const have = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const lacks = [...EXPORTS, ...(threads ? ['stackRestore'] : [])].filter((name) => have.get(name) !== 'function');
  const noMemory = !threads && have.get('memory') !== 'memory'; // the threaded build imports its memory
  if (!lacks.length && !noMemory) return;
  const functions = lacks.length ? `${lacks.length} of the ${EXPORTS.length} functions the core needs (${lacks.slice(0, 3).join(', ')}${lacks.length > 3 ? ', ...' : ''})` : '';
  const what = [noMemory ? 'memory' : '', functions].filter(Boolean).join(' and ');
  throw new Error(`gradscope: ${source} is not a gradscope build: it lacks ${what}; expected gradscope_simd.wasm, gradscope_scalar.wasm, gradscope_relaxed.wasm or gradscope_threads.wasm`);
}

// The threaded build's imported memory: the limits CMakeLists.txt links it with
// (INITIAL_MEMORY 16 MiB, MAXIMUM_MEMORY 4 GiB), in 64 KiB pages
const THREADS_MEMORY = { initial: 256, maximum: 65536, shared: true };

/** the threaded build is the one that imports its memory (to share it with its threads) */
const importsMemory = (module) => WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');

/** a core from a compiled module; `simd` and `relaxed` are what the module is */
async function instantiate(module, simd, relaxed = false, source = 'the WebAssembly module') {
  const threads = importsMemory(module);
  const imports = importsFor(module);
  let memory;
  if (threads) {
    const why = threadsUnavailable();
    if (why) throw new Error(`gradscope: ${source} is the threaded build, which needs shared memory: ${why}`);
    memory = new WebAssembly.Memory(THREADS_MEMORY);
    for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) if (kind === 'memory') (imports[mod] ??= {})[name] = memory;
  }
  checkExports(module, source, threads);
  const instance = await WebAssembly.instantiate(module, imports);
  instance.exports._initialize?.();
  const core = createCore(instance.exports, simd, relaxed, memory);
  if (threads) {
    core.threads = true;
    core.module = module;
    let pool = null;
    /** the thread pool, made on first use: { pool, capacity, ensure(threads) } */
    core.threadPool = () => (pool ??= createPool(core));
  }
  return core;
}

async function compileBytes(bytes, source) {
  if (!isWasm(bytes)) throw new Error(`gradscope: ${notWasm(source, bytes)}; expected the gradscope .wasm file — check that it is served with the page or pass \`wasm\` bytes`);
  const simd = declaresSimd(bytes);
  if (simd && !simdSupported()) {
    throw new Error(`gradscope: ${source} is the SIMD build, and this WebAssembly engine does not support SIMD; use gradscope_scalar.wasm`);
  }
  const relaxed = declaresRelaxed(bytes);
  if (relaxed && !relaxedSimdSupported()) {
    throw new Error(`gradscope: ${source} is the relaxed-SIMD build, and this WebAssembly engine does not support relaxed SIMD (${RELAXED_NEEDS}); use gradscope_simd.wasm`);
  }
  return { module: await WebAssembly.compile(bytes), simd, relaxed };
}

// One core (compiled module + instance) per source: URL href, bytes (by buffer, offset and
// length) or WebAssembly.Module. A failed load is forgotten, so it may be retried.
const byUrl = new Map();
const byObject = new WeakMap();

function remember(map, key, make) {
  if (map.has(key)) return map.get(key);
  const promise = make();
  map.set(key, promise);
  promise.catch(() => map.delete(key));
  return promise;
}

function fromBytes(bytes, source) {
  let inner = byObject.get(bytes.buffer);
  if (!inner) byObject.set(bytes.buffer, (inner = new Map()));
  return remember(inner, `${bytes.byteOffset}:${bytes.byteLength}`, async () => {
    const { module, simd, relaxed } = await compileBytes(bytes, source);
    return instantiate(module, simd, relaxed, source);
  });
}

const fromUrl = (href, bytes) =>
  remember(byUrl, href, async () => {
    const { module, simd, relaxed } = await compileBytes(bytes, href);
    return instantiate(module, simd, relaxed, href);
  });

async function loadPackaged(variants) {
  const tried = [];
  for (const variant of variants) {
    const candidates = assetCandidates(variant, PACKAGED[variant]);
    for (const url of candidates) {
      if (byUrl.has(url.href)) return byUrl.get(url.href);
      const r = await readUrl(url);
      if (r.bytes && isWasm(r.bytes)) return fromUrl(url.href, r.bytes);
      tried.push(r.reason ?? notWasm(url.href, r.bytes));
    }
    if (!candidates.length) tried.push(`no URL for ${FILES[variant]}: import.meta.url is not available (a classic script or IIFE bundle; build as an ES module)`);
  }
  throw new Error(`gradscope: cannot load the WebAssembly core: ${tried.join('; ')}${noModuleUrl() ? ' (this bundle has no import.meta.url — a classic script or IIFE build — so the files were looked for beside the page; build as an ES module or call setWasmPaths)' : ''}. ${FIX}`);
}

/**
 * options.simd: true | false | undefined (detect); options.relaxed: true (the opt-in
 * relaxed-SIMD build, gradscope_relaxed.wasm), false or undefined (not it: the default);
 * options.wasm: bytes (ArrayBuffer / typed array), a WebAssembly.Module, a Response, or
 * a URL / string to fetch. Without `wasm`, the packaged files (or setWasmPaths's): the SIMD
 * build where the engine has SIMD, the scalar one when told or when the SIMD file is
 * missing; the relaxed build only when asked, never as a fallback either way. core.simd and
 * core.relaxed say what the module is, read from its bytes. options.threads: true (the opt-in
 * threaded build, gradscope_threads.wasm: shared memory, so SharedArrayBuffer must exist),
 * false or undefined (not it); core.threads says which, read from the module's imports.
 */
export async function loadCore(options = {}) {
  const { simd, relaxed, wasm } = options;
  let { threads } = options;
  if (Number.isInteger(threads) && threads >= 1 && threads <= LIMITS.maxThreads) threads = threads > 1; // createNetwork's count
  else if (threads !== undefined && typeof threads !== 'boolean') {
    throw new Error(`loadCore: threads is ${JSON.stringify(threads)}; expected true (the threaded build), false or undefined (not it), or a thread count from 1 to ${LIMITS.maxThreads}`);
  }
  if (threads && (simd === false || relaxed)) {
    throw new Error(`loadCore: threads is true and ${relaxed ? 'relaxed is true' : 'simd is false'}; expected neither: the threaded build is the SIMD build with threads (no relaxed SIMD)`);
  }
  if (threads) {
    const why = threadsUnavailable();
    if (why) throw new Error(`loadCore: threads is true, but ${why}`);
  }
  if (simd !== undefined && typeof simd !== 'boolean') {
    throw new Error(`loadCore: simd is ${JSON.stringify(simd)}; expected true, false or undefined (detect)`);
  }
  if (relaxed !== undefined && typeof relaxed !== 'boolean') {
    throw new Error(`loadCore: relaxed is ${JSON.stringify(relaxed)}; expected true (the relaxed-SIMD build), false or undefined (not it)`);
  }
  if (relaxed && simd === false) {
    throw new Error('loadCore: relaxed is true and simd is false; expected one of them: the relaxed-SIMD build is a SIMD build (drop simd: false, or relaxed: true for the scalar build)');
  }
  if (simd && !simdSupported()) {
    throw new Error('loadCore: simd is true but this WebAssembly engine does not support SIMD; pass simd: false');
  }
  if (relaxed && !relaxedSimdSupported()) {
    throw new Error(`loadCore: relaxed is true but this WebAssembly engine does not support relaxed SIMD; expected an engine that does (${RELAXED_NEEDS}), or relaxed: false`);
  }
  let core;
  if (wasm === undefined) {
    const variants = threads ? ['threads'] : relaxed ? ['relaxed'] : simd === undefined ? (simdSupported() ? ['simd', 'scalar'] : ['scalar']) : [simd ? 'simd' : 'scalar'];
    core = await loadPackaged(variants);
  } else if (typeof wasm === 'string' || wasm instanceof URL) {
    let url;
    try {
      url = new URL(wasm, pageBase());
    } catch {
      throw new Error(`loadCore: wasm is ${JSON.stringify(String(wasm))}; expected an absolute URL (no page address to resolve it against here)`);
    }
    core = byUrl.has(url.href)
      ? await byUrl.get(url.href)
      : await (async () => {
          const r = await readUrl(url);
          if (r.reason) throw new Error(`gradscope: ${r.reason}; expected the gradscope .wasm file`);
          return fromUrl(url.href, r.bytes);
        })();
  } else if (wasm instanceof WebAssembly.Module) {
    // a compiled module's bytes cannot be read back, so its build must be named
    if (simd === undefined && !relaxed) throw new Error('loadCore: wasm is a WebAssembly.Module, whose build cannot be read back; pass simd: true (gradscope_simd.wasm) or false (gradscope_scalar.wasm) with it, or relaxed: true (gradscope_relaxed.wasm)');
    core = await remember(byObject, wasm, () => instantiate(wasm, simd ?? true, relaxed === true, 'the WebAssembly.Module passed in `wasm`'));
  } else if (ArrayBuffer.isView(wasm) || wasm instanceof ArrayBuffer) {
    const bytes = wasm instanceof ArrayBuffer ? new Uint8Array(wasm) : new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
    core = await fromBytes(bytes, 'the wasm bytes passed in `wasm`');
  } else if (typeof Response !== 'undefined' && wasm instanceof Response) {
    const source = wasm.url || 'the Response passed in `wasm`';
    if (!wasm.ok) throw new Error(`gradscope: ${source} answered HTTP ${wasm.status}; expected the gradscope .wasm file`);
    const { module, simd: isSimd, relaxed: isRelaxed } = await compileBytes(new Uint8Array(await wasm.arrayBuffer()), source);
    core = await instantiate(module, isSimd, isRelaxed, source);
  } else {
    throw new Error(`loadCore: wasm is ${Object.prototype.toString.call(wasm).slice(8, -1)}; expected bytes, a WebAssembly.Module, a Response, or a URL`);
  }
  if (simd !== undefined && core.simd !== simd) {
    throw new Error(`loadCore: simd is ${simd} but the wasm passed in is the ${core.simd ? 'SIMD' : 'scalar'} build`);
  }
  if (threads !== undefined && core.threads !== threads) {
    throw new Error(`loadCore: threads is ${threads} but the wasm passed in is ${core.threads ? 'the threaded build' : 'not the threaded build (gradscope_threads.wasm)'}`);
  }
  if (relaxed !== undefined && core.relaxed !== relaxed) {
    throw new Error(`loadCore: relaxed is ${relaxed} but the wasm passed in is ${core.relaxed ? 'the relaxed-SIMD build' : `the ${core.simd ? 'SIMD' : 'scalar'} build, not the relaxed-SIMD one`}`);
  }
  return core;
}

// Thin helpers over the exports; views are made fresh on every use because
// memory growth detaches old ones.
function createCore(exports, simd, relaxed, imported) {
  const memory = imported ?? exports.memory;
  const scratch = exports.malloc(16); // out-params: loss, accuracy
  let heap = new Float32Array(memory.buffer);
  // the whole memory as floats, re-made only when growth replaced the buffer
  const floats = () => (heap.buffer === memory.buffer ? heap : (heap = new Float32Array(memory.buffer)));
  return {
    exports,
    simd,
    relaxed,
    threads: false,
    memory,
    // pointers come back from wasm as signed i32: >>> 0 reads them as unsigned (memory may pass 2 GiB)
    f32: (ptr, length) => new Float32Array(memory.buffer, ptr >>> 0, length),
    u32: (ptr, length) => new Uint32Array(memory.buffer, ptr >>> 0, length),
    u8: (ptr, length) => new Uint8Array(memory.buffer, ptr >>> 0, length),
    /** copies values (a typed array or number[]) to ptr, no allocation */
    write: (ptr, values) => floats().set(values, ptr >>> 2),
    /** one float at ptr */
    read: (ptr) => floats()[ptr >>> 2],
    /** a view of `length` floats at ptr: valid until the next call that may allocate */
    view: (ptr, length) => floats().subarray(ptr >>> 2, (ptr >>> 2) + length),
    scratch,
  };
}
