/* Where training goes wrong: sizes that would wrap, and every way a step can
 * turn non-finite. Each case checks that a refused or skipped call changes
 * nothing, in this network or in another one that stays alive beside it. */
#include "check.h"
#include "internal.h"

/* a second network that must be bit-identical after every refused call */
static gs_net *bystander;
static float *bystander_state;

static void bystander_unchanged(const char *after) {
    CHECK(same_state(bystander, bystander_state), "the other network changed after %s", after);
}

static void test_sizes_are_refused_not_wrapped(void) {
    /* in x out = 2^32 weights: wraps to 0 in 32-bit size_t */
    gs_net *net = gs_net_create(65536, GS_LOSS_MSE, 1);
    CHECK(gs_net_add_layer(net, 65536, GS_ACT_LINEAR, 0, 0.0f) == GS_OK, "add");
    CHECK(gs_net_build(net) == GS_ERR_NOMEM, "65536 x 65536 layer must be refused");
    gs_net_free(net);
    bystander_unchanged("a 65536 x 65536 layer");

    /* exactly 2^28 parameters (16384 x 16383 + 16384 biases): 4 GiB per copy */
    net = gs_net_create(16383, GS_LOSS_MSE, 1);
    gs_net_add_layer(net, 16384, GS_ACT_LINEAR, 0, 0.0f);
    CHECK(gs_net_build(net) == GS_ERR_NOMEM, "2^28 parameters must be refused");
    gs_net_free(net);
    bystander_unchanged("2^28 parameters");

    /* a 1 -> 65536 -> 1 network, then a batch whose workspace passes 4 GiB */
    net = gs_net_create(1, GS_LOSS_MSE, 1);
    gs_net_add_layer(net, 65536, GS_ACT_RELU, 0, 0.0f);
    gs_net_add_layer(net, 1, GS_ACT_LINEAR, 0, 0.0f);
    CHECK(gs_net_build(net) == GS_OK, "small network builds");
    CHECK(gs_net_workspace_bytes(net, 16384) > 4294967296.0, "workspace bytes %g", gs_net_workspace_bytes(net, 16384));
    static float x[16], y[16];
    /* the pointers are never read: the size check comes first */
    CHECK(gs_net_ensure_workspace(net, 16384) == GS_ERR_NOMEM, "16384-row workspace must be refused");
    CHECK(gs_net_train_step(net, x, y, 16, 1, NULL) == GS_OK, "a small batch still trains");
    bystander_unchanged("a 16384-row workspace");
    CHECK(gs_net_reserve_io(net, 65536) == GS_OK, "65536 rows of 1 input: 256 KiB");
    gs_net_free(net);

    /* predict staging: 65536 rows x 65536 outputs */
    net = gs_net_create(1, GS_LOSS_MSE, 1);
    gs_net_add_layer(net, 65536, GS_ACT_LINEAR, 0, 0.0f);
    gs_net_build(net);
    CHECK(gs_net_reserve_io(net, 65536) == GS_ERR_NOMEM, "65536 x 65536 outputs must be refused");
    CHECK(gs_net_set_dataset(net, 65536) == GS_ERR_NOMEM, "a 65536 x 65536 dataset must be refused");
    gs_net_free(net);
    bystander_unchanged("65536 x 65536 outputs");

    /* x alone is 3 GiB, but x + y + the row order pass 4 GiB: refused before any allocation */
    net = gs_net_create(3, GS_LOSS_MSE, 1);
    gs_net_add_layer(net, 1, GS_ACT_LINEAR, 0, 0.0f);
    gs_net_build(net);
    CHECK(gs_net_set_dataset(net, 1 << 28) == GS_ERR_NOMEM, "a dataset whose buffers sum past 4 GiB must be refused");
    CHECK(gs_net_reserve_io(net, 1 << 28) == GS_ERR_NOMEM, "staging whose buffers sum past 4 GiB must be refused");
    gs_net_free(net);
    bystander_unchanged("datasets summing past 4 GiB");

    CHECK(gs_alloc(UINT64_MAX, 4) == NULL && gs_alloc((uint64_t)1 << 30, 4) == NULL, "gs_alloc limits");
    CHECK(gs_mul(UINT64_MAX / 2, 3) == UINT64_MAX && gs_add(UINT64_MAX, 1) == UINT64_MAX, "saturating");
}

