/* Per-layer statistics of a training pass, cheap enough to compute on every
 * step: one pass over the layer's activations and one over its gradients.
 * Sums run in double, so a finite sum means every value was finite (float
 * squares cannot overflow a double); that is the non-finite check. */
#include <math.h>

#include "internal.h"

/* h (B,C): activation output before dropout */
void gs_stats_activations(float *stats, const float *h, int B, int C, int act) {
    double sum = 0.0, sumsq = 0.0;
    long saturated = 0;
    int dead = 0;
    for (size_t i = 0; i < (size_t)B * C; i++) {
        sum += h[i];
        sumsq += (double)h[i] * h[i];
    }
    if (act == GS_ACT_SIGMOID) {
        for (size_t i = 0; i < (size_t)B * C; i++) saturated += h[i] < 0.01f || h[i] > 0.99f;
    } else if (act == GS_ACT_TANH) {
        for (size_t i = 0; i < (size_t)B * C; i++) saturated += fabsf(h[i]) > 0.99f;
    } else if (act == GS_ACT_RELU) {
        /* a unit is dead for this batch when it outputs 0 for every example */
        for (int c = 0; c < C; c++) {
            int alive = 0;
            for (int r = 0; r < B && !alive; r++) alive = h[(size_t)r * C + c] != 0.0f;
            dead += !alive;
        }
    }
    const double n = (double)B * C;
    const double mean = sum / n;
    const double var = sumsq / n - mean * mean;
    stats[GS_STAT_ACT_MEAN] = (float)mean;
    stats[GS_STAT_ACT_STD] = (float)sqrt(var > 0.0 ? var : 0.0);
    stats[GS_STAT_DEAD_FRACTION] = (float)dead / (float)C;
    stats[GS_STAT_SATURATED_FRACTION] = (float)((double)saturated / n);
    stats[GS_STAT_NONFINITE] = isfinite(sum) && isfinite(sumsq) ? 0.0f : 1.0f;
}

void gs_stats_grads(float *stats, const gs_net *net, int layer) {
    const gs_layer *L = &net->layers[layer];
    const double w = gs_sumsq(net->grads + L->w_off, L->in * L->out);
    const double b = gs_sumsq(net->grads + L->b_off, L->out);
    double bn = 0.0;
    if (L->bn)
        bn = gs_sumsq(net->grads + L->g_off, L->out) + gs_sumsq(net->grads + L->be_off, L->out);
    stats[GS_STAT_GRAD_NORM] = (float)sqrt(w);
    stats[GS_STAT_BIAS_GRAD_NORM] = (float)sqrt(b);
    if (!isfinite(w) || !isfinite(b) || !isfinite(bn)) stats[GS_STAT_NONFINITE] = 1.0f;
}

/* weight norm after the update (the norm before, when none was applied);
 * update ratio ||applied update|| / ||W before|| */
void gs_stats_weights(float *stats, const gs_net *net, int layer, double update_sumsq,
                      double weight_sumsq_before, int updated) {
    const gs_layer *L = &net->layers[layer];
    const double after = updated ? gs_sumsq(net->params + L->w_off, L->in * L->out) : weight_sumsq_before;
    stats[GS_STAT_WEIGHT_NORM] = (float)sqrt(after);
    if (weight_sumsq_before > 0.0)
        stats[GS_STAT_UPDATE_RATIO] = (float)sqrt(update_sumsq / weight_sumsq_before);
    else
        stats[GS_STAT_UPDATE_RATIO] = update_sumsq > 0.0 ? INFINITY : 0.0f;
}
