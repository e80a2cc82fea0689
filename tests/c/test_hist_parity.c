/* The SIMD histogram counting (wasm_simd128.h through SIMDe) against the scalar
 * reference: the same count in every slot, for values at and next to every edge
 * (the float on each side), lo and hi themselves, +-0, subnormals, NaN, +-Inf,
 * values that overflowed to Inf, every gradient exponent and random values, in
 * lengths that leave 0 to 3 values past the last group of four. */
#include <float.h>
#include <string.h>

#include "check.h"
#include "internal.h"

static int same(const uint32_t *a, const uint32_t *b) { return memcmp(a, b, GS_HIST_SLOTS * sizeof(uint32_t)) == 0; }

static uint32_t total(const uint32_t *s) {
    uint32_t t = 0;
    for (int k = 0; k < GS_HIST_SLOTS; k++) t += s[k];
    return t;
}

int main(void) {
    enum { CAP = 4096 };
    static float x[CAP];
    int n = 0;
    const float specials[] = {0.0f, -0.0f, FLT_MIN, -FLT_MIN, FLT_TRUE_MIN, -FLT_TRUE_MIN, 1e-40f, -1e-40f,
                              NAN, -NAN, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) x[n++] = specials[i];
    volatile float big = 1e30f;
    x[n++] = big * 1e9f, x[n++] = -big * 1e9f; /* 1e39: overflows to +-Inf */
    /* every gradient exponent bin's lower edge and the float below it, both signs */
    for (int e = -150; e <= 128; e++) {
        const float p = ldexpf(1.0f, e);
        x[n++] = p, x[n++] = nextafterf(p, 0.0f), x[n++] = -p;
    }
    const float ranges[][2] = {{0.0f, 1.0f}, {-1.0f, 1.0f}, {-(float)GS_HIST_ACT_LIMIT, (float)GS_HIST_ACT_LIMIT}, {-0.37f, 2.9f}};
    long mismatches = 0;
    for (size_t q = 0; q < sizeof ranges / sizeof ranges[0]; q++) {
        gs_hist_range r;
        gs_hist_range_init(&r, ranges[q][0], ranges[q][1]);
        int m = n;
        /* every edge (lo and hi among them) and the floats on either side */
        for (int k = 0; k <= GS_HIST_BINS; k++) {
            x[m++] = r.edges[k];
            x[m++] = nextafterf(r.edges[k], -INFINITY);
            x[m++] = nextafterf(r.edges[k], INFINITY);
        }
        for (int i = 0; i < 1000; i++) x[m++] = (ranges[q][1] - ranges[q][0]) * (1.5f * test_uniform() + 0.25f) + ranges[q][0];
        CHECK(m <= CAP, "the test's values fit");
        for (int tail = 0; tail < 4; tail++) {
            const int len = m - tail;
            uint32_t a[GS_HIST_SLOTS], b[GS_HIST_SLOTS];
            gs_hist_linear(a, x, (size_t)len, &r);
            gs_hist_linear_scalar(b, x, (size_t)len, &r);
            mismatches += !same(a, b);
            CHECK(same(a, b), "linear [%g, %g], %d values: slot counts differ", r.lo, r.hi, len);
            CHECK(total(a) == (uint32_t)len, "linear: every value counted once (%u of %d)", total(a), len);
            gs_hist_exponent(a, x, (size_t)len);
            gs_hist_exponent_scalar(b, x, (size_t)len);
            mismatches += !same(a, b);
            CHECK(same(a, b), "exponent, %d values: slot counts differ", len);
            CHECK(total(a) == (uint32_t)len, "exponent: every value counted once (%u of %d)", total(a), len);
            /* one value at a time: the scalar tail alone */
            for (int i = 0; i < 8; i++) {
                gs_hist_linear(a, x + i, 1, &r);
                gs_hist_linear_scalar(b, x + i, 1, &r);
                CHECK(same(a, b), "linear, the value %g alone", x[i]);
            }
        }
        /* the special values land where the reference puts them */
        uint32_t a[GS_HIST_SLOTS];
        gs_hist_linear(a, x, 14, &r);
        CHECK(a[GS_HIST_ZEROS] == 2 && a[GS_HIST_NONFINITE] == 4, "linear: zeros %u (2), non-finite %u (4)", a[GS_HIST_ZEROS], a[GS_HIST_NONFINITE]);
    }
    printf("histogram parity: %ld cases differ from the scalar reference\n", mismatches);
    return check_summary("hist_parity");
}
