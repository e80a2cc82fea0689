/* Internal layout of a gradscope network and the kernels that work on it. */
#ifndef GS_INTERNAL_H
#define GS_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "gradscope.h"

#define GS_BN_MOMENTUM 0.1f
#define GS_BN_EPS 1e-5f
#define GS_LN_EPS 1e-5f
#define GS_LEAKY_SLOPE 0.01f
#define GS_MAX_LAYERS 256
#define GS_MAX_UNITS (1 << 20)
#define GS_MAX_PARAMS (1 << 28) /* keeps every offset an int */
#define GS_LOG_STEPS 1024       /* fit steps logged per gs_net_fit_steps call: bounded memory */

/* ---- sizes: every buffer size is computed here, in 64 bits, saturating ---------
 * Nothing may need more than wasm32 can address (4 GiB); the native build
 * keeps the same limit, so the tests see what the browser sees. Below that
 * limit every element count fits an int (< 2^30 floats). */
#define GS_MAX_BYTES ((uint64_t)1 << 32) /* a buffer must be smaller */
static inline uint64_t gs_mul(uint64_t a, uint64_t b) { return a && b > UINT64_MAX / a ? UINT64_MAX : a * b; }
static inline uint64_t gs_add(uint64_t a, uint64_t b) { return b > UINT64_MAX - a ? UINT64_MAX : a + b; }
/* n elements of `size` bytes, or NULL when that is beyond GS_MAX_BYTES or memory cannot grow */
void *gs_alloc(uint64_t n, size_t size);
void *gs_calloc(uint64_t n, size_t size);

/* ---- rng.c: xoshiro128**, state lives in the network ---------------------- */
typedef struct { uint32_t s[4]; } gs_rng;
void gs_rng_seed(gs_rng *rng, uint32_t seed);

/* xoshiro128** (Blackman & Vigna); inline, as dropout draws one number per activation */
static inline uint32_t gs_rng_rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static inline uint32_t gs_rng_next(gs_rng *rng) {
    uint32_t *s = rng->s;
    const uint32_t result = gs_rng_rotl(s[1] * 5, 7) * 9;
    const uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gs_rng_rotl(s[3], 11);
    return result;
}
/* [0, 1) with 24 random bits */
static inline float gs_rng_uniform(gs_rng *rng) { return (float)(gs_rng_next(rng) >> 8) * (1.0f / 16777216.0f); }
float gs_rng_normal(gs_rng *rng);               /* N(0, 1), Box-Muller */
uint32_t gs_rng_below(gs_rng *rng, uint32_t n); /* [0, n) */

typedef struct {
    int in, out;        /* dense layer: W is (out, in) */
    int act;            /* gs_activation */
    int bn;             /* batch norm after the dense layer */
    int ln;             /* layer norm after the dense layer (not together with bn) */
    float dropout;      /* drop probability p in [0, 1]; 0 = no dropout */
    int w_off, b_off;   /* offsets of W and b in params / grads */
    int g_off, be_off;  /* offsets of gamma and beta, -1 without batch or layer norm */
    float *running;     /* (2, out): running mean, running var (BN only) */
    float *next_running;/* (2, out): the candidate after this step (BN only) */
    /* workspace, valid for up to ws_rows rows */
    float *zx;          /* (B, out) dense output; overwritten by x-hat with BN or LN */
    float *h;           /* (B, out) activation output (aliases zx without BN or LN) */
    float *mask;        /* (B, out) dropout scale: 0 or 1/(1-p) (dropout only) */
    float *y;           /* (B, out) dropout output (aliases h without dropout) */
    float *bn_mean, *bn_var, *bn_rstd; /* (out,) batch statistics (BN only) */
    float *ln_mean, *ln_rstd;          /* (B,) row statistics (LN only) */
    float *pre;         /* (B, out) pre-activation copy, for activations whose backward needs z */
} gs_layer;

typedef struct {
    int warmup_steps, decay, decay_steps, step_size;
    float gamma, min_lr;
} gs_schedule;

struct gs_net {
    int inputs, loss, n_layers, built;
    gs_layer layers[GS_MAX_LAYERS];
    int init_kind, bias_kind;  /* gs_init, gs_bias_init */
    float init_scale, bias_std;
    int opt, nesterov, centered;
    float lr, momentum, beta1, beta2, eps, alpha, weight_decay, l1, clip_norm, max_norm;
    gs_schedule schedule;
    float last_lr;            /* the rate the last training pass used (or would have) */
    int step;                 /* updates applied so far */
    gs_rng rng;

    int n_params;
    /* params, m and v each have a current and a next copy: an update writes the
     * next copy, and only when every new value is finite do the two swap, so a
     * step that overflows changes nothing (no copy, no undo) */
    float *arena;             /* params x2 | grads | m x2 | v x2 | (a x2) | running stats x2 */
    float *params, *grads, *opt_m, *opt_v, *opt_a; /* a: centered RMSprop only */
    float *next_params, *next_m, *next_v, *next_a;
    int nonfinite_kind;       /* gs_nonfinite of the last pass */

