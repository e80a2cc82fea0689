/* WebAssembly SIMD where available: the wasm target itself, or SIMDe mapping
 * wasm_simd128.h onto SSE for native tests. GS_SIMD is defined when the vector
 * paths are compiled; every vector path has a scalar twin. */
#ifndef GS_SIMD_H
#define GS_SIMD_H

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define GS_SIMD 1
#elif defined(GS_SIMDE)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#define GS_SIMD 1
#endif

#ifdef GS_SIMD
/* acc (f64x2 pair) += x*x for the four lanes of x, in double */
static inline void gs_f64_sumsq4(v128_t *acc_lo, v128_t *acc_hi, v128_t x) {
    const v128_t lo = wasm_f64x2_promote_low_f32x4(x);
    const v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 0, 1));
    *acc_lo = wasm_f64x2_add(*acc_lo, wasm_f64x2_mul(lo, lo));
    *acc_hi = wasm_f64x2_add(*acc_hi, wasm_f64x2_mul(hi, hi));
}

/* acc (f64x2 pair) += x for the four lanes of x, in double */
static inline void gs_f64_sum4(v128_t *acc_lo, v128_t *acc_hi, v128_t x) {
    *acc_lo = wasm_f64x2_add(*acc_lo, wasm_f64x2_promote_low_f32x4(x));
    *acc_hi = wasm_f64x2_add(*acc_hi, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 0, 1)));
}

static inline double gs_f64_total(v128_t a, v128_t b) {
    const v128_t s = wasm_f64x2_add(a, b);
    return wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
}
#endif
#endif
