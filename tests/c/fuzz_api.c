/* libFuzzer target over the public C API (include/gradscope.h).
 *
 * The input bytes are decoded into a sequence of API calls on up to two live
 * networks: create (sizes up to and beyond the limits), add_layer, set_init /
 * sgd / adam / clip with arbitrary floats (NaN, +-Inf, 1e38, denormals, raw
 * bit patterns), build, reserve_io, train_step / computeGradients-style passes
 * with arbitrary x and y, predict, evaluate, set_dataset + fit_epoch,
 * set_opt_step, writes into the state buffers, free. ASan/UBSan report memory
 * and undefined-behaviour errors; the target itself checks the contract:
 *
 * - sizes: a call whose buffers would exceed what wasm32 can address (4 GiB,
 *   computed here in 64-bit) must be refused (GS_ERR_NOMEM / GS_ERR_ARG), never
 *   accepted, and refused before the core allocates (the runner lets no
 *   allocation above 2 GiB happen). Calls whose buffers fit wasm32 but exceed
 *   FUZZ_CAP_BYTES are not made at all, so the fuzzer stays within -rss_limit_mb.
 * - the non-finite guard: a training step that reports GS_OK leaves every
 *   parameter, optimizer buffer and running statistic finite (when they were
 *   finite before); a step reported as GS_NONFINITE changes none of them nor
 *   the step count.
 * - the other network is never touched by calls on this one.
 *
 * Also covered: layer norm, AdamW, RMSprop (centered), L1, learning-rate
 * schedules, gs_net_fit_steps (bounded epoch log); softsign, orthogonal init
 * (entries within +-gain, W W^T or W^T W = gain^2 I on small layers), bias
 * inits (zeros and U(+-1/sqrt(fan_in)) checked after build), max-norm (after
 * an applied step every unit's incoming row has norm <= max_norm), and the
 * eval-mode reads gs_net_layer_outputs and gs_net_probe: they change no
 * parameter, optimizer value, running statistic, gradient, statistic,
 * histogram, unit mask or RNG word; refused, they write nothing to `out`; the
 * probe's h blocks are gs_net_layer_outputs' bit for bit.
 *
 * Op bytes: bit 7 picks the network, bits 0-3 the call; bits 4-6 pick a
 * variant: 0x10 on set_init is set_init_bias, 0x40 on predict is
 * layer_outputs and on evaluate is probe.
 *
 * Build and run: node scripts/test-fuzz.mjs (clang, -fsanitize=fuzzer,address,undefined).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradscope.h"

/* declared here too: the header lost its prototype (still defined in src/net.c) */
int gs_net_set_clip_norm(gs_net *net, float clip_norm);

#define FUZZ_CAP_BYTES ((uint64_t)4 << 20) /* largest legitimate footprint we let a call have */
#define FUZZ_CAP_WORK ((uint64_t)1 << 18)   /* multiply-adds per pass, to keep iterations fast */
#define WASM32_BYTES ((uint64_t)1 << 32)
#define MAX_PARAMS ((uint64_t)1 << 28)
#define MAX_LAYERS_MODEL 256
#define MAX_UNITS_MODEL (1 << 20)

/* The non-finite guard checks (a step reported as applied leaves the state
 * finite). -DFUZZ_NO_GUARD_CHECKS turns them off to look for other failures
 * while a guard gap is known; -DFUZZ_NO_HUGE_STEP keeps set_opt_step below
 * 2^30 while an absurd step count is accepted. */
#ifdef FUZZ_NO_GUARD_CHECKS
#define GUARD_CHECKS 0
#else
#define GUARD_CHECKS 1
#endif

/* ---- byte reader --------------------------------------------------------- */
typedef struct {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t u8(reader *r) {
    if (!r->n) return 0;
    r->n--;
    return *r->p++;
}

static uint32_t u32(reader *r) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | u8(r);
    return v;
}

static float fl(reader *r) {
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1e-3f, 0.1f, 0.9f, 0.999f,
                                    1e38f, -1e38f, 3.4028235e38f, 1e-45f, 1e-38f, 1e20f, -1e20f,
                                    0.99999994f, 1e-8f, 2.0f, 100.0f};
    const uint8_t k = u8(r);
    if (k < 8) return NAN;
    if (k < 14) return (k & 1) ? INFINITY : -INFINITY;
    if (k < 14 + (int)(sizeof special / sizeof *special)) return special[k - 14];
    if (k < 64) {
        const uint32_t bits = u32(r);
        float f;
        memcpy(&f, &bits, 4);
        return f;
    }
    return ((int)k - 160) / 16.0f; /* small ordinary values, most of the time */
}

/* sizes: mostly small, sometimes at or beyond the limits */
static int size_arg(reader *r) {
    static const int huge[] = {0, -1, -65536, 2147483647, (int)0x80000000u, 65536, 65535, 65537,
                               1 << 20, (1 << 20) + 1, 4096, 1 << 14, 46341, 1 << 24, 466000,
                               1 << 28, 16384, 1 << 30, 3, 2};
    const uint8_t k = u8(r);
    if (k < 200) return 1 + k % 8;
    if (k < 236) return 1 + k % 33;
    return huge[(k - 236) % (sizeof huge / sizeof *huge)];
}

/* ---- a model of each network's shape, in 64-bit ---------------------------- */
typedef struct {
    gs_net *net;
    int inputs, loss, n_layers, built;
    int units[MAX_LAYERS_MODEL + 1];
    int bn[MAX_LAYERS_MODEL + 1]; /* gs_norm: 1 batch norm, 2 layer norm */
    float dropout[MAX_LAYERS_MODEL + 1];
    int io_rows, data_rows;
    int tainted; /* a non-finite value was written into its state on purpose */
    int init_kind, bias_kind; /* as accepted by set_init / set_init_bias */
    float init_scale, max_norm;
} model;

