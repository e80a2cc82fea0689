/* Whole training passes: determinism, learning, non-finite handling, the
 * no-side-effect guarantee of a gradients-only pass, fit, and bad arguments. */
#include "check.h"
#include "internal.h"

static const int UNITS[] = {16, 16, 1};
static const int ACTS[] = {GS_ACT_RELU, GS_ACT_TANH, GS_ACT_LINEAR};
static const int BN[] = {1, 0, 0};
static const float DROP[] = {0.2f, 0.1f, 0.0f};

/* XOR-like quadrants: 64 points */
static void xor_data(float *x, float *y, int n) {
    for (int i = 0; i < n; i++) {
        x[2 * i] = test_uniform(), x[2 * i + 1] = test_uniform();
        y[i] = (x[2 * i] > 0) != (x[2 * i + 1] > 0);
    }
}

static void test_determinism_and_learning(void) {
    enum { N = 64 };
    float x[N * 2], y[N];
    xor_data(x, y, N);
    gs_net *a = make_net(2, GS_LOSS_BCE, 42, 3, UNITS, ACTS, BN, DROP);
    gs_net *b = make_net(2, GS_LOSS_BCE, 42, 3, UNITS, ACTS, BN, DROP);
    gs_net_set_adam(a, 0.01f, 0.9f, 0.999f, 1e-8f, 1e-4f);
    gs_net_set_adam(b, 0.01f, 0.9f, 0.999f, 1e-8f, 1e-4f);
    float first = 0, loss = 0, lb;
    for (int s = 0; s < 300; s++) {
        gs_net_train_step(a, x, y, N, 1, &loss);
        gs_net_train_step(b, x, y, N, 1, &lb);
        if (s == 0) first = loss;
    }
    const int P = gs_net_param_count(a);
    CHECK(memcmp(gs_net_params(a), gs_net_params(b), P * sizeof(float)) == 0, "same seed, different weights");
    float eval_loss, acc;
    gs_net_evaluate(a, x, y, N, &eval_loss, &acc);
    printf("  xor: train loss %.4f -> %.4f, eval loss %.4f, accuracy %.3f\n", first, loss, eval_loss, acc);
    CHECK(loss < 0.5f * first, "loss did not fall: %g -> %g", first, loss);
    CHECK(acc > 0.9f, "accuracy %g", acc);
    gs_net_free(a), gs_net_free(b);
}

/* a gradients-only pass must change nothing: params, running stats, optimizer, RNG */
static void test_gradients_only_has_no_side_effects(void) {
    enum { N = 32 };
    float x[N * 2], y[N];
    xor_data(x, y, N);
    gs_net *net = make_net(2, GS_LOSS_BCE, 5, 3, UNITS, ACTS, BN, DROP);
    gs_net_set_sgd(net, 0.1f, 0.9f, 1, 0.01f);
    float loss;
    gs_net_train_step(net, x, y, N, 1, &loss); /* non-trivial optimizer state */
    float *before = snapshot_state(net);
    uint32_t rng[4];
    memcpy(rng, gs_net_rng_state(net), sizeof rng);
    const int step = gs_net_opt_step(net);
    float l1, l2;
    gs_net_train_step(net, x, y, N, 0, &l1);
    float *g1 = malloc(gs_net_param_count(net) * sizeof(float));
    memcpy(g1, gs_net_grads(net), gs_net_param_count(net) * sizeof(float));
    gs_net_train_step(net, x, y, N, 0, &l2);
    const size_t P = gs_net_param_count(net);
    CHECK(same_state(net, before), "params, optimizer state or running stats changed");
    CHECK(memcmp(rng, gs_net_rng_state(net), sizeof rng) == 0, "RNG advanced");
    CHECK(step == gs_net_opt_step(net), "step counter changed");
    CHECK(l1 == l2 && memcmp(g1, gs_net_grads(net), P * sizeof(float)) == 0,
          "two gradient passes differ (dropout masks must repeat)");
    /* the next real step uses the same masks as the gradients-only pass */
    float l3;
    gs_net_train_step(net, x, y, N, 1, &l3);
    CHECK(l3 == l1, "training step after gradients-only pass: %g vs %g", l3, l1);
    free(before), free(g1);
    gs_net_free(net);
}

