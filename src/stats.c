/* Per-layer statistics of a training pass, cheap enough to compute on every
 * step: one pass over the layer's activations and one over its gradients.
 * Sums run in double, so a finite sum means every value was finite (float
 * squares cannot overflow a double); that is the non-finite check, returned
 * to the training pass. */
#include <math.h>

#include "internal.h"
#include "simd.h"

/* eight independent partial sums: a single chain of double adds is
 * latency-bound (one add every ~4 cycles); eight keep the adder busy */
double gs_sumsq(const float *g, int n) {
    double s[8] = {0};
    int i = 0;
#ifdef GS_SIMD
    v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 8 <= n; i += 8) {
        gs_f64_sumsq4(&a0, &a1, wasm_v128_load(g + i));
        gs_f64_sumsq4(&a2, &a3, wasm_v128_load(g + i + 4));
    }
    s[0] = gs_f64_total(a0, a1);
    s[1] = gs_f64_total(a2, a3);
#endif
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += (double)g[i + k] * g[i + k];
    for (; i < n; i++) s[0] += (double)g[i] * g[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* sum of squares, and *sum the plain sum, in one pass */
double gs_moments(const float *x, int n, double *sum) {
    double s[2] = {0}, q[2] = {0};
    int i = 0;
#ifdef GS_SIMD
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, q0 = s0, q1 = s0;
    for (; i + 4 <= n; i += 4) {
        const v128_t v = wasm_v128_load(x + i);
        gs_f64_sum4(&s0, &s1, v);
        gs_f64_sumsq4(&q0, &q1, v);
    }
    s[0] = gs_f64_total(s0, s1);
    q[0] = gs_f64_total(q0, q1);
#endif
    for (; i < n; i++) s[i & 1] += x[i], q[i & 1] += (double)x[i] * x[i];
    *sum = s[0] + s[1];
    return q[0] + q[1];
}

/* h (B,C): activation output before dropout */
int gs_stats_activations(float *stats, const float *h, int B, int C, int act) {
    const size_t n = (size_t)B * C;
    double sum = 0.0, sumsq = 0.0;
    long saturated = 0;
    int dead = 0;
    /* saturation, where the derivative is below 1% of its peak: sigmoid outside
     * [0.01, 0.99]; tanh outside [-0.99, 0.99]; elu below -0.99 and selu below
     * -0.99 lambda alpha (their flat negative tails). relu, leaky relu, gelu,
     * silu and linear have no saturated band (relu's zeros are "dead" instead). */
    const int saturating = act == GS_ACT_SIGMOID || act == GS_ACT_TANH || act == GS_ACT_ELU || act == GS_ACT_SELU;
    const float lo = act == GS_ACT_SIGMOID ? 0.01f : act == GS_ACT_SELU ? -0.99f * 1.7580993408473766f : -0.99f;
    const float hi = act == GS_ACT_SIGMOID || act == GS_ACT_TANH ? 0.99f : INFINITY;
    size_t i = 0;
#ifdef GS_SIMD
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, q0 = s0, q1 = s0, sat = wasm_i32x4_splat(0);
    const v128_t vlo = wasm_f32x4_splat(lo), vhi = wasm_f32x4_splat(hi);
    for (; i + 4 <= n; i += 4) {
        const v128_t x = wasm_v128_load(h + i);
        const v128_t xl = wasm_f64x2_promote_low_f32x4(x);
        const v128_t xh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 0, 1));
        s0 = wasm_f64x2_add(s0, xl), s1 = wasm_f64x2_add(s1, xh);
        q0 = wasm_f64x2_add(q0, wasm_f64x2_mul(xl, xl)), q1 = wasm_f64x2_add(q1, wasm_f64x2_mul(xh, xh));
        /* lanes of -1 where outside the band; subtracting counts them */
        sat = wasm_i32x4_sub(sat, wasm_v128_or(wasm_f32x4_lt(x, vlo), wasm_f32x4_gt(x, vhi)));
    }
    sum = gs_f64_total(s0, s1);
    sumsq = gs_f64_total(q0, q1);
    if (saturating)
        saturated = (long)wasm_i32x4_extract_lane(sat, 0) + wasm_i32x4_extract_lane(sat, 1) +
                    wasm_i32x4_extract_lane(sat, 2) + wasm_i32x4_extract_lane(sat, 3);
