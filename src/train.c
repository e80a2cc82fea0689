/* The training pass (forward, loss, backward, statistics, update), inference,
 * and the epoch loop of fit, all over buffers already in memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* x (B, inputs) -> the last layer's output (B, outputs). In training mode BN
 * uses batch statistics and dropout draws masks from the network's RNG. */
static const float *forward(gs_net *net, const float *x, int B, int train) {
    const float *in = x;
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        const size_t n = (size_t)B * L->out;
        const float *w = net->params + L->w_off, *b = net->params + L->b_off;
        gs_dense_forward(L->zx, net->wt, in, w, b, B, L->in, L->out);
        if (L->bn) {
            const float *gamma = net->params + L->g_off, *beta = net->params + L->be_off;
            if (train)
                gs_batchnorm_forward_train(L->h, L->zx, L->bn_mean, L->bn_var, L->bn_rstd, gamma,
                                           beta, B, L->out);
            else
                gs_batchnorm_forward_eval(L->h, L->zx, L->running, gamma, beta, B, L->out);
        }
        gs_activation_forward(L->h, (int)n, L->act);
        if (train && L->dropout > 0.0f) {
            gs_dropout_forward(L->y, L->mask, L->h, (int)n, L->dropout, &net->rng);
            in = L->y;
        } else {
            in = L->h;
        }
    }
    return in;
}

/* net->d0 holds dL/dlogits (B, outputs). Gradients are zeroed, then added into. */
static void backward(gs_net *net, const float *x, int B) {
    memset(net->grads, 0, (size_t)net->n_params * sizeof(float));
    float *d = net->d0, *other = net->d1;
    for (int l = net->n_layers - 1; l >= 0; l--) {
        gs_layer *L = &net->layers[l];
        const int n = B * L->out;
        if (L->dropout > 0.0f) gs_dropout_backward(d, L->mask, n);
        gs_activation_backward(d, L->h, n, L->act);
        if (L->bn)
            gs_batchnorm_backward(d, net->grads + L->g_off, net->grads + L->be_off,
                                  L->bn_rstd + L->out, L->zx, net->params + L->g_off, L->bn_rstd,
                                  B, L->out);
        const float *in = l ? net->layers[l - 1].y : x;
        gs_dense_backward(l ? other : NULL, net->grads + L->w_off, net->grads + L->b_off, d, in,
                          net->params + L->w_off, B, L->in, L->out);
        float *t = d;
        d = other, other = t;
    }
}

/* softmax-ce targets must be class indices in [0, outputs) */
static int valid_targets(const gs_net *net, const float *y, int rows) {
    if (net->loss != GS_LOSS_SOFTMAX_CE) return 1;
    const int O = gs_net_outputs(net);
    for (int r = 0; r < rows; r++)
        if (!(y[r] >= 0.0f && y[r] < (float)O) || y[r] != (float)(int)y[r]) return 0;
    return 1;
}

int gs_net_train_step(gs_net *net, const float *x, const float *y, int batch, int update,
                      float *loss_out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !y || batch < 1 || !valid_targets(net, y, batch)) return GS_ERR_ARG;
    if (batch < 2 && gs_net_has_bn(net)) return GS_ERR_BATCH;
    int status = gs_net_ensure_workspace(net, batch);
    if (status) return status;

    const gs_rng rng_before = net->rng;
    const int L_count = net->n_layers, O = gs_net_outputs(net);
    const float *logits = forward(net, x, batch, 1);
    const double loss = gs_loss_forward_backward(net->d0, logits, y, batch, O, net->loss);
    backward(net, x, batch);
    if (loss_out) *loss_out = (float)loss;

    net->nonfinite_layer = -1;
    for (int l = 0; l < L_count; l++) {
        const gs_layer *Ly = &net->layers[l];
        float *s = net->stats + (size_t)l * GS_STAT_COUNT;
        gs_stats_activations(s, Ly->h, batch, Ly->out, Ly->act);
        gs_stats_grads(s, net, l);
        if (s[GS_STAT_NONFINITE] != 0.0f && net->nonfinite_layer < 0) net->nonfinite_layer = l;
    }
    if (net->nonfinite_layer < 0 && !isfinite(loss)) net->nonfinite_layer = L_count;
    const int skip = net->nonfinite_layer >= 0;
    const int updated = update && !skip;

    double weight_sums[GS_MAX_LAYERS][GS_SUM_COUNT];
    if (updated) {
        gs_clip_grads(net);
        gs_optimizer_step(net, weight_sums); /* measures the weight norms as it updates */
        for (int l = 0; l < L_count; l++) {
            const gs_layer *Ly = &net->layers[l];
            if (Ly->bn) gs_batchnorm_update_running(Ly->running, Ly->bn_mean, Ly->bn_var, batch, Ly->out);
        }
    } else {
        for (int l = 0; l < L_count; l++) {
            const gs_layer *Ly = &net->layers[l];
            const double w = gs_sumsq(net->params + Ly->w_off, Ly->in * Ly->out);
            weight_sums[l][GS_SUM_UPDATE] = 0.0;
            weight_sums[l][GS_SUM_BEFORE] = weight_sums[l][GS_SUM_AFTER] = w;
        }
    }
    if (!update) net->rng = rng_before; /* computeGradients leaves the RNG as it was */
    for (int l = 0; l < L_count; l++) gs_stats_weights(net->stats + (size_t)l * GS_STAT_COUNT, weight_sums[l]);
    return skip ? GS_NONFINITE : GS_OK;
}

