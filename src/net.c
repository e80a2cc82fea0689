/* Network construction, the parameter arena, the workspace, and what the JS
 * side reads of a network (statistics, histogram slots, unit masks, staging
 * and dataset buffers). The passes build on this file (train.c, then infer.c
 * and fit.c); it calls none of them.
 *
 * Arena (one allocation, offsets from a size table; every size in 64 bits):
 *   params (P) | next params (P) | grads (P) | m (P) | next m (P) | v (P) | next v (P)
 *   | centered RMSprop only: a (P) | next a (P)
 *   | per BN layer: running stats (2*units) and their next copy (2*units)
 * per layer, params hold W (out*in), b (out), then gamma, beta (out) with BN or LN.
 * Workspace (reallocated only when a larger batch arrives): per layer
 * zx, h, mask, y (B*out each, only those the layer needs), BN statistics,
 * two (B, max_units) gradient buffers and one transposed-weight scratch. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

gs_net *gs_net_create(int inputs, int loss, uint32_t seed) {
    if (inputs < 1 || inputs > GS_MAX_UNITS || loss < GS_LOSS_MSE || loss > GS_LOSS_SOFTMAX_CE)
        return NULL;
    gs_net *net = calloc(1, sizeof(gs_net));
    if (!net) return NULL;
    net->inputs = inputs;
    net->loss = loss;
    net->init_kind = GS_INIT_HE;
    net->opt = GS_OPT_SGD;
    net->lr = 0.01f;
    net->beta1 = 0.9f, net->beta2 = 0.999f, net->eps = 1e-8f, net->alpha = 0.99f;
    net->nonfinite_layer = -1;
    net->threads = 1;
    gs_rng_seed(&net->rng, seed);
    return net;
}

int gs_net_add_layer(gs_net *net, int units, int activation, int norm, float dropout) {
    if (!net || net->built) return GS_ERR_STATE;
    if (net->n_layers >= GS_MAX_LAYERS || units < 1 || units > GS_MAX_UNITS ||
        activation < GS_ACT_LINEAR || activation > GS_ACT_SOFTSIGN || norm < GS_NORM_NONE ||
        norm > GS_NORM_LAYER || !(dropout >= 0.0f && dropout <= 1.0f))
        return GS_ERR_ARG;
    gs_layer *L = &net->layers[net->n_layers];
    memset(L, 0, sizeof *L);
    L->in = net->n_layers ? net->layers[net->n_layers - 1].out : net->inputs;
    L->out = units;
    L->act = activation;
    L->bn = norm == GS_NORM_BATCH;
    L->ln = norm == GS_NORM_LAYER;
    L->dropout = dropout;
    net->n_layers++;
    return GS_OK;
}

int gs_net_set_init(gs_net *net, int kind, float scale) {
    if (!net || net->built) return GS_ERR_STATE;
    if (kind < GS_INIT_HE || kind > GS_INIT_ORTHOGONAL || !(scale >= 0.0f) || isinf(scale)) return GS_ERR_ARG;
    net->init_kind = kind;
    net->init_scale = scale;
    return GS_OK;
}

int gs_net_set_init_bias(gs_net *net, int kind, float std) {
    if (!net || net->built) return GS_ERR_STATE;
    if (kind < GS_BIAS_DEFAULT || kind > GS_BIAS_NORMAL || !(std >= 0.0f) || isinf(std)) return GS_ERR_ARG;
    net->bias_kind = kind;
    net->bias_std = std;
    return GS_OK;
}

static int valid_rate(float x) { return x >= 0.0f && isfinite(x); }
static int valid_beta(float b) { return b >= 0.0f && b < 1.0f; }
static int valid_eps(float e) { return e > 0.0f && isfinite(e); }

/* Optimizers may change after build (state buffers are kept), except to a
 * centered RMSprop when the arena was built without its gradient average. */
