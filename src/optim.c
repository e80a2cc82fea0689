/* Gradient clipping, learning-rate schedules and optimizers as torch.optim
 * (SGD with momentum / Nesterov, Adam, AdamW, RMSprop), as loops over slices
 * of the parameter arena, and the max-norm constraint after the update. Weight decay (L2: added to the gradient, or
 * decoupled for AdamW) and L1 (l1 * sign(W) added to the gradient) apply to
 * dense weights only, not to biases or normalization parameters. */
#include <float.h>
#include <math.h>

#include "internal.h"
#include "simd.h"

/* clip_grad_norm_'s factor max/(total+1e-6), or 1 when that is >= 1 or clipping is off.
 * The optimizer multiplies each gradient by it as it reads it (the same float
 * product torch makes in place), so the gradients themselves stay raw. */
float gs_clip_coef(const gs_net *net) {
    if (net->clip_norm <= 0.0f) return 1.0f;
    const double total = sqrt(gs_sumsq(net->grads, net->n_params));
    const double coef = net->clip_norm / (total + 1e-6);
    return coef >= 1.0 ? 1.0f : (float)coef;
}

/* ---- schedules: lr(t) = base * w(t) * d(t - warmup) for optimizer step t ------ */
double gs_learning_rate(const gs_net *net, int t) {
    const gs_schedule *S = &net->schedule;
    const double base = net->lr;
    const double w = S->warmup_steps > 0 && t + 1 < S->warmup_steps ? (t + 1.0) / S->warmup_steps : 1.0;
    const int s = t - S->warmup_steps;
    if (s < 0 || S->decay == GS_DECAY_NONE) return base * w;
    switch (S->decay) {
    case GS_DECAY_STEP: return base * w * pow(S->gamma, floor((double)s / S->step_size));
    case GS_DECAY_EXPONENTIAL: return base * w * pow(S->gamma, s);
    default: { /* cosine, from base down to min_lr over decay_steps, then flat */
        const double progress = (double)(s < S->decay_steps ? s : S->decay_steps) / S->decay_steps;
        const double m = S->min_lr;
        return w * (m + (base - m) * (1.0 + cos(3.14159265358979323846 * progress)) / 2.0);
    }
    }
}

/* what one update of a slice needs, fixed for the step */
typedef struct {
    float lr, wd, l1, mom, b1, b2, eps, alpha, clip;
    float step_size, bc2_sqrt; /* Adam / AdamW bias corrections */
    int opt, first, nesterov, centered;
} step_consts;

static inline float sign(float p) { return (float)(p > 0.0f) - (float)(p < 0.0f); }

/* One slice [off, off+n): reads the current params / m / v / a, writes the
 * next copies. For dense weights (weights != 0) adds to sums[GS_SUM_*] the squared norms of the applied update
 * and of the parameters before and after it, measured in the same pass (the
 * statistics need them). Two interleaved sets of partial sums keep the double
 * adds from serializing the loop. Returns 0 when a new value (parameter or
 * optimizer state) is not finite: x - x is 0 for finite x and NaN otherwise. */