static uint64_t params_of(const model *m) {
    uint64_t p = 0, in = (uint64_t)m->inputs;
    for (int l = 0; l < m->n_layers; l++) {
        const uint64_t out = (uint64_t)m->units[l];
        p += in * out + out + (m->bn[l] ? 2 * out : 0); /* gamma, beta with either norm */
        in = out;
    }
    return p;
}

static uint64_t max_units_of(const model *m) {
    uint64_t mu = (uint64_t)m->inputs;
    for (int l = 0; l < m->n_layers; l++)
        if ((uint64_t)m->units[l] > mu) mu = (uint64_t)m->units[l];
    return mu;
}

static int outputs_of(const model *m) { return m->n_layers ? m->units[m->n_layers - 1] : 0; }
static int ydim_of(const model *m) { return m->loss == GS_LOSS_SOFTMAX_CE ? 1 : outputs_of(m); }

/* the largest single buffer (bytes) a pass over `rows` rows needs, and its total */
static void pass_bytes(const model *m, uint64_t rows, uint64_t *largest, uint64_t *total) {
    const uint64_t mu = max_units_of(m);
    uint64_t in = (uint64_t)m->inputs, max_wt = 0;
    uint64_t t = 2 * rows * mu;
    for (int l = 0; l < m->n_layers; l++) {
        const uint64_t out = (uint64_t)m->units[l];
        t += rows * out * 4 + 5 * out;
        if (in * out > max_wt) max_wt = in * out;
        in = out;
    }
    t += max_wt;
    t += rows * ((uint64_t)m->inputs + (uint64_t)outputs_of(m)); /* staging */
    *total = 4 * t;
    /* a lower bound of the one workspace allocation: d0, d1 and every layer's output */
    uint64_t low = 2 * rows * mu;
    for (int l = 0; l < m->n_layers; l++) low += rows * (uint64_t)m->units[l];
    *largest = 4 * low;
}

static uint64_t work_of(const model *m, uint64_t rows) {
    uint64_t in = (uint64_t)m->inputs, w = 0;
    for (int l = 0; l < m->n_layers; l++) {
        w += in * (uint64_t)m->units[l];
        in = (uint64_t)m->units[l];
    }
    return w * rows;
}

typedef enum { CALL, SKIP, MUST_REFUSE } verdict;

/* staging buffers (reserve_io): rows x inputs and rows x outputs floats */
static verdict judge_staging(const model *m, uint64_t rows) {
    const uint64_t x = rows * (uint64_t)m->inputs * 4, y = rows * (uint64_t)outputs_of(m) * 4;
    if (x >= WASM32_BYTES || y >= WASM32_BYTES) return MUST_REFUSE;
    if (x + y > FUZZ_CAP_BYTES) return SKIP;
    return CALL;
}

/* the workspace of a pass over `rows` rows (one allocation in the core) */
static verdict judge_pass(const model *m, uint64_t rows) {
    uint64_t largest, total;
    pass_bytes(m, rows, &largest, &total);
    if (largest >= WASM32_BYTES) return MUST_REFUSE;
    if (total > FUZZ_CAP_BYTES || work_of(m, rows) > FUZZ_CAP_WORK) return SKIP;
    return CALL;
}

static void die(const char *what) {
    fprintf(stderr, "fuzz_api: contract violated: %s\n", what);
    abort();
}

/* a snapshot of the training state, to check what a skipped step left alone */
typedef struct {
    float *params, *m, *v, *a, *running;
    size_t n_params, n_running;
    int step;
} snapshot;

static size_t running_total(const model *m) {
    size_t r = 0;
    for (int l = 0; l < m->n_layers; l++)
        if (m->bn[l] == 1) r += 2 * (size_t)m->units[l];
    return r;
}

static void take(snapshot *s, const model *m) {
    gs_net *net = m->net;
    s->n_params = (size_t)gs_net_param_count(net);
    s->n_running = running_total(m);
    s->params = malloc(s->n_params * 4 + 1);
    s->m = malloc(s->n_params * 4 + 1);
    s->v = malloc(s->n_params * 4 + 1);
    s->running = malloc(s->n_running * 4 + 1);
    s->a = malloc(s->n_params * 4 + 1);
    memset(s->a, 0, s->n_params * 4);
    if (gs_net_opt_a(net)) memcpy(s->a, gs_net_opt_a(net), s->n_params * 4);
    memcpy(s->params, gs_net_params(net), s->n_params * 4);
    memcpy(s->m, gs_net_opt_m(net), s->n_params * 4);
    memcpy(s->v, gs_net_opt_v(net), s->n_params * 4);
    float *r = s->running;
    for (int l = 0; l < m->n_layers; l++)
        if (m->bn[l] == 1) {
            memcpy(r, gs_net_running(net, l), 2 * (size_t)m->units[l] * 4);
            r += 2 * (size_t)m->units[l];
        }
    s->step = gs_net_opt_step(net);
}

static void drop(snapshot *s) { free(s->params), free(s->m), free(s->v), free(s->a), free(s->running); }

static int same(const snapshot *a, const snapshot *b) {
    return a->step == b->step && !memcmp(a->params, b->params, a->n_params * 4) &&
           !memcmp(a->m, b->m, a->n_params * 4) && !memcmp(a->v, b->v, a->n_params * 4) &&
           !memcmp(a->a, b->a, a->n_params * 4) &&
           !memcmp(a->running, b->running, a->n_running * 4);
}

