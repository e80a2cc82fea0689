/*
 * Threads: a pool of workers that share the network's memory and split each
 * large GEMM of a training pass, and the optimizer's layers (optim.c), between
 * them (the multi-threaded core, gradscope_threads.wasm, and the native build;
 * the other wasm builds have no shared memory, so there gs_pool_create returns NULL).
 *
 * Why the result is the same bits for any number of threads: every element of
 * C is one sum over k, in order, computed by exactly one thread with the serial
 * kernel, and gs_gemm gives the bits of gs_gemm_scalar whatever block of rows or
 * columns it is handed (tests/c/test_gemm_parity.c). No sum is split across threads.
 *
 * A product is split by columns of C where it is wide enough (each thread then
 * reads only its share of B, usually the weights, which are the bulk of the
 * traffic), else by rows.
 *
 * The protocol: the calling thread writes the job, then bumps `job` (a sequence
 * number and the number of parts in one word, so a worker never pairs one job's
 * number with another's part count) and wakes the workers; it runs part 0
 * itself and spins until the other parts report done. Workers poll a while,
 * then sleep in memory.atomic.wait32 (allowed in workers, not on a browser's
 * main thread, which therefore never waits, only spins for the short rest of a
 * GEMM).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "internal.h"

/* shared memory and wait/notify: wasm with atomics, or native threads */
#if defined(__wasm__) && !defined(__wasm_atomics__)
#define GS_HAS_THREADS 0
#else
#define GS_HAS_THREADS 1
#endif

#if GS_HAS_THREADS && !defined(__wasm__)
#include <sched.h>
#endif

/* a GEMM is split only when it has at least this many multiply-adds (about 100 x 100 x 100):
 * below it the hand-over costs more than it saves (chromium, digits' 32 x 128 x 128 products
 * split in two: 0.88x) */
#define GS_PAR_MIN_MADDS (1u << 20)
/* iterations a worker polls for the next job before it sleeps (about a millisecond: a
 * step's serial stretches, such as the statistics, then never put it to sleep) */
#define GS_PAR_SPIN (1 << 21)
#define GS_JOB_PARTS_BITS 8u /* job word: sequence << 8 | parts; parts 0 = stop */

struct gs_pool {
    _Atomic uint32_t job;         /* the current job's word */
    _Atomic uint32_t done;        /* parts of the current job finished by workers */
    _Atomic uint64_t attached;    /* bit i: worker i is inside gs_pool_work */
    int workers;                  /* indices 1..workers */
    uint32_t sequence;            /* the caller's count of jobs published */
    /* the job: part p of it is run(ctx, p) (ctx lives on the caller's stack, in the shared memory) */
    void (*run)(void *ctx, int part);
    void *ctx;
};

/* a GEMM job: C (M,N) (+)= A . B as gs_gemm; part p computes columns (or rows)
 * [p * per_part, (p + 1) * per_part) */
typedef struct {
    float *c;
    const float *a, *b;
    int a_rs, a_ks, b_ks, b_js, M, N, K, accumulate, per_part, by_columns;
} gemm_job;

static void wake_all(_Atomic uint32_t *word) {
#if GS_HAS_THREADS && defined(__wasm__)
    __builtin_wasm_memory_atomic_notify((int *)word, UINT32_MAX);
#else
    (void)word;
#endif
}

/* polls `word` until it differs from `seen`; then sleeps on it (wasm) or yields (native) */
static uint32_t wait_for_change(_Atomic uint32_t *word, uint32_t seen) {
    uint32_t now;
    for (int spin = 0; spin < GS_PAR_SPIN; spin++)
        if ((now = atomic_load(word)) != seen) return now;
    while ((now = atomic_load(word)) == seen) {
#if GS_HAS_THREADS && defined(__wasm__)
        __builtin_wasm_memory_atomic_wait32((int *)word, (int)seen, -1);
#elif GS_HAS_THREADS
        sched_yield();
#endif
    }
    return now;
}

static void gemm_part(void *ctx, int part) {
    const gemm_job *p = ctx;
    const int start = part * p->per_part, end = p->by_columns ? p->N : p->M;
    if (start >= end) return;
    const int n = end - start < p->per_part ? end - start : p->per_part;
    if (p->by_columns)
        gs_gemm(p->c + start, p->N, p->a, p->a_rs, p->a_ks, p->b + (size_t)start * p->b_js, p->b_ks, p->b_js, p->M, n,
                p->K, p->accumulate);
    else
        gs_gemm(p->c + (size_t)start * p->N, p->N, p->a + (size_t)start * p->a_rs, p->a_rs, p->a_ks, p->b, p->b_ks,
                p->b_js, n, p->N, p->K, p->accumulate);
}