/* the fit log holds at most GS_LOG_STEPS steps per call, whatever the rows */
static void test_fit_log_is_bounded(void) {
    enum { N = 3000 };
    static float x[N], y[N];
    for (int i = 0; i < N; i++) x[i] = test_uniform(), y[i] = 2.0f * x[i];
    const int units[] = {4, 1}, acts[] = {GS_ACT_TANH, GS_ACT_LINEAR};
    gs_net *net = make_net(1, GS_LOSS_MSE, 2, 2, units, acts, NULL, NULL);
    gs_net_set_dataset(net, N);
    memcpy(gs_net_data_x(net), x, sizeof x), memcpy(gs_net_data_y(net), y, sizeof y);
    float loss = -1.0f;
    int calls = 0, steps = 0, status;
    do {
        status = gs_net_fit_steps(net, 1, 1, 100000, &loss);
        calls++;
        steps += gs_net_epoch_steps(net);
        CHECK(gs_net_epoch_steps(net) <= GS_LOG_STEPS, "log rows %d", gs_net_epoch_steps(net));
    } while (status == GS_MORE);
    CHECK(status == GS_OK && calls == 3 && steps == N, "status %d calls %d steps %d", status, calls, steps);
    CHECK(loss > 0.0f && isfinite(loss), "mean loss %g", loss);
    CHECK(gs_net_fit_steps(net, 2, 1, 10, &loss) == GS_MORE, "a new epoch starts");
    CHECK(gs_net_fit_steps(net, 3, 1, 10, &loss) == GS_ERR_STATE, "batch size changed mid-epoch");
    gs_net_free(net);
}

/* fit's histogram snapshots (every `every` steps, counted across calls) equal what
 * gs_net_layer_histograms returns after the same step of a twin run one step per call,
 * skipped steps included; a call of GS_LOG_STEPS steps stays within the buffer (ASan) */
