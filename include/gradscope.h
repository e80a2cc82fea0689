/*
 * gradscope: a small neural-network training core (dense layers, nine
 * activations, batch and layer norm, dropout, SGD/Adam/AdamW/RMSprop with L1,
 * L2 and schedules) that records per-layer gradient statistics on every
 * training pass. C11, no globals: all state lives in the network handle.
 *
 * Conventions
 * - Matrices are row-major. x is (B, inputs); a dense weight is (out, in),
 *   the PyTorch nn.Linear layout; gradients share the layouts of their
 *   parameters.
 * - Functions return GS_OK (0) or a negative gs_status; library code never
 *   prints or exits.
 */
#ifndef GRADSCOPE_H
#define GRADSCOPE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gs_net gs_net;

typedef enum {
    GS_OK = 0,
    GS_NONFINITE = 1,      /* step skipped: a value was NaN/Inf (gs_net_nonfinite_kind says which) */
    GS_MORE = 2,           /* gs_net_fit_steps: the epoch goes on; call again */
    GS_ERR_ARG = -1,       /* an argument is out of range */
    GS_ERR_NOMEM = -2,     /* a buffer would pass 4 GiB, or memory could not grow */
    GS_ERR_STATE = -3,     /* call not valid in this state (e.g. before build) */
    GS_ERR_BATCH = -4      /* batch of 1 with batch norm in training */
} gs_status;

typedef enum {
    GS_ACT_LINEAR = 0,
    GS_ACT_RELU = 1,
    GS_ACT_LEAKY_RELU = 2, /* slope 0.01 for negative inputs */
    GS_ACT_SIGMOID = 3,
    GS_ACT_TANH = 4,
    GS_ACT_ELU = 5,        /* alpha 1 */
    GS_ACT_SELU = 6,       /* PyTorch's lambda 1.0507009873554805, alpha 1.6732632423543772 */
    GS_ACT_GELU = 7,       /* exact: 0.5 z (1 + erf(z / sqrt 2)) */
    GS_ACT_SILU = 8,       /* z sigmoid(z) */
    GS_ACT_SOFTSIGN = 9    /* z / (1 + |z|) */
} gs_activation;

typedef enum {
    GS_LOSS_MSE = 0,        /* mean over all elements */
    GS_LOSS_BCE = 1,        /* BCE with logits, mean over all elements */
    GS_LOSS_SOFTMAX_CE = 2  /* cross-entropy on logits, mean over batch; y holds class indices */
} gs_loss;

typedef enum {
    GS_INIT_HE = 0,         /* N(0, 2/fan_in), bias 0 */
    GS_INIT_XAVIER = 1,     /* U(+-sqrt(6/(fan_in+fan_out))), bias 0 */
    GS_INIT_LECUN = 2,      /* N(0, 1/fan_in), bias 0 */
    GS_INIT_PYTORCH = 3,    /* nn.Linear default: W and b ~ U(+-1/sqrt(fan_in)) */
    GS_INIT_NORMAL = 4,     /* N(0, scale^2), bias 0 */
    GS_INIT_UNIFORM = 5,    /* U(+-scale), bias 0 */
    GS_INIT_ZEROS = 6,
    GS_INIT_ORTHOGONAL = 7  /* torch.nn.init.orthogonal_ with gain = scale: QR of a Gaussian, signs fixed; bias 0 */
} gs_init;

/* How a layer's dense bias starts (gs_net_set_init_bias), drawn after the layer's weights. */
typedef enum {
    GS_BIAS_DEFAULT = 0,    /* the init kind's own: U(+-1/sqrt(fan_in)) for GS_INIT_PYTORCH, else 0 */
    GS_BIAS_ZEROS = 1,
    GS_BIAS_UNIFORM = 2,    /* U(+-1/sqrt(fan_in)), as nn.Linear */
    GS_BIAS_NORMAL = 3      /* N(0, std^2) */
} gs_bias_init;