static void test_nonfinite_skips_update(void) {
    enum { N = 16 };
    float x[N * 2], y[N];
    xor_data(x, y, N);
    const int units[] = {8, 1}, acts[] = {GS_ACT_LINEAR, GS_ACT_LINEAR};
    gs_net *net = make_net(2, GS_LOSS_MSE, 1, 2, units, acts, NULL, NULL);
    gs_net_set_sgd(net, 0.1f, 0.9f, 0, 0.0f);
    float loss;
    CHECK(gs_net_train_step(net, x, y, N, 1, &loss) == GS_OK, "first step");
    float *before = snapshot_state(net);
    x[3] = INFINITY;
    int st = gs_net_train_step(net, x, y, N, 1, &loss);
    CHECK(st == GS_NONFINITE, "status %d", st);
    CHECK(gs_net_nonfinite_layer(net) == 0, "non-finite layer %d", gs_net_nonfinite_layer(net));
    CHECK(gs_net_nonfinite_kind(net) == GS_NF_ACTIVATION, "kind %d", gs_net_nonfinite_kind(net));
    CHECK(gs_net_layer_stats(net)[GS_STAT_NONFINITE] == 1.0f, "stat flag not set");
    CHECK(same_state(net, before), "params or momentum changed by a skipped step");
    CHECK(gs_net_opt_step(net) == 1, "step counter %d", gs_net_opt_step(net));
    x[3] = 0.5f;
    CHECK(gs_net_train_step(net, x, y, N, 1, &loss) == GS_OK && gs_net_nonfinite_layer(net) == -1,
          "recovers after a clean batch");
    free(before);
    gs_net_free(net);
}

static void test_fit_epoch(void) {
    enum { N = 101 };
    float x[N * 2], y[N];
    xor_data(x, y, N);
    gs_net *net = make_net(2, GS_LOSS_BCE, 3, 3, UNITS, ACTS, BN, DROP);
    gs_net_set_adam(net, 0.01f, 0.9f, 0.999f, 1e-8f, 0.0f);
    CHECK(gs_net_set_dataset(net, N) == GS_OK, "dataset");
    memcpy(gs_net_data_x(net), x, sizeof x);
    memcpy(gs_net_data_y(net), y, sizeof y);
    float first = 0, loss = 0;
    for (int e = 0; e < 60; e++) {
        CHECK(gs_net_fit_epoch(net, 10, 1, &loss) == GS_OK, "epoch %d", e);
        if (e == 0) first = loss;
    }
    /* 101 rows in batches of 10: 10 full batches, a final batch of 1 is skipped with BN */
    CHECK(gs_net_epoch_steps(net) == 10, "steps %d", gs_net_epoch_steps(net));
    const float *log = gs_net_epoch_log(net);
    CHECK(log[(GS_ROW_HEAD + 3 * GS_STAT_COUNT) * 9 + GS_ROW_HEAD + GS_STAT_GRAD_NORM] > 0.0f, "log holds gradient norms");
    printf("  fit: epoch loss %.4f -> %.4f\n", first, loss);
    CHECK(loss < 0.6f * first, "fit did not learn: %g -> %g", first, loss);
    gs_net_free(net);
}

/* max-norm: after every update no unit's incoming row is longer than max_norm, rows that
 * were longer sit at max_norm (to 1e-6), the statistics describe the renormed weights, and a
 * twin without the constraint ends elsewhere */
static void test_max_norm(void) {
    enum { N = 64 };
    float x[N * 2], y[N];
    xor_data(x, y, N);
    const int units[] = {16, 8, 1}, acts[] = {GS_ACT_RELU, GS_ACT_TANH, GS_ACT_LINEAR};
    gs_net *net = make_net(2, GS_LOSS_BCE, 4, 3, units, acts, NULL, NULL);
    gs_net *free_net = make_net(2, GS_LOSS_BCE, 4, 3, units, acts, NULL, NULL);
    CHECK(gs_net_set_max_norm(net, -1.0f) == GS_ERR_ARG && gs_net_set_max_norm(net, NAN) == GS_ERR_ARG &&
              gs_net_set_max_norm(net, INFINITY) == GS_ERR_ARG, "bad max_norm accepted");
    const float max_norm = 0.6f;
    CHECK(gs_net_set_max_norm(net, max_norm) == GS_OK, "max_norm");
    gs_net_set_sgd(net, 0.5f, 0.9f, 0, 0.0f);
    gs_net_set_sgd(free_net, 0.5f, 0.9f, 0, 0.0f);
    int at_bound = 0, longest_free = 0;
    for (int s = 0; s < 20; s++) {
        CHECK(gs_net_train_step(net, x, y, N, 1, NULL) == GS_OK, "step %d", s);
        gs_net_train_step(free_net, x, y, N, 1, NULL);
        for (int l = 0; l < 3; l++) {
            const int in = l ? units[l - 1] : 2;
            const float *w = gs_net_params(net) + gs_net_param_offset(net, l, GS_P_WEIGHT);
            double total = 0.0;
            for (int o = 0; o < units[l]; o++) {
                double sq = 0.0;
                for (int i = 0; i < in; i++) sq += (double)w[o * in + i] * w[o * in + i];
                CHECK(sqrt(sq) <= max_norm * (1 + 1e-6), "step %d layer %d unit %d: norm %.9g", s, l, o, sqrt(sq));
                at_bound += sqrt(sq) > max_norm * (1 - 1e-6);
                total += sq;
            }
            const float reported = gs_net_layer_stats(net)[l * GS_STAT_COUNT + GS_STAT_WEIGHT_NORM];
            CHECK(fabs(reported - sqrt(total)) <= 1e-6 * sqrt(total), "layer %d weight norm %g, renormed %g", l, reported, sqrt(total));
            const float *wf = gs_net_params(free_net) + gs_net_param_offset(free_net, l, GS_P_WEIGHT);
            for (int o = 0; o < units[l]; o++) {
                double sq = 0.0;
                for (int i = 0; i < in; i++) sq += (double)wf[o * in + i] * wf[o * in + i];
                longest_free += sqrt(sq) > max_norm;
            }
        }
    }
    printf("  max-norm %.1f: %d row-steps at the bound; without it %d row-steps beyond\n", max_norm, at_bound, longest_free);
    CHECK(at_bound > 20 && longest_free > 20, "the constraint never bound (%d, %d)", at_bound, longest_free);
    gs_net_free(net);
    gs_net_free(free_net);
}

