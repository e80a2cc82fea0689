/* Parameter initializers, drawn from the network's RNG in layer order
 * (a layer's weights, then its biases when they are drawn: GS_BIAS_UNIFORM,
 * GS_BIAS_NORMAL, or GS_BIAS_DEFAULT with GS_INIT_PYTORCH). Batch and layer norm start at gamma 1, beta 0, batch
 * norm's running mean at 0 and running variance at 1, as in PyTorch. */
#include <math.h>

#include "internal.h"

static void fill_normal(float *p, int n, float std, gs_rng *rng) {
    for (int i = 0; i < n; i++) p[i] = std * gs_rng_normal(rng);
}

static void fill_uniform(float *p, int n, float limit, gs_rng *rng) {
    for (int i = 0; i < n; i++) p[i] = limit * (2.0f * gs_rng_uniform(rng) - 1.0f);
}

void gs_init_params(gs_net *net) {
    for (int l = 0; l < net->n_layers; l++) {
        gs_layer *L = &net->layers[l];
        float *w = net->params + L->w_off, *b = net->params + L->b_off;
        const int nw = L->in * L->out;
        const float fan_in = (float)L->in, fan_out = (float)L->out;
        for (int o = 0; o < L->out; o++) b[o] = 0.0f;
        switch (net->init_kind) {
        case GS_INIT_HE: fill_normal(w, nw, sqrtf(2.0f / fan_in), &net->rng); break;
        case GS_INIT_XAVIER: fill_uniform(w, nw, sqrtf(6.0f / (fan_in + fan_out)), &net->rng); break;
        case GS_INIT_LECUN: fill_normal(w, nw, sqrtf(1.0f / fan_in), &net->rng); break;
        case GS_INIT_PYTORCH: /* kaiming_uniform(a=sqrt(5)) reduces to U(+-1/sqrt(fan_in)) */
            fill_uniform(w, nw, 1.0f / sqrtf(fan_in), &net->rng);
            break;
        case GS_INIT_NORMAL: fill_normal(w, nw, net->init_scale, &net->rng); break;
        case GS_INIT_UNIFORM: fill_uniform(w, nw, net->init_scale, &net->rng); break;
        default: for (int i = 0; i < nw; i++) w[i] = 0.0f; break;
        }
        const int bias = net->bias_kind != GS_BIAS_DEFAULT ? net->bias_kind
                         : net->init_kind == GS_INIT_PYTORCH ? GS_BIAS_UNIFORM : GS_BIAS_ZEROS;
        if (bias == GS_BIAS_UNIFORM) fill_uniform(b, L->out, 1.0f / sqrtf(fan_in), &net->rng);
        else if (bias == GS_BIAS_NORMAL) fill_normal(b, L->out, net->bias_std, &net->rng);
        if (L->g_off >= 0) /* batch or layer norm */
            for (int o = 0; o < L->out; o++) net->params[L->g_off + o] = 1.0f, net->params[L->be_off + o] = 0.0f;
        if (L->bn)
            for (int o = 0; o < L->out; o++) L->running[o] = 0.0f, L->running[L->out + o] = 1.0f;
    }
}
