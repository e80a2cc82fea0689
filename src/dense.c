/* Dense layer y = x . W^T + b, W (out, in) as in PyTorch nn.Linear. */
#include "internal.h"

/* y (B,out), x (B,in), w (out,in), b (out). The GEMM reads W as W^T through
 * strides (its packing transposes in registers): no transposed copy. */
void gs_dense_forward(const gs_net *net, float *y, const float *x, const float *w, const float *b, int B, int in, int out) {
    for (int r = 0; r < B; r++)
        for (int o = 0; o < out; o++) y[(size_t)r * out + o] = b[o];
    gs_par_gemm(net, y, x, in, 1, w, 1, in, B, out, in, 1);
}

/* Writes dw (out,in) and db (out), and dx (B,in) unless dx is NULL.
 * dy (B,out), x (B,in), w (out,in). */
void gs_dense_backward(const gs_net *net, float *dx, float *dw, float *db, const float *dy, const float *x,
                       const float *w, int B, int in, int out) {
    gs_par_gemm(net, dw, dy, 1, out, x, in, 1, out, in, B, 0);
    for (int o = 0; o < out; o++) db[o] = 0.0f;
    for (int r = 0; r < B; r++)
        for (int o = 0; o < out; o++) db[o] += dy[(size_t)r * out + o];
    if (dx) gs_dense_backward_input(net, dx, dy, w, B, in, out);
}

/* dx (B,in) = dy (B,out) . w (out,in): the gradient that flows to the layer below only */
void gs_dense_backward_input(const gs_net *net, float *dx, const float *dy, const float *w, int B, int in, int out) {
    gs_par_gemm(net, dx, dy, out, 1, w, in, 1, B, in, out, 0);
}
