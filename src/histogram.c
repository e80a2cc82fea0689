/* Fixed-bin histograms (see gradscope.h): linear bins for activations and
 * weights, binary-exponent bins for gradient magnitudes (read from the float's
 * exponent bits, so no log per value). Each value lands in exactly one slot:
 * a bin, zeros, below, above or non-finite. */
#include <math.h>
#include <string.h>

#include "internal.h"
#include "simd.h"

void gs_hist_activation_range(int act, float *lo, float *hi) {
    const int bounded = act == GS_ACT_TANH || act == GS_ACT_SOFTSIGN; /* (-1, 1) */
    *lo = act == GS_ACT_SIGMOID ? 0.0f : bounded ? -1.0f : -(float)GS_HIST_ACT_LIMIT;
    *hi = act == GS_ACT_SIGMOID || bounded ? 1.0f : (float)GS_HIST_ACT_LIMIT;
}

/* the published edges (the library's `edges`): lo + (hi - lo) k / bins in
 * double, rounded to float; bin k holds [edges[k], edges[k+1]), the last bin
 * also hi itself. Made once per network (fit may count every few steps). */
void gs_hist_range_init(gs_hist_range *r, float lo, float hi) {
    r->lo = lo, r->hi = hi;
    for (int k = 0; k <= GS_HIST_BINS; k++) r->edges[k] = (float)((double)lo + ((double)hi - lo) * k / GS_HIST_BINS);
    /* a guess b moves down when v < lower[b] (b > 0), up when v >= upper[b] (b < bins - 1);
     * NaN never compares true: no move */
    for (int k = 0; k < GS_HIST_SLOTS; k++) {
        r->lower[k] = k > 0 && k < GS_HIST_BINS ? r->edges[k] : NAN;
        r->upper[k] = k < GS_HIST_BINS - 1 ? r->edges[k + 1] : NAN;
    }
}

/* slots (GS_HIST_SLOTS) are overwritten. The scalar reference; gs_hist_linear gives the same counts. */
void gs_hist_linear_scalar(uint32_t *slots, const float *x, size_t n, const gs_hist_range *r) {
    memset(slots, 0, GS_HIST_SLOTS * sizeof(uint32_t));
    const float lo = r->lo, hi = r->hi, *edges = r->edges;
    const float scale = (float)GS_HIST_BINS / (hi - lo);
    for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        if (v == 0.0f) slots[GS_HIST_ZEROS]++;
        else if (!isfinite(v)) slots[GS_HIST_NONFINITE]++;
        else if (v < lo) slots[GS_HIST_BELOW]++;
        else if (v > hi) slots[GS_HIST_ABOVE]++;
        else {
            int b = (int)((v - lo) * scale); /* a guess, off by one at most next to an edge */
            if (b > GS_HIST_BINS - 1) b = GS_HIST_BINS - 1;
            if (b > 0 && v < edges[b]) b--;
            else if (b < GS_HIST_BINS - 1 && v >= edges[b + 1]) b++;
            slots[b]++;
        }
    }
}

/* |x| by binary exponent: bin k = [2^(GS_HIST_GRAD_MIN_EXP + k), 2^(... + k + 1)). The scalar reference. */
void gs_hist_exponent_scalar(uint32_t *slots, const float *x, size_t n) {
    memset(slots, 0, GS_HIST_SLOTS * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        const int e = (int)((bits >> 23) & 0xffu);
        if ((bits & 0x7fffffffu) == 0) slots[GS_HIST_ZEROS]++;
        else if (e == 0xff) slots[GS_HIST_NONFINITE]++;
        else {
            const int k = e - 127 - GS_HIST_GRAD_MIN_EXP; /* subnormals (e = 0) fall below */
            if (e == 0 || k < 0) slots[GS_HIST_BELOW]++;
            else if (k >= GS_HIST_BINS) slots[GS_HIST_ABOVE]++;
            else slots[k]++;
        }
    }
}

#ifdef GS_SIMD
/* Four values at a time: each lane's slot is chosen without branches (the bin guess,
 * then below / above, non-finite and zeros laid over it in the reference's order of
 * precedence, then the guess corrected against the edges as the reference does), then
 * counted. Chromium, playground: the counting was 5.9% of a fit
 * with histograms every 10 steps. */
