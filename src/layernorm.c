/* LayerNorm over each row's units as nn.LayerNorm(units): biased variance,
 * eps 1e-5, affine gamma / beta per unit; the same in training and eval, and
 * for a batch of one. */
#include <math.h>

#include "internal.h"

/* zx (B,C): dense output in, x-hat out. out (B,C) = gamma * x-hat + beta.
 * mean, rstd (B) are kept for backward (and the non-finite check). */
void gs_layernorm_forward(float *out, float *zx, float *mean, float *rstd, const float *gamma,
                          const float *beta, int B, int C) {
    for (int r = 0; r < B; r++) {
        float *z = zx + (size_t)r * C;
        float *o = out + (size_t)r * C;
        float m = 0.0f, v = 0.0f;
        for (int c = 0; c < C; c++) m += z[c];
        m /= (float)C;
        for (int c = 0; c < C; c++) v += (z[c] - m) * (z[c] - m);
        v /= (float)C;
        const float s = 1.0f / sqrtf(v + GS_LN_EPS);
        mean[r] = m, rstd[r] = s;
        for (int c = 0; c < C; c++) {
            z[c] = (z[c] - m) * s;
            o[c] = gamma[c] * z[c] + beta[c];
        }
    }
}

/* d (B,C): dL/dout in, dL/dz out. Adds into dgamma, dbeta (C). */
void gs_layernorm_backward(float *d, float *dgamma, float *dbeta, const float *xhat, const float *gamma,
                           const float *rstd, int B, int C) {
    for (int r = 0; r < B; r++) {
        float *dr = d + (size_t)r * C;
        const float *x = xhat + (size_t)r * C;
        float sum_g = 0.0f, sum_gx = 0.0f; /* sums of dL/dx-hat and dL/dx-hat * x-hat */
        for (int c = 0; c < C; c++) {
            dgamma[c] += dr[c] * x[c];
            dbeta[c] += dr[c];
            const float g = dr[c] * gamma[c];
            sum_g += g, sum_gx += g * x[c];
        }
        const float scale = rstd[r] / (float)C;
        for (int c = 0; c < C; c++) dr[c] = scale * ((float)C * dr[c] * gamma[c] - sum_g - x[c] * sum_gx);
    }
}
