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
/* acc + a*b per lane. The opt-in relaxed-SIMD build (gradscope_relaxed.wasm, clang
 * -mrelaxed-simd) lets the engine fuse it into one FMA, rounded once where the machine
 * has FMA and twice where not, so its results differ by machine (and from the scalar
 * reference); every other build multiplies, rounds, then adds. */
#ifdef __wasm_relaxed_simd__
#define GS_MADD(acc, a, b) wasm_f32x4_relaxed_madd(a, b, acc)
#else
#define GS_MADD(acc, a, b) wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif

/* R rows (1..4) of C, 8 columns: R x 2 accumulators. b points at the strip's
 * first column, ldb apart per k (8 when packed). R is a constant at each call
 * site, so the loops over r unroll into registers. */
static inline __attribute__((always_inline)) void block8(float *c, int ldc, const float *a,
                                                         int a_rs, int a_ks, const float *b,
                                                         int ldb, int K, int R, int accumulate) {
    v128_t acc0[4], acc1[4];
    for (int r = 0; r < R; r++) {
        acc0[r] = accumulate ? wasm_v128_load(c + (size_t)r * ldc) : wasm_f32x4_splat(0.0f);
        acc1[r] = accumulate ? wasm_v128_load(c + (size_t)r * ldc + 4) : wasm_f32x4_splat(0.0f);
    }
    for (int k = 0; k < K; k++) {
        const float *brow = b + (size_t)k * ldb;
        const v128_t b0 = wasm_v128_load(brow), b1 = wasm_v128_load(brow + 4);
        for (int r = 0; r < R; r++) {
            const v128_t ar = wasm_f32x4_splat(a[(size_t)r * a_rs + (size_t)k * a_ks]);
            acc0[r] = GS_MADD(acc0[r], ar, b0);
            acc1[r] = GS_MADD(acc1[r], ar, b1);
        }
    }
    for (int r = 0; r < R; r++) {
        wasm_v128_store(c + (size_t)r * ldc, acc0[r]);
        wasm_v128_store(c + (size_t)r * ldc + 4, acc1[r]);
    }
}

/* R rows, 4 columns */
static inline __attribute__((always_inline)) void block4(float *c, int ldc, const float *a,
                                                         int a_rs, int a_ks, const float *b,
                                                         int ldb, int K, int R, int accumulate) {
    v128_t acc[4];
    for (int r = 0; r < R; r++)
        acc[r] = accumulate ? wasm_v128_load(c + (size_t)r * ldc) : wasm_f32x4_splat(0.0f);
    for (int k = 0; k < K; k++) {
        const v128_t b0 = wasm_v128_load(b + (size_t)k * ldb);
        for (int r = 0; r < R; r++) {
            const v128_t ar = wasm_f32x4_splat(a[(size_t)r * a_rs + (size_t)k * a_ks]);
            acc[r] = GS_MADD(acc[r], ar, b0);
        }
    }
    for (int r = 0; r < R; r++) wasm_v128_store(c + (size_t)r * ldc, acc[r]);
}

/* R rows, one column: scalar, same summation order as the vector lanes */
static inline __attribute__((always_inline)) void block1(float *c, int ldc, const float *a,
                                                         int a_rs, int a_ks, const float *b,
                                                         int ldb, int K, int R, int accumulate) {
    float acc[4];
    for (int r = 0; r < R; r++) acc[r] = accumulate ? c[(size_t)r * ldc] : 0.0f;
    for (int k = 0; k < K; k++) {
        const float bk = b[(size_t)k * ldb];
        for (int r = 0; r < R; r++) acc[r] += a[(size_t)r * a_rs + (size_t)k * a_ks] * bk;
    }
    for (int r = 0; r < R; r++) c[(size_t)r * ldc] = acc[r];
}

/* All row panels of C against one strip of columns (W = 8, 4 or 1 wide). */
#define GS_ROW_PANELS(block, c, ldc, a, a_rs, a_ks, b, ldb, M, K, accumulate)                     \
    do {                                                                                         \
        int i_ = 0;                                                                              \
        for (; i_ + 4 <= (M); i_ += 4)                                                           \
            block((c) + (size_t)i_ * (ldc), ldc, (a) + (size_t)i_ * (a_rs), a_rs, a_ks, b, ldb, K, \
                  4, accumulate);                                                                \
        for (; i_ < (M); i_++)                                                                   \
            block((c) + (size_t)i_ * (ldc), ldc, (a) + (size_t)i_ * (a_rs), a_rs, a_ks, b, ldb, K, \
                  1, accumulate);                                                                \
    } while (0)

/* K is taken in chunks of KC. Within a chunk, column strips of 8 go outside and
 * row panels of A inside, so the strip is reused by every panel. When B is
 * larger than a quarter of L1 the strip is first copied into a contiguous
 * KC x 8 buffer (8 KB): B's rows are often a power-of-two bytes apart (512
 * floats = 2 KB), and such a strided strip maps onto two L1 sets and evicts
 * itself (mnist's forward product ran at half the speed of the others). A
 * small B stays in L1 anyway and is read in place. Each element of C still
 * sums its k terms in order (a chunk resumes from the stored float), so the
 * result equals gs_gemm_scalar bit for bit (except in the relaxed build, see GS_MADD). */
enum { GS_GEMM_KC = 256, GS_GEMM_PACK_FLOATS = 2048 };

void gs_gemm(float *c, const float *a, int a_rs, int a_ks, const float *b, int M, int N, int K,
             int accumulate) {
    float pack[GS_GEMM_KC * 8] __attribute__((aligned(16)));
    const int packed = M > 4 && (size_t)K * N > GS_GEMM_PACK_FLOATS; /* reused by more than one panel, and large */
    if (K == 0) { /* an empty sum: C keeps its values, or is zeroed */
        if (!accumulate)
            for (size_t i = 0; i < (size_t)M * N; i++) c[i] = 0.0f;
        return;
    }
    for (int k0 = 0; k0 < K; k0 += GS_GEMM_KC) {
        const int kc = K - k0 < GS_GEMM_KC ? K - k0 : GS_GEMM_KC;
        const int acc = accumulate || k0 > 0;
        const float *ak = a + (size_t)k0 * a_ks, *bk = b + (size_t)k0 * N;
        int j = 0;
        for (; j + 8 <= N; j += 8) {
            const float *strip = bk + j;
            int ldb = N;
            if (packed) {
                for (int k = 0; k < kc; k++)
                    wasm_v128_store(pack + 8 * k, wasm_v128_load(strip + (size_t)k * N)),
                        wasm_v128_store(pack + 8 * k + 4, wasm_v128_load(strip + (size_t)k * N + 4));
                strip = pack, ldb = 8;
            }
            GS_ROW_PANELS(block8, c + j, N, ak, a_rs, a_ks, strip, ldb, M, kc, acc);
        }
        for (; j + 4 <= N; j += 4) GS_ROW_PANELS(block4, c + j, N, ak, a_rs, a_ks, bk + j, N, M, kc, acc);
        for (; j < N; j++) GS_ROW_PANELS(block1, c + j, N, ak, a_rs, a_ks, bk + j, N, M, kc, acc);
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
