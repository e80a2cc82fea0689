/* Threads (src/parallel.c) with native threads: a network whose products are split over
 * 2..6 threads trains to the same bits as one thread (parameters, optimizer state, running
 * statistics, gradients, statistics, histograms, the fit log), step after step; the pool's
 * refusals; a product whose worker is not in its loop runs on the caller with the same bits;
 * workers leave on gs_pool_stop. Also built with ThreadSanitizer by scripts/test-c.mjs. */
#include <pthread.h>

#include "check.h"

enum { IN = 144, B = 64, STEPS = 6, N_LAYERS = 3 }; /* 116k parameters: the optimizer shares out its layers too */
static const int UNITS[N_LAYERS] = {512, 80, 10};
static const int ACTS[N_LAYERS] = {GS_ACT_RELU, GS_ACT_TANH, GS_ACT_LINEAR};
static const int BN[N_LAYERS] = {1, 0, 0};
static const float DROPOUT[N_LAYERS] = {0.2f, 0.0f, 0.0f};

typedef struct {
    gs_pool *pool;
    int index, status;
} worker_arg;

static void *worker_main(void *p) {
    worker_arg *w = p;
    w->status = gs_pool_work(w->pool, w->index);
    return NULL;
}

static gs_net *make(void) {
    gs_net *net = gs_net_create(IN, GS_LOSS_SOFTMAX_CE, 7);
    for (int l = 0; l < N_LAYERS; l++) gs_net_add_layer(net, UNITS[l], ACTS[l], BN[l], DROPOUT[l]);
    gs_net_set_adam(net, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f);
    if (gs_net_build(net)) { fprintf(stderr, "build failed\n"); exit(2); }
    return net;
}

