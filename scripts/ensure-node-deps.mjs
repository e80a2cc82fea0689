// Installs the pinned devDependencies (package-lock.json) when they are missing,
// so `npm test` works on a fresh clone without a separate install step.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { devDependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const missing = Object.keys(devDependencies).filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
if (missing.length) {
  console.error(`gradscope: installing devDependencies (${missing.join(', ')}) with npm ci`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
}
