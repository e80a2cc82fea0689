/* Gradient clipping and optimizers as torch.optim, as loops over slices of
 * the parameter arena. Weight decay (L2, added to the gradient) applies to
 * dense weights only, not to biases or batch-norm parameters. */
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

/* clip_grad_norm_: scale all gradients by max/(total+1e-6) when that is < 1 */
void gs_clip_grads(gs_net *net) {
    if (net->clip_norm <= 0.0f) return;
    const double total = sqrt(gs_sumsq(net->grads, net->n_params));
    const double coef = net->clip_norm / (total + 1e-6);
    if (coef >= 1.0) return;
    const float c = (float)coef;
    for (int i = 0; i < net->n_params; i++) net->grads[i] *= c;
}

/* One parameter's update: returns the new value, writes the new buffer values. */
static inline float sgd_one(float p, float g, float m, float *m_out, float lr, float wd, float mom,
                            int first, int nesterov) {
    float d = g + wd * p;
    if (mom != 0.0f) {
        *m_out = first ? d : mom * m + d; /* the buffer starts as the first gradient */
        d = nesterov ? d + mom * *m_out : *m_out;
    }
    return p - lr * d;
}

static inline float adam_one(float p, float g, float m, float v, float *m_out, float *v_out,
                             float step_size, float bc2_sqrt, float b1, float b2, float eps, float wd) {
    const float d = g + wd * p;
    *m_out = b1 * m + (1.0f - b1) * d;
    *v_out = b2 * v + (1.0f - b2) * d * d;
    return p - step_size * (*m_out / (sqrtf(*v_out) / bc2_sqrt + eps));
}

/* One slice [off, off+n): reads the current params / m / v, writes the next
 * copies. Adds to sums[GS_SUM_*] the squared norms of the applied update and
 * of the parameters before and after it, measured in the same pass (the
 * statistics need them). Two interleaved sets of partial sums keep the double
 * adds from serializing the loop. Returns 0 when a new value (parameter or
 * optimizer state) is not finite: x - x is 0 for finite x and NaN otherwise. */
static int update_slice(gs_net *net, int off, int n, float wd, double *sums) {
    const float *p = net->params + off, *g = net->grads + off, *m = net->opt_m + off, *v = net->opt_v + off;
    float *p_out = net->next_params + off, *m_out = net->next_m + off, *v_out = net->next_v + off;
    const float lr = net->lr, mom = net->momentum, b1 = net->beta1, b2 = net->beta2, eps = net->eps;
    const int first = net->step == 0, nesterov = net->nesterov, adam = net->opt == GS_OPT_ADAM;
    const int t = net->step + 1;
    const float step_size = adam ? (float)(lr / (1.0 - pow(b1, t))) : 0.0f;
    const float bc2_sqrt = adam ? (float)sqrt(1.0 - pow(b2, t)) : 1.0f;
    double acc[2][GS_SUM_COUNT] = {{0}};
    float bad = 0.0f;
    int i = 0;
#ifdef GS_SIMD
    /* plain SGD and SGD with momentum, four parameters at a time; the norms in double */
    if (!adam) {
        v128_t u[2], b[2], a[2], vbad = wasm_f32x4_splat(0.0f);
        for (int k = 0; k < 2; k++) u[k] = b[k] = a[k] = wasm_f64x2_splat(0.0);
        const v128_t vlr = wasm_f32x4_splat(lr), vwd = wasm_f32x4_splat(wd), vmom = wasm_f32x4_splat(mom);
        for (; i + 4 <= n; i += 4) {
            const v128_t before = wasm_v128_load(p + i);
            v128_t d = wasm_f32x4_add(wasm_v128_load(g + i), wasm_f32x4_mul(vwd, before));
            if (mom != 0.0f) {
                const v128_t buf = first ? d : wasm_f32x4_add(wasm_f32x4_mul(vmom, wasm_v128_load(m + i)), d);
                wasm_v128_store(m_out + i, buf);
                vbad = wasm_f32x4_add(vbad, wasm_f32x4_sub(buf, buf));
                d = nesterov ? wasm_f32x4_add(d, wasm_f32x4_mul(vmom, buf)) : buf;
            }
            const v128_t after = wasm_f32x4_sub(before, wasm_f32x4_mul(vlr, d));
            wasm_v128_store(p_out + i, after);
            vbad = wasm_f32x4_add(vbad, wasm_f32x4_sub(after, after));
            gs_f64_sumsq4(&u[0], &u[1], wasm_f32x4_sub(after, before));
            gs_f64_sumsq4(&b[0], &b[1], before);
            gs_f64_sumsq4(&a[0], &a[1], after);
        }
        acc[0][GS_SUM_UPDATE] = gs_f64_total(u[0], u[1]);
        acc[0][GS_SUM_BEFORE] = gs_f64_total(b[0], b[1]);
        acc[0][GS_SUM_AFTER] = gs_f64_total(a[0], a[1]);
        bad = wasm_f32x4_extract_lane(vbad, 0) + wasm_f32x4_extract_lane(vbad, 1) +
              wasm_f32x4_extract_lane(vbad, 2) + wasm_f32x4_extract_lane(vbad, 3);
    }
#endif
    for (; i < n; i++) {
        const float before = p[i];
        float after;
        if (adam) {
            after = adam_one(before, g[i], m[i], v[i], m_out + i, v_out + i, step_size, bc2_sqrt, b1, b2, eps, wd);
            bad += (m_out[i] - m_out[i]) + (v_out[i] - v_out[i]);
        } else {
            after = sgd_one(before, g[i], m[i], m_out + i, lr, wd, mom, first, nesterov);
            if (mom != 0.0f) bad += m_out[i] - m_out[i];
        }
        p_out[i] = after;
        bad += after - after;
        double *a = acc[i & 1];
        const double u = (double)after - before;
        a[GS_SUM_UPDATE] += u * u;
        a[GS_SUM_BEFORE] += (double)before * before;
        a[GS_SUM_AFTER] += (double)after * after;
    }
    for (int k = 0; k < GS_SUM_COUNT; k++) sums[k] += acc[0][k] + acc[1][k];
    return bad == 0.0f;
}

/* weight_sums (n_layers, GS_SUM_COUNT): the dense weights' squared norms of
 * the update, before and after it. Every slice is computed even after a
 * non-finite one, so the step costs the same either way. */
int gs_optimizer_step(gs_net *net, double (*weight_sums)[GS_SUM_COUNT]) {
    double ignored[GS_SUM_COUNT];
    int first_bad = -1;
    for (int l = 0; l < net->n_layers; l++) {
        const gs_layer *L = &net->layers[l];
        for (int k = 0; k < GS_SUM_COUNT; k++) weight_sums[l][k] = 0.0;
        int ok = update_slice(net, L->w_off, L->in * L->out, net->weight_decay, weight_sums[l]);
        ok &= update_slice(net, L->b_off, L->out, 0.0f, ignored);
        if (L->bn) {
            ok &= update_slice(net, L->g_off, L->out, 0.0f, ignored);
            ok &= update_slice(net, L->be_off, L->out, 0.0f, ignored);
        }
        if (!ok && first_bad < 0) first_bad = l;
    }
    return first_bad;
}
