/* Layer kinds on their own: dropout statistics, batch norm train vs eval,
 * numerically extreme losses, initializer statistics. */
#include "check.h"
#include "internal.h"

static void test_dropout_statistics(void) {
    enum { N = 200000 };
    float *h = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float)), *mask = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++) h[i] = 1.0f + 0.5f * test_uniform();
    gs_rng rng;
    gs_rng_seed(&rng, 3);
    const float ps[] = {0.1f, 0.5f, 0.9f};
    for (int k = 0; k < 3; k++) {
        const float p = ps[k];
        gs_dropout_forward(y, mask, h, N, p, &rng);
        int kept = 0, scaled_ok = 1;
        double sum_h = 0, sum_y = 0;
        for (int i = 0; i < N; i++) {
            if (mask[i] != 0.0f) {
                kept++;
                scaled_ok &= fabsf(y[i] - h[i] / (1.0f - p)) <= 1e-6f * fabsf(y[i]);
            } else {
                scaled_ok &= y[i] == 0.0f;
            }
            sum_h += h[i], sum_y += y[i];
        }
        const double rate = (double)kept / N, sigma = sqrt(p * (1 - p) / N);
        printf("  dropout p=%.1f keep rate %.4f (expected %.4f, sigma %.4f), mean ratio %.4f\n", p,
               rate, 1 - p, sigma, sum_y / sum_h);
        CHECK(fabs(rate - (1 - p)) < 5 * sigma, "p=%g keep rate %g", p, rate);
        CHECK(scaled_ok, "p=%g: kept values must be h/(1-p), dropped ones 0", p);
        CHECK(fabs(sum_y / sum_h - 1.0) < 0.02, "p=%g: expectation not preserved: %g", p, sum_y / sum_h);
    }
    gs_dropout_forward(y, mask, h, N, 1.0f, &rng);
    int zeros = 1;
    for (int i = 0; i < N; i++) zeros &= y[i] == 0.0f && mask[i] == 0.0f;
    CHECK(zeros, "p=1 must output exactly zeros");
    free(h), free(y), free(mask);
}

/* p = 1 in a network: zero outputs, finite loss, no gradient below it */
static void test_dropout_one_in_network(void) {
    const int units[] = {16, 1}, acts[] = {GS_ACT_RELU, GS_ACT_LINEAR};
    const float dropout[] = {1.0f, 0.0f};
    gs_net *net = make_net(3, GS_LOSS_BCE, 1, 2, units, acts, NULL, dropout);
    float x[8 * 3], y[8];
    for (int i = 0; i < 24; i++) x[i] = test_uniform();
    fill_targets(y, 8, 1, GS_LOSS_BCE);
    float loss;
    for (int s = 0; s < 5; s++) CHECK(gs_net_train_step(net, x, y, 8, 1, &loss) == GS_OK, "step");
    CHECK(isfinite(loss), "loss %g", loss);
    const float *g = gs_net_grads(net);
    double below = gs_sumsq(g + gs_net_param_offset(net, 0, GS_P_WEIGHT), 16 * 3) +
                   gs_sumsq(g + gs_net_param_offset(net, 0, GS_P_BIAS), 16);
    double top_w = gs_sumsq(g + gs_net_param_offset(net, 1, GS_P_WEIGHT), 16);
    CHECK(below == 0.0, "layer under dropout 1.0 got gradient %g", below);
    CHECK(top_w == 0.0, "output weights see only zeros, gradient %g", top_w);
    gs_net_free(net);
}

/* same seed, same init; dropout must be the identity in eval mode */
static void test_dropout_eval_identity(void) {
    const int units[] = {32, 2}, acts[] = {GS_ACT_TANH, GS_ACT_LINEAR};
    const float dropout[] = {0.5f, 0.0f};
    gs_net *a = make_net(4, GS_LOSS_MSE, 9, 2, units, acts, NULL, dropout);
    gs_net *b = make_net(4, GS_LOSS_MSE, 9, 2, units, acts, NULL, NULL);
    float x[10 * 4], pa[20], pb[20];
    for (int i = 0; i < 40; i++) x[i] = test_uniform();
    gs_net_predict(a, x, 10, pa);
    gs_net_predict(b, x, 10, pb);
    CHECK(memcmp(pa, pb, sizeof pa) == 0, "eval output differs with dropout");
    gs_net_free(a), gs_net_free(b);
}