    int ws_rows, max_units;
    float *ws;                /* activations for ws_rows rows + scratch */
    float *d0, *d1;           /* (B, max_units) gradient ping-pong buffers */

    float *stats;             /* (n_layers, GS_STAT_COUNT) */
    uint32_t *hist;           /* (n_layers, GS_HIST_QUANTITIES, GS_HIST_SLOTS) */
    struct gs_hist_range *hist_ranges; /* (n_layers + 1): each layer's activation bins, then the weights' */
    int hist_rows;            /* rows of the last training pass whose activations are not counted yet */
    uint8_t *alive, *alive_epoch; /* (total units): this epoch so far, the last completed epoch */
    int has_alive_epoch, total_units;
    long alive_updates;       /* applied updates since the mask was reset */
    int nonfinite_layer;

    int io_rows;
    float *io_x, *io_y;       /* (io_rows, inputs), (io_rows, outputs) */

    int data_rows, batch_cap, log_steps, epoch_skipped;
    float *data_x, *data_y;   /* dataset for fit: (rows, inputs), (rows, ydim) */
    float *batch_x, *batch_y; /* gathered minibatch */
    uint32_t *perm;           /* (rows,) epoch order */
    float *log;               /* (GS_LOG_STEPS, GS_ROW_HEAD + n_layers*GS_STAT_COUNT) */
    /* an epoch in progress across gs_net_fit_steps calls */
    int epoch_batch, epoch_next_step, epoch_logged;
    double epoch_loss_sum;
    /* fit's histogram snapshots (gs_net_set_fit_histograms): every snap_every steps, counted
     * down across calls by snap_until; the last call's snap_count of at most snap_cap */
    int snap_every, snap_until, snap_cap, snap_count;
    uint32_t *snaps;          /* (snap_cap, n_layers, GS_HIST_QUANTITIES, GS_HIST_SLOTS) */
    uint32_t *snap_steps;     /* (snap_cap,): the step of the call (0-based) each followed */
    /* threads (parallel.c): the pool this network's GEMMs are split over, NULL with 1 thread */
    struct gs_pool *pool;
    int threads;
};

int gs_net_ydim(const gs_net *net); /* floats of y per example */
int gs_net_has_bn(const gs_net *net);
int gs_net_ensure_workspace(gs_net *net, int rows);

/* ---- gemm.c: C (M,N) (+)= A (M,K) . B (K,N), A and B read through strides -- */
/* a(i,k) = A[i*a_rs + k*a_ks], b(k,j) = B[k*b_ks + j*b_js] (one of b_ks, b_js is 1);
 * C is row-major with rows ldc apart. */
void gs_gemm(float *c, int ldc, const float *a, int a_rs, int a_ks, const float *b, int b_ks, int b_js, int M,
             int N, int K, int accumulate);
void gs_gemm_scalar(float *c, int ldc, const float *a, int a_rs, int a_ks, const float *b, int b_ks, int b_js,
                    int M, int N, int K, int accumulate);
int gs_gemm_is_simd(void);

/* ---- parallel.c: gs_gemm split by rows of C over the network's threads (same bits) -- */
void gs_par_gemm(const gs_net *net, float *c, const float *a, int a_rs, int a_ks, const float *b, int b_ks, int b_js,
                 int M, int N, int K, int accumulate);
/* run(ctx, part) for every part in [0, parts), spread over the network's threads (parts <= threads):
 * the caller must make the parts independent, so the result does not depend on who runs which */
void gs_par_run(const gs_net *net, int parts, void (*run)(void *ctx, int part), void *ctx);

/* ---- dense.c: `net` only says how many threads share the GEMMs -------------- */
void gs_dense_forward(const gs_net *net, float *y, const float *x, const float *w, const float *b, int B, int in, int out);
void gs_dense_backward(const gs_net *net, float *dx, float *dw, float *db, const float *dy, const float *x,
                       const float *w, int B, int in, int out);
void gs_dense_backward_input(const gs_net *net, float *dx, const float *dy, const float *w, int B, int in, int out);

/* numerically stable logistic function: no overflow for very negative z */
static inline float gs_sigmoidf(float z) {
    if (z >= 0.0f) return 1.0f / (1.0f + expf(-z));
    const float e = expf(z);
    return e / (1.0f + e);
}

/* ---- activation.c ------------------------------------------------------------ */
void gs_activation_forward(float *h, int n, int act);
void gs_activation_backward(float *d, const float *h, const float *z, int n, int act);
int gs_activation_needs_z(int act); /* backward needs the pre-activation */

/* ---- batchnorm.c ------------------------------------------------------------- */
void gs_batchnorm_forward_train(float *out, float *zx, float *mean, float *var, float *rstd,
                                const float *gamma, const float *beta, int B, int C);
void gs_batchnorm_forward_eval(float *out, const float *z, const float *running,
                               const float *gamma, const float *beta, int B, int C);
void gs_batchnorm_backward_eval(float *d, const float *running, const float *gamma, int B, int C);
void gs_batchnorm_backward(float *d, float *dgamma, float *dbeta, float *scratch,
                           const float *xhat, const float *gamma, const float *rstd, int B, int C);