typedef enum { GS_OPT_SGD = 0, GS_OPT_ADAM = 1, GS_OPT_ADAMW = 2, GS_OPT_RMSPROP = 3 } gs_optimizer;

/* Learning-rate decay after warmup (gs_net_set_schedule). */
typedef enum { GS_DECAY_NONE = 0, GS_DECAY_STEP = 1, GS_DECAY_EXPONENTIAL = 2, GS_DECAY_COSINE = 3 } gs_decay;

/* What made a training pass non-finite. Checked as the values arise: per layer its
 * normalization statistics, then its activations; the loss; gradients; the update. */
typedef enum {
    GS_NF_NONE = 0,
    GS_NF_ACTIVATION = 1,  /* a layer's forward output */
    GS_NF_LOSS = 2,        /* the loss (as float32) */
    GS_NF_GRADIENT = 3,    /* a layer's gradients */
    GS_NF_UPDATE = 4,      /* new parameters or optimizer state */
    GS_NF_BN_STATS = 5,    /* batch-norm batch statistics or the new running statistics */
    GS_NF_LN_STATS = 6     /* layer-norm row statistics */
} gs_nonfinite;

/* Normalization after a layer's dense part (gs_net_add_layer's `norm`). */
typedef enum { GS_NORM_NONE = 0, GS_NORM_BATCH = 1, GS_NORM_LAYER = 2 } gs_norm;

/* Which parameter tensor of a layer (gs_net_param_offset). */
typedef enum { GS_P_WEIGHT = 0, GS_P_BIAS = 1, GS_P_GAMMA = 2, GS_P_BETA = 3 } gs_param;

/* A fit log row: GS_ROW_HEAD floats (loss, learning rate), then GS_STAT_COUNT per layer. */
#define GS_ROW_HEAD 2

/* Per-layer statistics of the last training pass, GS_STAT_COUNT floats per layer. */
typedef enum {
    GS_STAT_GRAD_NORM = 0,      /* L2 norm of the dense weight gradient */
    GS_STAT_BIAS_GRAD_NORM,     /* L2 norm of the dense bias gradient */
    GS_STAT_WEIGHT_NORM,        /* L2 norm of the dense weight (after the update) */
    GS_STAT_UPDATE_RATIO,       /* ||dW applied|| / ||W before||; 0 when no update was applied */
    GS_STAT_DEAD_FRACTION,      /* relu: share of units that are 0 for every example */
    GS_STAT_SATURATED_FRACTION, /* sigmoid <0.01 or >0.99, tanh |a|>0.99, elu < -0.99, selu < -0.99 lambda alpha: share of all activations */
    GS_STAT_ACT_MEAN,           /* mean of the activation output (before dropout) */
    GS_STAT_ACT_STD,            /* its standard deviation (population) */
    GS_STAT_NONFINITE,          /* 0, or the gs_nonfinite kind first found in this layer */
    GS_STAT_GRAD_DATA_RATIO,    /* std(dense weight gradient) / std(W before the update) */
    GS_STAT_UPDATE_DATA_RATIO,  /* std(applied update of W) / std(W before); 0 when none was applied */
    GS_STAT_COUNT
} gs_stat;

/* Histograms per layer of the last training pass, with fixed bins so that
 * successive passes compare: GS_HIST_SLOTS uint32 per quantity = GS_HIST_BINS
 * counts, then exact zeros, values below the first edge, above the last, and
 * non-finite values (all five sum to the number of values).
 *   activation: linear bins on [0, 1] (sigmoid), [-1, 1] (tanh, softsign), [-GS_HIST_ACT_LIMIT, +] (others)
 *   gradient:   |g| of the dense weights by binary exponent: bin k holds [2^(min+k), 2^(min+k+1))
 *   weight:     linear bins on [-GS_HIST_WEIGHT_LIMIT, +GS_HIST_WEIGHT_LIMIT] */
