/*
 * One GEMM serves all three products of a dense layer:
 *   forward   Y  (B,out) = X  (B,in)  . Wt (in,out)      a = X,  strides (in, 1)
 *   backward  dX (B,in)  = dY (B,out) . W  (out,in)      a = dY, strides (out, 1)
 *   backward  dW (out,in) += dY^T     . X  (B,in)        a = dY, strides (1, out)
 * C (M,N) (+)= A (M,K) . B (K,N) with A read through (row, k) strides, so the
 * transposed product needs no transposed copy. The SIMD kernel keeps a 4x8
 * block of C in eight f32x4 accumulators; gs_gemm_scalar is the reference.
 */
#include "internal.h"
#include "simd.h"

void gs_gemm_scalar(float *c, const float *a, int a_rs, int a_ks, const float *b, int M, int N,
                    int K, int accumulate) {
    for (int i = 0; i < M; i++) {
        float *crow = c + (size_t)i * N;
        if (!accumulate)
            for (int j = 0; j < N; j++) crow[j] = 0.0f;
        for (int k = 0; k < K; k++) {
            const float aik = a[(size_t)i * a_rs + (size_t)k * a_ks];
            const float *brow = b + (size_t)k * N;
            for (int j = 0; j < N; j++) crow[j] += aik * brow[j];
        }
    }
}

#ifdef GS_SIMD
/* R rows (1..4) of C, columns [j, j+8): R x 2 accumulators. R is a constant
 * at each call site, so the loops over r unroll into registers. */
static inline __attribute__((always_inline)) void block8(float *c, const float *a, int a_rs,
                                                         int a_ks, const float *b, int N, int K,
                                                         int j, int R, int accumulate) {
    v128_t acc0[4], acc1[4];
    for (int r = 0; r < R; r++) {
        acc0[r] = accumulate ? wasm_v128_load(c + (size_t)r * N + j) : wasm_f32x4_splat(0.0f);
        acc1[r] = accumulate ? wasm_v128_load(c + (size_t)r * N + j + 4) : wasm_f32x4_splat(0.0f);
    }
    for (int k = 0; k < K; k++) {
        const float *brow = b + (size_t)k * N + j;
        const v128_t b0 = wasm_v128_load(brow), b1 = wasm_v128_load(brow + 4);
        for (int r = 0; r < R; r++) {
            const v128_t ar = wasm_f32x4_splat(a[(size_t)r * a_rs + (size_t)k * a_ks]);
            acc0[r] = wasm_f32x4_add(acc0[r], wasm_f32x4_mul(ar, b0));
            acc1[r] = wasm_f32x4_add(acc1[r], wasm_f32x4_mul(ar, b1));
        }
    }
    for (int r = 0; r < R; r++) {
        wasm_v128_store(c + (size_t)r * N + j, acc0[r]);
        wasm_v128_store(c + (size_t)r * N + j + 4, acc1[r]);
    }
}

/* R rows, columns [j, j+4) */
static inline __attribute__((always_inline)) void block4(float *c, const float *a, int a_rs,
                                                         int a_ks, const float *b, int N, int K,
                                                         int j, int R, int accumulate) {
    v128_t acc[4];
    for (int r = 0; r < R; r++)
        acc[r] = accumulate ? wasm_v128_load(c + (size_t)r * N + j) : wasm_f32x4_splat(0.0f);
    for (int k = 0; k < K; k++) {
        const v128_t b0 = wasm_v128_load(b + (size_t)k * N + j);
        for (int r = 0; r < R; r++) {
            const v128_t ar = wasm_f32x4_splat(a[(size_t)r * a_rs + (size_t)k * a_ks]);
            acc[r] = wasm_f32x4_add(acc[r], wasm_f32x4_mul(ar, b0));
        }
    }
    for (int r = 0; r < R; r++) wasm_v128_store(c + (size_t)r * N + j, acc[r]);
}

/* R rows, one column j: scalar, same summation order as the vector lanes */
static inline __attribute__((always_inline)) void block1(float *c, const float *a, int a_rs,
                                                         int a_ks, const float *b, int N, int K,
                                                         int j, int R, int accumulate) {
    float acc[4];
    for (int r = 0; r < R; r++) acc[r] = accumulate ? c[(size_t)r * N + j] : 0.0f;
    for (int k = 0; k < K; k++) {
        const float bk = b[(size_t)k * N + j];
        for (int r = 0; r < R; r++) acc[r] += a[(size_t)r * a_rs + (size_t)k * a_ks] * bk;
    }
    for (int r = 0; r < R; r++) c[(size_t)r * N + j] = acc[r];
}

/* Column strips outside, row panels inside: a K x 8 strip of B (e.g. 784 x 8
 * floats, 25 KB) stays in L1 while every row panel of A streams past it. */
void gs_gemm(float *c, const float *a, int a_rs, int a_ks, const float *b, int M, int N, int K,
             int accumulate) {
    int j = 0;
    for (; j + 8 <= N; j += 8) {
        int i = 0;
        for (; i + 4 <= M; i += 4)
            block8(c + (size_t)i * N, a + (size_t)i * a_rs, a_rs, a_ks, b, N, K, j, 4, accumulate);
        for (; i < M; i++)
            block8(c + (size_t)i * N, a + (size_t)i * a_rs, a_rs, a_ks, b, N, K, j, 1, accumulate);
    }
    for (; j + 4 <= N; j += 4) {
        int i = 0;
        for (; i + 4 <= M; i += 4)
            block4(c + (size_t)i * N, a + (size_t)i * a_rs, a_rs, a_ks, b, N, K, j, 4, accumulate);
        for (; i < M; i++)
            block4(c + (size_t)i * N, a + (size_t)i * a_rs, a_rs, a_ks, b, N, K, j, 1, accumulate);
    }
    for (; j < N; j++) {
        int i = 0;
        for (; i + 4 <= M; i += 4)
            block1(c + (size_t)i * N, a + (size_t)i * a_rs, a_rs, a_ks, b, N, K, j, 4, accumulate);
        for (; i < M; i++)
            block1(c + (size_t)i * N, a + (size_t)i * a_rs, a_rs, a_ks, b, N, K, j, 1, accumulate);
    }
}

int gs_gemm_is_simd(void) { return 1; }
#else
void gs_gemm(float *c, const float *a, int a_rs, int a_ks, const float *b, int M, int N, int K,
             int accumulate) {
    gs_gemm_scalar(c, a, a_rs, a_ks, b, M, N, K, accumulate);
}

int gs_gemm_is_simd(void) { return 0; }
#endif
