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

test('index.d.ts type-checks a consumer of the whole public API', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-types-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM'],
        types: [],
        skipLibCheck: false,
        paths: { gradscope: [join(root, 'js/index.d.ts')] },
      },
      files: [join(root, 'tests/types/consumer.ts')],
    }),
  );
  const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', tsconfig], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
});

test('the declarations need neither the DOM lib nor @types/node (lib ES2022 only)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-types-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022'],
        types: [],
        skipLibCheck: false,
        paths: { gradscope: [join(root, 'js/index.d.ts')], 'gradscope/worker': [join(root, 'js/worker/index.d.ts')] },
      },
      files: [join(root, 'tests/types/node-only.ts')],
    }),
  );
  const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', tsconfig], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
});