#define GS_HIST_BINS 48
#define GS_HIST_SLOTS (GS_HIST_BINS + 4)
#define GS_HIST_ACT_LIMIT 4
#define GS_HIST_WEIGHT_LIMIT 2
#define GS_HIST_GRAD_MIN_EXP (-40)
typedef enum { GS_HIST_ACTIVATION = 0, GS_HIST_GRADIENT = 1, GS_HIST_WEIGHT = 2, GS_HIST_QUANTITIES = 3 } gs_hist_quantity;
typedef enum { GS_HIST_ZEROS = GS_HIST_BINS, GS_HIST_BELOW, GS_HIST_ABOVE, GS_HIST_NONFINITE } gs_hist_slot;

/* --- building a network --------------------------------------------------- */
gs_net *gs_net_create(int inputs, int loss, uint32_t seed);
int gs_net_add_layer(gs_net *net, int units, int activation, int norm, float dropout); /* norm: gs_norm */
int gs_net_set_init(gs_net *net, int kind, float scale);
int gs_net_set_init_bias(gs_net *net, int kind, float std); /* kind: gs_bias_init; std for GS_BIAS_NORMAL */
int gs_net_set_sgd(gs_net *net, float lr, float momentum, int nesterov, float weight_decay);
int gs_net_set_adam(gs_net *net, float lr, float beta1, float beta2, float eps, float weight_decay);
int gs_net_set_clip_norm(gs_net *net, float clip_norm); /* clip_grad_norm_ over all parameters; 0 = off */
/* torch.optim.AdamW: decoupled weight decay p *= 1 - lr * weight_decay (dense weights) */
int gs_net_set_adamw(gs_net *net, float lr, float beta1, float beta2, float eps, float weight_decay);
/* torch.optim.RMSprop */
int gs_net_set_rmsprop(gs_net *net, float lr, float alpha, float eps, float momentum, int centered,
                       float weight_decay);
/* adds l1 * sign(W) to the dense weight gradients in the optimizer (after clipping) */
int gs_net_set_l1(gs_net *net, float l1);
/* max-norm constraint: after each update, every unit's incoming dense weight row whose L2 norm
 * exceeds max_norm is scaled by max_norm / (norm + 1e-7), as torch.renorm(W, 2, 0, max_norm)
 * after the optimizer step; 0 = off */
int gs_net_set_max_norm(gs_net *net, float max_norm);
/* lr(t) = base * w(t) * d(t - warmup_steps) for optimizer step t (0-based):
 * w(t) = min(1, (t + 1) / warmup_steps) (1 without warmup); d(s) = 1 for s < 0
 * or GS_DECAY_NONE; step: gamma^floor(s / step_size); exponential: gamma^s;
 * cosine: from base to min_lr over decay_steps (as a multiple of base), then flat */
int gs_net_set_schedule(gs_net *net, int warmup_steps, int decay, int decay_steps, int step_size,
                        float gamma, float min_lr);
float gs_net_learning_rate(const gs_net *net); /* the rate the next step will use */
float gs_net_last_learning_rate(const gs_net *net); /* the rate the last training pass used */
int gs_net_build(gs_net *net); /* allocates parameters and initializes them from the seed */
void gs_net_free(gs_net *net);

