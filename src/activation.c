/* Element-wise activations. Backward uses the output h, which determines the
 * derivative for every supported activation (relu: h > 0 iff z > 0). */
#include <math.h>

#include "internal.h"

void gs_activation_forward(float *h, int n, int act) {
    switch (act) {
    case GS_ACT_RELU:
        for (int i = 0; i < n; i++) h[i] = h[i] > 0.0f ? h[i] : 0.0f;
        break;
    case GS_ACT_LEAKY_RELU:
        for (int i = 0; i < n; i++) h[i] = h[i] > 0.0f ? h[i] : GS_LEAKY_SLOPE * h[i];
        break;
    case GS_ACT_SIGMOID:
        for (int i = 0; i < n; i++) h[i] = gs_sigmoidf(h[i]);
        break;
    case GS_ACT_TANH:
        for (int i = 0; i < n; i++) h[i] = tanhf(h[i]);
        break;
    default: /* linear */
        break;
    }
}

/* d (n) is dL/dh on entry, dL/dz on return */
void gs_activation_backward(float *d, const float *h, int n, int act) {
    switch (act) {
    case GS_ACT_RELU:
        for (int i = 0; i < n; i++) d[i] = h[i] > 0.0f ? d[i] : 0.0f;
        break;
    case GS_ACT_LEAKY_RELU:
        for (int i = 0; i < n; i++) d[i] = h[i] > 0.0f ? d[i] : GS_LEAKY_SLOPE * d[i];
        break;
    case GS_ACT_SIGMOID:
        for (int i = 0; i < n; i++) d[i] *= h[i] * (1.0f - h[i]);
        break;
    case GS_ACT_TANH:
        for (int i = 0; i < n; i++) d[i] *= 1.0f - h[i] * h[i];
        break;
    default:
        break;
    }
}