#endif
    for (; i < n; i++) {
        sum += h[i];
        sumsq += (double)h[i] * h[i];
        if (saturating) saturated += h[i] < lo || h[i] > hi;
    }
    if (act == GS_ACT_RELU) {
        /* a unit is dead for this batch when it outputs 0 for every example */
        for (int c = 0; c < C; c++) {
            int alive = 0;
            for (int r = 0; r < B && !alive; r++) alive = h[(size_t)r * C + c] != 0.0f;
            dead += !alive;
        }
    }
    const double count = (double)n;
    const double mean = sum / count;
    const double var = sumsq / count - mean * mean;
    stats[GS_STAT_ACT_MEAN] = (float)mean;
    stats[GS_STAT_ACT_STD] = (float)sqrt(var > 0.0 ? var : 0.0);
    stats[GS_STAT_DEAD_FRACTION] = (float)dead / (float)C;
    stats[GS_STAT_SATURATED_FRACTION] = (float)((double)saturated / count);
    stats[GS_STAT_NONFINITE] = 0.0f; /* set by the training pass, which knows the kind */
    return isfinite(sum) && isfinite(sumsq);
}

/* returns 0 when a gradient of the layer is not finite; *w_sum, *w_sumsq: the
 * dense weight gradient's sum and sum of squares (for the grad:data ratio) */
int gs_stats_grads(float *stats, const gs_net *net, int layer, double *w_sum, double *w_sumsq) {
    const gs_layer *L = &net->layers[layer];
    const double w = gs_moments(net->grads + L->w_off, L->in * L->out, w_sum);
    *w_sumsq = w;
    const double b = gs_sumsq(net->grads + L->b_off, L->out);
    double bn = 0.0;
    if (L->g_off >= 0)
        bn = gs_sumsq(net->grads + L->g_off, L->out) + gs_sumsq(net->grads + L->be_off, L->out);
    stats[GS_STAT_GRAD_NORM] = (float)sqrt(w);
    stats[GS_STAT_BIAS_GRAD_NORM] = (float)sqrt(b);
    return isfinite(w) && isfinite(b) && isfinite(bn);
}

static double std_of(double sum, double sumsq, int n) {
    const double mean = sum / n, var = sumsq / n - mean * mean;
    return sqrt(var > 0.0 ? var : 0.0);
}

/* ratio a/b that reads 0 for 0/0 and Infinity for x/0 */
static float ratio(double a, double b) { return b > 0.0 ? (float)(a / b) : a > 0.0 ? INFINITY : 0.0f; }

/* weight_sums[GS_SUM_*] of the layer's n dense weights (update 0 when no update
 * was applied); grad_sum, grad_sumsq of their gradient.
 * update ratio = ||applied update|| / ||W before||; the data ratios compare
 * standard deviations, as in Karpathy's diagnostics (a healthy update:data
 * ratio is around 1e-3). */
void gs_stats_weights(float *stats, const double *weight_sums, int n, double grad_sum, double grad_sumsq) {
    const double update = weight_sums[GS_SUM_UPDATE], before = weight_sums[GS_SUM_BEFORE];
    stats[GS_STAT_WEIGHT_NORM] = (float)sqrt(weight_sums[GS_SUM_AFTER]);
    stats[GS_STAT_UPDATE_RATIO] = ratio(sqrt(update), sqrt(before));
    const double w_std = std_of(weight_sums[GS_SUM_BEFORE_1], before, n);
    stats[GS_STAT_GRAD_DATA_RATIO] = ratio(std_of(grad_sum, grad_sumsq, n), w_std);
    stats[GS_STAT_UPDATE_DATA_RATIO] = ratio(std_of(weight_sums[GS_SUM_UPDATE_1], update, n), w_std);
}

/* alive (C) |= unit c gave a non-zero output for some row of h (B, C) */
void gs_stats_alive(uint8_t *alive, const float *h, int B, int C) {
    for (int r = 0; r < B; r++) {
        const float *row = h + (size_t)r * C;
        for (int c = 0; c < C; c++) alive[c] |= row[c] != 0.0f;
    }
}
