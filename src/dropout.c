/* Inverted dropout: in training each element is kept with probability 1-p and
 * scaled by 1/(1-p); eval mode never calls this (identity). p = 1 drops
 * everything without dividing by zero. */
#include "internal.h"

void gs_dropout_forward(float *y, float *mask, const float *h, int n, float p, gs_rng *rng) {
    if (p >= 1.0f) {
        for (int i = 0; i < n; i++) mask[i] = 0.0f, y[i] = 0.0f;
        return;
    }
    const float scale = 1.0f / (1.0f - p);
    for (int i = 0; i < n; i++) {
        mask[i] = gs_rng_uniform(rng) >= p ? scale : 0.0f;
        y[i] = h[i] * mask[i];
    }
}

void gs_dropout_backward(float *d, const float *mask, int n) {
    for (int i = 0; i < n; i++) d[i] *= mask[i];
}
