// The page <-> worker messages, named once for every role that owns a worker
// (the training sides A and B, the sweeps, the remedy runs), as
// js/worker/protocol.js names them for the library's worker API. A role hands
// Trainer a map from these names to its handlers; sending a name that is not
// here throws, so a typo cannot become a message nobody answers.

/** commands the page sends (payloads: see web/worker.js's handlers of the same name) */
export const TO_WORKER = Object.freeze({
  init: 'init', // { simd, threads }
  threads: 'threads', // { threads }: the networks built from now on share their products over this many threads
  setup: 'setup', // { state, custom, request, useLoaded }
  play: 'play', // { untilEpoch }
  pause: 'pause',
  step: 'step',
  speed: 'speed', // { speed, histogramEvery }
  save: 'save', // { format }
  loadFile: 'load-file', // { file, request }
  parseCsv: 'parse-csv', // { file, options, request }
  points: 'points', // { custom }
  unitMap: 'unit-map', // { layer, unit, request }
  sweep: 'sweep', // { state, custom, param, values, epochs }
  tryRemedies: 'try-remedies', // { state, custom, kind, seeds, request }
  abortRemedies: 'abort-remedies', // { request }
  paper: 'paper', // { id, seed }: runs a paper card (the library's reproduce)
  stopPaper: 'stop-paper',
});

/** replies and reports the worker sends */
export const FROM_WORKER = Object.freeze({
  ready: 'ready',
  setup: 'setup',
  setupFailed: 'setup-failed',
  points: 'points',
  progress: 'progress',
  state: 'state',
  finished: 'finished',
  saved: 'saved',
  csv: 'csv',
  csvError: 'csv-error',
  model: 'model',
  modelError: 'model-error',
  unitMap: 'unit-map',
  sweepPoint: 'sweep-point',
  sweepDone: 'sweep-done',
  remedyResult: 'remedy-result',
  remediesDone: 'remedies-done',
  paperProgress: 'paper-progress',
  paperDone: 'paper-done',
  cspViolation: 'csp-violation',
  error: 'error',
});