static int all_finite(const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

static int snapshot_finite(const snapshot *s) {
    return all_finite(s->params, s->n_params) && all_finite(s->m, s->n_params) &&
           all_finite(s->v, s->n_params) && all_finite(s->a, s->n_params) &&
           all_finite(s->running, s->n_running);
}

/* fill n floats: one value everywhere, fuzz bytes, or small values */
static void fill(reader *r, float *x, size_t n, int classes) {
    const uint8_t mode = u8(r);
    if (classes > 0) { /* class indices, sometimes out of range or fractional */
        for (size_t i = 0; i < n; i++) {
            const uint8_t k = u8(r);
            x[i] = k < 240 ? (float)(k % classes) : k < 248 ? (float)classes + (k & 3) : k < 252 ? 0.5f : fl(r);
        }
        return;
    }
    if (mode < 64) {
        const float v = fl(r);
        for (size_t i = 0; i < n; i++) x[i] = v;
    } else if (mode < 128) {
        for (size_t i = 0; i < n; i++) x[i] = fl(r);
    } else {
        uint32_t s = u32(r) | 1;
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13, s ^= s >> 17, s ^= s << 5;
            x[i] = (float)((int32_t)s >> 8) / 8388608.0f;
        }
    }
}

static void free_model(model *m) {
    gs_net_free(m->net);
    memset(m, 0, sizeof *m);
}

/* the other network must not change while this one is used: a copy of its
 * parameters and optimizer buffers, compared with memcmp (uninstrumented) */
static float *keep(const model *m, size_t *n) {
    *n = m->net && m->built ? (size_t)gs_net_param_count(m->net) : 0;
    if (!*n) return NULL;
    float *copy = malloc(2 * *n * sizeof(float));
    memcpy(copy, gs_net_params(m->net), *n * sizeof(float));
    memcpy(copy + *n, gs_net_opt_m(m->net), *n * sizeof(float));
    return copy;
}

static int unchanged(const model *m, const float *copy, size_t n) {
    if (!n) return 1;
    if (!m->net || (size_t)gs_net_param_count(m->net) != n) return 0;
    return !memcmp(copy, gs_net_params(m->net), n * sizeof(float)) &&
           !memcmp(copy + n, gs_net_opt_m(m->net), n * sizeof(float));
}

/* after an applied step with max-norm on, no unit's incoming weight row is longer than
 * max_norm (up to float rounding of the scaled row: relative 1e-6, and denormal steps) */
static void check_max_norm(const model *m) {
    if (!(m->max_norm > 0.0f)) return;
    const float *p = gs_net_params(m->net);
    for (int l = 0; l < m->n_layers; l++) {
        const int in = l ? m->units[l - 1] : m->inputs, off = gs_net_param_offset(m->net, l, GS_P_WEIGHT);
        for (int o = 0; o < m->units[l]; o++) {
            double s = 0.0;
            for (int i = 0; i < in; i++) s += (double)p[off + (size_t)o * in + i] * p[off + (size_t)o * in + i];
            if (!isfinite(s)) return; /* a poked non-finite weight: the guard's business */
            if (sqrt(s) > (double)m->max_norm * (1.0 + 1e-6) + sqrt((double)in) * 2e-45)
                die("an applied step left a weight row longer than max_norm");
        }
    }
}

static void train(reader *r, model *m, int update) {
    const int rows = size_arg(r);
    if (rows < 1) {
        float loss;
        float dummy[4] = {0};
        if (gs_net_train_step(m->net, dummy, dummy, rows, update, &loss) >= 0) die("train_step accepted rows < 1");
        return;
    }
    const verdict staging = judge_staging(m, (uint64_t)rows);
    if (staging == SKIP) return;
    if (staging == MUST_REFUSE) {
        if (gs_net_reserve_io(m->net, rows) == GS_OK) die("reserve_io accepted a batch beyond 4 GiB");
        return;
    }
    const verdict v = judge_pass(m, (uint64_t)rows);
    if (v == SKIP) return;
    const size_t nx = (size_t)rows * m->inputs, ny = (size_t)rows * ydim_of(m);
    float *x = malloc(nx * 4), *y = malloc(ny * 4 + 4);
    fill(r, x, nx, 0);
    fill(r, y, ny, m->loss == GS_LOSS_SOFTMAX_CE ? outputs_of(m) : 0);
    snapshot before;
    take(&before, m);
    float loss = 0.0f;
    const int rc = gs_net_train_step(m->net, x, y, rows, update, &loss);
    snapshot after;
    take(&after, m);
    if (v == MUST_REFUSE && rc >= 0) die("train_step accepted a batch whose workspace is beyond 4 GiB");
    if (rc == GS_NONFINITE || (rc == GS_OK && !update) || rc < 0) {
        if (!same(&before, &after)) die("a skipped step, a gradient-only pass or a refused step changed the state");
    } else if (rc == GS_OK) {
        check_max_norm(m);
    }
    if (rc == GS_OK && update && GUARD_CHECKS) {
        if (!m->tainted && snapshot_finite(&before) && !snapshot_finite(&after))
            die("a step reported as applied left a non-finite parameter, optimizer value or running statistic");
        if (!m->tainted && !isfinite(loss)) die("a step with a non-finite loss was applied");
    }
    drop(&before), drop(&after);
    free(x), free(y);
}

