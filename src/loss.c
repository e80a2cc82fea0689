/* Losses on the last layer's raw outputs (logits), PyTorch semantics:
 *   mse        mean over all B*O elements of (x - t)^2
 *   bce        BCE-with-logits, mean over all elements
 *   softmax-ce cross-entropy on logits, mean over the batch; y holds class indices
 * All forms are stable for logits of any finite size. Sums run in double. */
#include <math.h>

#include "internal.h"

static inline double bce_term(float x, float t) {
    /* max(x,0) - x*t + log(1 + exp(-|x|)) */
    return (x > 0.0f ? (double)x : 0.0) - (double)x * t + log1p(exp(-fabs((double)x)));
}

/* log-sum-exp of one row of O logits, and the row's max */
static double row_lse(const float *x, int O, float *max_out) {
    float m = x[0];
    for (int j = 1; j < O; j++) m = x[j] > m ? x[j] : m;
    double s = 0.0;
    for (int j = 0; j < O; j++) s += exp((double)x[j] - m);
    *max_out = m;
    return m + log(s);
}

/* dlogits (B,O) = dL/dlogits; logits (B,O); y (B,O), or (B,) class indices */
double gs_loss_forward_backward(float *dlogits, const float *logits, const float *y, int B, int O,
                                int loss) {
    double total = 0.0;
    const size_t n = (size_t)B * O;
    if (loss == GS_LOSS_MSE) {
        const float scale = 2.0f / (float)n;
        for (size_t i = 0; i < n; i++) {
            const float diff = logits[i] - y[i];
            total += (double)diff * diff;
            dlogits[i] = scale * diff;
        }
        return total / (double)n;
    }
    if (loss == GS_LOSS_BCE) {
        const float scale = 1.0f / (float)n;
        for (size_t i = 0; i < n; i++) {
            total += bce_term(logits[i], y[i]);
            dlogits[i] = scale * (gs_sigmoidf(logits[i]) - y[i]);
        }
        return total / (double)n;
    }
    /* softmax cross-entropy */
    for (int r = 0; r < B; r++) {
        const float *x = logits + (size_t)r * O;
        float *d = dlogits + (size_t)r * O;
        const int t = (int)y[r];
        float m;
        const double lse = row_lse(x, O, &m);
        total += lse - x[t];
        for (int j = 0; j < O; j++)
            d[j] = (float)((exp((double)x[j] - lse) - (j == t ? 1.0 : 0.0)) / B);
    }
    return total / B;
}

double gs_loss_value(const float *logits, const float *y, int B, int O, int loss) {
    double total = 0.0;
    const size_t n = (size_t)B * O;
    if (loss == GS_LOSS_MSE) {
        for (size_t i = 0; i < n; i++) {
            const double diff = (double)logits[i] - y[i];
            total += diff * diff;
        }
        return total / (double)n;
    }
    if (loss == GS_LOSS_BCE) {
        for (size_t i = 0; i < n; i++) total += bce_term(logits[i], y[i]);
        return total / (double)n;
    }
    for (int r = 0; r < B; r++) {
        float m;
        total += row_lse(logits + (size_t)r * O, O, &m) - logits[(size_t)r * O + (int)y[r]];
    }
    return total / B;
}

/* bce: elements with (logit > 0) == (target >= 0.5); softmax-ce: rows whose
 * argmax is the class (first max wins ties); mse: 0. A NaN output is never a
 * correct prediction (it would otherwise read as class 0), nor is a softmax
 * row with an infinite logit (its probabilities are NaN). */
int gs_loss_correct(const float *logits, const float *y, int B, int O, int loss) {
    int correct = 0;
    if (loss == GS_LOSS_BCE) {
        for (size_t i = 0; i < (size_t)B * O; i++)
            correct += !isnan(logits[i]) && (logits[i] > 0.0f) == (y[i] >= 0.5f);
    } else if (loss == GS_LOSS_SOFTMAX_CE) {
        for (int r = 0; r < B; r++) {
            const float *x = logits + (size_t)r * O;
            int best = 0, bad = !isfinite(x[0]);
            for (int j = 1; j < O; j++) {
                if (x[j] > x[best]) best = j;
                bad |= !isfinite(x[j]);
            }
            correct += !bad && best == (int)y[r];
        }
    }
    return correct;
}

/* out may alias logits */
void gs_loss_probabilities(float *out, const float *logits, int B, int O, int loss) {
    const size_t n = (size_t)B * O;
    if (loss == GS_LOSS_BCE) {
        for (size_t i = 0; i < n; i++) out[i] = gs_sigmoidf(logits[i]);
    } else if (loss == GS_LOSS_SOFTMAX_CE) {
        for (int r = 0; r < B; r++) {
            float m;
            const double lse = row_lse(logits + (size_t)r * O, O, &m);
            for (int j = 0; j < O; j++)
                out[(size_t)r * O + j] = (float)exp((double)logits[(size_t)r * O + j] - lse);
        }
    } else {
        for (size_t i = 0; i < n; i++) out[i] = logits[i];
    }
}