static void test_batchnorm_train_eval(void) {
    enum { B = 16, IN = 3, C = 5 };
    const int units[] = {C}, acts[] = {GS_ACT_LINEAR}, bn[] = {1};
    gs_net *net = make_net(IN, GS_LOSS_MSE, 5, 1, units, acts, bn, NULL);
    gs_net_set_sgd(net, 0.0f, 0.0f, 0, 0.0f); /* lr 0: only running stats move */
    float x[B * IN], y[B * C], out[B * C];
    for (int i = 0; i < B * IN; i++) x[i] = 2.0f * test_uniform() + 1.0f;
    for (int i = 0; i < B * C; i++) y[i] = 0.0f;
    float loss;
    gs_net_train_step(net, x, y, B, 1, &loss);
    /* training output: per-feature mean 0 and biased variance 1 */
    const gs_layer *L = &net->layers[0];
    double worst_mean = 0, worst_var = 0;
    for (int c = 0; c < C; c++) {
        double m = 0, v = 0;
        for (int r = 0; r < B; r++) m += L->h[r * C + c];
        m /= B;
        for (int r = 0; r < B; r++) v += (L->h[r * C + c] - m) * (L->h[r * C + c] - m);
        v /= B;
        worst_mean = fmax(worst_mean, fabs(m));
        worst_var = fmax(worst_var, fabs(v - 1.0));
    }
    CHECK(worst_mean < 1e-5 && worst_var < 1e-3, "train output mean %g var-1 %g", worst_mean, worst_var);
    /* after many steps on one batch, running stats converge to the batch mean
     * and the unbiased variance: eval output = (z - mean) / sqrt(var*B/(B-1) + eps) */
    for (int s = 0; s < 300; s++) gs_net_train_step(net, x, y, B, 1, &loss);
    gs_net_predict(net, x, B, out);
    const float *w = gs_net_params(net), *b = w + gs_net_param_offset(net, 0, GS_P_BIAS);
    double worst = 0;
    for (int c = 0; c < C; c++) {
        double z[B], m = 0, v = 0;
        for (int r = 0; r < B; r++) {
            z[r] = b[c];
            for (int i = 0; i < IN; i++) z[r] += (double)w[c * IN + i] * x[r * IN + i];
            m += z[r];
        }
        m /= B;
        for (int r = 0; r < B; r++) v += (z[r] - m) * (z[r] - m);
        v /= (B - 1);
        for (int r = 0; r < B; r++)
            worst = fmax(worst, fabs(out[r * C + c] - (z[r] - m) / sqrt(v + 1e-5)));
    }
    printf("  batchnorm eval vs expected running-stat output: worst %.2e\n", worst);
    CHECK(worst < 1e-4, "eval output off by %g", worst);
    gs_net_free(net);
}

static void test_extreme_logits(void) {
    float logits[3] = {1e4f, -1e4f, 0.0f}, d[3];
    float t_bce[3] = {0.0f, 0.0f, 1.0f};
    double l = gs_loss_forward_backward(d, logits, t_bce, 1, 3, GS_LOSS_BCE);
    /* (1e4 + 0 + log 2) / 3 */
    const double want = (1e4 + log(2.0)) / 3.0;
    CHECK(fabs(l - want) < 1e-6 * want, "bce %g want %g", l, want);
    CHECK(isfinite(d[0]) && isfinite(d[1]) && isfinite(d[2]), "bce gradient not finite");
    CHECK(fabsf(d[0] - 1.0f / 3) < 1e-6f && fabsf(d[2] + 0.5f / 3) < 1e-6f, "bce grad %g %g", d[0], d[2]);
    float cls = 1.0f;
    l = gs_loss_forward_backward(d, logits, &cls, 1, 3, GS_LOSS_SOFTMAX_CE);
    CHECK(fabs(l - 2e4) < 1e-2, "softmax-ce %g want 2e4", l);
    CHECK(fabsf(d[0] - 1.0f) < 1e-6f && fabsf(d[1] + 1.0f) < 1e-6f && fabsf(d[2]) < 1e-6f,
          "softmax-ce grad %g %g %g", d[0], d[1], d[2]);
    cls = 0.0f;
    l = gs_loss_forward_backward(d, logits, &cls, 1, 3, GS_LOSS_SOFTMAX_CE);
    CHECK(l == 0.0, "softmax-ce of the winning class %g", l);
    float p[3];
    gs_loss_probabilities(p, logits, 1, 3, GS_LOSS_SOFTMAX_CE);
    CHECK(p[0] == 1.0f && p[1] == 0.0f, "softmax probabilities %g %g", p[0], p[1]);
    gs_loss_probabilities(p, logits, 1, 3, GS_LOSS_BCE);
    CHECK(p[0] == 1.0f && p[1] == 0.0f && p[2] == 0.5f, "sigmoid probabilities %g %g %g", p[0], p[1], p[2]);
}

