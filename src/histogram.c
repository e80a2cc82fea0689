/* Fixed-bin histograms (see gradscope.h): linear bins for activations and
 * weights, binary-exponent bins for gradient magnitudes (read from the float's
 * exponent bits, so no log per value). Each value lands in exactly one slot:
 * a bin, zeros, below, above or non-finite. */
#include <math.h>
#include <string.h>

#include "internal.h"

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
}

/* slots (GS_HIST_SLOTS) are overwritten */
void gs_hist_linear(uint32_t *slots, const float *x, size_t n, const gs_hist_range *r) {
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

/* |x| by binary exponent: bin k = [2^(GS_HIST_GRAD_MIN_EXP + k), 2^(... + k + 1)) */
void gs_hist_exponent(uint32_t *slots, const float *x, size_t n) {
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