static void infer(reader *r, model *m, int evaluate) {
    const int rows = size_arg(r);
    if (rows < 1) return;
    const verdict staging = judge_staging(m, (uint64_t)rows);
    if (staging == SKIP) return;
    if (staging == MUST_REFUSE) {
        if (gs_net_reserve_io(m->net, rows) == GS_OK) die("reserve_io accepted rows beyond 4 GiB");
        return;
    }
    /* eval-mode passes run in chunks of at most 1024 rows (or the current workspace) */
    if (judge_pass(m, rows < 1024 ? (uint64_t)rows : 1024) != CALL) return;
    if (gs_net_reserve_io(m->net, rows) != GS_OK) return;
    float *x = gs_net_io_x(m->net), *y = gs_net_io_y(m->net);
    fill(r, x, (size_t)rows * m->inputs, 0);
    if (evaluate) {
        fill(r, y, (size_t)rows * ydim_of(m), m->loss == GS_LOSS_SOFTMAX_CE ? outputs_of(m) : 0);
        float loss = 0.0f, acc = 0.0f;
        gs_net_evaluate(m->net, x, y, rows, &loss, &acc);
        if (m->loss != GS_LOSS_MSE && (!(acc >= 0.0f) || acc > 1.0f) && !isnan(acc))
            die("evaluate returned an accuracy outside [0, 1]");
    } else {
        gs_net_predict(m->net, x, rows, y);
    }
}

/* everything an eval-mode read must leave alone: the training state (snapshot), the raw
 * gradients, the last pass's statistics and histograms, the unit masks and the RNG */
typedef struct {
    snapshot s;
    float *grads, *stats;
    uint32_t *hist, rng[4];
    uint8_t *alive[2];
    size_t n_stats, n_hist, n_units;
} eval_state;

static void take_eval(eval_state *e, const model *m) {
    gs_net *net = m->net;
    take(&e->s, m);
    e->grads = malloc(e->s.n_params * 4 + 1);
    memcpy(e->grads, gs_net_grads(net), e->s.n_params * 4);
    e->n_stats = (size_t)m->n_layers * GS_STAT_COUNT;
    e->stats = malloc(e->n_stats * 4);
    memcpy(e->stats, gs_net_layer_stats(net), e->n_stats * 4);
    e->n_hist = (size_t)m->n_layers * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
    e->hist = malloc(e->n_hist * 4);
    memcpy(e->hist, gs_net_layer_histograms(net), e->n_hist * 4);
    memcpy(e->rng, gs_net_rng_state(net), sizeof e->rng);
    e->n_units = 0;
    for (int l = 0; l < m->n_layers; l++) e->n_units += (size_t)m->units[l];
    for (int w = 0; w < 2; w++) {
        const uint8_t *a = gs_net_unit_alive(net, w);
        e->alive[w] = a ? malloc(e->n_units) : NULL;
        if (a) memcpy(e->alive[w], a, e->n_units);
    }
}

static int same_eval(const eval_state *a, const eval_state *b) {
    for (int w = 0; w < 2; w++)
        if (!a->alive[w] != !b->alive[w] || (a->alive[w] && memcmp(a->alive[w], b->alive[w], a->n_units))) return 0;
    return same(&a->s, &b->s) && !memcmp(a->grads, b->grads, a->s.n_params * 4) &&
           !memcmp(a->stats, b->stats, a->n_stats * 4) && !memcmp(a->hist, b->hist, a->n_hist * 4) &&
           !memcmp(a->rng, b->rng, sizeof a->rng);
}

static void drop_eval(eval_state *e) {
    drop(&e->s);
    free(e->grads), free(e->stats), free(e->hist), free(e->alive[0]), free(e->alive[1]);
}

#define UNTOUCHED 0xA5u /* what `out` holds before a call that may refuse */

static int untouched(const float *out, size_t n) {
    const uint8_t *b = (const uint8_t *)out;
    for (size_t i = 0; i < n * 4; i++)
        if (b[i] != UNTOUCHED) return 0;
    return 1;
}