static void test_init_statistics(void) {
    const int units[] = {400, 300}, acts[] = {GS_ACT_RELU, GS_ACT_LINEAR};
    const int kinds[] = {GS_INIT_HE, GS_INIT_LECUN, GS_INIT_XAVIER, GS_INIT_PYTORCH, GS_INIT_NORMAL, GS_INIT_UNIFORM, GS_INIT_ZEROS};
    const char *names[] = {"he", "lecun", "xavier", "pytorch", "normal(0.05)", "uniform(0.2)", "zeros"};
    const int fan_in = 500, fan_out = 400;
    const double want_std[] = {sqrt(2.0 / fan_in), sqrt(1.0 / fan_in),
                               sqrt(6.0 / (fan_in + fan_out)) / sqrt(3.0), 1.0 / sqrt(fan_in) / sqrt(3.0),
                               0.05, 0.2 / sqrt(3.0), 0.0};
    for (int k = 0; k < 7; k++) {
        gs_net *net = gs_net_create(fan_in, GS_LOSS_MSE, 11);
        gs_net_set_init(net, kinds[k], kinds[k] == GS_INIT_NORMAL ? 0.05f : 0.2f);
        for (int l = 0; l < 2; l++) gs_net_add_layer(net, units[l], acts[l], 0, 0.0f);
        gs_net_build(net);
        const float *w = gs_net_params(net);
        const int n = fan_in * fan_out;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) s += w[i], s2 += (double)w[i] * w[i];
        const double mean = s / n, std = sqrt(s2 / n - mean * mean);
        printf("  init %-13s std %.5f (expected %.5f)\n", names[k], std, want_std[k]);
        CHECK(fabs(std - want_std[k]) <= 0.01 * want_std[k] + 1e-12, "%s std %g want %g", names[k], std, want_std[k]);
        CHECK(fabs(mean) < 0.01 * want_std[k] + 1e-12, "%s mean %g", names[k], mean);
        gs_net_free(net);
    }
}

/* init bias: the type's default (pytorch: U(+-1/sqrt(fan_in)), others 0), zeros, uniform,
 * normal(std); weights are drawn first, so a layer's weights do not depend on its bias kind */
static void test_init_bias(void) {
    enum { FAN_IN = 500, UNITS = 4000 };
    const int units[] = {UNITS, 3}, acts[] = {GS_ACT_RELU, GS_ACT_LINEAR};
    const int kinds[][2] = {{GS_INIT_PYTORCH, GS_BIAS_DEFAULT}, {GS_INIT_PYTORCH, GS_BIAS_ZEROS}, {GS_INIT_HE, GS_BIAS_DEFAULT},
                            {GS_INIT_HE, GS_BIAS_UNIFORM}, {GS_INIT_LECUN, GS_BIAS_NORMAL}, {GS_INIT_ZEROS, GS_BIAS_NORMAL}};
    const double limit = 1.0 / sqrt(FAN_IN);
    const double want_std[] = {limit / sqrt(3.0), 0.0, 0.0, limit / sqrt(3.0), 0.3, 0.3};
    float *first_w = malloc(sizeof(float) * FAN_IN * UNITS);
    for (int k = 0; k < 6; k++) {
        gs_net *net = gs_net_create(FAN_IN, GS_LOSS_MSE, 11);
        gs_net_set_init(net, kinds[k][0], 0.0f);
        CHECK(gs_net_set_init_bias(net, kinds[k][1], 0.3f) == GS_OK, "set_init_bias %d", k);
        for (int l = 0; l < 2; l++) gs_net_add_layer(net, units[l], acts[l], 0, 0.0f);
        gs_net_build(net);
        const float *w = gs_net_params(net), *b = w + gs_net_param_offset(net, 0, GS_P_BIAS);
        double s = 0, s2 = 0, most = 0;
        for (int i = 0; i < UNITS; i++) s += b[i], s2 += (double)b[i] * b[i], most = fmax(most, fabs(b[i]));
        const double mean = s / UNITS, std = sqrt(s2 / UNITS - mean * mean);
        printf("  init bias case %d: std %.5f (expected %.5f), max |b| %.5f\n", k, std, want_std[k], most);
        CHECK(fabs(std - want_std[k]) <= 0.05 * want_std[k], "case %d bias std %g want %g", k, std, want_std[k]);
        CHECK(fabs(mean) <= 0.1 * want_std[k], "case %d bias mean %g", k, mean);
        if (kinds[k][1] == GS_BIAS_UNIFORM || (kinds[k][0] == GS_INIT_PYTORCH && kinds[k][1] == GS_BIAS_DEFAULT))
            CHECK(most <= limit && most > 0.99 * limit, "case %d max |b| %g, limit %g", k, most, limit);
        /* the pytorch weights of layer 0 are the same with either bias */
        if (k == 0) memcpy(first_w, w, sizeof(float) * FAN_IN * UNITS);
        if (k == 1) CHECK(memcmp(first_w, w, sizeof(float) * FAN_IN * UNITS) == 0, "pytorch weights changed with bias zeros");
        gs_net_free(net);
    }
    free(first_w);
    gs_net *net = gs_net_create(3, GS_LOSS_MSE, 1);
    CHECK(gs_net_set_init_bias(net, 4, 0.0f) == GS_ERR_ARG, "unknown bias kind accepted");
    CHECK(gs_net_set_init_bias(net, GS_BIAS_NORMAL, -1.0f) == GS_ERR_ARG, "negative bias std accepted");
    CHECK(gs_net_set_init_bias(net, GS_BIAS_NORMAL, NAN) == GS_ERR_ARG, "NaN bias std accepted");
    CHECK(gs_net_set_init_bias(net, GS_BIAS_NORMAL, INFINITY) == GS_ERR_ARG, "infinite bias std accepted");
    gs_net_free(net);
}

