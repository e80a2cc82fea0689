// The one protocol between gradscope/worker (the calling side) and its host (the
// worker side), in a Web Worker or a Node worker thread. Every request is
// { id, op, ...}; the host answers { id, result } or { id, error }, and during a
// fit sends { id, progress } once per epoch. A fit called with onEpoch or a signal runs
// in lockstep: after each epoch's progress the host waits for { op: 'epoch', target,
// stop } (sent once onEpoch has returned), so an abort lands at the same step as on the
// main thread and no epoch runs past it. Typed-array results travel as transferred
// buffers (no copy); inputs are copied once and those copies transferred.
import { fail, isDetached } from '../validate.js';

export const VERSION = 2;

/** requests: create / load a network, call one of its methods, abort a fit, go on after an epoch, dispose */
export const OP = { create: 'create', load: 'load', call: 'call', abort: 'abort', epoch: 'epoch', dispose: 'dispose' };

/** Network methods callable through the worker (the host checks the network has each) */
export const METHODS = [
  'trainStep',
  'computeGradients',
  'predict',
  'evaluate',
  'fit',
  'layerStats',
  'layerHistograms',
  'unitActivity',
  'layerOutputs',
  'probe',
  'trainingRecord',
  'resetRecord',
  'getParameters',
  'setParameters',
  'toJSON',
  'toPyTorch',
  'diagnose',
  'learningRate',
];

/** the names of each method's arguments, for errors about them (the others take none) */
export const ARGUMENTS = {
  trainStep: ['x', 'y'],
  computeGradients: ['x', 'y'],
  predict: ['x'],
  evaluate: ['x', 'y'],
  fit: ['x', 'y', 'options'],
  unitActivity: ['x'],
  layerOutputs: ['x'],
  probe: ['x', 'y', 'options'],
  setParameters: ['layers'],
  diagnose: ['thresholds'],
};

/** the ArrayBuffers under every typed array in `value` (deep, each once): the transfer list */
export function transferables(value, out = new Set(), seen = new Set()) {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [...out];
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (value instanceof ArrayBuffer) {
    out.add(value);
  } else {
    for (const v of Array.isArray(value) ? value : Object.values(value)) transferables(v, out, seen);
  }
  return [...out];
}

/**
 * `value` with each typed array copied into a buffer of its own, so transferring never
 * detaches the caller's arrays (and a view of a larger buffer sends only its bytes).
 * A typed array whose buffer is detached (transferred away) is refused, naming it as
 * `where: name` (the method and the argument's path) when they are given.
 */
export function ownCopies(value, where = 'gradscope/worker', name = 'a value') {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    if (isDetached(value)) fail(where, name, value, `a ${value.constructor.name} that still holds its data (transfer a copy, not the array itself)`);
    return value.slice();
  }
  if (Array.isArray(value)) return value.map((v, i) => ownCopies(v, where, `${name}[${i}]`));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'function' ? undefined : ownCopies(v, where, `${name}.${k}`)]));
  }
  return value;
}

/** a method's arguments as ownCopies, each named by ARGUMENTS */
export const ownArguments = (method, args) => args.map((a, i) => ownCopies(a, method, ARGUMENTS[method]?.[i] ?? `argument ${i + 1}`));

/** an Error as data (structured clone keeps only some error fields everywhere) */
export const errorData = (err) => ({ name: err?.name ?? 'Error', message: String(err?.message ?? err) });

export function errorFrom(data, where) {
  const err = new Error(data.message);
  if (data.name && data.name !== 'Error') err.name = data.name;
  if (where) err.message = `${data.message}`;
  return err;
}

/** one side's messaging: { post(message, transfer), listen(handler) } for self or a worker_threads port */
export function endpoint(target) {
  if (typeof target.on === 'function' && typeof target.addEventListener !== 'function') {
    // Node: worker_threads parentPort / Worker (messages arrive as the data itself)
    return { post: (m, transfer) => target.postMessage(m, transfer), listen: (fn) => target.on('message', fn) };
  }
  return { post: (m, transfer) => target.postMessage(m, transfer), listen: (fn) => target.addEventListener('message', (e) => fn(e.data)) };
}