/* gs_net_layer_outputs (probe = 0) or gs_net_probe (probe = 1) over fuzzed rows, x and y */
static void inspect(reader *r, model *m, int probe) {
    const int rows = size_arg(r);
    if (rows < 1) {
        float buf[4] = {0}, loss;
        const int rc = probe ? gs_net_probe(m->net, buf, buf, rows, buf, &loss) : gs_net_layer_outputs(m->net, buf, rows, buf);
        if (rc >= 0) die(probe ? "probe accepted rows < 1" : "layer_outputs accepted rows < 1");
        return;
    }
    if ((probe ? gs_net_probe(m->net, NULL, NULL, rows, NULL, NULL) : gs_net_layer_outputs(m->net, NULL, rows, NULL)) >= 0)
        die("probe or layer_outputs accepted NULL buffers");
    uint64_t hidden = 0, all = 0; /* units of the hidden layers, of every layer */
    for (int l = 0; l < m->n_layers; l++) all += (uint64_t)m->units[l];
    hidden = all - (uint64_t)outputs_of(m);
    const uint64_t nx = (uint64_t)rows * (uint64_t)m->inputs, ny = (uint64_t)rows * (uint64_t)ydim_of(m);
    const uint64_t n_out = (uint64_t)rows * (probe ? 3 * all : hidden);
    if (4 * (nx + ny + n_out + (probe ? (uint64_t)rows * hidden : 0)) > FUZZ_CAP_BYTES ||
        work_of(m, (uint64_t)rows) > FUZZ_CAP_WORK)
        return;
    /* eval-mode passes run in chunks of at most 1024 rows (or the current workspace) */
    if (judge_pass(m, rows < 1024 ? (uint64_t)rows : 1024) != CALL) return;
    float *x = malloc(nx * 4 + 4), *y = malloc(ny * 4 + 4), *out = malloc(n_out * 4 + 4), loss = 0.0f;
    fill(r, x, (size_t)nx, 0);
    if (probe) fill(r, y, (size_t)ny, m->loss == GS_LOSS_SOFTMAX_CE ? outputs_of(m) : 0);
    memset(out, UNTOUCHED, n_out * 4 + 4);
    eval_state before, after;
    take_eval(&before, m);
    const int rc = probe ? gs_net_probe(m->net, x, y, rows, out, &loss) : gs_net_layer_outputs(m->net, x, rows, out);
    take_eval(&after, m);
    if (!same_eval(&before, &after)) die(probe ? "probe changed the network's state" : "layer_outputs changed the network's state");
    if (rc < 0 && !untouched(out, (size_t)n_out)) die("a refused probe or layer_outputs wrote to out");
    if (rc > 0) die("probe or layer_outputs returned a positive status");
    if (!untouched(out + n_out, 1)) die("probe or layer_outputs wrote past out");
    if (probe && rc == GS_OK && hidden) { /* each hidden layer's h block is layer_outputs' */
        float *h = malloc((size_t)rows * hidden * 4);
        if (gs_net_layer_outputs(m->net, x, rows, h) == GS_OK) {
            const float *o = out, *p = h;
            for (int l = 0; l + 1 < m->n_layers; l++) {
                const size_t n = (size_t)rows * m->units[l];
                if (memcmp(o + n, p, n * 4)) die("probe's h differs from layer_outputs'");
                o += 3 * n, p += n;
            }
        }
        free(h);
    }
    drop_eval(&before), drop_eval(&after);
    free(x), free(y), free(out);
}

static void fit(reader *r, model *m) {
    const int rows = size_arg(r), batch = size_arg(r), shuffle = u8(r) & 1;
    const int max_steps = (u8(r) & 3) ? 0 : size_arg(r); /* 0: a whole epoch (fit_epoch) */
    if (rows < 1) {
        if (gs_net_set_dataset(m->net, rows) >= 0) die("set_dataset accepted rows < 1");
        return;
    }
    const uint64_t data_bytes = (uint64_t)rows * ((uint64_t)m->inputs + (uint64_t)ydim_of(m) + 1) * 4;
    if (data_bytes >= WASM32_BYTES || (uint64_t)rows * (uint64_t)m->inputs * 4 >= WASM32_BYTES) {
        if (gs_net_set_dataset(m->net, rows) == GS_OK) die("set_dataset accepted a dataset beyond 4 GiB");
        return;
    }
    const uint64_t bs = batch < 1 ? 1 : (uint64_t)batch < (uint64_t)rows ? (uint64_t)batch : (uint64_t)rows;
    const uint64_t steps = ((uint64_t)rows + bs - 1) / bs;
    const uint64_t log_bytes = (steps < 1024 ? steps : 1024) * (GS_ROW_HEAD + GS_STAT_COUNT * (uint64_t)m->n_layers) * 4;
    if (data_bytes > FUZZ_CAP_BYTES || log_bytes > FUZZ_CAP_BYTES || judge_pass(m, bs) != CALL ||
        work_of(m, (uint64_t)rows) > FUZZ_CAP_WORK)
        return;
    if (gs_net_set_dataset(m->net, rows) != GS_OK) return;
    fill(r, gs_net_data_x(m->net), (size_t)rows * m->inputs, 0);
    fill(r, gs_net_data_y(m->net), (size_t)rows * ydim_of(m), m->loss == GS_LOSS_SOFTMAX_CE ? outputs_of(m) : 0);
    /* histogram snapshots in the loop: every 0-11 steps, or a negative count (refused) */
    const uint8_t hs = u8(r);
    const int every = hs & 0x80 ? -1 - (hs & 7) : hs % 12;
    const uint64_t snap_bytes = (uint64_t)(every > 0 ? 1024 / every + 1 : 0) * (uint64_t)m->n_layers * GS_HIST_QUANTITIES * GS_HIST_SLOTS * 4;
    int snapping = 0;
    if (every < 0) {
        if (gs_net_set_fit_histograms(m->net, every) != GS_ERR_ARG) die("set_fit_histograms accepted every < 0");
    } else if (snap_bytes <= FUZZ_CAP_BYTES) {
        snapping = gs_net_set_fit_histograms(m->net, every) == GS_OK && every > 0;
    }
    snapshot before;
    take(&before, m);
    float mean = 0.0f;
    int rc;
    if (max_steps == 0) {
        rc = gs_net_fit_epoch(m->net, batch, shuffle, &mean);
    } else {
        int calls = 0;
        do rc = gs_net_fit_steps(m->net, batch, shuffle, max_steps, &mean);
        while (rc == GS_MORE && ++calls < 64);
        if (rc == GS_MORE) rc = GS_OK;
    }
    snapshot after;
    take(&after, m);
    if (rc == GS_OK && GUARD_CHECKS && !m->tainted && snapshot_finite(&before) && !snapshot_finite(&after))
        die("fit_epoch left a non-finite parameter, optimizer value or running statistic");
    if (rc == GS_OK && after.step != before.step) check_max_norm(m);
    if (rc == GS_OK) {
        const int steps_done = gs_net_epoch_steps(m->net);
        const float *log = gs_net_epoch_log(m->net);
        if (steps_done < 0 || steps_done > 1024 || (steps_done > 0 && !log)) die("fit reported a log of an impossible length");
        volatile float sink = 0.0f;
        const size_t row = GS_ROW_HEAD + GS_STAT_COUNT * (size_t)m->n_layers;
        for (size_t i = 0; i < (size_t)steps_done * row; i++) sink += log[i];
        (void)sink;
    }
    if (rc == GS_OK && snapping) { /* the last call's snapshots: at most one per `every` steps, each whole */
        const int count = gs_net_fit_histogram_count(m->net), steps_done = gs_net_epoch_steps(m->net);
        const uint32_t *steps = gs_net_fit_histogram_steps(m->net), *snaps = gs_net_fit_histograms(m->net);
        if (count < 0 || count > (steps_done + every - 1) / every || (count && (!steps || !snaps)))
            die("fit took more histogram snapshots than its steps allow (or gave no buffer)");
        const size_t per_layer = GS_HIST_QUANTITIES * GS_HIST_SLOTS;
        for (int k = 0; k < count; k++) {
            if ((int)steps[k] >= steps_done || (k && steps[k] <= steps[k - 1])) die("a histogram snapshot's step is out of order or past the call's steps");
            for (int l = 0; l < m->n_layers; l++) {
                const uint32_t *h = snaps + ((size_t)k * m->n_layers + l) * per_layer;
                const uint64_t in = (uint64_t)(l ? m->units[l - 1] : m->inputs), out = (uint64_t)m->units[l];
                uint64_t t[GS_HIST_QUANTITIES] = {0};
                for (int q = 0; q < GS_HIST_QUANTITIES; q++)
                    for (int j = 0; j < GS_HIST_SLOTS; j++) t[q] += h[q * GS_HIST_SLOTS + j];
                if (t[GS_HIST_GRADIENT] != in * out || t[GS_HIST_WEIGHT] != in * out || t[GS_HIST_ACTIVATION] % out ||
                    t[GS_HIST_ACTIVATION] < out || t[GS_HIST_ACTIVATION] > bs * out)
                    die("a histogram snapshot does not count each weight and gradient once and whole rows of activations");
            }
        }
    }
    if (snapping || every == 0) gs_net_set_fit_histograms(m->net, 0);
    drop(&before), drop(&after);
}