static int update_slice(gs_net *net, const step_consts *k, int off, int n, int weights, double *sums) {
    const float *p = net->params + off, *g = net->grads + off;
    const float *m = net->opt_m + off, *v = net->opt_v + off, *a = net->opt_a ? net->opt_a + off : NULL;
    float *p_out = net->next_params + off, *m_out = net->next_m + off, *v_out = net->next_v + off;
    float *a_out = net->next_a ? net->next_a + off : NULL;
    const float lr = k->lr, mom = k->mom, wd = weights ? k->wd : 0.0f, l1 = weights ? k->l1 : 0.0f;
    double acc[2][GS_SUM_COUNT] = {{0}};
    float bad = 0.0f;
    int i = 0;
#ifdef GS_SIMD
    /* plain SGD and SGD with momentum without L1, four parameters at a time; the norms in double */
    if (k->opt == GS_OPT_SGD && l1 == 0.0f) {
        v128_t u[2], b[2], aa[2], u1[2], b1[2], vbad = wasm_f32x4_splat(0.0f);
        for (int j = 0; j < 2; j++) u[j] = b[j] = aa[j] = u1[j] = b1[j] = wasm_f64x2_splat(0.0);
        const v128_t vlr = wasm_f32x4_splat(lr), vwd = wasm_f32x4_splat(wd), vmom = wasm_f32x4_splat(mom);
        const v128_t vclip = wasm_f32x4_splat(k->clip);
        for (; i + 4 <= n; i += 4) {
            const v128_t before = wasm_v128_load(p + i);
            v128_t d = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(g + i), vclip), wasm_f32x4_mul(vwd, before));
            if (mom != 0.0f) {
                const v128_t buf = k->first ? d : wasm_f32x4_add(wasm_f32x4_mul(vmom, wasm_v128_load(m + i)), d);
                wasm_v128_store(m_out + i, buf);
                vbad = wasm_f32x4_add(vbad, wasm_f32x4_sub(buf, buf));
                d = k->nesterov ? wasm_f32x4_add(d, wasm_f32x4_mul(vmom, buf)) : buf;
            }
            const v128_t after = wasm_f32x4_sub(before, wasm_f32x4_mul(vlr, d));
            wasm_v128_store(p_out + i, after);
            vbad = wasm_f32x4_add(vbad, wasm_f32x4_sub(after, after));
            if (weights) { /* the statistics describe dense weights only */
                const v128_t step = wasm_f32x4_sub(after, before);
                gs_f64_sumsq4(&u[0], &u[1], step);
                gs_f64_sumsq4(&b[0], &b[1], before);
                gs_f64_sumsq4(&aa[0], &aa[1], after);
                gs_f64_sum4(&u1[0], &u1[1], step);
                gs_f64_sum4(&b1[0], &b1[1], before);
            }
        }
        acc[0][GS_SUM_UPDATE] = gs_f64_total(u[0], u[1]);
        acc[0][GS_SUM_BEFORE] = gs_f64_total(b[0], b[1]);
        acc[0][GS_SUM_AFTER] = gs_f64_total(aa[0], aa[1]);
        acc[0][GS_SUM_UPDATE_1] = gs_f64_total(u1[0], u1[1]);
        acc[0][GS_SUM_BEFORE_1] = gs_f64_total(b1[0], b1[1]);
        bad = wasm_f32x4_extract_lane(vbad, 0) + wasm_f32x4_extract_lane(vbad, 1) +
              wasm_f32x4_extract_lane(vbad, 2) + wasm_f32x4_extract_lane(vbad, 3);
    }
#endif
    for (; i < n; i++) {
        const float before = p[i];
        float after, d = g[i] * k->clip + l1 * sign(before);
        switch (k->opt) {
        case GS_OPT_SGD:
            d += wd * before;
            if (mom != 0.0f) {
                m_out[i] = k->first ? d : mom * m[i] + d; /* the buffer starts as the first gradient */
                bad += m_out[i] - m_out[i];
                d = k->nesterov ? d + mom * m_out[i] : m_out[i];
            }
            after = before - lr * d;
            break;
        case GS_OPT_RMSPROP: {
            d += wd * before;
            v_out[i] = k->alpha * v[i] + (1.0f - k->alpha) * d * d;
            float avg;
            if (k->centered) {
                a_out[i] = k->alpha * a[i] + (1.0f - k->alpha) * d;
                avg = sqrtf(v_out[i] - a_out[i] * a_out[i]) + k->eps;
                bad += a_out[i] - a_out[i];
            } else {
                avg = sqrtf(v_out[i]) + k->eps;
            }
            bad += v_out[i] - v_out[i];
            if (mom != 0.0f) { /* torch: the buffer starts at zero */
                m_out[i] = mom * m[i] + d / avg;
                bad += m_out[i] - m_out[i];
                after = before - lr * m_out[i];
            } else {
                after = before - lr * (d / avg);
            }
            break;
        }
        default: { /* Adam, AdamW */
            float start = before;
            if (k->opt == GS_OPT_ADAMW) start = before * (1.0f - lr * wd); /* decoupled decay */
            else d += wd * before;
            m_out[i] = k->b1 * m[i] + (1.0f - k->b1) * d;
            v_out[i] = k->b2 * v[i] + (1.0f - k->b2) * d * d;
            bad += (m_out[i] - m_out[i]) + (v_out[i] - v_out[i]);
            after = start - k->step_size * (m_out[i] / (sqrtf(v_out[i]) / k->bc2_sqrt + k->eps));
            break;
        }
        }
        p_out[i] = after;
        bad += after - after;
        if (!weights) continue;
        double *s = acc[i & 1];
        const double u = (double)(after - before); /* the float step, as the SIMD path measures it */
        s[GS_SUM_UPDATE] += u * u;
        s[GS_SUM_BEFORE] += (double)before * before;
        s[GS_SUM_AFTER] += (double)after * after;
        s[GS_SUM_UPDATE_1] += u;
        s[GS_SUM_BEFORE_1] += before;
    }
    if (weights)
        for (int j = 0; j < GS_SUM_COUNT; j++) sums[j] += acc[0][j] + acc[1][j];
    return bad == 0.0f;
}