static void test_bad_arguments(void) {
    CHECK(gs_net_create(0, GS_LOSS_MSE, 1) == NULL, "zero inputs");
    CHECK(gs_net_create(2, 7, 1) == NULL, "unknown loss");
    gs_net *net = gs_net_create(2, GS_LOSS_MSE, 1);
    CHECK(gs_net_build(net) == GS_ERR_STATE, "build without layers");
    CHECK(gs_net_add_layer(net, 0, GS_ACT_RELU, 0, 0.0f) == GS_ERR_ARG, "zero units");
    CHECK(gs_net_add_layer(net, 4, GS_ACT_SOFTSIGN + 1, 0, 0.0f) == GS_ERR_ARG, "unknown activation");
    CHECK(gs_net_add_layer(net, 4, GS_ACT_RELU, 0, 1.5f) == GS_ERR_ARG, "dropout 1.5");
    CHECK(gs_net_add_layer(net, 4, GS_ACT_RELU, 0, NAN) == GS_ERR_ARG, "dropout NaN");
    CHECK(gs_net_set_sgd(net, -0.1f, 0, 0, 0) == GS_ERR_ARG, "negative lr");
    CHECK(gs_net_set_sgd(net, NAN, 0, 0, 0) == GS_ERR_ARG, "NaN lr");
    CHECK(gs_net_set_adam(net, 0.1f, 1.0f, 0.999f, 1e-8f, 0) == GS_ERR_ARG, "beta1 = 1");
    CHECK(gs_net_add_layer(net, 4, GS_ACT_RELU, 1, 0.0f) == GS_OK, "valid layer");
    CHECK(gs_net_build(net) == GS_OK, "build");
    float x[2] = {1, 2}, y[4] = {0};
    CHECK(gs_net_train_step(net, x, y, 1, 1, NULL) == GS_ERR_BATCH, "batch of 1 with batch norm");
    float p[4];
    CHECK(gs_net_predict(net, x, 1, p) == GS_OK, "predict one row in eval mode works");
    gs_net_free(net);
    /* class indices out of range are refused, not read out of bounds */
    const int units[] = {3}, acts[] = {GS_ACT_LINEAR};
    gs_net *soft = make_net(2, GS_LOSS_SOFTMAX_CE, 1, 1, units, acts, NULL, NULL);
    float xs[4] = {1, 2, 3, 4}, bad[2] = {0, 3}, frac[2] = {0, 1.5f}, good[2] = {0, 2};
    float loss, acc;
    CHECK(gs_net_train_step(soft, xs, bad, 2, 1, &loss) == GS_ERR_ARG, "class 3 of 3");
    CHECK(gs_net_train_step(soft, xs, frac, 2, 1, &loss) == GS_ERR_ARG, "class 1.5");
    CHECK(gs_net_evaluate(soft, xs, bad, 2, &loss, &acc) == GS_ERR_ARG, "evaluate class 3 of 3");
    CHECK(gs_net_train_step(soft, xs, good, 2, 1, &loss) == GS_OK, "valid classes");
    gs_net_free(soft);
}

int main(void) {
    test_determinism_and_learning();
    test_gradients_only_has_no_side_effects();
    test_nonfinite_skips_update();
    test_fit_epoch();
    test_max_norm();
    test_bad_arguments();
    return check_summary("training");
}
