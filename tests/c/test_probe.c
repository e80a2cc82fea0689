/* gs_net_probe: eval-mode s, h and dC/ds of every layer, no update. Without norms or dropout
 * eval and training mode compute the same function, so the column sums of dC/ds are the
 * dense bias gradients of a gradients-only training pass, and h is gs_net_layer_outputs'.
 * 1500 rows take two chunks (1024 + 476) of a fresh network's workspace. Nothing changes:
 * state, gradients, statistics, histograms, RNG. */
#include "check.h"
#include "internal.h"

static void probe_matches_training_gradients(int rows, int loss, const int *acts) {
    const int units[] = {7, 6, loss == GS_LOSS_SOFTMAX_CE ? 4 : 3};
    gs_net *net = make_net(5, loss, 3, 3, units, acts, NULL, NULL);
    float *x = malloc(sizeof(float) * rows * 5), *y = malloc(sizeof(float) * rows * 4);
    for (int i = 0; i < rows * 5; i++) x[i] = 1.5f * test_uniform();
    fill_targets(y, rows, units[2], loss);
    float warm;
    gs_net_train_step(net, x, y, 16, 1, &warm); /* a step: statistics, histograms and gradients to keep */
    float *before = snapshot_state(net);
    const int P = gs_net_param_count(net);
    float *grads = malloc(sizeof(float) * P), *stats = malloc(sizeof(float) * 3 * GS_STAT_COUNT);
    memcpy(grads, gs_net_grads(net), sizeof(float) * P);
    memcpy(stats, gs_net_layer_stats(net), sizeof(float) * 3 * GS_STAT_COUNT);
    const size_t hist_n = 3 * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
    uint32_t *hist = malloc(sizeof(uint32_t) * hist_n);
    memcpy(hist, gs_net_layer_histograms(net), sizeof(uint32_t) * hist_n);
    uint32_t rng[4];
    memcpy(rng, gs_net_rng_state(net), sizeof rng);

    const size_t total = 3 * (size_t)rows * (7 + 6 + units[2]);
    float *out = malloc(sizeof(float) * total), ploss = 0.0f;
    CHECK(gs_net_probe(net, x, y, rows, out, &ploss) == GS_OK, "probe");
    CHECK(same_state(net, before), "the probe changed the state");
    CHECK(memcmp(grads, gs_net_grads(net), sizeof(float) * P) == 0, "the probe changed the gradients");
    CHECK(memcmp(stats, gs_net_layer_stats(net), sizeof(float) * 3 * GS_STAT_COUNT) == 0, "the probe changed the statistics");
    CHECK(memcmp(hist, gs_net_layer_histograms(net), sizeof(uint32_t) * hist_n) == 0, "the probe changed the histograms");
    CHECK(memcmp(rng, gs_net_rng_state(net), sizeof rng) == 0, "the probe moved the RNG");

    float eloss, acc;
    gs_net_evaluate(net, x, y, rows, &eloss, &acc);
    CHECK(fabsf(ploss - eloss) <= 1e-6f * fmaxf(1.0f, eloss), "probe loss %g, evaluate %g", ploss, eloss);
    float *hidden = malloc(sizeof(float) * rows * 13);
    gs_net_layer_outputs(net, x, rows, hidden);
    CHECK(memcmp(hidden, out + (size_t)rows * 7, sizeof(float) * rows * 7) == 0, "layer 0's h is layer_outputs'");
    CHECK(memcmp(hidden + (size_t)rows * 7, out + (size_t)3 * rows * 7 + (size_t)rows * 6, sizeof(float) * rows * 6) == 0,
          "layer 1's h is layer_outputs'");

    float tloss;
    CHECK(gs_net_train_step(net, x, y, rows, 0, &tloss) == GS_OK, "gradients-only pass");
    double worst = 0.0, scale = 0.0;
    size_t at = 0;
    for (int l = 0; l < 3; l++) {
        const float *g = out + at + 2 * (size_t)rows * units[l];
        const float *db = gs_net_grads(net) + gs_net_param_offset(net, l, GS_P_BIAS);
        for (int u = 0; u < units[l]; u++) {
            double sum = 0.0;
            for (int r = 0; r < rows; r++) sum += g[(size_t)r * units[l] + u];
            worst = fmax(worst, fabs(sum - db[u]));
            scale = fmax(scale, fabs(db[u]));
        }
        /* s -> h through the activation */
        float *h = malloc(sizeof(float) * rows * units[l]);
        memcpy(h, out + at, sizeof(float) * rows * units[l]);
        gs_activation_forward(h, rows * units[l], acts[l]);
        CHECK(memcmp(h, out + at + (size_t)rows * units[l], sizeof(float) * rows * units[l]) == 0, "layer %d: h = act(s)", l);
        free(h);
        at += 3 * (size_t)rows * units[l];
    }
    printf("  probe %4d rows, loss %d: column sums of dC/ds vs bias gradients: worst %.2e (scale %.2e)\n", rows, loss, worst, scale);
    CHECK(worst <= 1e-5 * scale && scale > 1e-4, "dC/ds disagrees with the bias gradients: %g of %g", worst, scale);
    CHECK(gs_net_probe(net, x, y, 0, out, &ploss) == GS_ERR_ARG, "zero rows");
    free(before), free(grads), free(stats), free(hist), free(out), free(hidden), free(x), free(y);
    gs_net_free(net);
}

int main(void) {
    const int a1[] = {GS_ACT_TANH, GS_ACT_SOFTSIGN, GS_ACT_LINEAR}, a2[] = {GS_ACT_GELU, GS_ACT_RELU, GS_ACT_LINEAR};
    probe_matches_training_gradients(40, GS_LOSS_SOFTMAX_CE, a1);
    probe_matches_training_gradients(1500, GS_LOSS_BCE, a2);
    probe_matches_training_gradients(300, GS_LOSS_MSE, a2);
    return check_summary("probe");
}
