/* The SIMD GEMM (wasm_simd128.h through SIMDe) against the scalar reference,
 * for the stride patterns a dense layer uses (and their mix) and awkward shapes. */
#include "check.h"
#include "internal.h"

int main(void) {
    const int shapes[][3] = {{1, 1, 1},  {4, 8, 3},   {5, 9, 7},   {3, 13, 17}, {17, 33, 9},
                             {32, 64, 10}, {10, 1, 8}, {7, 4, 64}, {64, 129, 31},
                             /* K past one 256-deep chunk, strips packed (M > 4) or not */
                             {9, 24, 600}, {4, 16, 513}, {130, 17, 257}, {8, 4, 300}, {6, 8, 0},
                             /* A read in place up to M x K = 4096 floats, packed past it */
                             {64, 20, 64}, {65, 20, 64}};
    long mismatches = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *a = malloc(sizeof(float) * M * K + 4), *b = malloc(sizeof(float) * K * N + 4);
        float *c1 = malloc(sizeof(float) * M * N), *c2 = malloc(sizeof(float) * M * N);
        for (int i = 0; i < M * K; i++) a[i] = test_uniform();
        for (int i = 0; i < K * N; i++) b[i] = test_uniform();
        /* A's (row, k) strides: row-major, and stored transposed (as dY^T); B's (k, column)
         * strides: row-major, and stored transposed (as W read as W^T) */
        const int strides[2][2] = {{K, 1}, {1, M}}, b_strides[2][2] = {{N, 1}, {1, K}};
        for (int t = 0; t < 4; t++)
            for (int acc = 0; acc < 2; acc++) {
                const int *as = strides[t & 1], *bs = b_strides[t >> 1];
                for (int i = 0; i < M * N; i++) c1[i] = c2[i] = acc ? test_uniform() : 1e30f;
                gs_gemm(c1, N, a, as[0], as[1], b, bs[0], bs[1], M, N, K, acc);
                gs_gemm_scalar(c2, N, a, as[0], as[1], b, bs[0], bs[1], M, N, K, acc);
                /* same products summed in the same order: the same bits */
                for (int i = 0; i < M * N; i++) {
                    if (c1[i] != c2[i]) mismatches++;
                    CHECK(c1[i] == c2[i], "M=%d N=%d K=%d stride case %d acc %d at %d: %.9g vs %.9g", M,
                          N, K, t, acc, i, c1[i], c2[i]);
                }
            }
        /* a block of C's columns (rows ldc apart, as the threads split it): the same bits
         * as that block of the whole product, and nothing outside the block written */
        if (N >= 2) {
            const int j0 = N / 3, cols = N - N / 3 - N / 4;
            for (int i = 0; i < M * N; i++) c1[i] = c2[i] = 7.0f;
            gs_gemm_scalar(c2, N, a, K, 1, b, N, 1, M, N, K, 0);
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++)
                    if (j < j0 || j >= j0 + cols) c2[(size_t)i * N + j] = 7.0f;
            gs_gemm(c1 + j0, N, a, K, 1, b + j0, N, 1, M, cols, K, 0);
            long differ = 0;
            for (int i = 0; i < M * N; i++) differ += c1[i] != c2[i];
            mismatches += differ;
            CHECK(differ == 0, "M=%d N=%d K=%d columns [%d, %d): %ld elements differ", M, N, K, j0, j0 + cols, differ);
        }
        free(a), free(b), free(c1), free(c2);
    }
    CHECK(gs_gemm_is_simd(), "the SIMD kernel was not compiled in");
    printf("gemm parity: %ld elements differ from the scalar reference\n", mismatches);
    return check_summary("gemm_parity");
}