int gs_net_set_sgd(gs_net *net, float lr, float momentum, int nesterov, float weight_decay) {
    if (!net) return GS_ERR_STATE;
    if (!valid_rate(lr) || !valid_rate(momentum) || !valid_rate(weight_decay) ||
        (nesterov && momentum <= 0.0f))
        return GS_ERR_ARG;
    net->opt = GS_OPT_SGD;
    net->lr = lr, net->momentum = momentum, net->nesterov = nesterov != 0;
    net->weight_decay = weight_decay;
    return GS_OK;
}

static int set_adam(gs_net *net, int opt, float lr, float beta1, float beta2, float eps, float weight_decay) {
    if (!net) return GS_ERR_STATE;
    if (!valid_rate(lr) || !valid_beta(beta1) || !valid_beta(beta2) || !valid_eps(eps) || !valid_rate(weight_decay))
        return GS_ERR_ARG;
    net->opt = opt;
    net->lr = lr, net->beta1 = beta1, net->beta2 = beta2, net->eps = eps;
    net->momentum = 0.0f, net->nesterov = 0;
    net->weight_decay = weight_decay;
    return GS_OK;
}

int gs_net_set_adam(gs_net *net, float lr, float beta1, float beta2, float eps, float weight_decay) {
    return set_adam(net, GS_OPT_ADAM, lr, beta1, beta2, eps, weight_decay);
}

int gs_net_set_adamw(gs_net *net, float lr, float beta1, float beta2, float eps, float weight_decay) {
    return set_adam(net, GS_OPT_ADAMW, lr, beta1, beta2, eps, weight_decay);
}

int gs_net_set_rmsprop(gs_net *net, float lr, float alpha, float eps, float momentum, int centered,
                       float weight_decay) {
    if (!net || (net->built && centered && !net->opt_a)) return GS_ERR_STATE;
    if (!valid_rate(lr) || !valid_beta(alpha) || !valid_eps(eps) || !valid_rate(momentum) ||
        !valid_rate(weight_decay))
        return GS_ERR_ARG;
    net->opt = GS_OPT_RMSPROP;
    net->lr = lr, net->alpha = alpha, net->eps = eps, net->momentum = momentum;
    net->centered = centered != 0, net->nesterov = 0;
    net->weight_decay = weight_decay;
    return GS_OK;
}

int gs_net_set_l1(gs_net *net, float l1) {
    if (!net) return GS_ERR_STATE;
    if (!valid_rate(l1)) return GS_ERR_ARG;
    net->l1 = l1;
    return GS_OK;
}

int gs_net_set_max_norm(gs_net *net, float max_norm) {
    if (!net) return GS_ERR_STATE;
    if (!valid_rate(max_norm)) return GS_ERR_ARG;
    net->max_norm = max_norm;
    return GS_OK;
}

int gs_net_set_schedule(gs_net *net, int warmup_steps, int decay, int decay_steps, int step_size,
                        float gamma, float min_lr) {
    if (!net) return GS_ERR_STATE;
    if (warmup_steps < 0 || decay < GS_DECAY_NONE || decay > GS_DECAY_COSINE ||
        (decay == GS_DECAY_COSINE && decay_steps < 1) || (decay == GS_DECAY_STEP && step_size < 1) ||
        ((decay == GS_DECAY_STEP || decay == GS_DECAY_EXPONENTIAL) && !(gamma > 0.0f && isfinite(gamma))) ||
        !valid_rate(min_lr))
        return GS_ERR_ARG;
    net->schedule = (gs_schedule){warmup_steps, decay, decay_steps, step_size, gamma, min_lr};
    return GS_OK;
}

float gs_net_learning_rate(const gs_net *net) { return net ? (float)gs_learning_rate(net, net->step) : 0.0f; }
float gs_net_last_learning_rate(const gs_net *net) { return net ? net->last_lr : 0.0f; }

