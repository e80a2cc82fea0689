/* WASM SIMD ceiling probe: 16 independent f32x4 chains c = c*m + a. Every
 * chain depends on its own previous value (no loop-invariant work to hoist),
 * the chains are independent (latency hidden by the out-of-order core), and
 * the results are stored so nothing is dead code. 128 flops per iteration. */
#include <wasm_simd128.h>

__attribute__((used)) float result[64];

__attribute__((used)) int peak(int iterations, float m0, float a0) {
    v128_t c[16];
    for (int k = 0; k < 16; k++) c[k] = wasm_f32x4_splat(1.0f + 0.01f * k);
    /* m and a come from the caller, so the compiler cannot fold them */
    const v128_t m = wasm_f32x4_splat(m0), a = wasm_f32x4_splat(a0);
    for (int i = 0; i < iterations; i++) {
        /* a constant trip count: clang unrolls it and keeps the 16 chains in locals */
        for (int k = 0; k < 16; k++) c[k] = wasm_f32x4_add(wasm_f32x4_mul(c[k], m), a);
    }
    for (int k = 0; k < 16; k++) wasm_v128_store(result + 4 * k, c[k]);
    return 0;
}
