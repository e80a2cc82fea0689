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

/* torch.nn.init.orthogonal_: W (rows, cols) = gain * Q of the QR factorization of a Gaussian
 * A (rows, cols), drawn row-major from the network's RNG, with Q's columns multiplied by the
 * signs of R's diagonal (so R's diagonal is positive and Q is unique); for rows < cols, A^T is
 * factored and W = Q^T. Then W W^T = gain^2 I (rows <= cols) or W^T W = gain^2 I (rows >= cols).
 * Householder reflections in double on column-major copies, so every inner loop runs over
 * contiguous memory (row-major took 4.5 s for 1000 x 1000 in wasm: every access a new cache line).
 * work holds 2 * rows * cols + min(rows, cols) doubles. */
static void fill_orthogonal(float *w, int rows, int cols, float gain, gs_rng *rng, double *work) {
    const int wide = rows < cols, m = wide ? cols : rows, n = wide ? rows : cols;
    /* a, q: (m, n) column-major: column j of length m starts at j * m */
    double *a = work, *q = work + (size_t)m * n, *rdiag = q + (size_t)m * n;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            const double g = gs_rng_normal(rng);
            if (wide) a[(size_t)r * m + c] = g; /* A^T (cols, rows): element (c, r) */
            else a[(size_t)c * m + r] = g;
        }
    /* A = H_0 ... H_{n-1} R: column k's reflector v (rows k..m-1) stays in column k from the
     * diagonal down; R's diagonal goes to rdiag, its upper part stays above the diagonal */
    for (int k = 0; k < n; k++) {
        double *v = a + (size_t)k * m;
        double norm = 0.0;
        for (int i = k; i < m; i++) norm += v[i] * v[i];
        norm = sqrt(norm);
        const double alpha = v[k] > 0.0 ? -norm : norm; /* v0 = x0 - alpha adds, never cancels */
        v[k] -= alpha;
        double vv = 0.0;
        for (int i = k; i < m; i++) vv += v[i] * v[i];
        rdiag[k] = alpha;
        if (vv == 0.0) continue; /* a zero column: H = I */
        for (int j = k + 1; j < n; j++) {
            double *x = a + (size_t)j * m, s = 0.0;
            for (int i = k; i < m; i++) s += v[i] * x[i];
            s *= 2.0 / vv;
            for (int i = k; i < m; i++) x[i] -= s * v[i];
        }
    }
    /* Q = H_0 ... H_{n-1} applied to the first n columns of I, last reflector first */
    for (size_t i = 0; i < (size_t)m * n; i++) q[i] = 0.0;
    for (int j = 0; j < n; j++) q[(size_t)j * m + j] = 1.0;
    for (int k = n - 1; k >= 0; k--) {
        const double *v = a + (size_t)k * m;
        double vv = 0.0;
        for (int i = k; i < m; i++) vv += v[i] * v[i];
        if (vv == 0.0) continue;
        for (int j = k; j < n; j++) { /* columns left of k are still e_j there: untouched by H_k */
            double *x = q + (size_t)j * m, s = 0.0;
            for (int i = k; i < m; i++) s += v[i] * x[i];
            s *= 2.0 / vv;
            for (int i = k; i < m; i++) x[i] -= s * v[i];
        }
    }
    /* torch: q *= sign(diag(r)) (sign(0) = 0, as torch.sign) */
    for (int j = 0; j < n; j++) {
        const double sign = (rdiag[j] > 0.0) - (rdiag[j] < 0.0);
        const double *x = q + (size_t)j * m;
        for (int i = 0; i < m; i++) {
            const float v = (float)(gain * sign * x[i]);
            if (wide) w[(size_t)j * cols + i] = v; /* W = Q^T: (rows = n, cols = m) */
            else w[(size_t)i * cols + j] = v;
        }
    }
}

/* the doubles of scratch gs_init_params needs: fill_orthogonal's for the largest layer (0 for other inits) */
uint64_t gs_init_work(const gs_net *net) {
    uint64_t most = 0;
    if (net->init_kind != GS_INIT_ORTHOGONAL) return 0;
    for (int l = 0; l < net->n_layers; l++) {
        const uint64_t in = (uint64_t)net->layers[l].in, out = (uint64_t)net->layers[l].out;
        const uint64_t need = gs_add(gs_mul(2, gs_mul(in, out)), in < out ? in : out);
        if (need > most) most = need;
    }
    return most;
}

/* work: gs_init_work(net) doubles (NULL when that is 0) */
void gs_init_params(gs_net *net, double *work) {
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
        case GS_INIT_ORTHOGONAL: fill_orthogonal(w, L->out, L->in, net->init_scale, &net->rng, work); break;
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