int gs_net_set_clip_norm(gs_net *net, float clip_norm) {
    if (!net) return GS_ERR_STATE;
    if (!valid_rate(clip_norm)) return GS_ERR_ARG;
    net->clip_norm = clip_norm;
    return GS_OK;
}

void *gs_alloc(uint64_t n, size_t size) {
    const uint64_t bytes = gs_mul(n, size);
    if (bytes >= GS_MAX_BYTES || bytes > SIZE_MAX) return NULL;
    return malloc(bytes ? (size_t)bytes : 1);
}

void *gs_calloc(uint64_t n, size_t size) {
    const uint64_t bytes = gs_mul(n, size);
    if (bytes >= GS_MAX_BYTES || bytes > SIZE_MAX) return NULL;
    return calloc(bytes ? (size_t)n : 1, size);
}

int gs_net_build(gs_net *net) {
    if (!net || net->built || net->n_layers == 0) return GS_ERR_STATE;
    uint64_t p = 0, running = 0;
    int max_units = net->inputs;
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        const uint64_t weights = gs_mul((uint64_t)L->in, (uint64_t)L->out);
        if (weights > GS_MAX_PARAMS || p + weights + 3 * (uint64_t)L->out > GS_MAX_PARAMS) return GS_ERR_NOMEM;
        L->w_off = (int)p, p += weights;
        L->b_off = (int)p, p += L->out;
        L->g_off = L->be_off = -1;
        if (L->bn || L->ln) {
            L->g_off = (int)p, p += L->out;
            L->be_off = (int)p, p += L->out;
        }
        if (L->bn) running += 2 * (uint64_t)L->out;
        if (L->out > max_units) max_units = L->out;
    }
    /* params, m, v (and a) twice (current and next), grads once; running stats twice */
    const int with_a = net->opt == GS_OPT_RMSPROP && net->centered;
    const uint64_t floats = gs_add(gs_mul(7 + 2 * (uint64_t)with_a, p), gs_mul(2, running));
    net->arena = gs_calloc(floats, sizeof(float));
    net->stats = gs_calloc((uint64_t)net->n_layers * GS_STAT_COUNT, sizeof(float));
    net->hist = gs_calloc((uint64_t)net->n_layers * GS_HIST_QUANTITIES * GS_HIST_SLOTS, sizeof(uint32_t));
    uint64_t units = 0;
    for (int l = 0; l < net->n_layers; l++) units += (uint64_t)net->layers[l].out;
    net->alive = gs_calloc(2 * units, sizeof(uint8_t));
    net->hist_ranges = gs_alloc((uint64_t)net->n_layers + 1, sizeof(gs_hist_range));
    if (!net->arena || !net->stats || !net->hist || !net->alive || !net->hist_ranges) {
        free(net->arena), free(net->stats), free(net->hist), free(net->alive), free(net->hist_ranges);
        net->arena = net->stats = NULL, net->hist = NULL, net->alive = NULL, net->hist_ranges = NULL;
        return GS_ERR_NOMEM;
    }
    for (int l = 0; l < net->n_layers; l++) {
        float lo, hi;
        gs_hist_activation_range(net->layers[l].act, &lo, &hi);
        gs_hist_range_init(&net->hist_ranges[l], lo, hi);
    }
    gs_hist_range_init(&net->hist_ranges[net->n_layers], -(float)GS_HIST_WEIGHT_LIMIT, (float)GS_HIST_WEIGHT_LIMIT);
    net->total_units = (int)units;
    net->alive_epoch = net->alive + units;
    net->n_params = (int)p;
    net->max_units = max_units;
    float *a = net->arena;
    net->params = a, a += p;
    net->next_params = a, a += p;
    net->grads = a, a += p;
    net->opt_m = a, a += p;
    net->next_m = a, a += p;
    net->opt_v = a, a += p;
    net->next_v = a, a += p;
    net->opt_a = net->next_a = NULL;
    if (with_a) net->opt_a = a, net->next_a = a + p, a += 2 * p;
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        L->running = L->next_running = NULL;
        if (L->bn) L->running = a, L->next_running = a + 2 * L->out, a += 4 * L->out;
    }
    /* the initializer's scratch (orthogonal's QR): when it does not fit, nothing was built or drawn */
    const uint64_t work_n = gs_init_work(net);
    double *work = work_n ? gs_alloc(work_n, sizeof(double)) : NULL;
    if (work_n && !work) {
        free(net->arena), free(net->stats), free(net->hist), free(net->alive), free(net->hist_ranges);
        net->arena = net->stats = NULL, net->hist = NULL, net->alive = NULL, net->hist_ranges = NULL;
        net->params = net->grads = NULL;
        return GS_ERR_NOMEM;
    }
    gs_init_params(net, work);
    free(work);
    net->built = 1;
    gs_net_reset_unit_alive(net);
    return GS_OK;
}

