/* Gradient clipping and optimizers as torch.optim, as loops over slices of
 * the parameter arena. Weight decay (L2, added to the gradient) applies to
 * dense weights only, not to biases or batch-norm parameters. */
#include <math.h>

#include "internal.h"

double gs_sumsq(const float *g, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += (double)g[i] * g[i];
    return s;
}

/* clip_grad_norm_: scale all gradients by max/(total+1e-6) when that is < 1 */
void gs_clip_grads(gs_net *net) {
    if (net->clip_norm <= 0.0f) return;
    const double total = sqrt(gs_sumsq(net->grads, net->n_params));
    const double coef = net->clip_norm / (total + 1e-6);
    if (coef >= 1.0) return;
    const float c = (float)coef;
    for (int i = 0; i < net->n_params; i++) net->grads[i] *= c;
}

/* One slice [off, off+n); returns the sum of squared applied updates. */
static double update_slice(gs_net *net, int off, int n, float wd) {
    float *p = net->params + off, *g = net->grads + off;
    float *m = net->opt_m + off, *v = net->opt_v + off;
    const float lr = net->lr;
    double upd_sq = 0.0;
    if (net->opt == GS_OPT_SGD) {
        const float mom = net->momentum;
        const int first = net->step == 0;
        for (int i = 0; i < n; i++) {
            float d = g[i] + wd * p[i];
            if (mom != 0.0f) {
                m[i] = first ? d : mom * m[i] + d; /* buffer starts as the first gradient */
                d = net->nesterov ? d + mom * m[i] : m[i];
            }
            const float before = p[i];
            p[i] -= lr * d;
            const double u = (double)p[i] - before;
            upd_sq += u * u;
        }
    } else {
        const int t = net->step + 1;
        const float b1 = net->beta1, b2 = net->beta2, eps = net->eps;
        const float step_size = (float)(lr / (1.0 - pow(b1, t)));
        const float bc2_sqrt = (float)sqrt(1.0 - pow(b2, t));
        for (int i = 0; i < n; i++) {
            const float d = g[i] + wd * p[i];
            m[i] = b1 * m[i] + (1.0f - b1) * d;
            v[i] = b2 * v[i] + (1.0f - b2) * d * d;
            const float denom = sqrtf(v[i]) / bc2_sqrt + eps;
            const float before = p[i];
            p[i] -= step_size * (m[i] / denom);
            const double u = (double)p[i] - before;
            upd_sq += u * u;
        }
    }
    return upd_sq;
}

/* update_sumsq_per_layer (n_layers): squared norm of the applied weight update */
void gs_optimizer_step(gs_net *net, double *update_sumsq_per_layer) {
    for (int l = 0; l < net->n_layers; l++) {
        const gs_layer *L = &net->layers[l];
        update_sumsq_per_layer[l] = update_slice(net, L->w_off, L->in * L->out, net->weight_decay);
        update_slice(net, L->b_off, L->out, 0.0f);
        if (L->bn) {
            update_slice(net, L->g_off, L->out, 0.0f);
            update_slice(net, L->be_off, L->out, 0.0f);
        }
    }
    net->step++;
}
