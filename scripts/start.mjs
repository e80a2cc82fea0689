// npm start: builds what is missing (devDependencies, the wasm core), then serves
// the playground with Vite's dev server on localhost and prints the URL.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (script) => execFileSync('node', [join(root, 'scripts', script)], { cwd: root, stdio: 'inherit' });
step('ensure-node-deps.mjs');
step('build.mjs');

const { createServer } = await import('vite');
const port = Number(process.env.PORT) || 5173;
const server = await createServer({ root: join(root, 'web'), configFile: join(root, 'vite.config.js'), server: { port } });
await server.listen();
console.log('\ngradscope playground:');
server.printUrls();
console.log('Open the URL above; try the presets (e.g. "Vanishing gradients"). Ctrl+C stops the server.');