void gs_net_free(gs_net *net) {
    if (!net) return;
    free(net->arena), free(net->stats), free(net->hist), free(net->alive), free(net->hist_ranges), free(net->ws);
    free(net->io_x), free(net->io_y);
    free(net->data_x), free(net->data_y), free(net->batch_x), free(net->batch_y);
    free(net->perm), free(net->log), free(net->snaps), free(net->snap_steps);
    free(net);
}

int gs_net_ydim(const gs_net *net) {
    return net->loss == GS_LOSS_SOFTMAX_CE ? 1 : net->layers[net->n_layers - 1].out;
}

int gs_net_has_bn(const gs_net *net) {
    for (int l = 0; l < net->n_layers; l++)
        if (net->layers[l].bn) return 1;
    return 0;
}

/* floats of workspace for `rows` rows, saturating */
static uint64_t workspace_floats(const gs_net *net, int rows) {
    uint64_t total = gs_mul(2 * (uint64_t)rows, (uint64_t)net->max_units);
    for (int l = 0; l < net->n_layers; l++) {
        const gs_layer *L = &net->layers[l];
        const uint64_t n = gs_mul((uint64_t)rows, (uint64_t)L->out);
        /* zx, h (with a norm), pre (gelu/silu), mask and y (dropout) */
        const uint64_t copies = 1 + (uint64_t)(L->bn || L->ln) + (uint64_t)gs_activation_needs_z(L->act) +
                                2 * (uint64_t)(L->dropout > 0.0f);
        const uint64_t stats = L->bn ? 5 * (uint64_t)L->out : L->ln ? 2 * (uint64_t)rows : 0;
        total = gs_add(total, gs_add(gs_mul(n, copies), stats));
    }
    return total;
}

double gs_net_workspace_bytes(const gs_net *net, int rows) {
    if (!net || !net->built || rows < 1) return 0.0;
    return (double)gs_mul(workspace_floats(net, rows), sizeof(float));
}

int gs_net_ensure_workspace(gs_net *net, int rows) {
    if (rows <= net->ws_rows) return GS_OK;
    gs_hist_flush_activations(net); /* count them before the workspace they live in goes */
    const uint64_t total = workspace_floats(net, rows);
    float *ws = gs_alloc(total, sizeof(float));
    if (!ws) return GS_ERR_NOMEM;
    free(net->ws);
    net->ws = ws;
    net->ws_rows = rows;
    /* total < 2^30 floats, so every size below fits in size_t and int */
    float *p = ws;
    net->d0 = p, p += (size_t)rows * net->max_units;
    net->d1 = p, p += (size_t)rows * net->max_units;
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        const size_t n = (size_t)rows * L->out;
        L->zx = p, p += n;
        L->h = L->zx;
        if (L->bn) {
            L->h = p, p += n;
            L->bn_mean = p, p += L->out;
            L->bn_var = p, p += L->out;
            L->bn_rstd = p, p += L->out; /* followed by 2*out of backward scratch */
            p += 2 * (size_t)L->out;
        }
        if (L->ln) {
            L->h = p, p += n;
            L->ln_mean = p, p += rows;
            L->ln_rstd = p, p += rows;
        }
        L->pre = NULL;
        if (gs_activation_needs_z(L->act)) L->pre = p, p += n;
        L->mask = NULL;
        L->y = L->h;
        if (L->dropout > 0.0f) {
            L->mask = p, p += n;
            L->y = p, p += n;
        }
    }
    return GS_OK;
}

