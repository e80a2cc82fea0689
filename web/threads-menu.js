// The threads menu beside "core": offered where the page is cross-origin isolated
// (SharedArrayBuffer), the counts up to the device's cores; the training workers build
// their next network on the chosen count (createNetwork's threads: the same numbers for any).
import { THREAD_CHOICES } from './state.js';

/** the bar's core label: the build, and the threads of the network it trains */
export const coreLabel = (simd, threads) => `${simd ? 'wasm SIMD' : 'wasm scalar'}${threads > 1 ? ` on ${threads} threads` : ''}`;

/**
 * select: the <select>; initial: the link's count; onChange(threads): a new count was chosen.
 * Returns { threads, refused() }: the count now asked for, and a reset to 1 when the
 * workers could not have threads.
 */
export function createThreadsMenu(select, initial, onChange) {
  const menu = { threads: initial };
  const cores = navigator.hardwareConcurrency || 1;
  const choices = crossOriginIsolated ? THREAD_CHOICES.filter((n) => n === 1 || n <= cores || n === initial) : [1];
  for (const n of choices) select.append(new Option(String(n), String(n), false, n === initial));
  select.disabled = !crossOriginIsolated;
  select.title = crossOriginIsolated
    ? `Threads that share each large matrix product (this device reports ${cores} cores). The numbers are the same for any count; only the speed changes, from products of about 100 × 100 × 100 up (small networks run as fast on one). Applies from the next Reset.`
    : 'Threads need a cross-origin-isolated page (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), which this page is not; `npm start` serves those headers.';
  select.addEventListener('change', () => {
    menu.threads = Number(select.value);
    onChange(menu.threads);
  });
  menu.refused = () => {
    menu.threads = 1;
    select.value = '1';
  };
  return menu;
}
