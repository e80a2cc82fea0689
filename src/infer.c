/* Inference: eval-mode passes over any number of rows, in chunks of the
 * workspace (batch norm uses its running statistics, dropout is off). None
 * changes parameters, running statistics, the RNG or the last training pass's
 * statistics (its activation histograms are counted first). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* rows per eval-mode chunk: the current workspace, or up to 1024 rows */
int gs_eval_chunk(gs_net *net, int rows) {
    if (rows <= net->ws_rows) return rows;
    const int want = rows < 1024 ? rows : 1024;
    return want > net->ws_rows ? want : net->ws_rows;
}

int gs_net_predict(gs_net *net, const float *x, int rows, float *out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !out || rows < 1) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
    const int chunk = gs_eval_chunk(net, rows), O = gs_net_outputs(net);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        const float *logits = gs_forward(net, x + (size_t)r0 * net->inputs, b, 0);
        gs_loss_probabilities(out + (size_t)r0 * O, logits, b, O, net->loss);
    }
    return GS_OK;
}

int gs_net_unit_activity(gs_net *net, const float *x, int rows, float *out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !out || rows < 1) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
    const int chunk = gs_eval_chunk(net, rows);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    double *count = gs_calloc((uint64_t)net->total_units, sizeof(double)); /* exact past 2^24 rows */
    if (!count) return GS_ERR_NOMEM;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        gs_forward(net, x + (size_t)r0 * net->inputs, b, 0);
        double *o = count;
        for (int l = 0; l < net->n_layers; o += net->layers[l].out, l++) {
            const gs_layer *L = &net->layers[l];
            for (int r = 0; r < b; r++)
                for (int c = 0; c < L->out; c++) o[c] += L->h[(size_t)r * L->out + c] != 0.0f;
        }
    }
    for (int u = 0; u < net->total_units; u++) out[u] = (float)(count[u] / rows);
    free(count);
    return GS_OK;
}

int gs_net_layer_outputs(gs_net *net, const float *x, int rows, float *out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !out || rows < 1) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
    const int chunk = gs_eval_chunk(net, rows);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        gs_forward(net, x + (size_t)r0 * net->inputs, b, 0);
        float *o = out; /* layer l's block is (rows, out) */
        for (int l = 0; l < net->n_layers - 1; o += (size_t)rows * net->layers[l].out, l++) {
            const gs_layer *L = &net->layers[l];
            memcpy(o + (size_t)r0 * L->out, L->h, (size_t)b * L->out * sizeof(float));
        }
    }
    return GS_OK;
}

int gs_net_evaluate(gs_net *net, const float *x, const float *y, int rows, float *loss_out,
                    float *accuracy_out) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (!x || !y || rows < 1 || !gs_valid_targets(net, y, rows)) return GS_ERR_ARG;
    gs_hist_flush_activations(net);
    const int chunk = gs_eval_chunk(net, rows), O = gs_net_outputs(net), ydim = gs_net_ydim(net);
    int status = gs_net_ensure_workspace(net, chunk);
    if (status) return status;
    double loss = 0.0;
    long correct = 0;
    for (int r0 = 0; r0 < rows; r0 += chunk) {
        const int b = rows - r0 < chunk ? rows - r0 : chunk;
        const float *logits = gs_forward(net, x + (size_t)r0 * net->inputs, b, 0);
        const float *yb = y + (size_t)r0 * ydim;
        loss += gs_loss_value(logits, yb, b, O, net->loss) * b;
        correct += gs_loss_correct(logits, yb, b, O, net->loss);
    }
    if (loss_out) *loss_out = (float)(loss / rows);
    if (accuracy_out) {
        const double total = net->loss == GS_LOSS_BCE ? (double)rows * O : (double)rows;
        *accuracy_out = net->loss == GS_LOSS_MSE ? NAN : (float)(correct / total);
    }
    return GS_OK;
}
