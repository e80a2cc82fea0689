/* The training pass: forward, loss, backward, statistics and the update, over
 * buffers already in memory. Inference (infer.c) and fit's epoch loop (fit.c)
 * build on it; it builds on the network (net.c) and the layers. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "internal.h"

/* x (B, inputs) -> the last layer's output (B, outputs). In training mode BN
 * uses batch statistics and dropout draws masks from the network's RNG. */
const float *gs_forward(gs_net *net, const float *x, int B, int train) {
    const float *in = x;
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        const size_t n = (size_t)B * L->out;
        const float *w = net->params + L->w_off, *b = net->params + L->b_off;
        gs_dense_forward(net, L->zx, in, w, b, B, L->in, L->out);
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
        gs_dense_backward(net, l ? other : NULL, net->grads + L->w_off, net->grads + L->b_off, d, in,
                          net->params + L->w_off, B, L->in, L->out);
        float *t = d;
        d = other, other = t;
    }
}

int gs_valid_targets(const gs_net *net, const float *y, int rows) {
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

static void swap(float **a, float **b) {
    float *t = *a;
    *a = *b, *b = t;
}

int gs_net_train_step(gs_net *net, const float *x, const float *y, int batch, int update,
                      float *loss_out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !y || batch < 1 || !gs_valid_targets(net, y, batch)) return GS_ERR_ARG;
    if (batch < 2 && gs_net_has_bn(net)) return GS_ERR_BATCH;
    int status = gs_net_ensure_workspace(net, batch); /* a refusal changes nothing */
    if (status) return status;
    net->hist_rows = 0; /* this pass replaces the activations the last one left */

    const gs_rng rng_before = net->rng;
    const int L_count = net->n_layers, O = gs_net_outputs(net);
    const float *logits = gs_forward(net, x, batch, 1);
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
    /* the gradients' statistics: measured by the optimizer's pass where it runs (its threads
     * share them out with the layers' updates), else here; flagged before the update is
     * looked at, which is only written to the next buffers */
    gs_grad_moments grads;
    double weight_sums[GS_MAX_LAYERS][GS_SUM_COUNT];
    int updated = 0, bad_layer = -1;
    net->last_lr = (float)gs_learning_rate(net, net->step); /* recorded even when the step is skipped */
    const int optimize = update && net->nonfinite_kind == GS_NF_NONE;
    if (optimize) /* the optimizer applies the clip factor, writes the next copies and measures the weight norms as it goes */
        bad_layer = gs_optimizer_step(net, weight_sums, &grads);
    else
        for (int l = 0; l < L_count; l++)
            grads.ok[l] = gs_stats_grads(net->stats + (size_t)l * GS_STAT_COUNT, net, l, grads.sum + l, grads.sumsq + l);
    for (int l = 0; l < L_count; l++)
        if (!grads.ok[l]) flag_nonfinite(net, l, GS_NF_GRADIENT);

    if (optimize && net->nonfinite_kind == GS_NF_NONE) {
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
        gs_stats_weights(net->stats + (size_t)l * GS_STAT_COUNT, weight_sums[l], Ly->in * Ly->out, grads.sum[l],
                         grads.sumsq[l]);
    }
    if (updated) { /* units that fired, for the dead-unit masks: applied updates only */
        for (int l = 0, u = 0; l < L_count; u += net->layers[l].out, l++)
            if (net->layers[l].act == GS_ACT_RELU) gs_stats_alive(net->alive + u, net->layers[l].h, batch, net->layers[l].out);
        net->alive_updates++;
    }
    return net->nonfinite_kind == GS_NF_NONE ? GS_OK : GS_NONFINITE;
}
