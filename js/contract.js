// The contract between the C core and this library, in one place: status
// codes, statistic and parameter codes, non-finite kinds, size limits and the
// export list. include/gradscope.h and src/internal.h are the C side;
// tests/js/contract.test.js parses them (and the built .wasm's exports) and
// fails when the two sides disagree.

export const STATUS = Object.freeze({ OK: 0, NONFINITE: 1, MORE: 2, ERR_ARG: -1, ERR_NOMEM: -2, ERR_STATE: -3, ERR_BATCH: -4 });

/** gs_stat order: one float per name per layer */
export const STAT_NAMES = Object.freeze([
  'gradNorm',
  'biasGradNorm',
  'weightNorm',
  'updateRatio',
  'deadFraction',
  'saturatedFraction',
  'activationMean',
  'activationStd',
  'nonFinite',
  'gradDataRatio',
  'updateDataRatio',
]);

/** gradscope.h's histogram layout: per layer, activation / gradient / weight, each HIST.slots uint32 */
export const HIST = Object.freeze({
  bins: 48, // GS_HIST_BINS
  slots: 52, // GS_HIST_SLOTS: bins, then zeros, below, above, non-finite
  actLimit: 4, // GS_HIST_ACT_LIMIT
  weightLimit: 2, // GS_HIST_WEIGHT_LIMIT
  gradMinExp: -40, // GS_HIST_GRAD_MIN_EXP
  quantities: ['activation', 'gradient', 'weight'],
});

/** gs_param codes */
export const PARAM_CODES = Object.freeze({ weight: 0, bias: 1, gamma: 2, beta: 3 });

/** gs_nonfinite codes -> what the library reports as `nonFinite` */
export const NONFINITE_KINDS = Object.freeze([null, 'activation', 'loss', 'gradient', 'update', 'batch-norm statistics', 'layer-norm statistics']);

/** gs_norm codes */
export const NORMS = Object.freeze({ none: 0, batch: 1, layer: 2 });

/** gs_bias_init codes: how dense biases start (default: the init type's own) */
export const BIAS_CODES = Object.freeze({ default: 0, zeros: 1, uniform: 2, normal: 3 });

/** gs_decay order */
export const DECAY_CODES = Object.freeze(['none', 'step', 'exponential', 'cosine']);

/** GS_ROW_HEAD: a step row starts with the loss and the learning rate, then STAT_NAMES per layer */
export const ROW_HEAD = 2;

export const LIMITS = Object.freeze({
  maxLayers: 256, // GS_MAX_LAYERS
  maxUnits: 1 << 20, // GS_MAX_UNITS
  maxParams: 1 << 28, // GS_MAX_PARAMS
  maxBytes: 2 ** 32, // GS_MAX_BYTES: every buffer is smaller (wasm32's address space)
  logSteps: 1024, // GS_LOG_STEPS: steps per gs_net_fit_steps call
  arenaCopiesPerParam: 7, // params, m, v twice (current, next) and grads once (net.c gs_net_build)
  centeredExtraCopies: 2, // centered RMSprop's gradient average, current and next
  maxRows: 0x7fffffff, // rows are C ints
  maxThreads: 32, // GS_MAX_THREADS: the caller and up to 31 workers
});

/** The C error codes in words, for messages */
export const C_ERRORS = Object.freeze({
  [STATUS.ERR_ARG]: 'an argument was out of range',
  [STATUS.ERR_NOMEM]: 'out of memory',
  [STATUS.ERR_STATE]: 'the network is not ready',
  [STATUS.ERR_BATCH]: 'batch norm needs at least 2 examples per training batch',
});

/** functions the .wasm exports (CMakeLists.txt GS_EXPORTS) */
export const EXPORTS = Object.freeze([
  'gs_net_create',
  'gs_net_add_layer',
  'gs_net_set_init',
  'gs_net_set_init_bias',
  'gs_net_set_sgd',
  'gs_net_set_adam',
  'gs_net_set_adamw',
  'gs_net_set_rmsprop',
  'gs_net_set_l1',
  'gs_net_set_max_norm',
  'gs_net_set_schedule',
  'gs_net_learning_rate',
  'gs_net_last_learning_rate',
  'gs_net_set_clip_norm',
  'gs_net_build',
  'gs_net_free',
  'gs_net_layer_count',
  'gs_net_inputs',
  'gs_net_outputs',
  'gs_net_layer_units',
  'gs_net_param_count',
  'gs_net_param_offset',
  'gs_net_params',
  'gs_net_grads',
  'gs_net_opt_m',
  'gs_net_opt_v',
  'gs_net_opt_a',
  'gs_net_running',
  'gs_net_opt_step',
  'gs_net_set_opt_step',
  'gs_net_rng_state',
  'gs_net_layer_stats',
  'gs_net_layer_histograms',
  'gs_net_unit_alive',
  'gs_net_reset_unit_alive',
  'gs_net_unit_activity',
  'gs_net_layer_outputs',
  'gs_net_probe',
  'gs_net_nonfinite_layer',
  'gs_net_nonfinite_kind',
  'gs_net_workspace_bytes',
  'gs_net_reserve_io',
  'gs_net_io_x',
  'gs_net_io_y',
  'gs_net_train_step',
  'gs_net_predict',
  'gs_net_evaluate',
  'gs_net_set_dataset',
  'gs_net_data_x',
  'gs_net_data_y',
  'gs_net_fit_steps',
  'gs_net_fit_epoch',
  'gs_net_set_fit_histograms',
  'gs_net_fit_histogram_count',
  'gs_net_fit_histograms',
  'gs_net_fit_histogram_steps',
  'gs_net_epoch_log',
  'gs_net_epoch_steps',
  'gs_net_epoch_skipped',
  'gs_pool_create',
  'gs_pool_work',
  'gs_pool_attached',
  'gs_pool_stop',
  'gs_pool_free',
  'gs_net_set_threads',
  'gs_net_threads',
  'malloc',
  'free',
]);