/* next (2C) = running after this batch; returns 0 when a value is not finite */
int gs_batchnorm_update_running(float *next, const float *running, const float *mean, const float *var,
                                int B, int C);

/* ---- layernorm.c ------------------------------------------------------------- */
void gs_layernorm_forward(float *out, float *zx, float *mean, float *rstd, const float *gamma,
                          const float *beta, int B, int C);
void gs_layernorm_backward(float *d, float *dgamma, float *dbeta, const float *xhat, const float *gamma,
                           const float *rstd, int B, int C);

/* ---- dropout.c --------------------------------------------------------------- */
void gs_dropout_forward(float *y, float *mask, const float *h, int n, float p, gs_rng *rng);
void gs_dropout_backward(float *d, const float *mask, int n);

/* ---- loss.c ------------------------------------------------------------------ */
double gs_loss_forward_backward(float *dlogits, const float *logits, const float *y, int B, int O,
                                int loss);
double gs_loss_value(const float *logits, const float *y, int B, int O, int loss);
int gs_loss_correct(const float *logits, const float *y, int B, int O, int loss);
void gs_loss_probabilities(float *out, const float *logits, int B, int O, int loss);

/* ---- init.c ------------------------------------------------------------------ */
uint64_t gs_init_work(const gs_net *net);          /* doubles of scratch gs_init_params needs */
void gs_init_params(gs_net *net, double *work); /* work: gs_init_work(net) doubles, NULL for 0 */

/* ---- optim.c ----------------------------------------------------------------- */
/* per dense weight slice: squared sums of the update, W before and after, and plain sums
 * of the update and W before (for standard deviations) */
enum { GS_SUM_UPDATE, GS_SUM_BEFORE, GS_SUM_AFTER, GS_SUM_UPDATE_1, GS_SUM_BEFORE_1, GS_SUM_COUNT };
float gs_clip_coef(const gs_net *net); /* clip_grad_norm_'s factor, applied in the optimizer */
/* writes the next params / m / v; returns the first layer with a non-finite
 * new value, or -1 when all are finite (the caller then swaps them in) */
/* each layer's dense weight gradient: sum, sum of squares, and whether every gradient of the layer is finite */
typedef struct {
    double sum[GS_MAX_LAYERS], sumsq[GS_MAX_LAYERS];
    int ok[GS_MAX_LAYERS];
} gs_grad_moments;
int gs_optimizer_step(gs_net *net, double (*weight_sums)[GS_SUM_COUNT], gs_grad_moments *moments);
double gs_learning_rate(const gs_net *net, int t); /* scheduled rate of optimizer step t */
int gs_optimizer_uses_m(const gs_net *net);
int gs_optimizer_uses_v(const gs_net *net);

/* ---- stats.c ----------------------------------------------------------------- */
/* sums in double over n floats, always in the same order (interleaved partial sums) */
double gs_sumsq(const float *g, int n);
double gs_moments(const float *x, int n, double *sum); /* returns the sum of squares */
/* returns 0 when an activation is not finite */
int gs_stats_activations(float *stats, const float *h, int B, int C, int act);
/* the gradient norms; returns 0 when a gradient of the layer is not finite */
int gs_stats_grads(float *stats, const gs_net *net, int layer, double *w_sum, double *w_sumsq);
void gs_stats_weights(float *stats, const double *weight_sums, int n, double grad_sum, double grad_sumsq);
void gs_stats_alive(uint8_t *alive, const float *h, int B, int C);

/* ---- histogram.c ------------------------------------------------------------- */
/* lower / upper: per slot, the edges the bin guess is corrected against (NaN for slots
 * that are no bin, and where the reference makes no correction), for the SIMD count */
typedef struct gs_hist_range { float lo, hi, edges[GS_HIST_BINS + 1], lower[GS_HIST_SLOTS], upper[GS_HIST_SLOTS]; } gs_hist_range;
void gs_hist_range_init(gs_hist_range *r, float lo, float hi);
void gs_hist_linear(uint32_t *slots, const float *x, size_t n, const gs_hist_range *r);
void gs_hist_exponent(uint32_t *slots, const float *x, size_t n);
/* the scalar references: the SIMD gs_hist_linear / gs_hist_exponent give the same counts */
void gs_hist_linear_scalar(uint32_t *slots, const float *x, size_t n, const gs_hist_range *r);
void gs_hist_exponent_scalar(uint32_t *slots, const float *x, size_t n);
void gs_hist_activation_range(int act, float *lo, float *hi);

/* ---- net.c (besides the public API) ------------------------------------------- */
void gs_hist_flush_activations(gs_net *net); /* counts the last training pass's activations now */

/* ---- train.c ----------------------------------------------------------------- */
/* x (B, inputs) -> the last layer's output (B, outputs); training mode uses batch statistics and dropout */
const float *gs_forward(gs_net *net, const float *x, int B, int train);
/* softmax-ce targets must be class indices in [0, outputs); 1 when y is valid */
int gs_valid_targets(const gs_net *net, const float *y, int rows);

/* ---- infer.c ----------------------------------------------------------------- */
int gs_eval_chunk(gs_net *net, int rows); /* rows per eval-mode chunk: the workspace, or up to 1024 */

#endif