/* orthogonal: W W^T = gain^2 I for wide layers (out < in), W^T W = gain^2 I for tall ones,
 * both for square; entries of a square N x N one have std gain / sqrt(N); seeds differ */
static void test_init_orthogonal(void) {
    const int shapes[][2] = {{64, 64}, {40, 90}, {90, 40}, {1, 7}, {7, 1}, {300, 300}}; /* (in, out) */
    const float gains[] = {1.0f, 1.5f, 0.5f, 1.0f, 2.0f, 1.0f};
    for (int k = 0; k < 6; k++) {
        const int in = shapes[k][0], out = shapes[k][1];
        const float gain = gains[k];
        gs_net *net = gs_net_create(in, GS_LOSS_MSE, 21);
        CHECK(gs_net_set_init(net, GS_INIT_ORTHOGONAL, gain) == GS_OK, "set_init orthogonal");
        gs_net_add_layer(net, out, GS_ACT_TANH, 0, 0.0f);
        CHECK(gs_net_build(net) == GS_OK, "build");
        const float *w = gs_net_params(net), *b = w + gs_net_param_offset(net, 0, GS_P_BIAS);
        /* the Gram matrix of the shorter side: rows (out <= in) or columns */
        const int wide = out <= in, n = wide ? out : in, len = wide ? in : out;
        double worst = 0.0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double dot = 0.0;
                for (int t = 0; t < len; t++)
                    dot += wide ? (double)w[i * in + t] * w[j * in + t] : (double)w[t * in + i] * w[t * in + j];
                worst = fmax(worst, fabs(dot - (i == j ? (double)gain * gain : 0.0)));
            }
        int zero_bias = 1;
        for (int o = 0; o < out; o++) zero_bias &= b[o] == 0.0f;
        printf("  orthogonal %3d x %3d gain %.1f: worst |Gram - gain^2 I| %.2e\n", out, in, gain, worst);
        CHECK(worst < 1e-5 * gain * gain, "%d x %d: Gram matrix off by %g", out, in, worst);
        CHECK(zero_bias, "orthogonal biases start at 0");
        if (in == 300) {
            double s2 = 0.0;
            for (int i = 0; i < in * out; i++) s2 += (double)w[i] * w[i];
            CHECK(fabs(sqrt(s2 / (in * out)) - 1.0 / sqrt(300.0)) < 1e-6, "300 x 300 entry std %g", sqrt(s2 / (in * out)));
            gs_net *other = gs_net_create(in, GS_LOSS_MSE, 22);
            gs_net_set_init(other, GS_INIT_ORTHOGONAL, 1.0f);
            gs_net_add_layer(other, out, GS_ACT_TANH, 0, 0.0f);
            gs_net_build(other);
            CHECK(memcmp(w, gs_net_params(other), sizeof(float) * in * out) != 0, "another seed, another matrix");
            gs_net_free(other);
        }
        gs_net_free(net);
    }
}

int main(void) {
    test_init_orthogonal();
    test_init_bias();
    test_dropout_statistics();
    test_dropout_one_in_network();
    test_dropout_eval_identity();
    test_batchnorm_train_eval();
    test_extreme_logits();
    test_init_statistics();
    return check_summary("layers");
}
