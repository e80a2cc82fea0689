// The playground page: web/ served by Vite in development and built to
// web-dist/ as static files (no server-side code needed).
//
// Content-Security-Policy: scripts and workers only from the page's own origin,
// WebAssembly compilation allowed ('wasm-unsafe-eval', the core), no inline
// script, no plugins, no <base>, no form posts. The built page carries the
// policy twice: as a <meta http-equiv> in index.html (static hosting with no
// header control gets it too) and as a header from `vite preview`.
// worker-src also allows blob: for the threaded core's worker threads (js/threads.js
// starts them from source text, so that no bundler has a file to find).
// Both servers also make the page cross-origin isolated (COOP/COEP), which threads need
// (SharedArrayBuffer); the page loads nothing from other origins. A static host must send
// those two headers itself for threads (the page then offers one thread and says why).
// The dev server (`npm start`) sends the same policy except that style-src also
// allows 'unsafe-inline': in development Vite injects each imported CSS file as a
// <style> element. The build emits CSS files, so the built page needs no inline style.
import { defineConfig } from 'vite';

const policy = (dev) =>
  [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `style-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

export const CSP = policy(false);
export const CSP_DEV = policy(true);
// frame-ancestors only works as a header (browsers ignore it in <meta>)
const headers = (csp) => ({
  'Content-Security-Policy': `${csp}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** writes the policy into the built index.html as its first <head> element */
const cspMeta = {
  name: 'gradscope-csp-meta',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
};

export default defineConfig({
  root: 'web',
  base: './',
  plugins: [cspMeta],
  build: { outDir: '../web-dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', fs: { allow: ['..'] }, headers: headers(CSP_DEV) },
  preview: { host: '127.0.0.1', headers: headers(CSP) },
});
