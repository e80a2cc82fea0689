// Compiled by tests/js/types.test.js with lib ES2022 only (no DOM, no @types/node):
// the declarations must not need the browser's or Node's globals.
import { createNetwork, datasets, loadCore, setWasmPaths, type CoreOptions, type Network } from 'gradscope';
import { createNetwork as createInWorker, type WorkerNetwork } from 'gradscope/worker';

export async function main(bytes: Uint8Array): Promise<number> {
  setWasmPaths('https://cdn.example/gradscope/');
  setWasmPaths({ simd: 'https://cdn.example/a.wasm', scalar: 'https://cdn.example/b.wasm' });
  setWasmPaths(null);
  const options: CoreOptions = { wasm: bytes, simd: false };
  const core = await loadCore(options);
  const pages: number = core.memory.buffer.byteLength / 65536;
  const net: Network = await createNetwork({ inputs: 2, layers: [{ units: 4, activation: 'gelu', layerNorm: true }, { units: 1 }] }, options);
  const data = datasets.circle({ samples: 20 });
  const remote: WorkerNetwork = await createInWorker({ inputs: 2, layers: [{ units: 1 }] });
  const h = await remote.fit(data.train.x, data.train.y, { epochs: 1, onEpoch: (info) => void info.epoch });
  const p: Float32Array = await remote.predict(data.test.x);
  const hidden: Float32Array[] = await remote.layerOutputs(data.test.x);
  await remote.dispose();
  // @ts-expect-error: predict in a worker is async
  const q: Float32Array = remote.predict(data.test.x);
  // @ts-expect-error: no such key
  setWasmPaths({ wasm: 'x' });
  net.dispose();
  return pages + h.loss.length + p.length + q.length + hidden.length;
}
