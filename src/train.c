/* The training pass (forward, loss, backward, statistics, update), inference,
 * and the epoch loop of fit, all over buffers already in memory. */
#include <limits.h>
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
        gs_dense_forward(L->zx, in, w, b, B, L->in, L->out);
        if (L->bn) {
            const float *gamma = net->params + L->g_off, *beta = net->params + L->be_off;
            if (train)
                gs_batchnorm_forward_train(L->h, L->zx, L->bn_mean, L->bn_var, L->bn_rstd, gamma,
                                           beta, B, L->out);
            else
                gs_batchnorm_forward_eval(L->h, L->zx, L->running, gamma, beta, B, L->out);
        } else if (L->ln) {
            gs_layernorm_forward(L->h, L->zx, L->ln_mean, L->ln_rstd, net->params + L->g_off,
                                 net->params + L->be_off, B, L->out);
        }
        if (L->pre) memcpy(L->pre, L->h, n * sizeof(float));
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

/* net->d0 holds dL/dlogits (B, outputs). Dense gradients are written; the norm
 * layers' gamma and beta gradients are zeroed, then added into. */
static void backward(gs_net *net, const float *x, int B) {
    float *d = net->d0, *other = net->d1;
    for (int l = net->n_layers - 1; l >= 0; l--) {
        gs_layer *L = &net->layers[l];
        const int n = B * L->out;
        if (L->g_off >= 0) {
            memset(net->grads + L->g_off, 0, (size_t)L->out * sizeof(float));
            memset(net->grads + L->be_off, 0, (size_t)L->out * sizeof(float));
        }
        if (L->dropout > 0.0f) gs_dropout_backward(d, L->mask, n);
        gs_activation_backward(d, L->h, L->pre, n, L->act);
        if (L->bn)
            gs_batchnorm_backward(d, net->grads + L->g_off, net->grads + L->be_off,
                                  L->bn_rstd + L->out, L->zx, net->params + L->g_off, L->bn_rstd,
                                  B, L->out);
        else if (L->ln)
            gs_layernorm_backward(d, net->grads + L->g_off, net->grads + L->be_off, L->zx,
                                  net->params + L->g_off, L->ln_rstd, B, L->out);
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

/* records a non-finite finding: the layer's NONFINITE statistic keeps the
 * layer's first kind (so fit's per-step log says what happened where), and
 * the pass keeps its first (layer, kind) overall; layer == n_layers is the loss */
static void flag_nonfinite(gs_net *net, int layer, int kind) {
    if (layer < net->n_layers) {
        float *flag = net->stats + (size_t)layer * GS_STAT_COUNT + GS_STAT_NONFINITE;
        if (*flag == 0.0f) *flag = (float)kind;
    }
    if (net->nonfinite_kind == GS_NF_NONE) net->nonfinite_layer = layer, net->nonfinite_kind = kind;
}

static int bn_batch_stats_finite(const gs_layer *L) {
    for (int c = 0; c < L->out; c++)
        if (!isfinite(L->bn_mean[c]) || !isfinite(L->bn_var[c])) return 0;
    return 1;
}

/* layer norm: the same for one row's variance (rstd 0 hides an overflow) */
static int ln_row_stats_finite(const gs_layer *L, int B) {
    for (int r = 0; r < B; r++)
        if (!isfinite(L->ln_mean[r]) || !(L->ln_rstd[r] > 0.0f) || !isfinite(L->ln_rstd[r])) return 0;
    return 1;
}

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

static void swap(float **a, float **b) {
    float *t = *a;
    *a = *b, *b = t;
}

int gs_net_train_step(gs_net *net, const float *x, const float *y, int batch, int update,
                      float *loss_out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !y || batch < 1 || !valid_targets(net, y, batch)) return GS_ERR_ARG;
    if (batch < 2 && gs_net_has_bn(net)) return GS_ERR_BATCH;
    int status = gs_net_ensure_workspace(net, batch); /* a refusal changes nothing */
    if (status) return status;
    net->hist_rows = 0; /* this pass replaces the activations the last one left */

    const gs_rng rng_before = net->rng;
    const int L_count = net->n_layers, O = gs_net_outputs(net);
    const float *logits = forward(net, x, batch, 1);
    const double loss = gs_loss_forward_backward(net->d0, logits, y, batch, O, net->loss);
    backward(net, x, batch);
    const float loss32 = (float)loss; /* mse of 1e20 targets is finite in double, Inf in float */
    if (loss_out) *loss_out = loss32;

    /* checked in the order the values arise: forward, loss, gradients, update */
    net->nonfinite_layer = -1;
    net->nonfinite_kind = GS_NF_NONE;
    for (int l = 0; l < L_count; l++) {
        const gs_layer *Ly = &net->layers[l];
        float *s = net->stats + (size_t)l * GS_STAT_COUNT;
        const int bad_activation = !gs_stats_activations(s, Ly->h, batch, Ly->out, Ly->act);
        if (Ly->bn && !bn_batch_stats_finite(Ly)) flag_nonfinite(net, l, GS_NF_BN_STATS);
        if (Ly->ln && !ln_row_stats_finite(Ly, batch)) flag_nonfinite(net, l, GS_NF_LN_STATS);
        if (bad_activation) flag_nonfinite(net, l, GS_NF_ACTIVATION);
    }
    net->hist_rows = batch; /* the activations in the workspace are this pass's (see gs_hist_flush_activations) */
    if (!isfinite(loss32)) flag_nonfinite(net, L_count, GS_NF_LOSS);
    double grad_sum[GS_MAX_LAYERS], grad_sumsq[GS_MAX_LAYERS];
    for (int l = 0; l < L_count; l++)
        if (!gs_stats_grads(net->stats + (size_t)l * GS_STAT_COUNT, net, l, grad_sum + l, grad_sumsq + l))
            flag_nonfinite(net, l, GS_NF_GRADIENT);

    double weight_sums[GS_MAX_LAYERS][GS_SUM_COUNT];
    int updated = 0;
    net->last_lr = (float)gs_learning_rate(net, net->step); /* recorded even when the step is skipped */
    if (update && net->nonfinite_kind == GS_NF_NONE) {
        /* the optimizer applies the clip factor, writes the next copies and measures the weight norms as it goes */
        const int bad_layer = gs_optimizer_step(net, weight_sums);
        if (bad_layer >= 0) flag_nonfinite(net, bad_layer, GS_NF_UPDATE);
        for (int l = 0; l < L_count && net->nonfinite_kind == GS_NF_NONE; l++) {
            const gs_layer *Ly = &net->layers[l];
            if (Ly->bn && !gs_batchnorm_update_running(Ly->next_running, Ly->running, Ly->bn_mean,
                                                       Ly->bn_var, batch, Ly->out))
                flag_nonfinite(net, l, GS_NF_BN_STATS);
        }
        updated = net->nonfinite_kind == GS_NF_NONE;
        if (updated) { /* commit: every new value is finite */
            swap(&net->params, &net->next_params);
            if (gs_optimizer_uses_m(net)) swap(&net->opt_m, &net->next_m);
            if (gs_optimizer_uses_v(net)) swap(&net->opt_v, &net->next_v);
            if (net->opt == GS_OPT_RMSPROP && net->centered) swap(&net->opt_a, &net->next_a);
            for (int l = 0; l < L_count; l++) {
                gs_layer *Ly = &net->layers[l];
                if (Ly->bn) swap(&Ly->running, &Ly->next_running);
            }
            if (net->step < INT_MAX - 1) net->step++;
        }
    }
    if (!updated) {
        for (int l = 0; l < L_count; l++) {
            const gs_layer *Ly = &net->layers[l];
            double *ws = weight_sums[l];
            const double w = gs_moments(net->params + Ly->w_off, Ly->in * Ly->out, &ws[GS_SUM_BEFORE_1]);
            ws[GS_SUM_UPDATE] = ws[GS_SUM_UPDATE_1] = 0.0;
            ws[GS_SUM_BEFORE] = ws[GS_SUM_AFTER] = w;
        }
    }
    /* computeGradients and a skipped step leave the RNG as it was (a skipped step changes nothing) */
    if (!updated) net->rng = rng_before;
    for (int l = 0; l < L_count; l++) {
        const gs_layer *Ly = &net->layers[l];
        gs_stats_weights(net->stats + (size_t)l * GS_STAT_COUNT, weight_sums[l], Ly->in * Ly->out, grad_sum[l],
                         grad_sumsq[l]);
    }
    if (updated) { /* units that fired, for the dead-unit masks: applied updates only */
        for (int l = 0, u = 0; l < L_count; u += net->layers[l].out, l++)
            if (net->layers[l].act == GS_ACT_RELU) gs_stats_alive(net->alive + u, net->layers[l].h, batch, net->layers[l].out);
        net->alive_updates++;
    }
    return net->nonfinite_kind == GS_NF_NONE ? GS_OK : GS_NONFINITE;
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
    gs_hist_flush_activations(net);
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

int gs_net_unit_activity(gs_net *net, const float *x, int rows, float *out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !out || rows < 1) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
    const int chunk = eval_chunk(net, rows);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    double *count = gs_calloc((uint64_t)net->total_units, sizeof(double)); /* exact past 2^24 rows */
    if (!count) return GS_ERR_NOMEM;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        forward(net, x + (size_t)r0 * net->inputs, b, 0);
        double *o = count;
        for (int l = 0; l < net->n_layers; o += net->layers[l].out, l++) {
            const gs_layer *L = &net->layers[l];
            for (int r = 0; r < b; r++)
                for (int c = 0; c < L->out; c++) o[c] += L->h[(size_t)r * L->out + c] != 0.0f;
        }
    }
    for (int u = 0; u < net->total_units; u++) out[u] = (float)(count[u] / rows);
    free(count);
    return GS_OK;
}