static void poke(reader *r, model *m) {
    const int P = gs_net_param_count(m->net);
    const uint8_t what = u8(r);
    const uint32_t at = u32(r);
    const float value = fl(r);
    const int bad = !isfinite(value) || fabsf(value) > 1e30f;
    switch (what % 7) {
    case 6: if (P > 0 && gs_net_opt_a(m->net)) gs_net_opt_a(m->net)[at % (uint32_t)P] = value; break;
    case 0: if (P > 0) gs_net_params(m->net)[at % (uint32_t)P] = value; break;
    case 1: if (P > 0) gs_net_opt_m(m->net)[at % (uint32_t)P] = value; break;
    case 2: if (P > 0) gs_net_opt_v(m->net)[at % (uint32_t)P] = value; break;
    case 3: {
        float *run = gs_net_running(m->net, (int)(at % 257u));
        const int l = (int)(at % 257u);
        if (run && l < m->n_layers && m->bn[l] == 1) run[(at >> 9) % (2u * (uint32_t)m->units[l])] = value;
        break;
    }
    case 4: { /* the RNG state, including xoshiro's all-zero fixed point */
        uint32_t *s = gs_net_rng_state(m->net);
        if (what & 0x80) memset(s, 0, 16);
        else s[at & 3] = u32(r);
        return;
    }
    default: {
        int step = (int)u32(r);
#ifdef FUZZ_NO_HUGE_STEP /* gs_net_set_opt_step(INT_MAX) then a step: step + 1 overflows */
        if (step > (1 << 30)) step &= (1 << 30) - 1;
#endif
        const int rc = gs_net_set_opt_step(m->net, step);
        if (step < 0 && rc == GS_OK) die("set_opt_step accepted a negative step");
        return;
    }
    }
    if (bad || ((what % 7 == 2 || what % 7 == 6) && value < 0.0f)) m->tainted = 1;
}

/* what build drew: biases zero, or within U(+-1/sqrt(fan_in)); orthogonal entries within
 * +-gain and, on small layers with an ordinary gain, W W^T = gain^2 I (wide) or W^T W (tall) */
static void check_init(const model *m) {
    const float *p = gs_net_params(m->net);
    const int bias = m->bias_kind != GS_BIAS_DEFAULT ? m->bias_kind
                     : m->init_kind == GS_INIT_PYTORCH ? GS_BIAS_UNIFORM : GS_BIAS_ZEROS;
    for (int l = 0; l < m->n_layers; l++) {
        const int in = l ? m->units[l - 1] : m->inputs, out = m->units[l];
        const float *b = p + gs_net_param_offset(m->net, l, GS_P_BIAS), *w = p + gs_net_param_offset(m->net, l, GS_P_WEIGHT);
        const float limit = 1.0f / sqrtf((float)in);
        for (int o = 0; o < out; o++) {
            if (bias == GS_BIAS_ZEROS && b[o] != 0.0f) die("a zero bias init drew a non-zero bias");
            if (bias == GS_BIAS_UNIFORM && !(fabsf(b[o]) <= limit)) die("a uniform bias init drew outside +-1/sqrt(fan_in)");
        }
        if (m->init_kind != GS_INIT_ORTHOGONAL) continue;
        const double gain = m->init_scale;
        for (size_t i = 0; i < (size_t)in * out; i++)
            if (!(fabs((double)w[i]) <= gain * (1.0 + 1e-6))) die("an orthogonal init drew an entry beyond +-gain");
        const int wide = out < in, n = wide ? out : in, len = wide ? in : out; /* n orthonormal vectors of length len */
        if ((uint64_t)n * n * len > 1 << 20 || !(gain >= 1e-10 && gain <= 1e10)) continue;
        for (int a = 0; a < n; a++)
            for (int c = a; c < n; c++) {
                double dot = 0.0;
                for (int k = 0; k < len; k++)
                    dot += wide ? (double)w[(size_t)a * in + k] * w[(size_t)c * in + k]
                                : (double)w[(size_t)k * in + a] * w[(size_t)k * in + c];
                if (fabs(dot - (a == c ? gain * gain : 0.0)) > 1e-5 * gain * gain)
                    die("an orthogonal init is not orthogonal (W W^T or W^T W != gain^2 I)");
            }
    }
}