static int same_floats(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

/* trains `serial` and `par` side by side, checking everything a step writes is the same bits */
static void train_twins(gs_net *serial, gs_net *par, const float *x, const float *y, const char *what) {
    const size_t P = gs_net_param_count(serial);
    for (int s = 0; s < STEPS; s++) {
        float l1, l2;
        CHECK(gs_net_train_step(serial, x, y, B, 1, &l1) == GS_OK && gs_net_train_step(par, x, y, B, 1, &l2) == GS_OK, "%s step %d", what, s);
        CHECK(memcmp(&l1, &l2, sizeof l1) == 0, "%s step %d: loss %.9g vs %.9g", what, s, l1, l2);
        float *st = snapshot_state(serial);
        CHECK(same_state(par, st), "%s step %d: parameters / optimizer / running statistics differ", what, s);
        free(st);
        CHECK(same_floats(gs_net_grads(serial), gs_net_grads(par), P), "%s step %d: gradients differ", what, s);
        CHECK(same_floats(gs_net_layer_stats(serial), gs_net_layer_stats(par), (size_t)N_LAYERS * GS_STAT_COUNT), "%s step %d: statistics differ", what, s);
    }
    const size_t H = (size_t)N_LAYERS * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
    CHECK(memcmp(gs_net_layer_histograms(serial), gs_net_layer_histograms(par), H * sizeof(uint32_t)) == 0, "%s: histograms differ", what);
}

int main(void) {
    float *x = malloc(sizeof(float) * B * IN), *y = malloc(sizeof(float) * B);
    for (int i = 0; i < B * IN; i++) x[i] = test_uniform();
    fill_targets(y, B, 10, GS_LOSS_SOFTMAX_CE);

    /* refusals */
    CHECK(gs_pool_create(0) == NULL && gs_pool_create(GS_MAX_THREADS) == NULL, "pool sizes out of range are refused");
    gs_pool *pool = gs_pool_create(5);
    CHECK(pool != NULL, "a pool of 5 workers");
    CHECK(gs_pool_work(pool, 0) == GS_ERR_ARG && gs_pool_work(pool, 6) == GS_ERR_ARG && gs_pool_work(NULL, 1) == GS_ERR_ARG, "bad worker indices are refused");
    gs_net *probe = make();
    CHECK(gs_net_set_threads(probe, pool, 0) == GS_ERR_ARG && gs_net_set_threads(probe, pool, 7) == GS_ERR_ARG &&
              gs_net_set_threads(probe, NULL, 2) == GS_ERR_ARG && gs_net_set_threads(probe, pool, GS_MAX_THREADS + 1) == GS_ERR_ARG,
          "thread counts the pool cannot serve are refused");
    CHECK(gs_net_threads(probe) == 1, "a refused count changes nothing (%d)", gs_net_threads(probe));

    /* no worker in its loop yet: 4 threads run on the caller, same bits */
    CHECK(gs_net_set_threads(probe, pool, 4) == GS_OK && gs_net_threads(probe) == 4, "4 threads set");
    gs_net *serial = make();
    train_twins(serial, probe, x, y, "4 threads, no worker attached");
    gs_net_free(serial), gs_net_free(probe);

    pthread_t threads[5];
    worker_arg args[5];
    for (int i = 0; i < 5; i++) {
        args[i] = (worker_arg){pool, i + 1, 99};
        pthread_create(&threads[i], NULL, worker_main, &args[i]);
    }
    while (gs_pool_attached(pool) < 5) sched_yield();
    CHECK(gs_pool_work(pool, 3) == GS_ERR_STATE, "an index already in its loop is refused");
    CHECK(gs_pool_free(pool) == GS_ERR_STATE, "a pool with workers in it is not freed");

    for (int n = 2; n <= 6; n++) {
        char what[32];
        snprintf(what, sizeof what, "%d threads", n);
        gs_net *a = make(), *b = make();
        CHECK(gs_net_set_threads(b, pool, n) == GS_OK, "%s set", what);
        train_twins(a, b, x, y, what);
        /* fit: the epoch loop, log and snapshots */
        float *dx[2], *dy[2];
        gs_net *pair[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            gs_net_set_dataset(pair[k], 3 * B);
            dx[k] = gs_net_data_x(pair[k]), dy[k] = gs_net_data_y(pair[k]);
            for (int i = 0; i < 3 * B * IN; i++) dx[k][i] = x[i % (B * IN)];
            for (int i = 0; i < 3 * B; i++) dy[k][i] = y[i % B];
            gs_net_set_fit_histograms(pair[k], 2);
        }
        float ma, mb;
        CHECK(gs_net_fit_epoch(a, B, 1, &ma) == GS_OK && gs_net_fit_epoch(b, B, 1, &mb) == GS_OK, "%s fit", what);
        CHECK(memcmp(&ma, &mb, sizeof ma) == 0, "%s fit: mean loss %.9g vs %.9g", what, ma, mb);
        const int steps = gs_net_epoch_steps(a);
        const size_t row = 2 + (size_t)N_LAYERS * GS_STAT_COUNT;
        CHECK(steps == 3 && gs_net_epoch_steps(b) == steps && same_floats(gs_net_epoch_log(a), gs_net_epoch_log(b), steps * row), "%s fit: logs differ", what);
        const size_t snaps = (size_t)gs_net_fit_histogram_count(a) * N_LAYERS * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
        CHECK(snaps > 0 && memcmp(gs_net_fit_histograms(a), gs_net_fit_histograms(b), snaps * sizeof(uint32_t)) == 0, "%s fit: snapshots differ", what);
        float *st = snapshot_state(a);
        CHECK(same_state(b, st), "%s fit: state differs", what);
        free(st);
        gs_net_free(a), gs_net_free(b);
    }

    CHECK(gs_pool_stop(pool) == GS_OK, "stop");
    for (int i = 0; i < 5; i++) {
        pthread_join(threads[i], NULL);
        CHECK(args[i].status == GS_OK, "worker %d left with %d", i + 1, args[i].status);
    }
    CHECK(gs_pool_attached(pool) == 0, "no worker left in the pool");
    CHECK(gs_pool_free(pool) == GS_OK, "an empty pool is freed");
    free(x), free(y);
    return check_summary("test_threads");
}
