/* BatchNorm1d as in PyTorch: batch statistics in training (biased variance to
 * normalize, unbiased in the running estimate), running statistics in eval. */
#include <math.h>

#include "internal.h"

/* zx (B,C): dense output in, x-hat out. out (B,C) = gamma * x-hat + beta.
 * mean, var, rstd (C) are kept for backward and the running update. */
void gs_batchnorm_forward_train(float *out, float *zx, float *mean, float *var, float *rstd,
                                const float *gamma, const float *beta, int B, int C) {
    for (int c = 0; c < C; c++) mean[c] = 0.0f, var[c] = 0.0f;
    for (int r = 0; r < B; r++)
        for (int c = 0; c < C; c++) mean[c] += zx[(size_t)r * C + c];
    for (int c = 0; c < C; c++) mean[c] /= (float)B;
    for (int r = 0; r < B; r++)
        for (int c = 0; c < C; c++) {
            const float d = zx[(size_t)r * C + c] - mean[c];
            var[c] += d * d;
        }
    for (int c = 0; c < C; c++) {
        var[c] /= (float)B;
        rstd[c] = 1.0f / sqrtf(var[c] + GS_BN_EPS);
    }
    for (int r = 0; r < B; r++)
        for (int c = 0; c < C; c++) {
            const size_t i = (size_t)r * C + c;
            zx[i] = (zx[i] - mean[c]) * rstd[c];
            out[i] = gamma[c] * zx[i] + beta[c];
        }
}

/* eval mode's backward: the running statistics are constants, so d (B,C) is only scaled,
 * by gamma / sqrt(running var + eps) per unit */
void gs_batchnorm_backward_eval(float *d, const float *running, const float *gamma, int B, int C) {
    const float *rvar = running + C;
    for (int r = 0; r < B; r++)
        for (int c = 0; c < C; c++) d[(size_t)r * C + c] = d[(size_t)r * C + c] * gamma[c] / sqrtf(rvar[c] + GS_BN_EPS);
}

/* out may alias z */
void gs_batchnorm_forward_eval(float *out, const float *z, const float *running,
                               const float *gamma, const float *beta, int B, int C) {
    const float *rmean = running, *rvar = running + C;
    for (int r = 0; r < B; r++)
        for (int c = 0; c < C; c++) {
            const size_t i = (size_t)r * C + c;
            out[i] = gamma[c] * (z[i] - rmean[c]) / sqrtf(rvar[c] + GS_BN_EPS) + beta[c];
        }
}

/* d (B,C): dL/dout in, dL/dz out. Adds into dgamma, dbeta (C).
 * scratch (2C) holds this batch's sums, since dgamma/dbeta may hold other terms. */
void gs_batchnorm_backward(float *d, float *dgamma, float *dbeta, float *scratch,
                           const float *xhat, const float *gamma, const float *rstd, int B, int C) {
    float *sum_d = scratch, *sum_dx = scratch + C;
    for (int c = 0; c < C; c++) sum_d[c] = 0.0f, sum_dx[c] = 0.0f;
    for (int r = 0; r < B; r++)
        for (int c = 0; c < C; c++) {
            const size_t i = (size_t)r * C + c;
            sum_d[c] += d[i];
            sum_dx[c] += d[i] * xhat[i];
        }
    for (int c = 0; c < C; c++) dbeta[c] += sum_d[c], dgamma[c] += sum_dx[c];
    for (int r = 0; r < B; r++)
        for (int c = 0; c < C; c++) {
            const size_t i = (size_t)r * C + c;
            d[i] = gamma[c] * rstd[c] / (float)B *
                   ((float)B * d[i] - sum_d[c] - xhat[i] * sum_dx[c]);
        }
}

int gs_batchnorm_update_running(float *next, const float *running, const float *mean, const float *var,
                                int B, int C) {
    const float unbias = (float)B / (float)(B - 1);
    float bad = 0.0f; /* x - x: 0 when finite, NaN otherwise */
    for (int c = 0; c < C; c++) {
        next[c] = (1.0f - GS_BN_MOMENTUM) * running[c] + GS_BN_MOMENTUM * mean[c];
        next[C + c] = (1.0f - GS_BN_MOMENTUM) * running[C + c] + GS_BN_MOMENTUM * var[c] * unbias;
        bad += (next[c] - next[c]) + (next[C + c] - next[C + c]);
    }
    return bad == 0.0f;
}