static void build_net(model *m) {
    const uint64_t P = params_of(m);
    /* params, m, v twice and grads once (7P floats) at least: a lower bound of the arena */
    const uint64_t arena = 7 * P * 4;
    if (m->n_layers == 0) {
        if (gs_net_build(m->net) == GS_OK) die("build accepted a network without layers");
        return;
    }
    if (P > MAX_PARAMS || arena >= WASM32_BYTES) {
        const int rc = gs_net_build(m->net);
        if (rc == GS_OK) die("build accepted a network beyond 2^28 parameters or 4 GiB");
        return;
    }
    if (arena > FUZZ_CAP_BYTES) return; /* legitimate but too big for the fuzzer */
    const int rc = gs_net_build(m->net);
    if (rc == GS_OK) {
        m->built = 1;
        const int Pc = gs_net_param_count(m->net);
        if ((uint64_t)Pc != P) die("param_count disagrees with the layer sizes");
        if (!all_finite(gs_net_params(m->net), (size_t)Pc)) {
            /* init with a huge scale may overflow; that is the caller's choice */
            m->tainted = 1;
        }
        check_init(m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size};
    model nets[2];
    memset(nets, 0, sizeof nets);
    /* a pool no worker ever enters (gs_pool_work would wait for jobs): a network set to use
     * it runs every product on the caller, which must change nothing but the count */
    gs_pool *pool = gs_pool_create(3);
    if (!pool) die("pool_create(3) failed");
    int ops = 0;
    while (r.n && ops++ < 64) {
        const uint8_t op = u8(&r);
        model *m = &nets[op >> 7];
        model *other = &nets[!(op >> 7)];
        size_t other_n;
        float *other_before = keep(other, &other_n);
        switch (op & 15) {
        case 0: { /* create */
            free_model(m);
            const int inputs = size_arg(&r), loss = (int)(u8(&r) % 4) - (u8(&r) == 255);
            m->net = gs_net_create(inputs, loss, u32(&r));
            if (m->net) {
                if (inputs < 1 || inputs > MAX_UNITS_MODEL || loss < 0 || loss > 2) die("create accepted a bad argument");
                m->inputs = inputs, m->loss = loss;
            }
            break;
        }
        case 1: { /* add_layer */
            if (!m->net) break;
            const int units = size_arg(&r), act = (int)(u8(&r) % 12) - 1, bn = (int)(u8(&r) % 5) - 1;
            const float dropout = (u8(&r) & 3) == 0 ? fl(&r) : 0.0f;
            const int rc = gs_net_add_layer(m->net, units, act, bn, dropout);
            if (rc == GS_OK) {
                if (m->built || m->n_layers >= MAX_LAYERS_MODEL) die("add_layer accepted a layer it cannot hold");
                if (act < GS_ACT_LINEAR || act > GS_ACT_SOFTSIGN) die("add_layer accepted an unknown activation");
                m->units[m->n_layers] = units, m->bn[m->n_layers] = bn, m->dropout[m->n_layers] = dropout;
                m->n_layers++;
            }
            break;
        }
        case 2:
            if (m->net && (op & 0x10)) { /* set_init_bias */
                const int kind = (int)(u8(&r) % 6) - 1;
                const float std = fl(&r);
                const int rc = gs_net_set_init_bias(m->net, kind, std);
                if (rc == GS_OK && (m->built || kind < GS_BIAS_DEFAULT || kind > GS_BIAS_NORMAL || !(std >= 0.0f) || isinf(std)))
                    die("set_init_bias accepted a bad argument or came after build");
                if (rc == GS_OK) m->bias_kind = kind;
            } else if (m->net) {
                const int kind = (int)(u8(&r) % 10) - 1;
                const float scale = fl(&r);
                const int rc = gs_net_set_init(m->net, kind, scale);
                if (rc == GS_OK && (m->built || kind < GS_INIT_HE || kind > GS_INIT_ORTHOGONAL || !(scale >= 0.0f) || isinf(scale)))
                    die("set_init accepted a bad argument or came after build");
                if (rc == GS_OK) m->init_kind = kind, m->init_scale = scale;
            }
            break;
        case 3:
            if (m->net) {
                const float lr = fl(&r), mom = fl(&r), wd = fl(&r);
                gs_net_set_sgd(m->net, lr, mom, u8(&r) & 1, wd);
            }
            break;
        case 4:
            if (m->net) {
                const uint8_t kind = u8(&r) % 3;
                const float lr = fl(&r), b1 = fl(&r), b2 = fl(&r), eps = fl(&r), wd = fl(&r);
                if (kind == 0) gs_net_set_adam(m->net, lr, b1, b2, eps, wd);
                else if (kind == 1) gs_net_set_adamw(m->net, lr, b1, b2, eps, wd);
                else gs_net_set_rmsprop(m->net, lr, b1, eps, b2, u8(&r) & 1, wd);
            }
            break;
        case 5:
            if (m->net) {
                const uint8_t kind = u8(&r) % 4;
                if (kind == 0) gs_net_set_clip_norm(m->net, fl(&r));
                else if (kind == 1) gs_net_set_l1(m->net, fl(&r));
                else if (kind == 3) {
                    const float max_norm = fl(&r);
                    const int rc = gs_net_set_max_norm(m->net, max_norm);
                    if (rc == GS_OK && !(max_norm >= 0.0f && isfinite(max_norm))) die("set_max_norm accepted a bad value");
                    if (rc == GS_OK) m->max_norm = max_norm;
                } else {
                    const int warmup = size_arg(&r), decay = (int)(u8(&r) % 5) - 1, steps = size_arg(&r), size = size_arg(&r);
                    const float gamma = fl(&r), min_lr = fl(&r);
                    gs_net_set_schedule(m->net, warmup, decay, steps, size, gamma, min_lr);
                }
                (void)gs_net_learning_rate(m->net);
            }
            break;
        case 6:
            if (m->net) build_net(m);
            break;
        case 7:
            if (m->net && m->built) {
                const int rows = size_arg(&r);
                const verdict v = rows < 1 ? SKIP : judge_staging(m, (uint64_t)rows);
                if (rows < 1 && gs_net_reserve_io(m->net, rows) == GS_OK) die("reserve_io accepted rows < 1");
                if (v == MUST_REFUSE && gs_net_reserve_io(m->net, rows) == GS_OK) die("reserve_io accepted rows beyond 4 GiB");
                if (v == CALL) gs_net_reserve_io(m->net, rows);
            }
            break;
        case 8:
        case 9:
            if (m->net && m->built) train(&r, m, (op & 15) == 8);
            break;
        case 10:
        case 11:
            if (m->net && m->built) {
                if (op & 0x40) inspect(&r, m, (op & 15) == 11);
                else infer(&r, m, (op & 15) == 11);
            }
            break;
        case 12:
            if (m->net && m->built) fit(&r, m);
            break;
        case 13:
            if (m->net && m->built) poke(&r, m);
            break;
        case 14: /* calls before build or on NULL must be refused, not crash */
            if (m->net && !m->built) {
                float loss, buf[4] = {0};
                if (gs_net_train_step(m->net, buf, buf, 1, 1, &loss) >= 0) die("train_step before build");
                if (gs_net_predict(m->net, buf, 1, buf) >= 0) die("predict before build");
                if (gs_net_reserve_io(m->net, 1) >= 0) die("reserve_io before build");
                if (gs_net_fit_epoch(m->net, 1, 0, &loss) >= 0) die("fit_epoch before build");
                if (gs_net_layer_outputs(m->net, buf, 1, buf) >= 0) die("layer_outputs before build");
                if (gs_net_probe(m->net, buf, buf, 1, buf, &loss) >= 0) die("probe before build");
                if (gs_net_set_fit_histograms(m->net, 1) >= 0) die("set_fit_histograms before build");
            } else if (!m->net) {
                gs_net_free(NULL);
                float loss, buf[4] = {0};
                if (gs_net_build(NULL) >= 0 || gs_net_add_layer(NULL, 1, 0, 0, 0.0f) >= 0 ||
                    gs_net_set_init_bias(NULL, 0, 0.0f) >= 0 || gs_net_set_max_norm(NULL, 1.0f) >= 0 ||
                    gs_net_layer_outputs(NULL, buf, 1, buf) >= 0 || gs_net_probe(NULL, buf, buf, 1, buf, &loss) >= 0 ||
                    gs_net_set_fit_histograms(NULL, 1) >= 0 || gs_net_fit_histogram_count(NULL) != 0 ||
                    gs_net_fit_histograms(NULL) || gs_net_fit_histogram_steps(NULL) ||
                    gs_net_set_threads(NULL, pool, 2) >= 0 || gs_net_threads(NULL) != 0)
                    die("NULL net accepted");
                if (gs_pool_work(pool, 0) != GS_ERR_ARG || gs_pool_work(pool, 4) != GS_ERR_ARG || gs_pool_work(NULL, 1) != GS_ERR_ARG ||
                    gs_pool_attached(pool) != 0 || gs_pool_create(0) || gs_pool_create(GS_MAX_THREADS))
                    die("pool accepted a bad argument");
            } else { /* threads: a count in [-4, 40], with the pool or without */
                const int threads = (int)(u8(&r) % 45) - 4, with_pool = u8(&r) & 1, before = gs_net_threads(m->net);
                const int rc = gs_net_set_threads(m->net, with_pool ? pool : NULL, threads);
                const int valid = threads >= 1 && threads <= GS_MAX_THREADS && (threads == 1 || (with_pool && threads <= 4));
                if ((rc == GS_OK) != valid) die("set_threads accepted a count the pool cannot serve, or refused a good one");
                if (gs_net_threads(m->net) != (rc == GS_OK ? threads : before)) die("set_threads: the count is not what was set");
            }
            break;
        default:
            free_model(m);
            break;
        }
        if (!unchanged(other, other_before, other_n)) die("a call on one network changed the other");
        free(other_before);
    }
    free_model(&nets[0]);
    free_model(&nets[1]);
    if (gs_pool_free(pool) != GS_OK) die("pool_free refused a pool no worker is in");
    return 0;
}