void gs_hist_linear(uint32_t *slots, const float *x, size_t n, const gs_hist_range *r) {
    memset(slots, 0, GS_HIST_SLOTS * sizeof(uint32_t));
    const float lo = r->lo, hi = r->hi;
    const float scale = (float)GS_HIST_BINS / (hi - lo);
    const v128_t vlo = wasm_f32x4_splat(lo), vhi = wasm_f32x4_splat(hi), vscale = wasm_f32x4_splat(scale);
    const v128_t last = wasm_i32x4_splat(GS_HIST_BINS - 1), inf = wasm_f32x4_splat(INFINITY);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const v128_t v = wasm_v128_load(x + i);
        /* the guess, as the reference's (int) of the same float product; saturating, so a
         * lane outside [lo, hi] (replaced below) cannot trap */
        v128_t s = wasm_i32x4_min(wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(wasm_f32x4_sub(v, vlo), vscale)), last);
        s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_ABOVE), s, wasm_f32x4_gt(v, vhi));
        s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_BELOW), s, wasm_f32x4_lt(v, vlo));
        const v128_t nonfinite = wasm_v128_or(wasm_f32x4_ne(v, v), wasm_f32x4_eq(wasm_f32x4_abs(v), inf));
        s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_NONFINITE), s, nonfinite);
        s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_ZEROS), s, wasm_f32x4_eq(v, wasm_f32x4_splat(0.0f)));
        /* the reference's correction next to an edge, without branches: lower[s] <= upper[s],
         * so at most one of the two moves applies (a true compare is -1 in its lane) */
        const int s0 = wasm_i32x4_extract_lane(s, 0), s1 = wasm_i32x4_extract_lane(s, 1);
        const int s2 = wasm_i32x4_extract_lane(s, 2), s3 = wasm_i32x4_extract_lane(s, 3);
        const v128_t down = wasm_f32x4_lt(v, wasm_f32x4_make(r->lower[s0], r->lower[s1], r->lower[s2], r->lower[s3]));
        const v128_t up = wasm_f32x4_ge(v, wasm_f32x4_make(r->upper[s0], r->upper[s1], r->upper[s2], r->upper[s3]));
        s = wasm_i32x4_sub(wasm_i32x4_add(s, down), up);
        slots[wasm_i32x4_extract_lane(s, 0)]++;
        slots[wasm_i32x4_extract_lane(s, 1)]++;
        slots[wasm_i32x4_extract_lane(s, 2)]++;
        slots[wasm_i32x4_extract_lane(s, 3)]++;
    }
    if (i < n) { /* the last few values: the reference, counted into slots of their own */
        uint32_t rest[GS_HIST_SLOTS];
        gs_hist_linear_scalar(rest, x + i, n - i, r);
        for (int k = 0; k < GS_HIST_SLOTS; k++) slots[k] += rest[k];
    }
}

void gs_hist_exponent(uint32_t *slots, const float *x, size_t n) {
    memset(slots, 0, GS_HIST_SLOTS * sizeof(uint32_t));
    const v128_t byte = wasm_i32x4_splat(0xff), magnitude = wasm_i32x4_splat(0x7fffffff);
    const v128_t bias = wasm_i32x4_splat(127 + GS_HIST_GRAD_MIN_EXP), bins = wasm_i32x4_splat(GS_HIST_BINS);
    const v128_t zero = wasm_i32x4_splat(0);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const v128_t bits = wasm_v128_load(x + i);
        const v128_t e = wasm_v128_and(wasm_u32x4_shr(bits, 23), byte);
        const v128_t k = wasm_i32x4_sub(e, bias);
        v128_t s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_ABOVE), k, wasm_i32x4_ge(k, bins));
        s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_BELOW), s, wasm_v128_or(wasm_i32x4_lt(k, zero), wasm_i32x4_eq(e, zero)));
        s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_NONFINITE), s, wasm_i32x4_eq(e, byte));
        s = wasm_v128_bitselect(wasm_i32x4_splat(GS_HIST_ZEROS), s, wasm_i32x4_eq(wasm_v128_and(bits, magnitude), zero));
        slots[wasm_i32x4_extract_lane(s, 0)]++;
        slots[wasm_i32x4_extract_lane(s, 1)]++;
        slots[wasm_i32x4_extract_lane(s, 2)]++;
        slots[wasm_i32x4_extract_lane(s, 3)]++;
    }
    if (i < n) {
        uint32_t rest[GS_HIST_SLOTS];
        gs_hist_exponent_scalar(rest, x + i, n - i);
        for (int k = 0; k < GS_HIST_SLOTS; k++) slots[k] += rest[k];
    }
}
#else
void gs_hist_linear(uint32_t *slots, const float *x, size_t n, const gs_hist_range *r) { gs_hist_linear_scalar(slots, x, n, r); }
void gs_hist_exponent(uint32_t *slots, const float *x, size_t n) { gs_hist_exponent_scalar(slots, x, n); }
#endif
