/* Element-wise activations. Backward uses the output h where it determines
 * the derivative exactly (relu: h > 0 iff z > 0; sigmoid, tanh), and the
 * pre-activation z for elu, selu, gelu, silu and softsign (the layer keeps z for them:
 * gs_activation_needs_z): elu's h + alpha would lose every digit of alpha e^z
 * below z = -12, where expm1f(z) is -1 to float precision, and softsign's
 * (1 - |h|)^2 keeps only log10(|z|) fewer digits than 1 / (1 + |z|)^2 (at z = 1e4,
 * 1 - |h| has 4 of float's 7).
 *
 * tanh (and sigmoid, as 0.5 + 0.5 tanh(z/2)) use a rational approximation
 * (Eigen's generic_fast_tanh_float) instead of libm: it vectorizes, and
 * libm's tanhf was 40% of a small network's training step. Measured against
 * double precision: tanh within 2.7 ulp on [-12, 12], sigmoid within 1.7e-7
 * absolute on [-40, 40]. The SIMD and scalar versions do
 * the same operations in the same order, so both builds give the same bits.
 * Saturation is exact, as float32 libm's: from the first float where tanhf
 * rounds to 1 (9.0109138), tanh returns exactly +-1, and sigmoid returns exactly
 * 1 from where 1/(1+expf(-z)) rounds to 1 (16.635532); the derivative there is
 * exactly 0, as in PyTorch. Below z = -4 sigmoid is e^z / (1 + e^z) with libm's
 * expf (0.5 + 0.5 tanh(z/2) would cancel to 0 from z = -18, where the true value
 * is 1.5e-8 and reaches 0 only near z = -104).
 * NaN passes through every activation (ReLU included: relu(NaN) = NaN, as in
 * PyTorch; the comparisons are written so that NaN takes the identity side),
 * so non-finite values are detected rather than hidden. */
#include <math.h>

#include "internal.h"
#include "simd.h"

#define TANH_CLAMP 7.99881172180175781f
#define TANH_TINY 0.0004f
#define TANH_ONE 9.01091385f     /* 0x1.205968p+3: the first float where tanhf(x) == 1 */
#define SIGMOID_ONE 16.6355324f  /* the first float where 1/(1+expf(-z)) == 1 */
#define SIGMOID_EXP_BELOW -4.0f  /* below this, sigmoid through expf: no cancellation */
static const float TANH_ALPHA[7] = {4.89352455891786e-03f, 6.37261928875436e-04f, 1.48572235717979e-05f,
                                    5.12229709037114e-08f, -8.60467152213735e-11f, 2.00018790482477e-13f,
                                    -2.76076847742355e-16f};
static const float TANH_BETA[4] = {4.89352518554385e-03f, 2.26843463243900e-03f, 1.18534705686654e-04f,
                                   1.19825839466702e-06f};

static inline float tanh_rational(float x) {
    const float c = TANH_CLAMP < x ? TANH_CLAMP : x; /* pmin, pmax: NaN stays NaN */
    const float xc = c < -TANH_CLAMP ? -TANH_CLAMP : c;
    const float x2 = xc * xc;
    float p = TANH_ALPHA[6];
    for (int k = 5; k >= 0; k--) p = p * x2 + TANH_ALPHA[k];
    p = p * xc;
    float q = TANH_BETA[3];
    for (int k = 2; k >= 0; k--) q = q * x2 + TANH_BETA[k];
    if (fabsf(x) >= TANH_ONE) return copysignf(1.0f, x);
    return fabsf(x) < TANH_TINY ? x : p / q;
}

static inline float sigmoid_low(float z) { /* z < SIGMOID_EXP_BELOW */
    const float e = expf(z);
    return e / (1.0f + e);
}

static inline float sigmoid_rational(float z) {
    if (z < SIGMOID_EXP_BELOW) return sigmoid_low(z);
    return z >= SIGMOID_ONE ? 1.0f : 0.5f + 0.5f * tanh_rational(0.5f * z);
}

#ifdef GS_SIMD
/* tanh of `ways` vectors (a constant at each call, at most GS_TANH_WAYS) at once, each
 * step done for all of them before the next: the polynomials are one long chain of
 * dependent operations per vector, and with four chains side by side the processor
 * always has independent work in its window (chromium: deepsigmoid's step 6.6% faster
 * than one vector at a time). */
