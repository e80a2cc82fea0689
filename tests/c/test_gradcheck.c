/* Central-difference gradient checks for every layer kind: activations,
 * batch norm, dropout (masks are fixed because a gradients-only pass restores
 * the RNG), and each loss. Prints the worst relative difference per case. */
#include "check.h"
#include "internal.h"

static double loss_at(gs_net *net, const float *x, const float *y, int B) {
    float loss;
    int st = gs_net_train_step(net, x, y, B, 0, &loss);
    if (st < 0) { fprintf(stderr, "train_step failed: %d\n", st); exit(2); }
    return loss;
}

/* The pattern of active units (h > 0) of every layer: a finite difference is
 * only meaningful when +eps and -eps leave it unchanged (no ReLU kink crossed). */
static unsigned long active_pattern(const gs_net *net, int B) {
    unsigned long hash = 1469598103u;
    for (int l = 0; l < net->n_layers; l++)
        if (net->layers[l].act == GS_ACT_RELU || net->layers[l].act == GS_ACT_LEAKY_RELU ||
            net->layers[l].act == GS_ACT_SELU || net->layers[l].act == GS_ACT_ELU)
            for (int i = 0; i < B * net->layers[l].out; i++)
                hash = (hash ^ (net->layers[l].h[i] > 0.0f)) * 16777619u;
    return hash;
}

/* norm[l]: gs_norm of each layer (NULL: none); B examples (at most 6) */
static void gradcheck_batch(const char *name, int loss, int n_layers, const int *units, const int *acts,
                            const int *bn, const float *dropout, int B) {
    enum { IN = 5 };
    int O = units[n_layers - 1];
    gs_net *net = make_net(IN, loss, 7, n_layers, units, acts, bn, dropout);
    float x[6 * IN], y[6 * 8];
    for (int i = 0; i < B * IN; i++) x[i] = 1.5f * test_uniform();
    fill_targets(y, B, O, loss);

    loss_at(net, x, y, B);
    const int P = gs_net_param_count(net);
    float *params = gs_net_params(net);
    float *analytic = malloc(P * sizeof(float));
    memcpy(analytic, gs_net_grads(net), P * sizeof(float));

    const float eps = 1e-3f;
    double worst = 0.0, grad_sumsq = 0.0;
    int nonzero = 0, kinks = 0;
    const unsigned long pattern = active_pattern(net, B);
    for (int i = 0; i < P; i++) {
        const float orig = params[i];
        params[i] = orig + eps;
        const double lp = loss_at(net, x, y, B);
        const int crossed = active_pattern(net, B) != pattern;
        params[i] = orig - eps;
        const double lm = loss_at(net, x, y, B);
        params[i] = orig;
        if (crossed || active_pattern(net, B) != pattern) {
            kinks++;
            continue;
        }
        const double numeric = (lp - lm) / (2.0 * (double)eps);
        const double diff = fabs(numeric - analytic[i]) / fmax(fabs(numeric) + fabs(analytic[i]), 1e-2);
        if (diff > worst) worst = diff;
        grad_sumsq += (double)analytic[i] * analytic[i];
        nonzero += fabsf(analytic[i]) > 1e-6f;
    }
    printf("  %-36s params %4d  nonzero %4d  kinks %2d  worst rel diff %.2e\n", name, P, nonzero,
           kinks, worst);
    CHECK(kinks <= P / 10, "%s: %d of %d parameters crossed a kink", name, kinks, P);
    CHECK(worst < 2e-2, "%s: worst relative difference %.3e", name, worst);
    /* guard: a check over all-zero gradients proves nothing */
    CHECK(sqrt(grad_sumsq) > 1e-4 && nonzero > P / 4, "%s: gradients trivially small (%d nonzero)", name, nonzero);
    free(analytic);
    gs_net_free(net);
}

static void gradcheck(const char *name, int loss, int n_layers, const int *units, const int *acts,
                      const int *bn, const float *dropout) {
    gradcheck_batch(name, loss, n_layers, units, acts, bn, dropout, 6);
}

int main(void) {
    enum { N_ACTS = 10 };
    const int acts_all[N_ACTS] = {GS_ACT_LINEAR, GS_ACT_RELU, GS_ACT_LEAKY_RELU, GS_ACT_SIGMOID, GS_ACT_TANH,
                                  GS_ACT_ELU, GS_ACT_SELU, GS_ACT_GELU, GS_ACT_SILU, GS_ACT_SOFTSIGN};
    const char *act_names[N_ACTS] = {"linear", "relu", "leaky-relu", "sigmoid", "tanh", "elu", "selu", "gelu", "silu", "softsign"};
    const char *loss_names[] = {"mse", "bce", "softmax-ce"};
    char name[96];
    for (int a = 0; a < N_ACTS; a++)
        for (int loss = 0; loss < 3; loss++) {
            const int units[] = {7, 6, loss == GS_LOSS_MSE ? 2 : (loss == GS_LOSS_BCE ? 3 : 4)};
            const int acts[] = {acts_all[a], acts_all[a], GS_ACT_LINEAR};
            snprintf(name, sizeof name, "%s / %s", act_names[a], loss_names[loss]);
            gradcheck(name, loss, 3, units, acts, NULL, NULL);
        }
    for (int a = 0; a < N_ACTS; a++) {
        const int units[] = {7, 6, 3}, acts[] = {acts_all[a], acts_all[a], GS_ACT_LINEAR};
        const int bn[] = {GS_NORM_BATCH, GS_NORM_BATCH, 0}, ln[] = {GS_NORM_LAYER, GS_NORM_LAYER, 0};
        snprintf(name, sizeof name, "%s + batchnorm / softmax-ce", act_names[a]);
        gradcheck(name, GS_LOSS_SOFTMAX_CE, 3, units, acts, bn, NULL);
        snprintf(name, sizeof name, "%s + layernorm / softmax-ce", act_names[a]);
        gradcheck(name, GS_LOSS_SOFTMAX_CE, 3, units, acts, ln, NULL);
    }
    {
        const int units[] = {7, 6, 2}, acts[] = {GS_ACT_GELU, GS_ACT_TANH, GS_ACT_LINEAR};
        const int ln[] = {GS_NORM_LAYER, GS_NORM_LAYER, 0};
        gradcheck_batch("gelu,tanh + layernorm, batch of 1 / mse", GS_LOSS_MSE, 3, units, acts, ln, NULL, 1);
    }
    {
        const int units[] = {8, 8, 1}, acts[] = {GS_ACT_TANH, GS_ACT_SIGMOID, GS_ACT_LINEAR};
        const float dropout[] = {0.3f, 0.5f, 0.0f};
        gradcheck("tanh,sigmoid + dropout / bce", GS_LOSS_BCE, 3, units, acts, NULL, dropout);
        const int bn[] = {1, 1, 0};
        gradcheck("batchnorm + dropout / bce", GS_LOSS_BCE, 3, units, acts, bn, dropout);
    }
    return check_summary("gradcheck");
}