/* --- shape and memory ---------------------------------------------------- */
int gs_net_layer_count(const gs_net *net);
int gs_net_inputs(const gs_net *net);
int gs_net_outputs(const gs_net *net);
int gs_net_layer_units(const gs_net *net, int layer);
int gs_net_param_count(const gs_net *net);
/* float offset of a parameter tensor inside params/grads, or -1 if absent */
int gs_net_param_offset(const gs_net *net, int layer, int which);
float *gs_net_params(gs_net *net);       /* (param_count,) */
float *gs_net_grads(gs_net *net);        /* (param_count,) */
float *gs_net_opt_m(gs_net *net);        /* momentum buffer / Adam first moment */
float *gs_net_opt_v(gs_net *net);        /* Adam second moment / RMSprop square average */
float *gs_net_opt_a(gs_net *net);        /* centered RMSprop gradient average; NULL otherwise */
float *gs_net_running(gs_net *net, int layer); /* (2, units): mean then var; NULL without BN */
int gs_net_opt_step(const gs_net *net);  /* number of updates applied */
int gs_net_set_opt_step(gs_net *net, int step);
uint32_t *gs_net_rng_state(gs_net *net); /* 4 words */
const float *gs_net_layer_stats(const gs_net *net); /* (layers, GS_STAT_COUNT) */
/* (layers, GS_HIST_QUANTITIES, GS_HIST_SLOTS): the last training pass's activations (kept
 * when it ran), its raw weight gradients and the current weights (counted now) */
const uint32_t *gs_net_layer_histograms(gs_net *net);
/* per unit of every layer, in layer order: 1 when the unit gave a non-zero output for some
 * example. which = 0: since the current epoch (or the last reset) began (NULL before an
 * applied update); 1: over the last completed fit epoch (NULL before one). ReLU units
 * only; other units read 1. */
const uint8_t *gs_net_unit_alive(const gs_net *net, int which);
void gs_net_reset_unit_alive(gs_net *net);
/* eval mode over rows: out (sum of units) = per unit the share of rows with output != 0 */
int gs_net_unit_activity(gs_net *net, const float *x, int rows, float *out);
/* eval mode over rows: every hidden layer's output after its norm and activation, layer after
 * layer, out is (rows, units of layer 0) then (rows, units of layer 1) ... up to the last
 * hidden layer; the output layer is not written. Changes no parameter, statistic or RNG. */
int gs_net_layer_outputs(gs_net *net, const float *x, int rows, float *out);
/* The probe (Glorot & Bengio's fixed set of examples): an eval-mode forward and backward
 * pass over rows, no update. out holds per layer, in layer order, three (rows, units) blocks:
 * s, the activation's input (the dense output, after batch or layer norm when the layer has
 * one); h, the layer's output (after the activation; dropout is off in eval); and dC/ds, the
 * gradient of the mean loss over all rows with respect to s (batch norm's running statistics
 * are constants). *loss_out is that mean loss. Changes no parameter, gradient, statistic,
 * histogram, running statistic or RNG. */
int gs_net_probe(gs_net *net, const float *x, const float *y, int rows, float *out, float *loss_out);
int gs_net_nonfinite_layer(const gs_net *net); /* first layer with a non-finite value in the last pass, -1 none, L for the loss */
int gs_net_nonfinite_kind(const gs_net *net);  /* gs_nonfinite of the last pass */
/* bytes of workspace a training pass on `rows` rows needs (for error messages); 2^64-1 when absurd */
double gs_net_workspace_bytes(const gs_net *net, int rows);

/* Staging buffers for one batch: x (rows, inputs) and y (rows, outputs). */
int gs_net_reserve_io(gs_net *net, int rows);
float *gs_net_io_x(gs_net *net);
float *gs_net_io_y(gs_net *net);

/* --- training and inference ---------------------------------------------- */
/* One training-mode pass. update != 0: clip, optimizer step, running stats.
 * update == 0: gradients only; parameters, running stats, optimizer state and
 * the RNG are left as they were. The update is applied only when the loss,
 * every activation, gradient, new parameter, new optimizer state and new
 * running statistic is finite; otherwise nothing changes (parameters,
 * optimizer state, running statistics, step count) and GS_NONFINITE is
 * returned. Returns GS_OK, GS_NONFINITE or an error. */
int gs_net_train_step(gs_net *net, const float *x, const float *y, int batch, int update,
                      float *loss_out);
/* Eval mode: writes (rows, outputs) probabilities (bce: sigmoid, softmax-ce:
 * softmax, mse: raw outputs) to out. */