/* ---- accessors -------------------------------------------------------------- */
int gs_net_layer_count(const gs_net *net) { return net ? net->n_layers : 0; }
int gs_net_inputs(const gs_net *net) { return net ? net->inputs : 0; }
int gs_net_outputs(const gs_net *net) {
    return net && net->n_layers ? net->layers[net->n_layers - 1].out : 0;
}
int gs_net_layer_units(const gs_net *net, int layer) {
    return net && layer >= 0 && layer < net->n_layers ? net->layers[layer].out : 0;
}
int gs_net_param_count(const gs_net *net) { return net ? net->n_params : 0; }
int gs_net_param_offset(const gs_net *net, int layer, int which) {
    if (!net || !net->built || layer < 0 || layer >= net->n_layers) return -1;
    const gs_layer *L = &net->layers[layer];
    switch (which) {
    case GS_P_WEIGHT: return L->w_off;
    case GS_P_BIAS: return L->b_off;
    case GS_P_GAMMA: return L->g_off;
    case GS_P_BETA: return L->be_off;
    default: return -1;
    }
}
float *gs_net_params(gs_net *net) { return net ? net->params : NULL; }
float *gs_net_grads(gs_net *net) { return net ? net->grads : NULL; }
float *gs_net_opt_m(gs_net *net) { return net ? net->opt_m : NULL; }
float *gs_net_opt_v(gs_net *net) { return net ? net->opt_v : NULL; }
float *gs_net_opt_a(gs_net *net) { return net ? net->opt_a : NULL; }
float *gs_net_running(gs_net *net, int layer) {
    return net && net->built && layer >= 0 && layer < net->n_layers ? net->layers[layer].running : NULL;
}
int gs_net_opt_step(const gs_net *net) { return net ? net->step : 0; }
int gs_net_set_opt_step(gs_net *net, int step) {
    if (!net || step < 0 || step == INT_MAX) return GS_ERR_ARG;
    net->step = step;
    return GS_OK;
}
uint32_t *gs_net_rng_state(gs_net *net) { return net ? net->rng.s : NULL; }
const float *gs_net_layer_stats(const gs_net *net) { return net ? net->stats : NULL; }

/* The activation histograms of the last training pass are counted lazily:
 * when asked for, or just before an eval pass (or a larger workspace) would
 * overwrite the activations they describe. Training itself pays nothing. */
void gs_hist_flush_activations(gs_net *net) {
    if (!net->hist_rows) return;
    for (int l = 0; l < net->n_layers; l++) {
        const gs_layer *L = &net->layers[l];
        gs_hist_linear(net->hist + ((size_t)l * GS_HIST_QUANTITIES + GS_HIST_ACTIVATION) * GS_HIST_SLOTS, L->h,
                       (size_t)net->hist_rows * L->out, &net->hist_ranges[l]);
    }
    net->hist_rows = 0;
}

const uint32_t *gs_net_layer_histograms(gs_net *net) {
    if (!net || !net->built) return NULL;
    gs_hist_flush_activations(net);
    for (int l = 0; l < net->n_layers; l++) { /* gradients and weights are counted now */
        const gs_layer *L = &net->layers[l];
        uint32_t *h = net->hist + (size_t)l * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
        const size_t n = (size_t)L->in * L->out;
        gs_hist_exponent(h + GS_HIST_GRADIENT * GS_HIST_SLOTS, net->grads + L->w_off, n);
        gs_hist_linear(h + GS_HIST_WEIGHT * GS_HIST_SLOTS, net->params + L->w_off, n, &net->hist_ranges[net->n_layers]);
    }
    return net->hist;
}

