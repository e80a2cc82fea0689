// Early stopping on the validation loss, as fit() applies it and the
// playground applies it across the fit calls of one run.
import { boolean, checkKeys, fail, given, integer, isPlainObject, number } from './validate.js';

/** fit's options.earlyStopping, validated: { patience, minDelta, restoreBest } */
export function checkEarlyStopping(where, value, valRows) {
  const name = 'options.earlyStopping';
  if (!isPlainObject(value)) fail(where, name, value, 'an object { patience, minDelta?, restoreBest? }');
  checkKeys(where, name, value, ['patience', 'minDelta', 'restoreBest']);
  if (!valRows) fail(where, name, value, 'to come with options.validation (it watches the validation loss)');
  return {
    patience: integer(where, `${name}.patience`, given(value.patience, 10), 1, 1e9),
    minDelta: number(where, `${name}.minDelta`, given(value.minDelta, 0), { min: 0 }),
    restoreBest: boolean(where, `${name}.restoreBest`, given(value.restoreBest, true)),
  };
}

/**
 * An epoch improves when valLoss < best - minDelta (NaN never does); stop
 * after `patience` epochs in a row without one. With restoreBest, the best
 * epoch's parameters (snapshot()) are kept to be put back.
 */
export class EarlyStopper {
  bestEpoch = null;
  best = null; // the best epoch's parameters, when restoring
  #bestLoss = Infinity;
  #waited = 0;
  #options;
  #snapshot;

  constructor(options, snapshot) {
    this.#options = options;
    this.#snapshot = snapshot;
  }
  get restore() {
    return this.#options.restoreBest;
  }
  /** true when training should stop after this epoch */
  observe(epoch, valLoss) {
    if (valLoss < this.#bestLoss - this.#options.minDelta) {
      this.#bestLoss = valLoss;
      this.bestEpoch = epoch;
      this.#waited = 0;
      if (this.restore) this.best = this.#snapshot();
      return false;
    }
    return ++this.#waited >= this.#options.patience;
  }
}
