// Remedies measured before they are clicked: for each finding of this setup,
// the library's tryRemedies() trains every single-change remedy (and the
// unchanged setup) on seeds of its own, in a worker of its own; each remedy's
// measured effect is written beside its button.
import { sci, share } from './format.js';
import { TO_WORKER } from './messages.js';
import { Trainer } from './trainer.js';

const SEEDS = 3;

/** a ratio of two gradient norms: 0/0 (no gradient at either end) is said, not shown as NaN */
const ratio = (v) => (Number.isNaN(v) ? 'none (no gradient)' : sci(v));
const METRIC_TEXT = {
  deadFraction: ['dead', share],
  saturatedFraction: ['saturated', share],
  testAccuracy: ['test accuracy', share],
  maxGradNorm: ['max ‖∇W‖', sci],
  skippedSteps: ['skipped steps', (v) => String(Math.round(v))],
  firstToLastGradRatio: ['first/last layer gradient', ratio],
  gap: ['test − train loss', sci],
  testLoss: ['test loss', sci],
};

/** "learning rate ÷10: dead 100% → 9%, test accuracy 50% → 99% (medians of seeds 1–3, 30 epochs each; 0.4 s)" */
export function measuredText(r, epochs) {
  if (r.error) return `${r.label}: could not be measured (${r.error})`;
  const parts = Object.entries(r.metrics).map(([name, { before, after }]) => {
    const [label, f] = Object.hasOwn(METRIC_TEXT, name) ? METRIC_TEXT[name] : [name, sci];
    return `${label} ${f(before)} → ${f(after)}`;
  });
  const still = r.stillFound ? `; still found on ${r.stillFound} of ${r.seeds.length} seeds` : '';
  return `${r.label}: ${parts.join(', ')}${still} (medians of seeds ${r.seeds.join(', ')}, ${epochs} epochs each, not the run on screen; ${r.ms < 1000 ? `${Math.round(r.ms)} ms` : `${(r.ms / 1000).toFixed(1)} s`})`;
}

/** getSetup() -> { state, custom }; onError(text) */
export function createRemedyRuns({ getSetup, onError, simd, metrics }) {
  let worker = null;
  let request = 0;
  const measured = new Map(); // "kind|label" -> text
  const pending = new Set(); // kinds being measured now
  const asked = new Set(); // kinds asked for on this setup

  function show() {
    document.querySelectorAll('#findings .measured').forEach((el) => {
      const kind = el.dataset.kind;
      const done = asked.has(kind) && !pending.has(kind);
      const text = measured.get(`${kind}|${el.dataset.label}`) ?? (pending.has(kind) ? `measuring over ${SEEDS} seeds…` : done ? 'not measured: the library tries other single changes for this setup' : '');
      if (el.textContent !== text) el.textContent = text;
    });
  }

  const handlers = {
    'remedy-result'(msg) {
      if (msg.request !== request) return;
      measured.set(`${msg.kind}|${msg.result.label}`, measuredText(msg.result, msg.epochs));
      metrics.remedyResults = (metrics.remedyResults ?? 0) + 1;
      show();
    },
    'remedies-done'(msg) {
      if (msg.aborted) metrics.remediesAborted = (metrics.remediesAborted ?? 0) + 1;
      if (msg.request !== request) return;
      metrics.remedyMs = msg.ms;
      pending.delete(msg.kind);
      show();
    },
    error(msg) {
      metrics.errors.push(msg.message);
      // measuring failed: the buttons still apply; say so beside them
      pending.clear();
      onError(`Measuring the remedies stopped: ${msg.message}`);
      show();
    },
  };

  return {
    show,
    /** a new setup: what was measured belonged to the old one */
    reset() {
      request++;
      measured.clear();
      pending.clear();
      asked.clear();
      worker?.send(TO_WORKER.abortRemedies, { request });
    },
    /** measures the remedies of findings not asked for yet on this setup (offered(finding): what the page offers) */
    measure(findings, offered) {
      for (const f of findings) {
        const list = offered(f);
        if (asked.has(f.kind) || !list.length) continue;
        asked.add(f.kind);
        pending.add(f.kind);
        worker ??= new Trainer(handlers, { simd });
        const { state, custom } = getSetup();
        const dataRemedies = list.filter((r) => r.data).map(({ id, label, data }) => ({ id, label, data }));
        worker.send(TO_WORKER.tryRemedies, { state, custom, kind: f.kind, seeds: SEEDS, request, dataRemedies });
      }
      show();
    },
  };
}