const uint8_t *gs_net_unit_alive(const gs_net *net, int which) {
    if (!net || !net->built || which < 0 || which > 1) return NULL;
    if (which == 1) return net->has_alive_epoch ? net->alive_epoch : NULL;
    return net->alive_updates ? net->alive : NULL; /* no update yet: nothing is known */
}

/* non-ReLU units read as alive: "dead" is a ReLU notion */
void gs_net_reset_unit_alive(gs_net *net) {
    if (!net || !net->built) return;
    net->alive_updates = 0;
    for (int l = 0, u = 0; l < net->n_layers; u += net->layers[l].out, l++)
        memset(net->alive + u, net->layers[l].act != GS_ACT_RELU, (size_t)net->layers[l].out);
}
int gs_net_nonfinite_layer(const gs_net *net) { return net ? net->nonfinite_layer : -1; }
int gs_net_nonfinite_kind(const gs_net *net) { return net ? net->nonfinite_kind : GS_NF_NONE; }

/* ---- staging buffers ---------------------------------------------------------- */
/* replaces *buf with room for rows*cols floats; *buf is untouched on failure */
static int grow(float **buf, int rows, int cols) {
    float *p = gs_alloc(gs_mul((uint64_t)rows, (uint64_t)cols), sizeof(float));
    if (!p) return GS_ERR_NOMEM;
    free(*buf);
    *buf = p;
    return GS_OK;
}

int gs_net_reserve_io(gs_net *net, int rows) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (rows < 1) return GS_ERR_ARG;
    if (rows <= net->io_rows) return GS_OK;
    const int out = gs_net_outputs(net);
    /* both buffers live in the same 4 GiB: their sum must fit */
    if (gs_mul(gs_mul((uint64_t)rows, (uint64_t)net->inputs + (uint64_t)out), sizeof(float)) >= GS_MAX_BYTES)
        return GS_ERR_NOMEM;
    if (grow(&net->io_x, rows, net->inputs) || grow(&net->io_y, rows, out)) {
        net->io_rows = 0;
        return GS_ERR_NOMEM;
    }
    net->io_rows = rows;
    return GS_OK;
}
float *gs_net_io_x(gs_net *net) { return net ? net->io_x : NULL; }
float *gs_net_io_y(gs_net *net) { return net ? net->io_y : NULL; }

int gs_net_set_dataset(gs_net *net, int rows) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (rows < 1) return GS_ERR_ARG;
    net->epoch_next_step = 0; /* a new dataset ends any epoch in progress */
    if (rows != net->data_rows) {
        const int ydim = gs_net_ydim(net);
        /* x, y and the row order live in the same 4 GiB: their sum must fit */
        if (gs_mul(gs_mul((uint64_t)rows, (uint64_t)net->inputs + (uint64_t)ydim + 1), sizeof(float)) >= GS_MAX_BYTES)
            return GS_ERR_NOMEM;
        uint32_t *perm = gs_alloc((uint64_t)rows, sizeof(uint32_t));
        if (!perm) return GS_ERR_NOMEM;
        free(net->perm);
        net->perm = perm;
        if (grow(&net->data_x, rows, net->inputs) || grow(&net->data_y, rows, ydim)) {
            net->data_rows = 0;
            return GS_ERR_NOMEM;
        }
        net->data_rows = rows;
    }
    return GS_OK;
}
float *gs_net_data_x(gs_net *net) { return net ? net->data_x : NULL; }
float *gs_net_data_y(gs_net *net) { return net ? net->data_y : NULL; }
const float *gs_net_epoch_log(const gs_net *net) { return net ? net->log : NULL; }
int gs_net_epoch_steps(const gs_net *net) { return net ? net->log_steps : 0; }
int gs_net_epoch_skipped(const gs_net *net) { return net ? net->epoch_skipped : 0; }
