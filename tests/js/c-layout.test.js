// The C core's files call each other in one direction: a file that calls a
// function defined in another is above it, and no two files (or rings of
// files) call each other. Read from the sources: every external gs_* function
// definition and every gs_*( call.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const SRC = new URL('../../src/', import.meta.url);

/** the source without comments and string literals */
const code = (text) => text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/"(?:\\.|[^"\\])*"/g, '""');

function graph() {
  const files = readdirSync(SRC).filter((f) => f.endsWith('.c'));
  const defined = new Map(); // function -> file
  const calls = new Map(); // file -> functions called
  for (const file of files) {
    const text = code(readFileSync(new URL(file, SRC), 'utf8'));
    // a definition starts a line (not static), names gs_*, and its parameter list is followed by {
    for (const m of text.matchAll(/^(?!static\b)[A-Za-z_][\w \t*]*?\b(gs_\w+)\s*\(([^;{}]*)\)\s*\{/gm)) defined.set(m[1], file);
    calls.set(file, new Set([...text.matchAll(/\b(gs_\w+)\s*\(/g)].map((m) => m[1])));
  }
  const edges = new Map(files.map((f) => [f, new Set()]));
  for (const [file, called] of calls) for (const fn of called) if (defined.has(fn) && defined.get(fn) !== file) edges.get(file).add(defined.get(fn));
  return { files, defined, edges };
}

test('the C sources are read: the known definitions are found where they live', () => {
  const { defined, edges } = graph();
  assert.equal(defined.get('gs_net_train_step'), 'train.c');
  assert.equal(defined.get('gs_net_build'), 'net.c');
  assert.equal(defined.get('gs_gemm'), 'gemm.c');
  assert.ok(edges.get('train.c').has('net.c'), 'training uses the network');
  assert.ok(edges.get('dense.c').has('parallel.c'), 'dense layers split their products over threads');
  assert.ok(edges.get('parallel.c').has('gemm.c'));
});

test('no two C files call each other, directly or round a ring (net.c and train.c included)', () => {
  const { files, edges, defined } = graph();
  const why = (a, b) => [...defined].filter(([, f]) => f === b).map(([fn]) => fn).filter((fn) => new RegExp(`\\b${fn}\\s*\\(`).test(code(readFileSync(new URL(a, SRC), 'utf8'))));
  const state = new Map();
  const cycles = [];
  const visit = (f, path) => {
    state.set(f, 'open');
    for (const g of edges.get(f)) {
      if (state.get(g) === 'open') cycles.push([...path.slice(path.indexOf(g)), g]);
      else if (!state.has(g)) visit(g, [...path, g]);
    }
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(
    cycles.map((c) => c.map((f, i) => (i + 1 < c.length ? `${f} -(${why(f, c[i + 1]).join(', ')})-> ` : f)).join('')),
    [],
  );
});
