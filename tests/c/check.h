/* Minimal test helpers: CHECK records a failure and keeps going; main returns
 * check_summary(), non-zero when anything failed. */
#ifndef GS_CHECK_H
#define GS_CHECK_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradscope.h"

static int check_failed, check_count;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

/* everything a step may change except gradients and the RNG: params, m, v,
 * running statistics, step count (as floats), through the public accessors */
static inline size_t state_floats(gs_net *net) {
    size_t n = 3 * (size_t)gs_net_param_count(net) + 1;
    for (int l = 0; l < gs_net_layer_count(net); l++)
        if (gs_net_running(net, l)) n += 2 * (size_t)gs_net_layer_units(net, l);
    return n;
}

static inline void copy_state(gs_net *net, float *out) {
    const size_t P = gs_net_param_count(net);
    memcpy(out, gs_net_params(net), P * sizeof(float)), out += P;
    memcpy(out, gs_net_opt_m(net), P * sizeof(float)), out += P;
    memcpy(out, gs_net_opt_v(net), P * sizeof(float)), out += P;
    for (int l = 0; l < gs_net_layer_count(net); l++) {
        const float *r = gs_net_running(net, l);
        if (!r) continue;
        memcpy(out, r, 2 * (size_t)gs_net_layer_units(net, l) * sizeof(float));
        out += 2 * (size_t)gs_net_layer_units(net, l);
    }
    *out = (float)gs_net_opt_step(net);
}

/* a malloc'd copy of the state; free() it */
static inline float *snapshot_state(gs_net *net) {
    float *s = malloc(state_floats(net) * sizeof(float));
    copy_state(net, s);
    return s;
}

static inline int same_state(gs_net *net, const float *before) {
    const size_t n = state_floats(net);
    float *now = malloc(n * sizeof(float));
    copy_state(net, now);
    const int same = memcmp(now, before, n * sizeof(float)) == 0;
    free(now);
    return same;
}

static int check_summary(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failed);
    return check_failed ? 1 : 0;
}

/* deterministic test data, independent of the library's RNG */
static unsigned test_rand_state = 12345u;
static float test_uniform(void) { /* [-1, 1) */
    test_rand_state = test_rand_state * 1664525u + 1013904223u;
    return (float)(test_rand_state >> 8) / 8388608.0f - 1.0f;
}

/* A network from a compact description; aborts the test on failure. */
static inline gs_net *make_net(int inputs, int loss, unsigned seed, int n_layers, const int *units,
                        const int *acts, const int *bn, const float *dropout) {
    gs_net *net = gs_net_create(inputs, loss, seed);
    if (!net) { fprintf(stderr, "gs_net_create failed\n"); exit(2); }
    for (int l = 0; l < n_layers; l++)
        if (gs_net_add_layer(net, units[l], acts[l], bn ? bn[l] : 0, dropout ? dropout[l] : 0.0f)) {
            fprintf(stderr, "gs_net_add_layer failed\n");
            exit(2);
        }
    if (gs_net_build(net)) { fprintf(stderr, "gs_net_build failed\n"); exit(2); }
    return net;
}

/* targets for a loss: class indices for softmax-ce, {0,1} for bce, reals for mse */
static inline void fill_targets(float *y, int B, int O, int loss) {
    for (int r = 0; r < B; r++) {
        if (loss == GS_LOSS_SOFTMAX_CE) {
            y[r] = (float)(r % O);
            continue;
        }
        for (int j = 0; j < O; j++)
            y[r * O + j] = loss == GS_LOSS_BCE ? (test_uniform() > 0.0f) : test_uniform();
    }
}
#endif
