/*
 * One GEMM serves all three products of a dense layer:
 *   forward   Y  (B,out) = X  (B,in)  . W^T (in,out)     a = X,  strides (in, 1);  b = W, strides (1, in)
 *   backward  dX (B,in)  = dY (B,out) . W   (out,in)     a = dY, strides (out, 1); b = W, strides (in, 1)
 *   backward  dW (out,in) = dY^T      . X   (B,in)       a = dY, strides (1, out); b = X, strides (in, 1)
 * C (M,N) (+)= A (M,K) . B (K,N), with A read through (row, k) strides and B
 * through (k, column) strides, so no product needs a transposed copy; C's rows
 * are ldc apart (N for a whole matrix, more for a block of its columns).
 * gs_gemm_scalar is the reference; the SIMD kernel computes 4x8 blocks of C in
 * eight f32x4 accumulators and gives the same bits.
 */
#include "internal.h"
#include "simd.h"

void gs_gemm_scalar(float *c, int ldc, const float *a, int a_rs, int a_ks, const float *b, int b_ks, int b_js,
                    int M, int N, int K, int accumulate) {
    for (int i = 0; i < M; i++) {
        float *crow = c + (size_t)i * ldc;
        if (!accumulate)
            for (int j = 0; j < N; j++) crow[j] = 0.0f;
        for (int k = 0; k < K; k++) {
            const float aik = a[(size_t)i * a_rs + (size_t)k * a_ks];
            for (int j = 0; j < N; j++) crow[j] += aik * b[(size_t)k * b_ks + (size_t)j * b_js];
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

/* Micro-kernels: C rows [0, R) (R <= 4, a constant at each call site, so the
 * loops over r unroll into registers) += rows of A, element (r, k) at
 * a[r * a_rs + k * a_ks] (a packed panel, see pack_panel: a_rs 1, a_ks 4; or A
 * in place), times kc rows of B, ldb apart (8 when the strip is packed). All
 * four rows are computed; rows past R repeat row 0 and are never stored. */
#define GS_A_ROWS(ar, a, a_rs, R)                                                                  \
    const float *ar[4];                                                                          \
    for (int r = 0; r < 4; r++) ar[r] = (a) + (size_t)(r < (R) ? r : 0) * (a_rs)

static inline __attribute__((always_inline)) void kernel8(float *c, int ldc, const float *a, size_t a_rs,
                                                          size_t a_ks, const float *b, int ldb, int kc, int R,
                                                          int accumulate) {
    GS_A_ROWS(ar, a, a_rs, R);
    v128_t acc0[4], acc1[4];
    for (int r = 0; r < 4; r++) {
        const int load = accumulate && r < R;
        acc0[r] = load ? wasm_v128_load(c + (size_t)r * ldc) : wasm_f32x4_splat(0.0f);
        acc1[r] = load ? wasm_v128_load(c + (size_t)r * ldc + 4) : wasm_f32x4_splat(0.0f);
    }
    for (size_t k = 0; k < (size_t)kc; k++, b += ldb) {
        const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        for (int r = 0; r < 4; r++) {
            const v128_t ark = wasm_v128_load32_splat(ar[r] + k * a_ks);
            acc0[r] = GS_MADD(acc0[r], ark, b0);
            acc1[r] = GS_MADD(acc1[r], ark, b1);
        }
    }
    for (int r = 0; r < R; r++) {
        wasm_v128_store(c + (size_t)r * ldc, acc0[r]);
        wasm_v128_store(c + (size_t)r * ldc + 4, acc1[r]);
    }
}

static inline __attribute__((always_inline)) void kernel4(float *c, int ldc, const float *a, size_t a_rs,
                                                          size_t a_ks, const float *b, int ldb, int kc, int R,
                                                          int accumulate) {
    GS_A_ROWS(ar, a, a_rs, R);
    v128_t acc[4];
    for (int r = 0; r < 4; r++)
        acc[r] = accumulate && r < R ? wasm_v128_load(c + (size_t)r * ldc) : wasm_f32x4_splat(0.0f);
    for (size_t k = 0; k < (size_t)kc; k++, b += ldb) {
        const v128_t b0 = wasm_v128_load(b);
        for (int r = 0; r < 4; r++) acc[r] = GS_MADD(acc[r], wasm_v128_load32_splat(ar[r] + k * a_ks), b0);
    }
    for (int r = 0; r < R; r++) wasm_v128_store(c + (size_t)r * ldc, acc[r]);
}

/* one column: scalar, same summation order as the vector lanes */
static inline __attribute__((always_inline)) void kernel1(float *c, int ldc, const float *a, size_t a_rs,
                                                          size_t a_ks, const float *b, int ldb, int kc, int R,
                                                          int accumulate) {
    GS_A_ROWS(ar, a, a_rs, R);
    float acc[4];
    for (int r = 0; r < 4; r++) acc[r] = accumulate && r < R ? c[(size_t)r * ldc] : 0.0f;
    for (size_t k = 0; k < (size_t)kc; k++, b += ldb)
        for (int r = 0; r < 4; r++) acc[r] += ar[r][k * a_ks] * b[0];
    for (int r = 0; r < R; r++) c[(size_t)r * ldc] = acc[r];
}

/* rows r0..r3 (4 values each) become columns: out[i] = (r0[i], r1[i], r2[i], r3[i]) */
static inline void transpose4(v128_t out[4], v128_t r0, v128_t r1, v128_t r2, v128_t r3) {
    const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
    const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    out[0] = wasm_i64x2_shuffle(t0, t1, 0, 2), out[1] = wasm_i64x2_shuffle(t0, t1, 1, 3);
    out[2] = wasm_i64x2_shuffle(t2, t3, 0, 2), out[3] = wasm_i64x2_shuffle(t2, t3, 1, 3);
}

/* A's rows [0, R) (R <= 4) at k in [0, kc), interleaved: pa[4k + r]; rows past R
 * are zero. Each row of A is read once here and then by every column strip from
 * the packed copy, where one pointer reaches all four rows at fixed offsets. */
static void pack_panel(float *pa, const float *a, int a_rs, int a_ks, int R, int kc) {
    int k = 0;
    if (R == 4 && a_rs == 1) { /* dY^T: the four rows of a k are adjacent */
        for (; k < kc; k++) wasm_v128_store(pa + 4 * k, wasm_v128_load(a + (size_t)k * a_ks));
    } else if (R == 4 && a_ks == 1) { /* row-major rows: 4 x 4 blocks, transposed in registers */
        const float *a0 = a, *a1 = a + a_rs, *a2 = a + 2 * (size_t)a_rs, *a3 = a + 3 * (size_t)a_rs;
        for (; k + 4 <= kc; k += 4) {
            v128_t col[4];
            transpose4(col, wasm_v128_load(a0 + k), wasm_v128_load(a1 + k), wasm_v128_load(a2 + k), wasm_v128_load(a3 + k));
            for (int i = 0; i < 4; i++) wasm_v128_store(pa + 4 * (k + i), col[i]);
        }
    }
    for (; k < kc; k++)
        for (int r = 0; r < 4; r++) pa[4 * k + r] = r < R ? a[(size_t)r * a_rs + (size_t)k * a_ks] : 0.0f;
}

/* B's columns [0, W) (W = 8 or 4) at k in [0, kc), interleaved: pb[Wk + j]. B
 * stored transposed (b_ks == 1, W^T in the forward product) is read as W rows,
 * each contiguous in k, and transposed 4 x 4 in registers. */
static void pack_strip(float *pb, const float *b, int b_ks, int b_js, int W, int kc) {
    int k = 0;
    if (b_js == 1) {
        for (; k < kc; k++)
            for (int j = 0; j < W; j += 4) wasm_v128_store(pb + W * k + j, wasm_v128_load(b + (size_t)k * b_ks + j));
    } else if (b_ks == 1) {
        for (; k + 4 <= kc; k += 4)
            for (int j = 0; j < W; j += 4) {
                const float *rows = b + (size_t)j * b_js + k;
                v128_t col[4];
                transpose4(col, wasm_v128_load(rows), wasm_v128_load(rows + b_js), wasm_v128_load(rows + 2 * (size_t)b_js),
                           wasm_v128_load(rows + 3 * (size_t)b_js));
                for (int i = 0; i < 4; i++) wasm_v128_store(pb + W * (k + i) + j, col[i]);
            }
    }
    for (; k < kc; k++)
        for (int j = 0; j < W; j++) pb[W * k + j] = b[(size_t)k * b_ks + (size_t)j * b_js];
}

/* R (rows left in the block; 4 or more is a full panel) as a constant for the kernels */
#define GS_CALL_KERNEL(kernel, R, ...)                                                             \
    do {                                                                                         \
        switch (R) {                                                                             \
        case 1: kernel(__VA_ARGS__, 1, acc); break;                                              \
        case 2: kernel(__VA_ARGS__, 2, acc); break;                                              \
        case 3: kernel(__VA_ARGS__, 3, acc); break;                                              \
        default: kernel(__VA_ARGS__, 4, acc); break;                                             \
        }                                                                                        \
    } while (0)

/* every panel of the block times one strip of B: A packed (pa) or in place (ai) */
#define GS_PANELS(kernel, cj, strip, ldb)                                                          \
    do {                                                                                         \
        for (int p = 0; p * 4 < mc; p++) {                                                       \
            float *const cp = (cj) + (size_t)4 * p * ldc;                                        \
            if (direct_a)                                                                        \
                GS_CALL_KERNEL(kernel, mc - 4 * p, cp, ldc, ai + (size_t)4 * p * a_rs, (size_t)a_rs, \
                               (size_t)a_ks, strip, ldb, kc);                                    \
            else                                                                                 \
                GS_CALL_KERNEL(kernel, mc - 4 * p, cp, ldc, pa + (size_t)p * 4 * kc, (size_t)1, (size_t)4, \
                               strip, ldb, kc);                                                  \
        }                                                                                        \
    } while (0)

/* Blocked as the classic packed GEMM: K in chunks of KC and M in blocks of MC.
 * A block is packed into panels of four rows (64 KB), then for every column
 * strip of 8 each panel runs the micro-kernel. An A of at most 4096 floats
 * (16 KB: it stays in L1 as it is) is read in place instead: for the small
 * networks' products (K of 8 or 16) packing it cost more than it saved
 * (chromium: playground +7-10%, deepsigmoid +4%, digits unchanged). The strip is
 * also packed, into a contiguous KC x 8 buffer (8 KB), when B is stored
 * transposed, or when it is larger than a quarter of L1: B's rows are often a
 * power-of-two bytes apart (512 floats = 2 KB), and such a strided strip maps
 * onto two L1 sets and evicts itself (mnist's forward product ran at half the
 * speed of the others); a small B is read in place. Each element of C still
 * sums its k terms in order (a chunk resumes from the stored float), so the
 * result equals gs_gemm_scalar bit for bit (except in the relaxed build, see GS_MADD). */
enum { GS_GEMM_KC = 256, GS_GEMM_MC = 64, GS_GEMM_PACK_FLOATS = 2048, GS_GEMM_DIRECT_A_FLOATS = 4096 };

void gs_gemm(float *c, int ldc, const float *a, int a_rs, int a_ks, const float *b, int b_ks, int b_js, int M,
             int N, int K, int accumulate) {
    float pb[GS_GEMM_KC * 8] __attribute__((aligned(16)));
    float pa[GS_GEMM_MC * GS_GEMM_KC] __attribute__((aligned(16)));
    /* columns must be adjacent to be read in place; then packing pays when the strip is reused and large */
    const int pack_b = b_js != 1 || (M > 4 && (size_t)K * N > GS_GEMM_PACK_FLOATS);
    const int direct_a = (size_t)M * K <= GS_GEMM_DIRECT_A_FLOATS;
    if (K == 0) { /* an empty sum: C keeps its values, or is zeroed */
        if (!accumulate)
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++) c[(size_t)i * ldc + j] = 0.0f;
        return;
    }
    for (int k0 = 0; k0 < K; k0 += GS_GEMM_KC) {
        const int kc = K - k0 < GS_GEMM_KC ? K - k0 : GS_GEMM_KC;
        const int acc = accumulate || k0 > 0;
        const float *bk = b + (size_t)k0 * b_ks;
        for (int i0 = 0; i0 < M; i0 += GS_GEMM_MC) {
            const int mc = M - i0 < GS_GEMM_MC ? M - i0 : GS_GEMM_MC;
            const float *ai = a + (size_t)i0 * a_rs + (size_t)k0 * a_ks;
            if (!direct_a)
                for (int p = 0; p * 4 < mc; p++)
                    pack_panel(pa + (size_t)p * 4 * kc, ai + (size_t)4 * p * a_rs, a_rs, a_ks, mc - 4 * p < 4 ? mc - 4 * p : 4, kc);
            float *ci = c + (size_t)i0 * ldc;
            int j = 0;
            for (; j + 8 <= N; j += 8) {
                const float *strip = bk + (size_t)j * b_js;
                int ldb = b_ks;
                if (pack_b) pack_strip(pb, strip, b_ks, b_js, 8, kc), strip = pb, ldb = 8;
                GS_PANELS(kernel8, ci + j, strip, ldb);
            }
            for (; j + 4 <= N; j += 4) {
                const float *strip = bk + (size_t)j * b_js;
                int ldb = b_ks;
                if (b_js != 1) pack_strip(pb, strip, b_ks, b_js, 4, kc), strip = pb, ldb = 4;
                GS_PANELS(kernel4, ci + j, strip, ldb);
            }
            for (; j < N; j++) /* one column: b_ks apart in place */
                GS_PANELS(kernel1, ci + j, bk + (size_t)j * b_js, b_ks);
        }
    }
}

int gs_gemm_is_simd(void) { return 1; }
#else
void gs_gemm(float *c, int ldc, const float *a, int a_rs, int a_ks, const float *b, int b_ks, int b_js, int M,
             int N, int K, int accumulate) {
    gs_gemm_scalar(c, ldc, a, a_rs, a_ks, b, b_ks, b_js, M, N, K, accumulate);
}

int gs_gemm_is_simd(void) { return 0; }
#endif
