// Makes sure the build tools are present. On a Debian machine where we are root
// (a fresh CI or dev box), missing packages are installed with apt-get; anywhere
// else the message says what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const have = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** needs: [{ cmd?: string, file?: string, pkg: string }] */
export function ensureTools(needs) {
  const missing = needs.filter((n) => (n.cmd ? !have(n.cmd) : !existsSync(n.file))).map((n) => n.pkg);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing)];
  const canApt = have('apt-get') && process.getuid?.() === 0;
  if (!canApt) {
    console.error(`gradscope: missing build tools; install the Debian packages: ${pkgs.join(' ')} (or an emsdk for emcc)`);
    process.exit(1);
  }
  console.error(`gradscope: installing ${pkgs.join(' ')} with apt-get`);
  const opts = { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-q'], opts);
  execFileSync('apt-get', ['install', '-y', '-q', ...pkgs], opts);
}