/* rows per eval-mode chunk: the current workspace, or up to 1024 rows */
static int eval_chunk(gs_net *net, int rows) {
    if (rows <= net->ws_rows) return rows;
    const int want = rows < 1024 ? rows : 1024;
    return want > net->ws_rows ? want : net->ws_rows;
}

int gs_net_predict(gs_net *net, const float *x, int rows, float *out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !out || rows < 1) return GS_ERR_ARG;
    const int chunk = eval_chunk(net, rows), O = gs_net_outputs(net);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        const float *logits = forward(net, x + (size_t)r0 * net->inputs, b, 0);
        gs_loss_probabilities(out + (size_t)r0 * O, logits, b, O, net->loss);
    }
    return GS_OK;
}

int gs_net_evaluate(gs_net *net, const float *x, const float *y, int rows, float *loss_out,
                    float *accuracy_out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !y || rows < 1 || !valid_targets(net, y, rows)) return GS_ERR_ARG;
    const int chunk = eval_chunk(net, rows), O = gs_net_outputs(net), ydim = gs_net_ydim(net);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    double loss = 0.0;
    long correct = 0;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        const float *logits = forward(net, x + (size_t)r0 * net->inputs, b, 0);
        const float *yb = y + (size_t)r0 * ydim;
        loss += gs_loss_value(logits, yb, b, O, net->loss) * b;
        correct += gs_loss_correct(logits, yb, b, O, net->loss);
    }
    if (loss_out) *loss_out = (float)(loss / rows);
    if (accuracy_out) {
        const double total = net->loss == GS_LOSS_BCE ? (double)rows * O : (double)rows;
        *accuracy_out = net->loss == GS_LOSS_MSE ? NAN : (float)(correct / total);
    }
    return GS_OK;
}

int gs_net_fit_epoch(gs_net *net, int batch, int shuffle, float *mean_loss_out) {
    if (!net || !net->built || net->data_rows < 1) return GS_ERR_STATE;
    if (batch < 1) return GS_ERR_ARG;
    const int N = net->data_rows, bs = batch < N ? batch : N;
    const int ydim = gs_net_ydim(net), steps = (N + bs - 1) / bs;
    const int per_step = 1 + net->n_layers * GS_STAT_COUNT;
    if (bs > net->batch_cap) {
        free(net->batch_x), free(net->batch_y);
        net->batch_x = malloc((size_t)bs * net->inputs * sizeof(float));
        net->batch_y = malloc((size_t)bs * ydim * sizeof(float));
        net->batch_cap = net->batch_x && net->batch_y ? bs : 0;
        if (!net->batch_cap) return GS_ERR_NOMEM;
    }
    if (steps > net->log_cap) {
        free(net->log);
        net->log = malloc((size_t)steps * per_step * sizeof(float));
        net->log_cap = net->log ? steps : 0;
        if (!net->log) return GS_ERR_NOMEM;
    }
    for (int i = 0; i < N; i++) net->perm[i] = (uint32_t)i;
    if (shuffle) /* Fisher-Yates with the network's RNG */
        for (int i = N - 1; i > 0; i--) {
            const uint32_t j = gs_rng_below(&net->rng, (uint32_t)i + 1), t = net->perm[i];
            net->perm[i] = net->perm[j], net->perm[j] = t;
        }
    net->log_steps = 0;
    net->epoch_skipped = 0;
    double loss_sum = 0.0;
    for (int s = 0; s < steps; s++) {
        const int r0 = s * bs, b = N - r0 < bs ? N - r0 : bs;
        if (b == 1 && gs_net_has_bn(net)) break; /* batch norm cannot train on one example */
        for (int r = 0; r < b; r++) {
            const uint32_t src = net->perm[r0 + r];
            memcpy(net->batch_x + (size_t)r * net->inputs, net->data_x + (size_t)src * net->inputs,
                   (size_t)net->inputs * sizeof(float));
            memcpy(net->batch_y + (size_t)r * ydim, net->data_y + (size_t)src * ydim,
                   (size_t)ydim * sizeof(float));
        }
        float loss;
        const int status = gs_net_train_step(net, net->batch_x, net->batch_y, b, 1, &loss);
        if (status < 0) return status;
        net->epoch_skipped += status == GS_NONFINITE;
        float *entry = net->log + (size_t)net->log_steps * per_step;
        entry[0] = loss;
        memcpy(entry + 1, net->stats, (size_t)net->n_layers * GS_STAT_COUNT * sizeof(float));
        net->log_steps++;
        loss_sum += loss;
    }
    if (net->log_steps == 0) return GS_ERR_BATCH;
    if (mean_loss_out) *mean_loss_out = (float)(loss_sum / net->log_steps);
    return GS_OK;
}
