/* fit's epoch loop over the dataset in the core's own buffers: the row order
 * (shuffled with the network's RNG), batches copied out of it, one training
 * step each (train.c), a log row per step, a histogram snapshot every few
 * steps when asked, and an epoch that may be run in chunks of steps and
 * continued where a chunk stopped. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* starts an epoch: order of the rows, sums, batch buffers */
static int begin_epoch(gs_net *net, int bs, int shuffle) {
    const int N = net->data_rows, ydim = gs_net_ydim(net);
    if (bs > net->batch_cap) {
        float *bx = gs_alloc(gs_mul((uint64_t)bs, (uint64_t)net->inputs), sizeof(float));
        float *by = gs_alloc(gs_mul((uint64_t)bs, (uint64_t)ydim), sizeof(float));
        if (!bx || !by) {
            free(bx), free(by);
            return GS_ERR_NOMEM;
        }
        free(net->batch_x), free(net->batch_y);
        net->batch_x = bx, net->batch_y = by, net->batch_cap = bs;
    }
    if (!net->log) {
        net->log = gs_alloc(gs_mul(GS_LOG_STEPS, GS_ROW_HEAD + (uint64_t)net->n_layers * GS_STAT_COUNT), sizeof(float));
        if (!net->log) return GS_ERR_NOMEM;
    }
    for (int i = 0; i < N; i++) net->perm[i] = (uint32_t)i;
    if (shuffle) /* Fisher-Yates with the network's RNG */
        for (int i = N - 1; i > 0; i--) {
            const uint32_t j = gs_rng_below(&net->rng, (uint32_t)i + 1), t = net->perm[i];
            net->perm[i] = net->perm[j], net->perm[j] = t;
        }
    gs_net_reset_unit_alive(net);
    net->epoch_batch = bs;
    net->epoch_skipped = 0;
    net->epoch_logged = 0;
    net->epoch_loss_sum = 0.0;
    return GS_OK;
}

/* Snapshots in the loop, not by ending a call every `every` steps: the caller then
 * crosses into the core once per GS_LOG_STEPS steps (histograms every 10 steps, Node:
 * playground +23% -> +20%, deepsigmoid +14% -> +11%; the rest is counting and copying). */
int gs_net_set_fit_histograms(gs_net *net, int every) {
    if (!net || !net->built) return GS_ERR_STATE;
    if (every < 0) return GS_ERR_ARG;
    /* a call runs at most GS_LOG_STEPS steps, so it takes at most ceil(GS_LOG_STEPS / every) */
    const int cap = every ? GS_LOG_STEPS / every + 1 : 0;
    if (cap != net->snap_cap) {
        const uint64_t per = (uint64_t)net->n_layers * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
        uint32_t *snaps = cap ? gs_alloc(gs_mul((uint64_t)cap, per), sizeof(uint32_t)) : NULL;
        uint32_t *steps = cap ? gs_alloc((uint64_t)cap, sizeof(uint32_t)) : NULL;
        if (cap && (!snaps || !steps)) {
            free(snaps), free(steps);
            return GS_ERR_NOMEM;
        }
        free(net->snaps), free(net->snap_steps);
        net->snaps = snaps, net->snap_steps = steps, net->snap_cap = cap;
    }
    net->snap_every = net->snap_until = every;
    net->snap_count = 0;
    return GS_OK;
}

/* after step `step` of this call: every snap_every-th step, what gs_net_layer_histograms returns now */
static void take_snapshot(gs_net *net, int step) {
    if (!net->snap_every || --net->snap_until > 0) return;
    net->snap_until = net->snap_every;
    const size_t per = (size_t)net->n_layers * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
    memcpy(net->snaps + (size_t)net->snap_count * per, gs_net_layer_histograms(net), per * sizeof(uint32_t));
    net->snap_steps[net->snap_count++] = (uint32_t)step;
}

int gs_net_fit_histogram_count(const gs_net *net) { return net ? net->snap_count : 0; }
const uint32_t *gs_net_fit_histograms(const gs_net *net) { return net ? net->snaps : NULL; }
const uint32_t *gs_net_fit_histogram_steps(const gs_net *net) { return net ? net->snap_steps : NULL; }

int gs_net_fit_steps(gs_net *net, int batch, int shuffle, int max_steps, float *mean_loss_out) {
    if (!net || !net->built || net->data_rows < 1) return GS_ERR_STATE;
    if (batch < 1 || max_steps < 1) return GS_ERR_ARG;
    const int N = net->data_rows, bs = batch < N ? batch : N;
    const int ydim = gs_net_ydim(net);
    /* batch norm cannot train on one example: a final batch of one is no step of the epoch, so
     * a fit that stops after the last real step has finished its epoch */
    int steps = (N - 1) / bs + 1;
    if (steps > 1 && N - (steps - 1) * bs == 1 && gs_net_has_bn(net)) steps--;
    const int per_step = GS_ROW_HEAD + net->n_layers * GS_STAT_COUNT;
    if (net->epoch_next_step == 0) {
        const int status = begin_epoch(net, bs, shuffle);
        if (status) return status;
    } else if (bs != net->epoch_batch) {
        return GS_ERR_STATE; /* the epoch in progress has another batch size */
    }
    const int limit = max_steps < GS_LOG_STEPS ? max_steps : GS_LOG_STEPS;
    net->log_steps = 0;
    net->snap_count = 0;
    int s = net->epoch_next_step;
    for (; s < steps && net->log_steps < limit; s++) {
        const int r0 = s * bs, b = N - r0 < bs ? N - r0 : bs;
        if (b == 1 && gs_net_has_bn(net)) { /* every batch has one example (batch 1) */
            s = steps;
            break;
        }
        for (int r = 0; r < b; r++) {
            const uint32_t src = net->perm[r0 + r];
            memcpy(net->batch_x + (size_t)r * net->inputs, net->data_x + (size_t)src * net->inputs,
                   (size_t)net->inputs * sizeof(float));
            memcpy(net->batch_y + (size_t)r * ydim, net->data_y + (size_t)src * ydim,
                   (size_t)ydim * sizeof(float));
        }
        float loss;
        const int status = gs_net_train_step(net, net->batch_x, net->batch_y, b, 1, &loss);
        if (status < 0) {
            net->epoch_next_step = 0;
            return status;
        }
        net->epoch_skipped += status == GS_NONFINITE;
        float *entry = net->log + (size_t)net->log_steps * per_step;
        entry[0] = loss;
        entry[1] = net->last_lr;
        memcpy(entry + GS_ROW_HEAD, net->stats, (size_t)net->n_layers * GS_STAT_COUNT * sizeof(float));
        take_snapshot(net, net->log_steps);
        net->log_steps++;
        net->epoch_logged++;
        net->epoch_loss_sum += loss;
    }
    if (s < steps) {
        net->epoch_next_step = s;
        return GS_MORE;
    }
    net->epoch_next_step = 0;
    if (net->epoch_logged == 0) return GS_ERR_BATCH;
    memcpy(net->alive_epoch, net->alive, (size_t)net->total_units);
    net->has_alive_epoch = 1;
    if (mean_loss_out) *mean_loss_out = (float)(net->epoch_loss_sum / net->epoch_logged);
    return GS_OK;
}

int gs_net_fit_epoch(gs_net *net, int batch, int shuffle, float *mean_loss_out) {
    int status;
    do status = gs_net_fit_steps(net, batch, shuffle, GS_LOG_STEPS, mean_loss_out);
    while (status == GS_MORE);
    return status;
}