int gs_net_layer_outputs(gs_net *net, const float *x, int rows, float *out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !out || rows < 1) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
    const int chunk = eval_chunk(net, rows);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        forward(net, x + (size_t)r0 * net->inputs, b, 0);
        float *o = out; /* layer l's block is (rows, out) */
        for (int l = 0; l < net->n_layers - 1; o += (size_t)rows * net->layers[l].out, l++) {
            const gs_layer *L = &net->layers[l];
            memcpy(o + (size_t)r0 * L->out, L->h, (size_t)b * L->out * sizeof(float));
        }
    }
    return GS_OK;
}

int gs_net_evaluate(gs_net *net, const float *x, const float *y, int rows, float *loss_out,
                    float *accuracy_out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !y || rows < 1 || !valid_targets(net, y, rows)) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
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

/* starts an epoch: order of the rows, sums, batch buffers */
static int begin_epoch(gs_net *net, int bs, int shuffle) {
    const int N = net->data_rows, ydim = gs_net_ydim(net);
    if (bs > net->batch_cap) {
        float *bx = gs_alloc(gs_mul((uint64_t)bs, (uint64_t)net->inputs), sizeof(float));
        float *by = gs_alloc(gs_mul((uint64_t)bs, (uint64_t)ydim), sizeof(float));
        if (!bx || !by) {
            free(bx), free(by);
            return GS_ERR_NOMEM;
        }
        free(net->batch_x), free(net->batch_y);
        net->batch_x = bx, net->batch_y = by, net->batch_cap = bs;
    }
    if (!net->log) {
        net->log = gs_alloc(gs_mul(GS_LOG_STEPS, GS_ROW_HEAD + (uint64_t)net->n_layers * GS_STAT_COUNT), sizeof(float));
        if (!net->log) return GS_ERR_NOMEM;
    }
    for (int i = 0; i < N; i++) net->perm[i] = (uint32_t)i;
    if (shuffle) /* Fisher-Yates with the network's RNG */
        for (int i = N - 1; i > 0; i--) {
            const uint32_t j = gs_rng_below(&net->rng, (uint32_t)i + 1), t = net->perm[i];
            net->perm[i] = net->perm[j], net->perm[j] = t;
        }
    gs_net_reset_unit_alive(net);
    net->epoch_batch = bs;
    net->epoch_skipped = 0;
    net->epoch_logged = 0;
    net->epoch_loss_sum = 0.0;
    return GS_OK;
}

