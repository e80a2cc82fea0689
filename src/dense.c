/* Dense layer y = x . W^T + b, W (out, in) as in PyTorch nn.Linear. */
#include "internal.h"

/* y (B,out), wt (in,out) scratch, x (B,in), w (out,in), b (out) */
void gs_dense_forward(float *y, float *wt, const float *x, const float *w, const float *b, int B,
                      int in, int out) {
    /* transpose W once per call (in*out) so the GEMM streams rows of Wt; in
     * 32x32 tiles, so both the reads and the strided writes stay in cache */
    enum { T = 32 };
    for (int o0 = 0; o0 < out; o0 += T)
        for (int i0 = 0; i0 < in; i0 += T) {
            const int o1 = o0 + T < out ? o0 + T : out, i1 = i0 + T < in ? i0 + T : in;
            for (int o = o0; o < o1; o++)
                for (int i = i0; i < i1; i++) wt[(size_t)i * out + o] = w[(size_t)o * in + i];
        }
    for (int r = 0; r < B; r++)
        for (int o = 0; o < out; o++) y[(size_t)r * out + o] = b[o];
    gs_gemm(y, x, in, 1, wt, B, out, in, 1);
}

/* Adds into dw (out,in) and db (out); writes dx (B,in) unless dx is NULL.
 * dy (B,out), x (B,in), w (out,in). */
void gs_dense_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                       const float *w, int B, int in, int out) {
    gs_gemm(dw, dy, 1, out, x, out, in, B, 1);
    for (int r = 0; r < B; r++)
        for (int o = 0; o < out; o++) db[o] += dy[(size_t)r * out + o];
    if (dx) gs_gemm(dx, dy, out, 1, w, B, in, out, 0);
}
