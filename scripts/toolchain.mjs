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

/**
 * needs: [{ cmd?: string, file?: string, pkg: string }]. Returns true when every one is
 * there (after installing what was missing). With { optional: true } a machine that cannot
 * install them gets false instead of an exit (for the opt-in relaxed-SIMD core).
 */
export function ensureTools(needs, { optional = false } = {}) {
  const missing = needs.filter((n) => (n.cmd ? !have(n.cmd) : !existsSync(n.file))).map((n) => n.pkg);
  if (missing.length === 0) return true;
  const pkgs = [...new Set(missing)];
  const canApt = have('apt-get') && process.getuid?.() === 0;
  if (!canApt) {
    if (optional) return false;
    console.error(`gradscope: missing build tools; install the Debian packages: ${pkgs.join(' ')} (or an emsdk for emcc)`);
    process.exit(1);
  }
  console.error(`gradscope: installing ${pkgs.join(' ')} with apt-get`);
  const opts = { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-q'], opts);
  execFileSync('apt-get', ['install', '-y', '-q', ...pkgs], opts);
  return true;
}