gs_pool *gs_pool_create(int workers) {
    if (!GS_HAS_THREADS || workers < 1 || workers > GS_MAX_THREADS - 1) return NULL;
    gs_pool *p = calloc(1, sizeof *p); /* plain calloc: parallel.c sits below net.c */
    if (!p) return NULL;
    p->workers = workers;
    return p;
}

int gs_pool_work(gs_pool *pool, int index) {
    if (!GS_HAS_THREADS || !pool || index < 1 || index > pool->workers) return GS_ERR_ARG;
    const uint64_t bit = (uint64_t)1 << index;
    if (atomic_fetch_or(&pool->attached, bit) & bit) return GS_ERR_STATE; /* this index is taken */
    uint32_t seen = atomic_load(&pool->job);
    for (;;) {
        seen = wait_for_change(&pool->job, seen);
        const int parts = (int)(seen & ((1u << GS_JOB_PARTS_BITS) - 1));
        if (parts == 0) break;
        if (index < parts) {
            pool->run(pool->ctx, index);
            atomic_fetch_add(&pool->done, 1);
        }
    }
    atomic_fetch_and(&pool->attached, ~bit);
    return GS_OK;
}

int gs_pool_attached(const gs_pool *pool) {
    if (!pool) return 0;
    uint64_t m = atomic_load(&((gs_pool *)pool)->attached);
    int n = 0;
    for (; m; m &= m - 1) n++;
    return n;
}

int gs_pool_stop(gs_pool *pool) {
    if (!pool) return GS_ERR_ARG;
    pool->sequence++;
    atomic_store(&pool->job, pool->sequence << GS_JOB_PARTS_BITS); /* parts 0: stop */
    wake_all(&pool->job);
    return GS_OK;
}

int gs_pool_free(gs_pool *pool) {
    if (!pool) return GS_OK;
    if (atomic_load(&pool->attached)) return GS_ERR_STATE; /* a worker is still in gs_pool_work */
    free(pool);
    return GS_OK;
}

int gs_net_set_threads(gs_net *net, gs_pool *pool, int threads) {
    if (!net || threads < 1 || threads > GS_MAX_THREADS) return GS_ERR_ARG;
    if (threads > 1 && (!pool || threads - 1 > pool->workers)) return GS_ERR_ARG;
    net->pool = threads > 1 ? pool : NULL;
    net->threads = threads;
    return GS_OK;
}

int gs_net_threads(const gs_net *net) { return net ? net->threads : 0; }

/* run(ctx, part) for part 0 .. parts - 1, part p on thread p (the caller runs part 0);
 * on the caller alone, in order, while a worker it needs is not in its loop */
void gs_par_run(const gs_net *net, int parts, void (*run)(void *ctx, int part), void *ctx) {
    gs_pool *p = net->pool;
    const uint64_t needed = parts < 2 || parts > net->threads ? 0 : (((uint64_t)1 << parts) - 1) & ~(uint64_t)1;
    if (!p || !needed || (atomic_load(&p->attached) & needed) != needed) {
        for (int part = 0; part < parts; part++) run(ctx, part);
        return;
    }
    p->run = run, p->ctx = ctx;
    atomic_store(&p->done, 0);
    p->sequence++;
    atomic_store(&p->job, p->sequence << GS_JOB_PARTS_BITS | (uint32_t)parts); /* publishes the fields above */
    wake_all(&p->job);
    run(ctx, 0);
    while (atomic_load(&p->done) != (uint32_t)(parts - 1)) {
    }
}

void gs_par_gemm(const gs_net *net, float *c, const float *a, int a_rs, int a_ks, const float *b, int b_ks, int b_js,
                 int M, int N, int K, int accumulate) {
    const int threads = net->threads;
    if (threads < 2 || (uint64_t)M * N * K < GS_PAR_MIN_MADDS) {
        gs_gemm(c, N, a, a_rs, a_ks, b, b_ks, b_js, M, N, K, accumulate);
        return;
    }
    /* parts of whole 16-column strips (a cache line) when each gets two, else of whole
     * 4-row panels */
    const int by_columns = N >= 32 * threads;
    const int span = by_columns ? N : M, align = by_columns ? 16 : 4;
    int per_part = (span + threads - 1) / threads;
    per_part = (per_part + align - 1) / align * align;
    gemm_job job = {c, a, b, a_rs, a_ks, b_ks, b_js, M, N, K, accumulate, per_part, by_columns};
    gs_par_run(net, (span + per_part - 1) / per_part, gemm_part, &job);
}
