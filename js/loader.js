// Loads and instantiates the gradscope WebAssembly core: SIMD when the engine
// supports it (or as told), the scalar build otherwise. Works in browsers,
// workers (fetch + compileStreaming) and Node.js (fs). The `new URL(...,
// import.meta.url)` expressions are literal so bundlers find the .wasm files.

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

function defaultUrl(simd) {
  return simd
    ? new URL('../dist/gradscope_simd.wasm', import.meta.url)
    : new URL('../dist/gradscope_scalar.wasm', import.meta.url);
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Node built-ins, imported only when running in Node; hidden from bundlers building for browsers. */
export const importNode = (specifier) => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

function describeBytes(bytes) {
  const head = new TextDecoder().decode(bytes.slice(0, 60)).replace(/\s+/g, ' ').trim();
  return /^[\x20-\x7e]*$/.test(head) ? `text starting "${head}"` : `${bytes.length} bytes of another format`;
}

function checkMagic(bytes, source) {
  const ok = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!ok) {
    throw new Error(
      `gradscope: ${source} is not a WebAssembly module (got ${describeBytes(bytes)}); ` +
        'expected the gradscope .wasm file — check that it is served with the page or pass `wasm` bytes',
    );
  }
}

async function fetchBytes(url) {
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await importNode('node:fs/promises');
    try {
      return new Uint8Array(await readFile(url));
    } catch (err) {
      throw new Error(`gradscope: cannot read ${url.pathname}: ${err.message}. Run \`npm run build\` to build the .wasm files`);
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`gradscope: fetching ${url} failed with HTTP ${response.status}; expected the gradscope .wasm file`);
  return response;
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

async function compile(source, label) {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (WebAssembly.compileStreaming && /application\/wasm/.test(source.headers.get('content-type') ?? '')) {
      const fallback = source.clone();
      try {
        return await WebAssembly.compileStreaming(source);
      } catch {
        source = fallback; // report what the bytes are below
      }
    }
    source = new Uint8Array(await source.arrayBuffer());
  }
  checkMagic(source, label);
  return WebAssembly.compile(source);
}

const cache = new Map();

/**
 * options.simd: true | false | undefined (detect); options.wasm: bytes
 * (ArrayBuffer / typed array), a WebAssembly.Module, a Response, or a URL /
 * string to fetch. Instances for the default files are shared.
 */
export async function loadCore(options = {}) {
  const { simd, wasm } = options;
  if (simd !== undefined && typeof simd !== 'boolean') {
    throw new Error(`loadCore: simd is ${JSON.stringify(simd)}; expected true, false or undefined (detect)`);
  }
  const useSimd = simd ?? simdSupported();
  if (useSimd && !simdSupported()) {
    throw new Error('loadCore: simd is true but this WebAssembly engine does not support SIMD; pass simd: false');
  }
  const key = wasm === undefined ? (useSimd ? 'simd' : 'scalar') : null;
  if (key && cache.has(key)) return cache.get(key);
  const promise = (async () => {
    let source = wasm ?? defaultUrl(useSimd);
    let label = 'the wasm bytes passed in `wasm`';
    if (typeof source === 'string' || source instanceof URL) {
      label = String(source);
      source = await fetchBytes(source instanceof URL ? source : new URL(source, globalThis.location?.href));
    } else if (ArrayBuffer.isView(source)) {
      source = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    } else if (source instanceof ArrayBuffer) {
      source = new Uint8Array(source);
    }
    const module = await compile(source, label);
    const instance = await WebAssembly.instantiate(module, importsFor(module));
    instance.exports._initialize?.();
    return createCore(instance.exports, useSimd);
  })();
  if (key) {
    cache.set(key, promise);
    promise.catch(() => cache.delete(key)); // a failed load may be retried
  }
  return promise;
}

// Thin helpers over the exports; views are made fresh on every use because
// memory growth detaches old ones.
function createCore(exports, simd) {
  const memory = exports.memory;
  const scratch = exports.malloc(16); // out-params: loss, accuracy
  let heap = new Float32Array(memory.buffer);
  // the whole memory as floats, re-made only when growth replaced the buffer
  const floats = () => (heap.buffer === memory.buffer ? heap : (heap = new Float32Array(memory.buffer)));
  return {
    exports,
    simd,
    memory,
    // pointers come back from wasm as signed i32: >>> 0 reads them as unsigned (memory may pass 2 GiB)
    f32: (ptr, length) => new Float32Array(memory.buffer, ptr >>> 0, length),
    u32: (ptr, length) => new Uint32Array(memory.buffer, ptr >>> 0, length),
    /** copies values (a typed array or number[]) to ptr, no allocation */
    write: (ptr, values) => floats().set(values, ptr >>> 2),
    /** one float at ptr */
    read: (ptr) => floats()[ptr >>> 2],
    /** a view of `length` floats at ptr: valid until the next call that may allocate */
    view: (ptr, length) => floats().subarray(ptr >>> 2, (ptr >>> 2) + length),
    scratch,
  };
}