#define GS_TANH_WAYS 4
static inline __attribute__((always_inline)) void tanh4v(v128_t x[GS_TANH_WAYS], int ways) {
    const v128_t clamp = wasm_f32x4_splat(TANH_CLAMP);
    v128_t xc[GS_TANH_WAYS], x2[GS_TANH_WAYS], p[GS_TANH_WAYS], q[GS_TANH_WAYS];
    for (int v = 0; v < ways; v++) {
        xc[v] = wasm_f32x4_pmax(wasm_f32x4_pmin(x[v], clamp), wasm_f32x4_neg(clamp));
        x2[v] = wasm_f32x4_mul(xc[v], xc[v]);
        p[v] = wasm_f32x4_splat(TANH_ALPHA[6]);
        q[v] = wasm_f32x4_splat(TANH_BETA[3]);
    }
    for (int k = 5; k >= 0; k--)
        for (int v = 0; v < ways; v++) {
            p[v] = wasm_f32x4_add(wasm_f32x4_mul(p[v], x2[v]), wasm_f32x4_splat(TANH_ALPHA[k]));
            if (k <= 2) q[v] = wasm_f32x4_add(wasm_f32x4_mul(q[v], x2[v]), wasm_f32x4_splat(TANH_BETA[k]));
        }
    for (int v = 0; v < ways; v++) {
        p[v] = wasm_f32x4_mul(p[v], xc[v]);
        const v128_t ax = wasm_f32x4_abs(x[v]);
        const v128_t tiny = wasm_f32x4_lt(ax, wasm_f32x4_splat(TANH_TINY));
        const v128_t one = wasm_f32x4_ge(ax, wasm_f32x4_splat(TANH_ONE));
        /* copysign(1, x): x's sign bit on 1.0 */
        const v128_t signed_one = wasm_v128_or(wasm_v128_and(x[v], wasm_i32x4_splat((int32_t)0x80000000u)), wasm_f32x4_splat(1.0f));
        x[v] = wasm_v128_bitselect(signed_one, wasm_v128_bitselect(x[v], wasm_f32x4_div(p[v], q[v]), tiny), one);
    }
}

static inline __attribute__((always_inline)) void sigmoid4v(v128_t z[GS_TANH_WAYS], int ways) {
    const v128_t half = wasm_f32x4_splat(0.5f);
    v128_t t[GS_TANH_WAYS];
    for (int v = 0; v < ways; v++) t[v] = wasm_f32x4_mul(half, z[v]);
    tanh4v(t, ways);
    for (int v = 0; v < ways; v++) {
        const v128_t s = wasm_f32x4_add(half, wasm_f32x4_mul(half, t[v]));
        z[v] = wasm_v128_bitselect(wasm_f32x4_splat(1.0f), s, wasm_f32x4_ge(z[v], wasm_f32x4_splat(SIGMOID_ONE)));
    }
}
#endif

#define SELU_LAMBDA 1.0507009873554804934193349852946f
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define INV_SQRT2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f

int gs_activation_needs_z(int act) {
    return act == GS_ACT_ELU || act == GS_ACT_SELU || act == GS_ACT_GELU || act == GS_ACT_SILU || act == GS_ACT_SOFTSIGN;
}

/* exp-based activations run the same scalar code in both builds (libm expf,
 * erff), so SIMD and scalar results are bit-identical */
static inline float elu(float z, float alpha) { return z > 0.0f ? z : alpha * expm1f(z); }
static inline float logistic(float z) { return gs_sigmoidf(z); }

#ifdef GS_SIMD
/* h[0, 4 ways): tanh or sigmoid; a vector with a lane below SIGMOID_EXP_BELOW is done as scalar */
static inline __attribute__((always_inline)) void map_tanh_block(float *h, int sigmoid, int ways) {
    v128_t z[GS_TANH_WAYS], low[GS_TANH_WAYS], any_low = wasm_i32x4_splat(0);
    for (int v = 0; v < ways; v++) {
        z[v] = wasm_v128_load(h + 4 * v);
        low[v] = wasm_f32x4_lt(z[v], wasm_f32x4_splat(SIGMOID_EXP_BELOW));
        any_low = wasm_v128_or(any_low, low[v]);
    }
    if (!sigmoid) {
        tanh4v(z, ways);
    } else {
        sigmoid4v(z, ways);
        if (wasm_v128_any_true(any_low)) { /* rare: one test for the block, then one per vector */
            for (int v = 0; v < ways; v++)
                if (wasm_v128_any_true(low[v])) {
                    for (int k = 4 * v; k < 4 * v + 4; k++) h[k] = sigmoid_rational(h[k]);
                    z[v] = wasm_v128_load(h + 4 * v);
                }
        }
    }
    for (int v = 0; v < ways; v++) wasm_v128_store(h + 4 * v, z[v]);
}
#endif