int gs_net_predict(gs_net *net, const float *x, int rows, float *out);
/* Eval mode loss and accuracy (accuracy NaN for mse). */
int gs_net_evaluate(gs_net *net, const float *x, const float *y, int rows, float *loss_out,
                    float *accuracy_out);

/* --- fit: the epoch loop in C over a dataset already in memory ------------ */
int gs_net_set_dataset(gs_net *net, int rows);  /* allocates data x/y */
float *gs_net_data_x(gs_net *net);
float *gs_net_data_y(gs_net *net);
/* Up to max_steps (at most GS_LOG_STEPS) steps of the current epoch, starting
 * one (shuffling with the network's RNG) when none is in progress. The log
 * then holds, per step of this call, GS_ROW_HEAD + layers*GS_STAT_COUNT floats (loss,
 * learning rate, then stats): its memory is bounded whatever the dataset. Returns GS_MORE
 * while the epoch goes on, GS_OK when it ended (mean loss written). A final
 * batch of a single example is skipped when the network has batch norm. */
int gs_net_fit_steps(gs_net *net, int batch, int shuffle, int max_steps, float *mean_loss_out);
/* A whole epoch (gs_net_fit_steps until it ends; the log holds its last steps). */
int gs_net_fit_epoch(gs_net *net, int batch, int shuffle, float *mean_loss_out);
/* Histogram snapshots inside fit: from now on, after every `every`-th step of gs_net_fit_steps
 * (counted across calls; 0 = off), the slots gs_net_layer_histograms would return right then
 * are copied into a buffer of GS_LOG_STEPS / every + 1 snapshots that each call refills. */
int gs_net_set_fit_histograms(gs_net *net, int every);
int gs_net_fit_histogram_count(const gs_net *net); /* snapshots the last gs_net_fit_steps took */
/* (count, layers, GS_HIST_QUANTITIES, GS_HIST_SLOTS), and per snapshot the step of that
 * call (0-based) it followed */
const uint32_t *gs_net_fit_histograms(const gs_net *net);
const uint32_t *gs_net_fit_histogram_steps(const gs_net *net);
const float *gs_net_epoch_log(const gs_net *net);
int gs_net_epoch_steps(const gs_net *net);   /* steps in the log */
int gs_net_epoch_skipped(const gs_net *net); /* steps of this epoch skipped for non-finite values */

/* --- threads: the opt-in multi-threaded core ------------------------------ *
 * Worker threads that share this module's memory (gradscope_threads.wasm, or
 * native threads) split each large matrix product of a training pass by rows;
 * every element is still one in-order sum by one thread, so results are the
 * same bits for any number of threads. Builds without shared memory have no
 * pools: gs_pool_create returns NULL there. */
#define GS_MAX_THREADS 32
typedef struct gs_pool gs_pool;
/* a pool for `workers` (1 .. GS_MAX_THREADS - 1) worker threads; NULL when out of range,
 * out of memory, or in a build without threads */
gs_pool *gs_pool_create(int workers);
/* a worker thread's loop, index 1 .. workers (each index once): runs its part of every job
 * until gs_pool_stop; GS_OK then, GS_ERR_ARG for a bad index, GS_ERR_STATE when the index
 * is already in its loop */
int gs_pool_work(gs_pool *pool, int index);
int gs_pool_attached(const gs_pool *pool); /* workers inside gs_pool_work now */
int gs_pool_stop(gs_pool *pool);           /* every worker leaves gs_pool_work */
/* frees a pool no worker is in (GS_ERR_STATE otherwise) and no network uses */
int gs_pool_free(gs_pool *pool);
/* threads (1 .. GS_MAX_THREADS) share this network's products: the caller and workers
 * 1 .. threads - 1 of pool (NULL for 1 thread). A product runs on the caller alone while a
 * worker it needs is not in its loop, with the same result. */
int gs_net_set_threads(gs_net *net, gs_pool *pool, int threads);
int gs_net_threads(const gs_net *net);

#ifdef __cplusplus
}
#endif
#endif