static void test_fit_histogram_snapshots(void) {
    enum { N = 2100 };
    static float x[2 * N], y[N];
    for (int i = 0; i < 2 * N; i++) x[i] = test_uniform();
    for (int i = 0; i < N; i++) y[i] = x[2 * i] * x[2 * i + 1];
    x[2 * 40] = 3e38f; /* row 40 overflows: its step is skipped */
    const int units[] = {5, 1}, acts[] = {GS_ACT_RELU, GS_ACT_LINEAR};
    const float dropout[] = {0.2f, 0.0f};
    const size_t per = 2 * GS_HIST_QUANTITIES * GS_HIST_SLOTS;
    const struct { int every, batch, max_steps, bn; } cases[] = {
        {3, 7, 5, 1}, {10, 8, 4, 1}, {1, 1, 100000, 0}, {1000, 1, 100000, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const int every = cases[c].every, batch = cases[c].batch, bn[] = {cases[c].bn, 0};
        gs_net *a = make_net(2, GS_LOSS_MSE, 4, 2, units, acts, bn, dropout);
        gs_net *b = make_net(2, GS_LOSS_MSE, 4, 2, units, acts, bn, dropout);
        for (gs_net *n = a; n; n = n == a ? b : NULL) {
            gs_net_set_dataset(n, N);
            memcpy(gs_net_data_x(n), x, sizeof x), memcpy(gs_net_data_y(n), y, sizeof y);
        }
        CHECK(gs_net_set_fit_histograms(a, -1) == GS_ERR_ARG, "every -1 refused");
        CHECK(gs_net_set_fit_histograms(a, every) == GS_OK, "every %d", every);
        const int steps = 2 * ((N - 1) / batch + 1) + 3; /* across an epoch boundary */
        int done = 0, taken = 0, mismatched = 0, skipped = 0, failed = 0;
        float loss;
        while (done < steps) {
            const int want = steps - done < cases[c].max_steps ? steps - done : cases[c].max_steps;
            failed |= gs_net_fit_steps(a, batch, 1, want, &loss) < 0;
            const int ran = gs_net_epoch_steps(a), count = gs_net_fit_histogram_count(a);
            CHECK(count <= GS_LOG_STEPS / every + 1, "every %d: %d snapshots in a call", every, count);
            for (int k = 0, i = 0; k < ran; k++) {
                failed |= gs_net_fit_steps(b, batch, 1, 1, &loss) < 0;
                skipped += gs_net_nonfinite_kind(b) != GS_NF_NONE;
                if ((done + k + 1) % every) continue;
                const uint32_t *h = gs_net_layer_histograms(b);
                mismatched += i >= count || gs_net_fit_histogram_steps(a)[i] != (uint32_t)k ||
                              memcmp(gs_net_fit_histograms(a) + i * per, h, per * sizeof *h) != 0;
                i++, taken++;
            }
            done += ran;
        }
        CHECK(!failed && skipped >= 2 && !mismatched && taken == steps / every,
              "every %d: %d of %d snapshots differ (%d skipped steps)", every, mismatched, taken, skipped);
        float *state = snapshot_state(b);
        CHECK(same_state(a, state), "every %d: the same training", every);
        free(state);
        gs_net_free(a), gs_net_free(b);
    }
}

/* train one step with `update`; check it was skipped with (layer, kind) and changed nothing */
static void expect_skipped(gs_net *net, const float *x, const float *y, int B, int layer, int kind,
                           const char *what) {
    float *before = snapshot_state(net);
    float loss;
    const int status = gs_net_train_step(net, x, y, B, 1, &loss);
    CHECK(status == GS_NONFINITE, "%s: status %d", what, status);
    CHECK(gs_net_nonfinite_layer(net) == layer && gs_net_nonfinite_kind(net) == kind,
          "%s: layer %d kind %d, expected layer %d kind %d", what, gs_net_nonfinite_layer(net),
          gs_net_nonfinite_kind(net), layer, kind);
    CHECK(same_state(net, before), "%s: a skipped step changed the network", what);
    free(before);
}

static void test_nonfinite_guard(void) {
    enum { B = 8 };
    float x[B * 2], y[B];
    for (int i = 0; i < B * 2; i++) x[i] = test_uniform();
    for (int i = 0; i < B; i++) y[i] = x[2 * i] > 0.0f;

    /* NaN through ReLU: relu(NaN) = NaN, so the loss is NaN, not a plausible number */
    const int units[] = {4, 1}, relu[] = {GS_ACT_RELU, GS_ACT_LINEAR};
    gs_net *net = make_net(2, GS_LOSS_BCE, 3, 2, units, relu, NULL, NULL);
    float xnan[B * 2];
    memcpy(xnan, x, sizeof x);
    xnan[0] = NAN;
    expect_skipped(net, xnan, y, B, 0, GS_NF_ACTIVATION, "NaN input through ReLU");
    float out[B];
    CHECK(gs_net_predict(net, xnan, B, out) == GS_OK && isnan(out[0]), "NaN input predicts %g", out[0]);
    gs_net_free(net);

    /* an update that overflows: learning rate 3e38 on gradients far above 1 */
    net = make_net(2, GS_LOSS_BCE, 3, 2, units, relu, NULL, NULL);
    gs_net_set_sgd(net, 3e38f, 0.9f, 0, 0.0f);
    float xk[B * 2];
    for (int i = 0; i < B * 2; i++) xk[i] = 1000.0f * x[i];
    expect_skipped(net, xk, y, B, 0, GS_NF_UPDATE, "overflowing update");
    CHECK(gs_net_opt_step(net) == 0, "step count %d", gs_net_opt_step(net));
    gs_net_set_sgd(net, 0.1f, 0.9f, 0, 0.0f);
    CHECK(gs_net_train_step(net, x, y, B, 1, NULL) == GS_OK, "trains after a skipped update");
    gs_net_free(net);

    /* Adam: inputs of 1e11 give a finite loss (~1e22) and gradients (~1e22),
     * but the second moment (1-beta2) g^2 overflows while the parameters stay finite */
    net = make_net(2, GS_LOSS_MSE, 3, 2, units, (const int[]){GS_ACT_LINEAR, GS_ACT_LINEAR}, NULL, NULL);
    gs_net_set_adam(net, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f);
    float xbig[B * 2], ybig[B];
    for (int i = 0; i < B * 2; i++) xbig[i] = 1e11f * x[i];
    for (int i = 0; i < B; i++) ybig[i] = 0.0f;
    expect_skipped(net, xbig, ybig, B, 0, GS_NF_UPDATE, "Adam second moment overflow");
    gs_net_free(net);

    /* mse with 1e20 targets: finite in double, Infinity as float32 */
    net = make_net(2, GS_LOSS_MSE, 3, 2, units, relu, NULL, NULL);
    for (int i = 0; i < B; i++) ybig[i] = 1e20f;
    expect_skipped(net, x, ybig, B, 2, GS_NF_LOSS, "mse loss overflow");
    gs_net_free(net);

    /* one batch-norm batch with 1e20: the batch variance overflows */
    const int bn[] = {1, 0};
    net = make_net(2, GS_LOSS_BCE, 3, 2, units, relu, bn, NULL);
    float xhuge[B * 2];
    memcpy(xhuge, x, sizeof x);
    xhuge[0] = 1e20f;
    expect_skipped(net, xhuge, y, B, 0, GS_NF_BN_STATS, "batch-norm variance overflow");
    CHECK(gs_net_train_step(net, x, y, B, 1, NULL) == GS_OK, "trains after");
    CHECK(isfinite(gs_net_running(net, 0)[4]), "running var finite");
    gs_net_free(net);
}

/* tanh and sigmoid over whole arrays (the SIMD build: blocks of 16, then of 4, then single
 * values; a vector with a lane below -4 as scalar) give each value the bits it gets alone
 * (the scalar code), for every length up to 40 and values that put the low tail, the
 * saturated ends and NaN in random lanes */
static void test_tanh_sigmoid_blocks(void) {
    enum { MAX_N = 40 };
    for (int act = GS_ACT_SIGMOID; act <= GS_ACT_TANH; act++)
        for (int n = 1; n <= MAX_N; n++)
            for (int trial = 0; trial < 20; trial++) {
                float v[MAX_N], alone[MAX_N];
                for (int i = 0; i < n; i++) {
                    const float u = test_uniform(); /* [-1, 1) */
                    const float r = test_uniform();
                    v[i] = r > 0.9f ? -4.0f - 20.0f * (u + 1.0f) : r > 0.8f ? 17.0f * u : r > 0.79f ? NAN : 5.0f * u;
                    alone[i] = v[i];
                    gs_activation_forward(alone + i, 1, act);
                }
                gs_activation_forward(v, n, act);
                for (int i = 0; i < n; i++)
                    CHECK(memcmp(v + i, alone + i, sizeof(float)) == 0, "activation %d, n %d, lane %d: %.9g in the array, %.9g alone",
                          act, n, i, v[i], alone[i]);
            }
}

/* tanh and sigmoid saturate exactly where float32 libm does; derivative exactly 0 */
static void test_exact_saturation(void) {
    float h[8] = {9.01091385f, -9.01091385f, 20.0f, -1e30f, 16.6355324f, 40.0f, -110.0f, NAN};
    gs_activation_forward(h, 4, GS_ACT_TANH);
    CHECK(h[0] == 1.0f && h[1] == -1.0f && h[2] == 1.0f && h[3] == -1.0f, "tanh %g %g %g %g", h[0], h[1], h[2], h[3]);
    gs_activation_forward(h + 4, 4, GS_ACT_SIGMOID);
    CHECK(h[4] == 1.0f && h[5] == 1.0f && h[6] == 0.0f && isnan(h[7]), "sigmoid %g %g %g %g", h[4], h[5], h[6], h[7]);
    float d[4] = {1, 1, 1, 1};
    gs_activation_backward(d, h, NULL, 4, GS_ACT_TANH);
    CHECK(d[0] == 0.0f && d[1] == 0.0f, "tanh' at saturation %g %g", d[0], d[1]);
    /* one float below the threshold: not yet saturated, as tanhf */
    float below = nextafterf(9.01091385f, 0.0f);
    gs_activation_forward(&below, 1, GS_ACT_TANH);
    CHECK(below < 1.0f, "tanh just below the threshold %.9g", below);
    /* sigmoid's negative tail follows libm's e^z / (1 + e^z): no early cancellation to 0 */
    float tail[5] = {-18.1f, -20.0f, -40.0f, -4.5f, -3.9f};
    gs_activation_forward(tail, 5, GS_ACT_SIGMOID);
    const float zs[5] = {-18.1f, -20.0f, -40.0f, -4.5f, -3.9f};
    for (int i = 0; i < 5; i++) {
        const double expected = 1.0 / (1.0 + exp(-(double)zs[i]));
        /* the rational form above -4 is good to 1.7e-7 absolute: 1e-5 relative at -3.9 */
        const double tolerance = zs[i] < -4.0f ? 2e-7 : 1e-5;
        CHECK(fabs(tail[i] - expected) <= tolerance * expected, "sigmoid(%g) = %g, libm %g", zs[i], tail[i], expected);
    }
    /* NaN through every activation */
    for (int act = GS_ACT_LINEAR; act <= GS_ACT_SOFTSIGN; act++) {
        float v[5] = {NAN, NAN, NAN, NAN, NAN};
        gs_activation_forward(v, 5, act);
        for (int i = 0; i < 5; i++) CHECK(isnan(v[i]), "activation %d lane %d maps NaN to %g", act, i, v[i]);
    }
    /* softsign: z / (1 + |z|) and 1 / (1 + |z|)^2 from z, exact where float allows;
     * +-Inf gives NaN as torch's x / (1 + |x|) does */
    const float sz[6] = {3.0f, -3.0f, 0.0f, 1e4f, -1e30f, INFINITY};
    float sh[6], sd[6] = {1, 1, 1, 1, 1, 1};
    memcpy(sh, sz, sizeof sz);
    gs_activation_forward(sh, 6, GS_ACT_SOFTSIGN);
    gs_activation_backward(sd, sh, sz, 6, GS_ACT_SOFTSIGN);
    CHECK(sh[0] == 0.75f && sh[1] == -0.75f && sh[2] == 0.0f && sh[4] == -1.0f && isnan(sh[5]), "softsign %g %g %g %g %g",
          sh[0], sh[1], sh[2], sh[4], sh[5]);
    CHECK(fabsf(sh[3] - 10000.0f / 10001.0f) <= 6e-8f, "softsign(1e4) = %.9g", sh[3]);
    CHECK(sd[0] == 1.0f / 16 && sd[1] == 1.0f / 16 && sd[2] == 1.0f && sd[4] == 0.0f, "softsign' %g %g %g %g", sd[0], sd[1], sd[2], sd[4]);
    /* from z, the derivative at 1e4 keeps float precision ((1 - |h|)^2 would be off by 1e-4 relative) */
    CHECK(fabs(sd[3] - 1.0 / (10001.0 * 10001.0)) <= 1e-6 / (10001.0 * 10001.0), "softsign'(1e4) = %.9g", sd[3]);
}

/* evaluate never counts a NaN output as a correct prediction */
static void test_nan_is_never_correct(void) {
    const float logits[4] = {NAN, NAN, NAN, NAN};
    const float y2[4] = {0, 0, 0, 0}, cls[2] = {0, 0};
    CHECK(gs_loss_correct(logits, y2, 4, 1, GS_LOSS_BCE) == 0, "bce");
    CHECK(gs_loss_correct(logits, cls, 2, 2, GS_LOSS_SOFTMAX_CE) == 0, "softmax");
}

/* max-norm when max_norm / norm is below FLT_MIN: a float factor would be subnormal (5 x 2^-149
 * for the fuzzer's 1.59e-30 / 2.29e14, 1% over max_norm; 2 x 2^-149 for 1.6 x 2^-149, 25% over).
 * The row must still end up no longer than max_norm. */
static void test_max_norm_tiny_ratio(void) {
    const int units[] = {1}, acts[] = {GS_ACT_LINEAR};
    const double ratios[] = {1.6, 5.0 * 0.99, 1.4, 0.3, 3.0 * 1.2};
    for (int k = 0; k < (int)(sizeof ratios / sizeof *ratios); k++) {
        gs_net *net = make_net(1, GS_LOSS_MSE, 1, 1, units, acts, NULL, NULL);
        gs_net_set_sgd(net, 0.0f, 0.0f, 0, 0.0f); /* the update leaves W as set: only the renorm acts */
        float *p = gs_net_params(net);
        p[gs_net_param_offset(net, 0, GS_P_WEIGHT)] = 1e15f;
        p[gs_net_param_offset(net, 0, GS_P_BIAS)] = 0.0f;
        const float max_norm = (float)(ratios[k] * ldexp(1.0, -149) * 1e15);
        CHECK(gs_net_set_max_norm(net, max_norm) == GS_OK, "set_max_norm(%g)", max_norm);
        float x[2] = {1e-3f, -1e-3f}, y[2] = {0.0f, 0.0f}, loss;
        CHECK(gs_net_train_step(net, x, y, 2, 1, &loss) == GS_OK, "step with max_norm %g", max_norm);
        const float w = gs_net_params(net)[gs_net_param_offset(net, 0, GS_P_WEIGHT)];
        CHECK(fabs((double)w) <= (double)max_norm * (1.0 + 1e-6), "max_norm %g (ratio %g x 2^-149): |w| = %g after the step",
              max_norm, ratios[k], w);
        gs_net_free(net);
    }
}

int main(void) {
    const int units[] = {6, 3}, acts[] = {GS_ACT_TANH, GS_ACT_LINEAR}, bn[] = {1, 0};
    bystander = make_net(2, GS_LOSS_SOFTMAX_CE, 9, 2, units, acts, bn, NULL);
    gs_net_set_adam(bystander, 0.01f, 0.9f, 0.999f, 1e-8f, 0.0f);
    float x[8] = {0.1f, 0.2f, -0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f}, y[4] = {0, 1, 2, 1};
    gs_net_train_step(bystander, x, y, 4, 1, NULL);
    bystander_state = snapshot_state(bystander);

    test_sizes_are_refused_not_wrapped();
    test_fit_log_is_bounded();
    test_fit_histogram_snapshots();
    test_nonfinite_guard();
    test_exact_saturation();
    test_tanh_sigmoid_blocks();
    test_nan_is_never_correct();
    test_max_norm_tiny_ratio();

    float out[12], again[12];
    gs_net_predict(bystander, x, 4, out);
    bystander_unchanged("everything");
    gs_net_predict(bystander, x, 4, again);
    CHECK(memcmp(out, again, sizeof out) == 0, "bystander predictions");
    free(bystander_state);
    gs_net_free(bystander);
    return check_summary("edges");
}
