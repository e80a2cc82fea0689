/* Network construction, the parameter arena and the workspace.
 *
 * Arena (one allocation, offsets from a size table):
 *   params (P) | grads (P) | opt_m (P) | opt_v (P) | running stats (2*units per BN layer)
 * per layer, params hold W (out*in), b (out), then gamma, beta (out) with BN.
 * Workspace (reallocated only when a larger batch arrives): per layer
 * zx, h, mask, y (B*out each, only those the layer needs), BN statistics,
 * two (B, max_units) gradient buffers and one transposed-weight scratch. */
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
    net->beta1 = 0.9f, net->beta2 = 0.999f, net->eps = 1e-8f;
    net->nonfinite_layer = -1;
    gs_rng_seed(&net->rng, seed);
    return net;
}

int gs_net_add_layer(gs_net *net, int units, int activation, int batch_norm, float dropout) {
    if (!net || net->built) return GS_ERR_STATE;
    if (net->n_layers >= GS_MAX_LAYERS || units < 1 || units > GS_MAX_UNITS ||
        activation < GS_ACT_LINEAR || activation > GS_ACT_TANH || !(dropout >= 0.0f && dropout <= 1.0f))
        return GS_ERR_ARG;
    gs_layer *L = &net->layers[net->n_layers];
    memset(L, 0, sizeof *L);
    L->in = net->n_layers ? net->layers[net->n_layers - 1].out : net->inputs;
    L->out = units;
    L->act = activation;
    L->bn = batch_norm != 0;
    L->dropout = dropout;
    net->n_layers++;
    return GS_OK;
}

int gs_net_set_init(gs_net *net, int kind, float scale) {
    if (!net || net->built) return GS_ERR_STATE;
    if (kind < GS_INIT_HE || kind > GS_INIT_ZEROS || !(scale >= 0.0f) || isinf(scale)) return GS_ERR_ARG;
    net->init_kind = kind;
    net->init_scale = scale;
    return GS_OK;
}

static int valid_rate(float x) { return x >= 0.0f && isfinite(x); }

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

int gs_net_set_adam(gs_net *net, float lr, float beta1, float beta2, float eps, float weight_decay) {
    if (!net) return GS_ERR_STATE;
    if (!valid_rate(lr) || !(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f) ||
        !(eps > 0.0f) || isinf(eps) || !valid_rate(weight_decay))
        return GS_ERR_ARG;
    net->opt = GS_OPT_ADAM;
    net->lr = lr, net->beta1 = beta1, net->beta2 = beta2, net->eps = eps;
    net->weight_decay = weight_decay;
    return GS_OK;
}

int gs_net_set_clip_norm(gs_net *net, float clip_norm) {
    if (!net) return GS_ERR_STATE;
    if (!valid_rate(clip_norm)) return GS_ERR_ARG;
    net->clip_norm = clip_norm;
    return GS_OK;
}

int gs_net_build(gs_net *net) {
    if (!net || net->built || net->n_layers == 0) return GS_ERR_STATE;
    size_t p = 0, running = 0;
    int max_units = net->inputs;
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        L->w_off = (int)p, p += (size_t)L->in * L->out;
        L->b_off = (int)p, p += L->out;
        L->g_off = L->be_off = -1;
        if (L->bn) {
            L->g_off = (int)p, p += L->out;
            L->be_off = (int)p, p += L->out;
            running += 2 * (size_t)L->out;
        }
        if (L->out > max_units) max_units = L->out;
    }
    if (p > (size_t)1 << 28) return GS_ERR_ARG; /* 1 GiB of parameters */
    net->arena = calloc(4 * p + running, sizeof(float));
    net->stats = calloc((size_t)net->n_layers * GS_STAT_COUNT, sizeof(float));
    if (!net->arena || !net->stats) {
        free(net->arena), free(net->stats);
        net->arena = net->stats = NULL;
        return GS_ERR_NOMEM;
    }
    net->n_params = (int)p;
    net->max_units = max_units;
    net->params = net->arena;
    net->grads = net->arena + p;
    net->opt_m = net->arena + 2 * p;
    net->opt_v = net->arena + 3 * p;
    float *r = net->arena + 4 * p;
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        L->running = L->bn ? r : NULL;
        if (L->bn) r += 2 * L->out;
    }
    net->built = 1;
    gs_init_params(net);
    return GS_OK;
}

void gs_net_free(gs_net *net) {
    if (!net) return;
    free(net->arena), free(net->stats), free(net->ws);
    free(net->io_x), free(net->io_y);
    free(net->data_x), free(net->data_y), free(net->batch_x), free(net->batch_y);
    free(net->perm), free(net->log);
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

int gs_net_ensure_workspace(gs_net *net, int rows) {
    if (rows <= net->ws_rows) return GS_OK;
    size_t total = 2 * (size_t)rows * net->max_units, max_wt = 0;
    for (int l = 0; l < net->n_layers; l++) {
        const gs_layer *L = &net->layers[l];
        const size_t n = (size_t)rows * L->out;
        total += n * (1 + L->bn + 2 * (L->dropout > 0.0f)) + (L->bn ? 5 * (size_t)L->out : 0);
        if ((size_t)L->in * L->out > max_wt) max_wt = (size_t)L->in * L->out;
    }
    total += max_wt;
    float *ws = malloc(total * sizeof(float));
    if (!ws) return GS_ERR_NOMEM;
    free(net->ws);
    net->ws = ws;
    net->ws_rows = rows;
    float *p = ws;
    net->d0 = p, p += (size_t)rows * net->max_units;
    net->d1 = p, p += (size_t)rows * net->max_units;
    net->wt = p, p += max_wt;
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
float *gs_net_running(gs_net *net, int layer) {
    return net && net->built && layer >= 0 && layer < net->n_layers ? net->layers[layer].running : NULL;
}
int gs_net_opt_step(const gs_net *net) { return net ? net->step : 0; }
int gs_net_set_opt_step(gs_net *net, int step) {
    if (!net || step < 0) return GS_ERR_ARG;
    net->step = step;
    return GS_OK;
}
uint32_t *gs_net_rng_state(gs_net *net) { return net ? net->rng.s : NULL; }
const float *gs_net_layer_stats(const gs_net *net) { return net ? net->stats : NULL; }
int gs_net_nonfinite_layer(const gs_net *net) { return net ? net->nonfinite_layer : -1; }

/* ---- staging buffers ---------------------------------------------------------- */
static int grow(float **buf, size_t n) {
    float *p = malloc(n * sizeof(float));
    if (!p) return GS_ERR_NOMEM;
    free(*buf);
    *buf = p;
    return GS_OK;
}

int gs_net_reserve_io(gs_net *net, int rows) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (rows < 1) return GS_ERR_ARG;
    if (rows <= net->io_rows) return GS_OK;
    if (grow(&net->io_x, (size_t)rows * net->inputs) ||
        grow(&net->io_y, (size_t)rows * gs_net_outputs(net))) {
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
    if (rows != net->data_rows) {
        const int ydim = gs_net_ydim(net);
        free(net->perm);
        net->perm = malloc((size_t)rows * sizeof(uint32_t));
        if (!net->perm || grow(&net->data_x, (size_t)rows * net->inputs) ||
            grow(&net->data_y, (size_t)rows * ydim)) {
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