int gs_net_fit_steps(gs_net *net, int batch, int shuffle, int max_steps, float *mean_loss_out) {
    if (!net || !net->built || net->data_rows < 1) return GS_ERR_STATE;
    if (batch < 1 || max_steps < 1) return GS_ERR_ARG;
    const int N = net->data_rows, bs = batch < N ? batch : N;
    const int ydim = gs_net_ydim(net);
    /* batch norm cannot train on one example: a final batch of one is no step of the epoch, so
     * a fit that stops after the last real step has finished its epoch */
    int steps = (N - 1) / bs + 1;
    if (steps > 1 && N - (steps - 1) * bs == 1 && gs_net_has_bn(net)) steps--;
    const int per_step = GS_ROW_HEAD + net->n_layers * GS_STAT_COUNT;
    if (net->epoch_next_step == 0) {
        const int status = begin_epoch(net, bs, shuffle);
        if (status) return status;
    } else if (bs != net->epoch_batch) {
        return GS_ERR_STATE; /* the epoch in progress has another batch size */
    }
    const int limit = max_steps < GS_LOG_STEPS ? max_steps : GS_LOG_STEPS;
    net->log_steps = 0;
    int s = net->epoch_next_step;
    for (; s < steps && net->log_steps < limit; s++) {
        const int r0 = s * bs, b = N - r0 < bs ? N - r0 : bs;
        if (b == 1 && gs_net_has_bn(net)) { /* every batch has one example (batch 1) */
            s = steps;
            break;
        }
        for (int r = 0; r < b; r++) {
            const uint32_t src = net->perm[r0 + r];
            memcpy(net->batch_x + (size_t)r * net->inputs, net->data_x + (size_t)src * net->inputs,
                   (size_t)net->inputs * sizeof(float));
            memcpy(net->batch_y + (size_t)r * ydim, net->data_y + (size_t)src * ydim,
                   (size_t)ydim * sizeof(float));
        }
        float loss;
        const int status = gs_net_train_step(net, net->batch_x, net->batch_y, b, 1, &loss);
        if (status < 0) {
            net->epoch_next_step = 0;
            return status;
        }
        net->epoch_skipped += status == GS_NONFINITE;
        float *entry = net->log + (size_t)net->log_steps * per_step;
        entry[0] = loss;
        entry[1] = net->last_lr;
        memcpy(entry + GS_ROW_HEAD, net->stats, (size_t)net->n_layers * GS_STAT_COUNT * sizeof(float));
        net->log_steps++;
        net->epoch_logged++;
        net->epoch_loss_sum += loss;
    }
    if (s < steps) {
        net->epoch_next_step = s;
        return GS_MORE;
    }
    net->epoch_next_step = 0;
    if (net->epoch_logged == 0) return GS_ERR_BATCH;
    memcpy(net->alive_epoch, net->alive, (size_t)net->total_units);
    net->has_alive_epoch = 1;
    if (mean_loss_out) *mean_loss_out = (float)(net->epoch_loss_sum / net->epoch_logged);
    return GS_OK;
}

int gs_net_fit_epoch(gs_net *net, int batch, int shuffle, float *mean_loss_out) {
    int status;
    do status = gs_net_fit_steps(net, batch, shuffle, GS_LOG_STEPS, mean_loss_out);
    while (status == GS_MORE);
    return status;
}
