/* The network's RNG (xoshiro128**, in internal.h), seeded through splitmix32. */
#include <math.h>

#include "internal.h"

static uint32_t splitmix32(uint32_t *x) {
    uint32_t z = (*x += 0x9e3779b9u);
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    return z ^ (z >> 16);
}

void gs_rng_seed(gs_rng *rng, uint32_t seed) {
    uint32_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix32(&x);
    if (!(rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3])) rng->s[0] = 1; /* all-zero is a fixed point */
}

/* gs_rng_next and gs_rng_uniform are inline, in internal.h */

float gs_rng_normal(gs_rng *rng) {
    /* u1 in (0, 1] so log(u1) is finite */
    double u1 = 1.0 - (double)(gs_rng_next(rng) >> 8) / 16777216.0;
    double u2 = (double)(gs_rng_next(rng) >> 8) / 16777216.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

uint32_t gs_rng_below(gs_rng *rng, uint32_t n) {
    return (uint32_t)(((uint64_t)gs_rng_next(rng) * n) >> 32);
}
