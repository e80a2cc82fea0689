#define _POSIX_C_SOURCE 199309L /* clock_gettime */
/* The same workloads through the C API, built natively (gcc -O3, SIMD path via
 * SIMDe) for reference: prints one JSON line per workload.
 *   native [seconds] [workload]   (all four without a name) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gradscope.h"

typedef struct {
    const char *name;
    int inputs, hidden_count, hidden, outputs, batch, loss, act, bn;
    float dropout, lr, momentum;
} workload;

static const workload WORKLOADS[] = {
    {"playground", 2, 4, 8, 1, 10, GS_LOSS_BCE, GS_ACT_TANH, 0, 0.0f, 0.01f, 0.0f},
    {"digits", 64, 2, 128, 10, 32, GS_LOSS_SOFTMAX_CE, GS_ACT_RELU, 1, 0.2f, 0.01f, 0.9f},
    {"mnist", 784, 2, 512, 10, 128, GS_LOSS_SOFTMAX_CE, GS_ACT_RELU, 0, 0.0f, 0.01f, 0.0f},
    {"deepsigmoid", 2, 10, 16, 1, 32, GS_LOSS_BCE, GS_ACT_SIGMOID, 0, 0.0f, 0.01f, 0.0f},
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    const char *only = argc > 2 ? argv[2] : NULL;
    int ran = 0;
    for (size_t k = 0; k < sizeof WORKLOADS / sizeof WORKLOADS[0]; k++) {
        const workload *w = &WORKLOADS[k];
        if (only && strcmp(only, w->name) != 0) continue;
        ran++;
        gs_net *net = gs_net_create(w->inputs, w->loss, 1);
        for (int l = 0; l < w->hidden_count; l++) gs_net_add_layer(net, w->hidden, w->act, w->bn, w->dropout);
        gs_net_add_layer(net, w->outputs, GS_ACT_LINEAR, 0, 0.0f);
        gs_net_set_sgd(net, w->lr, w->momentum, 0, 0.0f);
        if (gs_net_build(net)) return 1;
        const int rows = w->batch * 64, ydim = w->loss == GS_LOSS_SOFTMAX_CE ? 1 : w->outputs;
        gs_net_set_dataset(net, rows);
        float *x = gs_net_data_x(net), *y = gs_net_data_y(net);
        unsigned s = 12345;
        for (int i = 0; i < rows * w->inputs; i++) {
            s = s * 1664525u + 1013904223u;
            x[i] = (float)s / 2147483648.0f - 1.0f;
        }
        for (int i = 0; i < rows * ydim; i++) y[i] = (float)(i % (ydim == 1 && w->loss == GS_LOSS_SOFTMAX_CE ? w->outputs : 2));
        float loss;
        double t0 = now();
        while (now() - t0 < 0.3) gs_net_fit_epoch(net, w->batch, 1, &loss);
        long steps = 0;
        t0 = now();
        double t = t0;
        while (t - t0 < seconds) {
            gs_net_fit_epoch(net, w->batch, 1, &loss);
            steps += 64;
            t = now();
        }
        printf("{\"impl\":\"native-gcc\",\"workload\":\"%s\",\"fitStepsPerSecond\":%.1f}\n", w->name, steps / (t - t0));
        gs_net_free(net);
    }
    if (!ran) {
        fprintf(stderr, "native: no workload named %s\n", only);
        return 2;
    }
    return 0;
}
