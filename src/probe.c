/* The probe: what Glorot & Bengio measured on "a fixed set of 300 test examples" - an
 * eval-mode forward pass that keeps every layer's activation input s and output h, then a
 * backward pass of the mean loss over all rows down to each layer's s (dC/ds), with no
 * update. Batch norm uses its running statistics (constants in the backward), dropout is
 * off. Rows go in chunks of the workspace: eval mode couples no rows, so each chunk's loss
 * gradient (a mean over the chunk) is rescaled to the mean over all rows. Nothing the last
 * training pass left is touched: parameters, gradients, statistics, histograms (counted
 * first), running statistics, unit masks and the RNG. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int gs_net_probe(gs_net *net, const float *x, const float *y, int rows, float *out, float *loss_out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !y || !out || rows < 1 || !gs_valid_targets(net, y, rows)) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
    const int chunk = gs_eval_chunk(net, rows), O = gs_net_outputs(net), ydim = gs_net_ydim(net);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    float *scratch = gs_calloc(2 * (uint64_t)net->max_units, sizeof(float)); /* layer norm's gamma, beta gradients (unused) */
    if (!scratch) return GS_ERR_NOMEM;
    /* block starts: layer l's s, h and dC/ds, each (rows, units) */
    float *s_at[GS_MAX_LAYERS], *pre_kept[GS_MAX_LAYERS];
    size_t at = 0;
    for (int l = 0; l < net->n_layers; l++) {
        s_at[l] = out + at;
        at += 3 * (size_t)rows * net->layers[l].out;
        pre_kept[l] = net->layers[l].pre;
    }
    double loss = 0.0;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        /* the forward pass copies each layer's s where `pre` points (train.c): here, into out */
        for (int l = 0; l < net->n_layers; l++) net->layers[l].pre = s_at[l] + (size_t)r0 * net->layers[l].out;
        const float *logits = gs_forward(net, x + (size_t)r0 * net->inputs, b, 0);
        loss += gs_loss_forward_backward(net->d0, logits, y + (size_t)r0 * ydim, b, O, net->loss) * b;
        if (b != rows) { /* the chunk's mean -> a share of the mean over all rows */
            const float share = (float)((double)b / rows);
            for (size_t i = 0; i < (size_t)b * O; i++) net->d0[i] *= share;
        }
        float *d = net->d0, *other = net->d1;
        for (int l = net->n_layers - 1; l >= 0; l--) {
            gs_layer *L = &net->layers[l];
            const size_t n = (size_t)b * L->out, block = (size_t)rows * L->out, row0 = (size_t)r0 * L->out;
            memcpy(s_at[l] + block + row0, L->h, n * sizeof(float));
            gs_activation_backward(d, L->h, L->pre, (int)n, L->act);
            memcpy(s_at[l] + 2 * block + row0, d, n * sizeof(float));
            if (l == 0) break;
            if (L->bn) gs_batchnorm_backward_eval(d, L->running, net->params + L->g_off, b, L->out);
            else if (L->ln)
                gs_layernorm_backward(d, scratch, scratch + net->max_units, L->zx, net->params + L->g_off, L->ln_rstd, b, L->out);
            gs_dense_backward_input(net, other, d, net->params + L->w_off, b, L->in, L->out);
            float *t = d;
            d = other, other = t;
        }
    }
    for (int l = 0; l < net->n_layers; l++) net->layers[l].pre = pre_kept[l];
    free(scratch);
    if (loss_out) *loss_out = (float)(loss / rows);
    return GS_OK;
}