/* The max-norm constraint on a layer's new weights, as torch.renorm(W, 2, 0, max_norm) after
 * the optimizer step: a unit's incoming row whose L2 norm exceeds max_norm is scaled by
 * max_norm / (norm + 1e-7). The update statistics are then measured again on what was
 * applied (the squared sums of W before are unchanged). Plain loops in double: the SIMD and
 * scalar builds give the same bits. A non-finite row (already flagged) compares false and stays. */
static void renorm_rows(gs_net *net, const gs_layer *L, double *sums) {
    float *w = net->next_params + L->w_off;
    const float *before = net->params + L->w_off;
    const double max_norm = net->max_norm;
    double u2 = 0.0, u1 = 0.0, a2 = 0.0;
    for (int o = 0; o < L->out; o++) {
        float *row = w + (size_t)o * L->in;
        const float *was = before + (size_t)o * L->in;
        double s = 0.0;
        for (int i = 0; i < L->in; i++) s += (double)row[i] * row[i];
        const double norm = sqrt(s);
        if (norm > max_norm) {
            const double scale = max_norm / (norm + 1e-7);
            const float f = (float)scale;
            if (f >= FLT_MIN) {
                for (int i = 0; i < L->in; i++) row[i] *= f;
            } else { /* a subnormal float factor keeps few bits (2 x 2^-149 for 1.6 x 2^-149: the row
                        25% over max_norm); the product in double rounds once */
                for (int i = 0; i < L->in; i++) row[i] = (float)(row[i] * scale);
            }
        }
        for (int i = 0; i < L->in; i++) {
            const double u = (double)(row[i] - was[i]); /* the float step, as update_slice measures it */
            u2 += u * u, u1 += u, a2 += (double)row[i] * row[i];
        }
    }
    sums[GS_SUM_UPDATE] = u2, sums[GS_SUM_UPDATE_1] = u1, sums[GS_SUM_AFTER] = a2;
}

/* one layer's update: its weights (their sums into sums), max-norm, biases, gamma and beta;
 * 0 when a new value is not finite */
static int update_layer(gs_net *net, const step_consts *k, int l, double *sums) {
    const gs_layer *L = &net->layers[l];
    for (int j = 0; j < GS_SUM_COUNT; j++) sums[j] = 0.0;
    int ok = update_slice(net, k, L->w_off, L->in * L->out, 1, sums);
    if (net->max_norm > 0.0f) renorm_rows(net, L, sums);
    ok &= update_slice(net, k, L->b_off, L->out, 0, NULL);
    if (L->g_off >= 0) { /* batch- or layer-norm gamma, beta */
        ok &= update_slice(net, k, L->g_off, L->out, 0, NULL);
        ok &= update_slice(net, k, L->be_off, L->out, 0, NULL);
    }
    return ok;
}

/* With threads, whole layers are shared out, and so are the gradient moments the
 * statistics need (a task of their own per layer, see gs_optimizer_step): each layer's
 * sums are its own, in the same order whoever computes them, so the bits are the same for
 * any number of threads. */
typedef struct {
    gs_net *net;
    const step_consts *k;
    double (*sums)[GS_SUM_COUNT];
    gs_grad_moments *moments;
    int ok[GS_MAX_LAYERS];
    uint8_t update_part[GS_MAX_LAYERS], moments_part[GS_MAX_LAYERS];
} layers_job;

static void grad_moments_of(gs_net *net, gs_grad_moments *m, int l) {
    m->ok[l] = gs_stats_grads(net->stats + (size_t)l * GS_STAT_COUNT, net, l, m->sum + l, m->sumsq + l);
}