/* h (n): pre-activation in, activation out */
static void map_tanh(float *h, int n, int sigmoid) {
    int i = 0;
#ifdef GS_SIMD
    for (; i + 4 * GS_TANH_WAYS <= n; i += 4 * GS_TANH_WAYS) map_tanh_block(h + i, sigmoid, GS_TANH_WAYS);
    for (; i + 4 <= n; i += 4) map_tanh_block(h + i, sigmoid, 1);
#endif
    for (; i < n; i++) h[i] = sigmoid ? sigmoid_rational(h[i]) : tanh_rational(h[i]);
}

void gs_activation_forward(float *h, int n, int act) {
    switch (act) {
    case GS_ACT_RELU:
        for (int i = 0; i < n; i++) h[i] = h[i] < 0.0f ? 0.0f : h[i];
        break;
    case GS_ACT_LEAKY_RELU:
        for (int i = 0; i < n; i++) h[i] = h[i] < 0.0f ? GS_LEAKY_SLOPE * h[i] : h[i];
        break;
    case GS_ACT_SIGMOID:
        map_tanh(h, n, 1);
        break;
    case GS_ACT_TANH:
        map_tanh(h, n, 0);
        break;
    case GS_ACT_ELU:
        for (int i = 0; i < n; i++) h[i] = elu(h[i], 1.0f);
        break;
    case GS_ACT_SELU:
        for (int i = 0; i < n; i++) h[i] = SELU_LAMBDA * elu(h[i], SELU_ALPHA);
        break;
    case GS_ACT_GELU:
        for (int i = 0; i < n; i++) h[i] = 0.5f * h[i] * (1.0f + erff(h[i] * INV_SQRT2));
        break;
    case GS_ACT_SILU:
        for (int i = 0; i < n; i++) h[i] = h[i] * logistic(h[i]);
        break;
    case GS_ACT_SOFTSIGN: /* as torch's x / (1 + |x|): +-Inf gives NaN there too */
        for (int i = 0; i < n; i++) h[i] = h[i] / (1.0f + fabsf(h[i]));
        break;
    default: /* linear */
        break;
    }
}

/* d (n) is dL/dh on entry, dL/dz on return; z (n) is the pre-activation
 * (read only for gelu and silu) */
void gs_activation_backward(float *d, const float *h, const float *z, int n, int act) {
    switch (act) {
    case GS_ACT_RELU: { /* as torch's threshold_backward: 0 where h <= 0, so NaN passes */
        int i = 0;
#ifdef GS_SIMD
        /* a select, not a branch: the signs are random, and a mispredicted branch per value
         * cost mnist's step 5% */
        const v128_t zero = wasm_f32x4_splat(0.0f);
        for (; i + 4 <= n; i += 4) {
            const v128_t dv = wasm_v128_load(d + i);
            wasm_v128_store(d + i, wasm_v128_bitselect(zero, dv, wasm_f32x4_le(wasm_v128_load(h + i), zero)));
        }
#endif
        for (; i < n; i++) d[i] = h[i] <= 0.0f ? 0.0f : d[i];
        break;
    }
    case GS_ACT_LEAKY_RELU:
        for (int i = 0; i < n; i++) d[i] = h[i] > 0.0f ? d[i] : GS_LEAKY_SLOPE * d[i];
        break;
    case GS_ACT_SIGMOID:
        for (int i = 0; i < n; i++) d[i] *= h[i] * (1.0f - h[i]);
        break;
    case GS_ACT_TANH:
        for (int i = 0; i < n; i++) d[i] *= 1.0f - h[i] * h[i];
        break;
    case GS_ACT_ELU: /* alpha e^z below 0, from z as torch does */
        for (int i = 0; i < n; i++) d[i] = z[i] > 0.0f ? d[i] : d[i] * expf(z[i]);
        break;
    case GS_ACT_SELU:
        for (int i = 0; i < n; i++)
            d[i] = z[i] > 0.0f ? d[i] * SELU_LAMBDA : d[i] * (SELU_LAMBDA * SELU_ALPHA) * expf(z[i]);
        break;
    case GS_ACT_GELU: /* Phi(z) + z phi(z) */
        for (int i = 0; i < n; i++) {
            const float cdf = 0.5f * (1.0f + erff(z[i] * INV_SQRT2));
            d[i] *= cdf + z[i] * INV_SQRT_2PI * expf(-0.5f * z[i] * z[i]);
        }
        break;
    case GS_ACT_SILU: /* s (1 + z (1 - s)) */
        for (int i = 0; i < n; i++) {
            const float s = logistic(z[i]);
            d[i] *= s * (1.0f + z[i] * (1.0f - s));
        }
        break;
    case GS_ACT_SOFTSIGN: /* 1 / (1 + |z|)^2 */
        for (int i = 0; i < n; i++) {
            const float a = 1.0f + fabsf(z[i]);
            d[i] /= a * a;
        }
        break;
    default:
        break;
    }
}
