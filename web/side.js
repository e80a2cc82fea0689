// A training side: side A trains this setup, side B the comparison. Each owns
// its worker and knows which of the worker's setups it is listening to.
import { Trainer } from './trainer.js';

export class Side {
  /**
   * handlers: the role's map of worker replies (messages.js names); onBug(message):
   * a handler threw (a bug of the page), which must not leave it looking as if it trained
   */
  constructor(index, handlers, { simd, threads, onBug, metrics }) {
    this.index = index;
    this.generation = null; // the worker's setup count this side listens to; null while a setup is under way
    this.requested = 0; // the newest setup request sent
    this.blocked = null; // why this side has nothing to train (a failed setup), or null
    this.last = null; // the last epoch's numbers (side B's are shown as text)
    this.findings = null;
    const guard = (fn) => (msg) => {
      const t0 = performance.now();
      try {
        fn(msg);
      } catch (err) {
        onBug(`the page failed to handle a "${msg?.type}" message: ${err.message}`);
      }
      metrics.worstMessageMs = Math.max(metrics.worstMessageMs, performance.now() - t0);
    };
    this.trainer = new Trainer(Object.fromEntries(Object.entries(handlers).map(([k, fn]) => [k, guard(fn)])), { simd, threads });
  }

  /** a new setup: its request number; replies to older ones are dropped */
  newSetup() {
    this.generation = null;
    this.last = null;
    this.findings = null;
    return ++this.requested;
  }

  /** what this side can train now: null, or why not */
  get nothingToTrain() {
    return this.generation !== null ? this.blocked : null;
  }
}