static void update_part(void *ctx, int part) {
    layers_job *job = ctx;
    for (int l = 0; l < job->net->n_layers; l++) {
        if (job->moments_part[l] == part) grad_moments_of(job->net, job->moments, l);
        if (job->update_part[l] == part) job->ok[l] = update_layer(job->net, job->k, l, job->sums[l]);
    }
}

/* below this many parameters one thread updates them all (a wake-up costs more) */
#define GS_PAR_MIN_PARAMS (1 << 16)
/* the cost of updating a parameter against reading its gradient's moments (chromium, mnist:
 * update_slice 5%, the moments 1.3% of a step) */
#define GS_UPDATE_COST 4

/* weight_sums (n_layers, GS_SUM_COUNT): the dense weights' squared norms of
 * the update, before and after it. Every slice is computed even after a
 * non-finite one, so the step costs the same either way. Each layer's gradient
 * statistics are measured into `moments` too (gs_stats_grads: the caller flags
 * non-finite gradients before it looks at the update, which is written to the
 * next buffers only). Returns the first layer with a non-finite new value, or -1. */
int gs_optimizer_step(gs_net *net, double (*weight_sums)[GS_SUM_COUNT], gs_grad_moments *moments) {
    const int t = net->step + 1, adam = net->opt == GS_OPT_ADAM || net->opt == GS_OPT_ADAMW;
    const double lr = gs_learning_rate(net, net->step);
    const step_consts k = {
        .lr = (float)lr, .wd = net->weight_decay, .l1 = net->l1, .mom = net->momentum,
        .b1 = net->beta1, .b2 = net->beta2, .eps = net->eps, .alpha = net->alpha,
        .step_size = adam ? (float)(lr / (1.0 - pow(net->beta1, t))) : 0.0f,
        .bc2_sqrt = adam ? (float)sqrt(1.0 - pow(net->beta2, t)) : 1.0f,
        .opt = net->opt, .first = net->step == 0, .nesterov = net->nesterov, .centered = net->centered,
        .clip = gs_clip_coef(net),
    };
    int first_bad = -1;
    const int parts = net->threads < 2 * net->n_layers ? net->threads : 2 * net->n_layers;
    if (parts < 2 || net->n_params < GS_PAR_MIN_PARAMS) {
        for (int l = 0; l < net->n_layers; l++) {
            grad_moments_of(net, moments, l);
            if (!update_layer(net, &k, l, weight_sums[l]) && first_bad < 0) first_bad = l;
        }
        return first_bad;
    }
    layers_job job = {.net = net, .k = &k, .sums = weight_sums, .moments = moments};
    /* the tasks, largest first, each to the least loaded part */
    double load[GS_MAX_THREADS] = {0};
    uint8_t taken[2][GS_MAX_LAYERS] = {{0}};
    for (int task = 0; task < 2 * net->n_layers; task++) {
        int best_l = -1, best_kind = 0;
        double best_cost = -1.0;
        for (int kind = 0; kind < 2; kind++)
            for (int l = 0; l < net->n_layers; l++) {
                const gs_layer *L = &net->layers[l];
                const double cost = kind ? (double)L->in * L->out : GS_UPDATE_COST * ((double)L->in * L->out + L->out);
                if (!taken[kind][l] && cost > best_cost) best_cost = cost, best_l = l, best_kind = kind;
            }
        if (best_l < 0) break;
        taken[best_kind][best_l] = 1;
        int best = 0;
        for (int p = 1; p < parts; p++)
            if (load[p] < load[best]) best = p;
        (best_kind ? job.moments_part : job.update_part)[best_l] = (uint8_t)best;
        load[best] += best_cost;
    }
    gs_par_run(net, parts, update_part, &job);
    for (int l = 0; l < net->n_layers; l++)
        if (!job.ok[l] && first_bad < 0) first_bad = l;
    return first_bad;
}

/* which state buffers the optimizer writes (and the step swaps in) */
int gs_optimizer_uses_m(const gs_net *net) {
    return net->opt == GS_OPT_ADAM || net->opt == GS_OPT_ADAMW || net->momentum != 0.0f;
}
int gs_optimizer_uses_v(const gs_net *net) { return net->opt != GS_OPT_SGD; }
