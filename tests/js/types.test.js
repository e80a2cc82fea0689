// index.d.ts against a TypeScript consumer: correct use compiles, misuse
// (marked @ts-expect-error in the consumer) is rejected.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** runs tsc (strict, NodeNext) on one consumer file with the given libs; fails with its output */
function typecheck(t, { lib, paths, file }) {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-types-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib, types: [], skipLibCheck: false, paths },
      files: [join(root, file)],
    }),
  );
  const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', tsconfig], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
}

test('index.d.ts type-checks a consumer of the whole public API', (t) => {
  typecheck(t, { lib: ['ES2022', 'DOM'], paths: { gradscope: [join(root, 'js/index.d.ts')] }, file: 'tests/types/consumer.ts' });
});

test('the declarations need neither the DOM lib nor @types/node (lib ES2022 only)', (t) => {
  typecheck(t, {
    lib: ['ES2022'],
    paths: { gradscope: [join(root, 'js/index.d.ts')], 'gradscope/worker': [join(root, 'js/worker/index.d.ts')] },
    file: 'tests/types/node-only.ts',
  });
});
