// Type declarations for gradscope (hand-written; see README for the API in brief).

// ---- host types ----------------------------------------------------------------
// The API mentions a few browser / Node types. Each resolves to the real type where
// the consumer's libs declare it (lib "DOM", "WebWorker" or @types/node) and to a
// minimal structural type otherwise, so a Node-only `tsc` (lib ES2022, no DOM) works.
type Global = typeof globalThis;
/** WebAssembly.Module */
export type WasmModule = Global extends { WebAssembly: { Module: { prototype: infer M } } } ? M : { readonly __wasmModule?: never };
/** WebAssembly.Memory */
export type WasmMemory = Global extends { WebAssembly: { Memory: { prototype: infer M } } } ? M : { readonly buffer: ArrayBuffer; grow(delta: number): number };
/** a fetch Response */
export type ResponseLike = Global extends { Response: { prototype: infer R } } ? R : { readonly ok: boolean; readonly status: number; readonly url: string; arrayBuffer(): Promise<ArrayBuffer> };
/** a URL object */
export type URLLike = Global extends { URL: { prototype: infer U } } ? U : { readonly href: string };
/** an AbortSignal */
export type AbortSignalLike = Global extends { AbortSignal: { prototype: infer S } } ? S : { readonly aborted: boolean; readonly reason?: unknown };

/** leaky-relu: slope 0.01; elu: alpha 1; selu: PyTorch's constants; gelu: exact (erf); silu: z sigmoid(z); softsign: z / (1 + |z|), nn.Softsign */
export type Activation = 'linear' | 'relu' | 'leaky-relu' | 'sigmoid' | 'tanh' | 'elu' | 'selu' | 'gelu' | 'silu' | 'softsign';
export type Loss = 'mse' | 'bce' | 'softmax-ce';
/**
 * How a layer's dense biases start, drawn after its weights: 'zeros'; 'uniform', U(±1/√fan_in) as
 * nn.Linear's default; or a number >= 0, the std of N(0, std²) biases. Default: 'uniform' for init
 * 'pytorch', 'zeros' for every other type ({ type: 'pytorch', bias: 'zeros' } is Glorot's "standard" init).
 */
export type BiasInit = 'zeros' | 'uniform' | number;
export type Init =
  | 'he'
  | 'xavier'
  | 'lecun'
  | 'pytorch'
  | 'zeros'
  | 'orthogonal'
  | { type: 'normal'; std: number; bias?: BiasInit }
  | { type: 'uniform'; limit: number; bias?: BiasInit }
  /**
   * torch.nn.init.orthogonal_(W, gain) (Saxe et al. 2013): W = gain * Q of the QR factorization of a
   * Gaussian drawn from the network's RNG, Q's signs fixed by R's diagonal: W W^T = gain² I for layers
   * with fewer units than inputs, W^T W = gain² I otherwise. gain: a float32 > 0, default 1
   * ('orthogonal' alone is { type: 'orthogonal', gain: 1 })
   */
  | { type: 'orthogonal'; gain?: number; bias?: BiasInit }
  | { type: 'he' | 'xavier' | 'lecun' | 'pytorch' | 'zeros'; bias?: BiasInit };

export interface LayerConfig {
  /** number of units (>= 1) */
  units: number;
  /** default 'linear' */
  activation?: Activation;
  /** BatchNorm1d after the dense layer, before the activation; default false */
  batchNorm?: boolean;
  /** nn.LayerNorm(units) (eps 1e-5, affine) in the same place; works for a batch of one; not with batchNorm; default false */
  layerNorm?: boolean;
  /** inverted dropout after the activation, p in [0, 1]; default 0 */
  dropout?: number;
}

/**
 * Learning rate per optimizer step t (0-based): base * w(t) * d(t - warmupSteps),
 * w(t) = min(1, (t + 1) / warmupSteps); d(s) = 1 for s < 0 or decay 'none';
 * 'step': gamma ** floor(s / stepSize); 'exponential': gamma ** s;
 * 'cosine': m + (1 - m) (1 + cos(pi min(s, decaySteps) / decaySteps)) / 2, m = minLearningRate / base.
 */
export type Schedule =
  | { warmupSteps?: number; decay?: 'none' }
  | { warmupSteps?: number; decay: 'step'; stepSize: number; gamma: number }
  | { warmupSteps?: number; decay: 'exponential'; gamma: number }
  | { warmupSteps?: number; decay: 'cosine'; decaySteps: number; minLearningRate?: number };

interface OptimizerCommon {
  /** L2 on dense weights only (decoupled for AdamW); default 0 (AdamW: 0.01) */
  weightDecay?: number;
  /** adds l1 * sign(W) to dense weight gradients, after clipping; default 0 */
  l1?: number;
  /**
   * max-norm constraint (Srivastava et al. 2014): after each update, every unit's incoming dense weight
   * vector (a row of W, output layer included) whose L2 norm exceeds maxNorm is scaled to
   * maxNorm / (norm + 1e-7) times itself, as torch.renorm(W, 2, 0, maxNorm) after the optimizer step.
   * A number > 0; absent = off (the normalized config then has no maxNorm). Biases and norm parameters are not constrained.
   */
  maxNorm?: number;
  /** warmup and decay of the learning rate; default none */
  schedule?: Schedule;
}

export interface SgdConfig extends OptimizerCommon {
  type: 'sgd';
  /** default 0.01 */
  learningRate?: number;
  /** default 0 */
  momentum?: number;
  /** default false; needs momentum > 0 */
  nesterov?: boolean;
}

export interface AdamConfig extends OptimizerCommon {
  /** 'adamw': torch.optim.AdamW, decoupled weight decay (default 0.01) */
  type: 'adam' | 'adamw';
  /** default 1e-3 */
  learningRate?: number;
  /** default 0.9 */
  beta1?: number;
  /** default 0.999 */
  beta2?: number;
  /** default 1e-8 */
  eps?: number;
}

/** torch.optim.RMSprop */
export interface RmspropConfig extends OptimizerCommon {
  type: 'rmsprop';
  /** default 0.01 */
  learningRate?: number;
  /** default 0.99 */
  alpha?: number;
  /** default 1e-8 */
  eps?: number;
  /** default 0 */
  momentum?: number;
  /** default false */
  centered?: boolean;
}

export interface NetworkConfig {
  inputs: number;
  /** dense -> batchNorm? -> activation -> dropout?; the last layer is the output */
  layers: LayerConfig[];
  /** default 'mse' */
  loss?: Loss;
  /** default 'he' */
  init?: Init;
  /** default { type: 'sgd', learningRate: 0.01 } */
  optimizer?: SgdConfig | AdamConfig | RmspropConfig;
  /** clip the total gradient L2 norm (all parameters); 0 = off (default) */
  clipNorm?: number;
  /** unsigned 32-bit; same seed + same build => bit-identical training; default 0 */
  seed?: number;
  /** throw instead of skipping a step whose loss or gradients are not finite; default false */
  throwOnNonFinite?: boolean;
}

/** NetworkConfig with every default filled in. */
export type ResolvedConfig = Required<Omit<NetworkConfig, 'layers' | 'optimizer' | 'init'>> & {
  layers: Required<LayerConfig>[];
  optimizer: (Required<Omit<SgdConfig, 'schedule' | 'maxNorm'>> | Required<Omit<AdamConfig, 'schedule' | 'maxNorm'>> | Required<Omit<RmspropConfig, 'schedule' | 'maxNorm'>>) & { schedule?: Schedule; maxNorm?: number };
  /** bias is present only when it differs from the type's default */
  init: { type: string; std?: number; limit?: number; gain?: number; bias?: BiasInit };
};

export interface CoreOptions {
  /** true: SIMD build, false: scalar build; default: detect */
  simd?: boolean;
  /**
   * true: the opt-in relaxed-SIMD build (gradscope_relaxed.wasm), whose matrix products use
   * fused multiply-add where the machine has it: faster, but results differ by machine (FMA
   * rounds once), so a seed no longer reproduces bit for bit across machines. Default: false.
   * Needs an engine with relaxed SIMD (Chrome / Edge 114+, Node.js 21+, Node.js 20 with
   * --experimental-wasm-relaxed-simd); elsewhere loading throws, naming the option (no
   * fallback). Bundlers do not emit this file: serve it and name it with setWasmPaths({ relaxed }).
   */
  relaxed?: boolean;
  /** the .wasm to use instead of the packaged one: bytes, a compiled module, a Response or a URL */
  wasm?: ArrayBuffer | ArrayBufferView | WasmModule | ResponseLike | URLLike | string;
  /**
   * Threads that share the network's large matrix products (1 to 32; default 1). More than 1
   * takes the opt-in threaded build (gradscope_threads.wasm: SIMD, shared memory) and starts
   * threads - 1 worker threads, shared by every network of that build. Results are the same
   * bits for any count (each product is split by rows; no sum is split). Needs SharedArrayBuffer:
   * a cross-origin-isolated page (COOP same-origin + COEP require-corp), a worker of one, or
   * Node.js; elsewhere refused, naming the option. Pays from about 100 x 100 x 100 products
   * up (the mnist network); small networks run as fast on one thread. Bundlers do not emit
   * this file: serve it and name it with setWasmPaths({ threads }).
   */
  threads?: number;
}

/** Class indices for softmax-ce. */
export type Labels = Int32Array | Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | number[];
/** Targets: Float32Array [batch x outputs] for mse / bce, class indices for softmax-ce. */
export type Targets = Float32Array | Labels;

export interface LayerTensors {
  /** [out x in], row-major (PyTorch nn.Linear layout) */
  weight: Float32Array;
  bias: Float32Array;
  gamma?: Float32Array;
  beta?: Float32Array;
}

export interface LayerParameters extends LayerTensors {
  runningMean?: Float32Array;
  runningVar?: Float32Array;
}

export interface LayerStats {
  /** L2 norm of the dense weight gradient (before clipping) */
  gradNorm: number;
  biasGradNorm: number;
  /** L2 norm of the dense weight after the update */
  weightNorm: number;
  /** ||applied weight update|| / ||weight before||; 0 when no update was applied */
  updateRatio: number;
  /** ReLU layers: share of units that output 0 for every example of this ONE batch; else 0. Not the dead share
   * diagnose reports (deadUnits, over the last epoch): never smaller than it, higher on small batches */
  deadFraction: number;
  /** sigmoid (< 0.01 or > 0.99) and tanh (|a| > 0.99): share of all activations; else 0 */
  saturatedFraction: number;
  activationMean: number;
  activationStd: number;
  /** a NaN or Infinity appeared in this layer's activations, batch-norm statistics, gradients or update */
  nonFinite: boolean;
  /** std(dense weight gradient) / std(W before the update) */
  gradDataRatio: number;
  /** std(applied update of W) / std(W before); 0 when no update was applied (a healthy value is near 1e-3) */
  updateDataRatio: number;
}

/** layerStats() entries: the statistics, plus the dead-unit mask */
export interface LayerStatsWithUnits extends LayerStats {
  /** per unit, 1 when a ReLU unit gave 0 for every example of the last completed fit epoch
   * (before any epoch: of every update since creation or resetRecord()); 0 for other activations.
   * The dead share's one definition: diagnose's dead-relu finding counts these units (evidence.deadUnits) */
  deadUnits: Uint8Array;
}

/** fixed-bin histogram: counts + zeros + below + above + nonFinite = the number of values */
export interface Histogram {
  /** bins + 1 edges; for gradients, log10 |g| (bins by binary exponent) */
  edges: Float32Array;
  counts: Uint32Array;
  /** exact zeros, counted apart (ReLU's spike; zero gradients). For activations: output VALUES (unit × example)
   * of the last batch, not dead units (layerStats().deadUnits); never a smaller share than those */
  zeros: number;
  below: number;
  above: number;
  nonFinite: number;
}

export interface LayerHistograms {
  /** the layer's outputs before dropout: [0,1] sigmoid, [-1,1] tanh, [-4,4] others */
  activation: Histogram;
  /** dense weight gradient magnitudes, raw (before clipping) */
  gradient: Histogram;
  /** dense weights, [-2, 2] */
  weight: Histogram;
}

/**
 * net.probe's options. The probe runs the probe rows in eval mode (batch norm's running statistics,
 * no dropout) forward and backward, with no update. Per layer, s is the input of its activation:
 * the dense output, after batch or layer norm when the layer has one (for a 'linear' layer, its
 * output); h is the layer's output after the activation.
 */
export interface ProbeOptions {
  /** units whose s the result gives the 15th, 50th and 85th percentiles of (Ioffe & Szegedy's Fig 1b,c); default none */
  units?: { layer: number; unit: number }[];
  /**
   * the gradient histograms' bins: 48 linear bins on [-gradientLimit, +gradientLimit], a float32 > 0.
   * Default: the largest finite |dC/ds| of this probe over all layers (1 when every dC/ds is 0), so
   * every value lands in a bin and all layers share the edges; give it to compare probes over time.
   */
  gradientLimit?: number;
}

/** one layer of a probe: statistics over all rows × units of the probe set */
export interface ProbeLayer {
  /** mean of h */
  activationMean: number;
  /** population standard deviation of h */
  activationStd: number;
  /** h on the same bins as layerHistograms()' activation histogram (sigmoid [0, 1]; tanh and softsign [-1, 1]; others [-4, 4]) */
  activation: Histogram;
  /** mean of dC/ds: the signed gradient of C, the mean loss over the probe rows, with respect to s */
  gradientMean: number;
  /** population standard deviation of dC/ds */
  gradientStd: number;
  /** dC/ds, signed, on 48 linear bins over [-gradientLimit, +gradientLimit] (Glorot & Bengio's Fig 7) */
  gradient: Histogram;
  /** per unit, the mean of h over the probe rows (Srivastava et al.'s Fig 8) */
  unitMean: Float32Array;
}

/** what net.probe returns, and each entry of fit's history.probes besides its step */
export interface ProbeResult {
  /** rows of the probe set */
  rows: number;
  /** C: the eval-mode mean loss over the probe rows (evaluate's loss) */
  loss: number;
  /** the gradient histograms' edge: options.gradientLimit, or the largest finite |dC/ds| of this probe */
  gradientLimit: number;
  /** one per layer, the output layer included */
  layers: ProbeLayer[];
  /**
   * one per options.units entry, in its order: percentiles of the unit's s over the probe rows,
   * linear between closest ranks (numpy's and torch.quantile's default)
   */
  units: { layer: number; unit: number; p15: number; p50: number; p85: number }[];
}

/** fit's options.probe: net.probe on a fixed set every `every` optimizer steps of the fit */
export interface FitProbeOptions extends ProbeOptions {
  /** the probe set, rows × inputs */
  x: Float32Array;
  y: Targets;
  /** a positive integer: probe after every this many steps of this fit; default 100 */
  every?: number;
}

/** what was not finite when a step was skipped, in the order the values arise */
export type NonFiniteKind = 'activation' | 'loss' | 'gradient' | 'update' | 'batch-norm statistics' | 'layer-norm statistics';

export interface StepResult {
  /** loss of the batch before the update */
  loss: number;
  /** present and true when a non-finite value skipped the update */
  skipped?: true;
  /** first layer with a non-finite value; layers.length means the loss itself */
  nonFiniteLayer?: number;
  /** what was non-finite there; nothing changed (parameters, optimizer state, running statistics, step count) */
  nonFinite?: NonFiniteKind;
}

export interface EpochInfo {
  epoch: number;
  /** mean training loss over the epoch's steps */
  loss: number;
  skippedSteps: number;
  valLoss?: number;
  valAccuracy?: number;
  /** this epoch's steps (its newest 16,384 to 18,432 when the epoch is longer): loss and every layer statistic at each step */
  steps: StepSeries;
  /** per layer, the share of ReLU units that gave 0 for every example of this epoch (0 for other layers) */
  deadFraction: number[];
}

export interface FitOptions {
  /** default 1 */
  epochs?: number;
  /** default 32; a final batch of one example is skipped when the network uses batch norm */
  batchSize?: number;
  /** reshuffle (with the network's RNG) every epoch; default true */
  shuffle?: boolean;
  validation?: { x: Float32Array; y: Targets };
  /** called after each epoch; may return a promise, which fit awaits */
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /** checked between epochs; an aborted fit resolves with the history so far and aborted: true */
  signal?: AbortSignalLike;
  /**
   * needs validation. An epoch improves when valLoss < best - minDelta; fit stops after
   * `patience` epochs in a row without improvement. restoreBest puts back the best epoch's
   * parameters (and running statistics) when a later epoch ended the fit.
   * Defaults: patience 10, minDelta 0, restoreBest true.
   */
  earlyStopping?: { patience?: number; minDelta?: number; restoreBest?: boolean };
  /**
   * record layerHistograms() every this many steps into history.histograms (the newest 1,000 the network
   * keeps when it is first read: see FitHistory.histograms)
   */
  histogramEvery?: number;
  /**
   * net.probe(probe.x, probe.y, { units, gradientLimit }) after every `probe.every` steps into
   * history.probes (the newest 1,000). The probes change nothing: training is bit for bit the same
   * without them.
   */
  probe?: FitProbeOptions;
  /**
   * a positive integer: stop after this many optimizer steps (skipped non-finite steps count), possibly
   * mid-epoch (then history.partialEpoch says where). Default: no limit besides `epochs`.
   */
  maxSteps?: number;
  /**
   * continue the epoch a fit with maxSteps left open, at the step where it stopped; it needs the same x, y,
   * batchSize and shuffle (anything else is refused, naming what differs). With no open epoch it starts a new
   * one. N fits of maxSteps 1 with resume train bit for bit like one fit of N steps; the epoch's loss,
   * validation and onEpoch (with all its steps) come from the fit whose step ends it, and `epochs` counts it.
   * A fit without resume starts a new epoch. Default false.
   */
  resume?: boolean;
}

export type StatSeries = { [K in keyof LayerStats]: Float32Array };
/** per training step: the loss, the learning rate used, and every layer's statistics */
export interface StepSeries {
  loss: Float32Array;
  learningRate: Float32Array;
  layers: StatSeries[];
}

export interface FitHistory {
  epochs: number;
  loss: number[];
  valLoss?: number[];
  valAccuracy?: number[];
  skippedSteps: number[];
  aborted: boolean;
  /**
   * one entry per training step of this fit: those the network's training record still keeps when
   * `steps` (or `droppedSteps`) is first read, at most the fit's newest 100,000 (to 101,024). The record
   * keeps the network's newest 100,000 steps, so read it before training the network that much further
   * if you need every step; once read, it is the history's own. Memory stays bounded however many
   * histories are kept.
   */
  steps: StepSeries;
  /** steps of this fit not in `steps` (dropped from its front), fixed with it when either is first read */
  droppedSteps: number;
  /** epochs dropped from the front of the per-epoch arrays (they keep the newest 100,000 to 200,000) */
  droppedEpochs: number;
  /** with earlyStopping: the epoch with the best validation loss (0-based; null if none improved) */
  bestEpoch?: number | null;
  /** with earlyStopping: the epoch after which it stopped (0-based), null when it ran all epochs */
  stoppedEpoch?: number | null;
  /**
   * with histogramEvery: { step (0-based within this fit), layers }, the newest 1,000 of this fit that the
   * network still keeps when first read (it keeps its newest 1,000 snapshots), the history's own from then on
   */
  histograms?: { step: number; layers: LayerHistograms[] }[];
  /**
   * with options.probe: the newest 1,000 probes, each taken after step `step` (0-based within this
   * fit: every - 1, 2 every - 1, ...)
   */
  probes?: (ProbeResult & { step: number })[];
  /** when maxSteps stopped the fit mid-epoch: the open epoch's steps so far and its length (a fit with resume: true continues it); else null */
  partialEpoch: { stepsDone: number; stepsPerEpoch: number } | null;
}

export interface NetworkJSON {
  format: 'gradscope-network';
  version: 1;
  config: ResolvedConfig;
  parameters: { [name: string]: number[] }[];
  /** m: momentum / first moment; v: second moment / square average; a: centered RMSprop's gradient average */
  optimizer: { step: number; m?: number[]; v?: number[]; a?: number[] };
  rng: number[];
}

export declare class Network {
  readonly config: ResolvedConfig;
  readonly inputs: number;
  readonly outputs: number;
  /** true when running on the SIMD build */
  readonly simd: boolean;
  /** true when running on the opt-in relaxed-SIMD build (see CoreOptions.relaxed) */
  readonly relaxed: boolean;
  /** threads sharing this network's matrix products (CoreOptions.threads) */
  readonly threads: number;
  /** the learning rate the next step will use (after warmup and decay) */
  readonly learningRate: number;
  trainStep(x: Float32Array, y: Targets): StepResult;
  computeGradients(x: Float32Array, y: Targets): StepResult & { layers: LayerTensors[] };
  predict(x: Float32Array): Float32Array;
  evaluate(x: Float32Array, y: Targets): { loss: number; accuracy?: number };
  fit(x: Float32Array, y: Targets, options?: FitOptions): Promise<FitHistory>;
  layerStats(): LayerStatsWithUnits[];
  /** histograms of the most recent training-mode pass ([] before any) */
  layerHistograms(): LayerHistograms[];
  /** eval mode: per layer, each unit's share of rows of x with an output != 0 */
  unitActivity(x: Float32Array): Float32Array[];
  /**
   * eval mode, computed by the core's forward pass: per hidden layer (not the output layer) a
   * Float32Array(rows × units), row-major, each unit's output after its norm and activation (dropout is
   * off in eval); views into one buffer. Changes nothing (parameters, running statistics, RNG, layerStats,
   * histograms, an open fit epoch). A network with one layer returns [].
   */
  layerOutputs(x: Float32Array): Float32Array[];
  /**
   * eval mode on a fixed probe set (x: rows × inputs, y its targets), no update: per layer the
   * statistics and histograms of each layer's output h and of the signed gradient dC/ds of the mean
   * loss with respect to its activation input s, per-unit mean outputs, and the 15/50/85th
   * percentiles of the chosen units' s (see ProbeOptions, ProbeResult). Changes nothing (parameters,
   * optimizer state, running statistics, RNG, layerStats, histograms, the record, an open fit epoch).
   */
  probe(x: Float32Array, y: Targets, options?: ProbeOptions): ProbeResult;
  getParameters(): LayerParameters[];
  setParameters(layers: Partial<Record<keyof LayerParameters, Float32Array | number[]>>[]): void;
  toJSON(): NetworkJSON;
  /** every update's loss and layer statistics (newest 100,000 steps) and fit's epoch losses; diagnose() reads it */
  trainingRecord(): TrainingRecord;
  /** forget the record (e.g. after changing the setup) */
  resetRecord(): void;
  /** a runnable PyTorch script: the same layers, weights, optimizer state (step, moments, schedule position), loss and a train loop */
  toPyTorch(): string;
  /** frees the network's memory and its training record; later calls throw */
  dispose(): void;
}

export interface TrainingRecord {
  /** index of the first step kept (older ones were dropped past the limit) */
  firstStep: number;
  steps: StepSeries;
  /** index of the first epoch kept (the newest 100,000 to 200,000 are kept) */
  firstEpoch: number;
  /** deadFraction: per epoch, each layer's share of ReLU units dead over the whole epoch */
  epochs: { loss: number[]; valLoss: number[]; valAccuracy: number[]; deadFraction: number[][] };
}

// ---- diagnose --------------------------------------------------------------
export type FindingKind = 'vanishing-gradients' | 'exploding-gradients' | 'dead-relu' | 'saturation' | 'overfitting' | 'non-finite';

export interface Finding {
  kind: FindingKind;
  /** layer indices concerned ([] for overfitting) */
  layers: number[];
  severity: 'warning' | 'critical';
  /** the numbers that triggered the finding */
  evidence: Record<string, unknown>;
  message: string;
  /** what usually cures it, in plain words */
  remedy: string;
}

export interface Thresholds {
  /** steps per window, an integer in [1, 1000000] */
  window: number;
  vanishingRatio: number;
  vanishingCritical: number;
  /** integer >= 2: fewer layers are not judged for vanishing gradients */
  vanishingMinLayers: number;
  explodingNorm: number;
  explodingGrowth: number;
  explodingGrowthMinNorm: number;
  explodingUpdateRatio: number;
  explodingCriticalNorm: number;
  /** clip advice: this percentile of the total gradient norm before the explosion (0.9) */
  clipPercentile: number;
  /** fewest steps before the explosion that make a percentile worth giving (5) */
  clipMinSteps: number;
  /** clipping more than this share of updates is called too aggressive (0.5) */
  clipTooAggressive: number;
  deadFraction: number;
  deadCritical: number;
  saturatedFraction: number;
  saturatedCritical: number;
  overfitRise: number;
  overfitMinRise: number;
  /** the overfitting rise is measured against max(best validation loss, this) */
  overfitLossFloor: number;
  overfitCritical: number;
  /** integer >= 2 */
  overfitMinEpochs: number;
  /** inputs off-centre when the columns' |mean| averages above this (with diagnose's options.x) */
  inputMean: number;
  /** inputs unscaled when a column's std is above this */
  inputStd: number;
  /** a regression target (diagnose's options.y) is unscaled when its std or |mean| is above this */
  targetScale: number;
}

/** Findings about what the network recorded while training; [] for a healthy run. */
export interface DiagnoseOptions {
  /** training inputs, rows x net.config.inputs: adds "standardize the inputs" advice when they are off-centre or unscaled */
  x?: Float32Array;
  /** training targets, rows x outputs, loss 'mse' only: adds "scale the target" advice (first) when their std or |mean| is above thresholds.targetScale */
  y?: Float32Array;
}
export declare function diagnose(net: Network, thresholds?: Partial<Thresholds>, options?: DiagnoseOptions): Finding[];
export interface InputScale { rows: number; meanAbsMean: number; maxAbsMean: number; maxStd: number; maxStdColumn: number; nonFinite: number; offCentre: boolean; unscaled: boolean }
export declare function inputScale(x: Float32Array, inputs: number, thresholds?: Partial<Thresholds>): InputScale;

export type RemedyMetric = 'firstToLastGradRatio' | 'maxGradNorm' | 'skippedSteps' | 'deadFraction' | 'saturatedFraction' | 'gap' | 'testAccuracy' | 'testLoss';
export declare const FINDING_METRICS: Readonly<Record<FindingKind, readonly RemedyMetric[]>>;
/** the one catalogue of findings: every kind diagnose() raises, in the order of FINDING_KINDS */
export interface FindingInfo {
  /** short title, e.g. 'Dead ReLU units' */
  title: string;
  /** the figures that define the finding (what tryRemedies measures) */
  metrics: readonly RemedyMetric[];
  /** ids in REMEDIES of its single-change remedies, the seed's first */
  remedies: readonly string[];
  /** badly scaled inputs cause it (diagnose with options.x adds "Standardize the inputs") */
  scaledInputs: boolean;
}
export declare const FINDINGS: Readonly<Record<FindingKind, Readonly<FindingInfo>>>;
export declare const FINDING_KINDS: readonly FindingKind[];
/** the named single changes; lr-div10's changes are a function of the config (its own learning rate / 10) */
export declare const REMEDIES: Readonly<Record<string, { label: string; changes: PresetRemedy['changes'] | ((config: PresetRun['config']) => PresetRemedy['changes']) }>>;
/** a remedy offered for a finding */
export interface Remedy {
  /** e.g. 'lr-div10', 'batch-norm'; for a preset's own list, the preset's remedy ids (presetScenario(name, id)) */
  id: string;
  label: string;
  /** exactly one remedy of a list is marked: the first, the seed's */
  seed: boolean;
  /** the one thing changed, in applyChanges()'s names */
  changes: PresetRemedy['changes'];
}
export interface RemediesForOptions {
  /** the preset whose failure `config` is: under the finding it is about (presets[name].expect) the preset's own list */
  preset?: string | null;
}
/**
 * The single-change remedies for a finding of `kind` on a network with `config` (as createNetwork takes it, or
 * net.config): the preset's own list (options.preset, under its finding only), else the catalogue's list for the
 * kind less the changes that would change nothing in this network; vanishing gradients behind dropout 1 get
 * dropout 0.2 alone. tryRemedies trains exactly these.
 */
export declare function remediesFor(config: PresetRun['config'] | NetworkConfig | ResolvedConfig, kind: FindingKind | Finding, options?: RemediesForOptions): Remedy[];
/**
 * The figures of one finished run (measureRun in js/measure.js), one definition for tryRemedies, sweep and the CLI.
 * The dead share: a ReLU unit is dead when it output 0 for every example of the last completed fit epoch, the
 * mask layerStats().deadUnits shows and diagnose's dead-relu finding counts (evidence.deadUnits of
 * evidence.units). Other quantities, never smaller: layerStats().deadFraction (units silent on one batch) and
 * the activation histogram's zeros (output values that are 0 in the last batch).
 */
export interface RunMeasurement {
  firstToLastGradRatio: number;
  maxGradNorm: number;
  skippedSteps: number;
  /** the worst hidden layer's dead share */
  deadFraction: number;
  /** dead hidden ReLU units (the same mask), of reluUnits */
  deadUnits: number;
  reluUnits: number;
  saturatedFraction: number;
  trainLoss: number;
  testLoss: number;
  gap: number;
  testAccuracy?: number;
  firstEpochLoss: number;
  lastEpochLoss: number;
}
export type RemedyRun = RunMeasurement & { seed: number; found: boolean };
export interface RemedyResult {
  id: string;
  label: string;
  seed: boolean;
  changes: PresetRemedy['changes'];
  metrics?: Partial<Record<RemedyMetric, { before: number; after: number }>>;
  /** seeds on which diagnose() still raises the finding */
  stillFound?: number;
  seeds?: number[];
  ms?: number;
  runs?: RemedyRun[];
  /** set instead of the figures when the network refused the change */
  error?: string;
}
export interface TryRemediesResult {
  kind: FindingKind;
  scenario: string;
  epochs: number;
  seeds: number[];
  metrics: RemedyMetric[];
  before: (Partial<Record<RemedyMetric, number>> & { found: number; ms: number; runs: RemedyRun[] }) | null;
  results: RemedyResult[];
  aborted: boolean;
  ms: number;
}
export interface TryRemediesOptions {
  epochs?: number;
  seeds?: number | number[];
  onResult?(result: RemedyResult, index: number): void | Promise<void>;
  signal?: AbortSignalLike;
  coreOptions?: CoreOptions;
}
/** trains each single-change remedy of a finding from the same seeds and data and reports the measured effect */
export declare function tryRemedies(scenario: string | (Omit<Scenario, 'name' | 'label'> & { name?: string }), finding: Finding | FindingKind, options?: TryRemediesOptions): Promise<TryRemediesResult>;
export declare const THRESHOLDS: Readonly<Thresholds>;

// ---- datasets ----------------------------------------------------------------
export interface Dataset {
  name: string;
  inputs: number;
  outputs: number;
  loss: Loss;
  classes?: number;
  /** class labels in index order: numbers, or strings for a CSV with text labels */
  classValues?: number[] | string[];
  train: { x: Float32Array; y: Float32Array | Int32Array };
  test: { x: Float32Array; y: Float32Array | Int32Array };
}

export interface GeneratorOptions {
  /** default 400 */
  samples?: number;
  noise?: number;
  seed?: number;
  /** share of samples held out for testing, default 0.5 */
  testRatio?: number;
  /** share of training labels flipped, default 0 */
  labelNoise?: number;
}

export type CsvDelimiter = ',' | ';' | '\t' | 'auto';

export interface CsvOptions {
  /** a header name or a 0-based column index */
  labelColumn: string | number;
  task?: 'classification' | 'regression';
  /** default ',' */
  delimiter?: CsvDelimiter;
  seed?: number;
  /** default 0.2 */
  testRatio?: number;
  labelNoise?: number;
  name?: string;
  /** classification refuses more distinct labels than this, default 100 */
  maxClasses?: number;
}

export interface CsvColumn {
  name: string;
  numeric: boolean;
  integer: boolean;
  /** distinct values counted, up to 1000 */
  distinct: number;
  /** true when counting stopped at that limit */
  distinctCapped: boolean;
  suggestedTask: 'classification' | 'regression';
}

export interface CsvColumnInfo {
  delimiter: ',' | ';' | '\t';
  rows: number;
  columns: CsvColumn[];
}

export declare namespace datasets {
  function circle(options?: GeneratorOptions): Dataset;
  function xor(options?: GeneratorOptions): Dataset;
  function gaussian(options?: GeneratorOptions): Dataset;
  function spiral(options?: GeneratorOptions): Dataset;
  function moons(options?: GeneratorOptions): Dataset;
  function regressionPlane(options?: GeneratorOptions): Dataset;
  function regressionGaussian(options?: GeneratorOptions): Dataset;
  function digits(options?: { seed?: number; testRatio?: number; labelNoise?: number }): Promise<Dataset>;
  function parseCsv(text: string, options: CsvOptions): Dataset;
  function csvColumnInfo(text: string, options?: { delimiter?: CsvDelimiter }): CsvColumnInfo;
  function sniffDelimiter(headerLine: string): ',' | ';' | '\t';
  const CSV_DELIMITERS: readonly (',' | ';' | '\t')[];
  const CSV_MAX_CLASSES: number;
  const CSV_DISTINCT_LIMIT: number;
}

// ---- presets -------------------------------------------------------------------
export interface DatasetSpec extends GeneratorOptions {
  name: 'circle' | 'xor' | 'gaussian' | 'spiral' | 'moons' | 'regressionPlane' | 'regressionGaussian' | 'digits';
}

export interface PresetRun {
  label: string;
  /** a NetworkConfig without inputs and loss (the dataset decides those) */
  config: Omit<NetworkConfig, 'inputs' | 'loss'>;
  fit: { epochs: number; batchSize: number };
}

export interface Preset {
  title: string;
  /** what happens and what to look at */
  description: string;
  /** the finding diagnose() raises on the failure (null for the healthy baseline) */
  expect: FindingKind | null;
  dataset: DatasetSpec;
  failure: PresetRun;
  /** single-change remedies, the seed's first */
  remedies: PresetRemedy[];
  /** remedies[0], the seed's (null for the healthy baseline) */
  remedy: PresetRemedy | null;
}

export type RemedyChangeKey = 'activation' | 'batchNorm' | 'dropout' | 'learningRate' | 'weightDecay' | 'init' | 'clipNorm';

export interface PresetRemedy extends PresetRun {
  /** for presetScenario(name, id), runPreset and the CLI (NAME:ID) */
  id: string;
  /** named after what it changes, e.g. 'learning rate ÷10' */
  label: string;
  /** one of the seed's own remedies (the exploding preset has two; remediesFor marks only the first) */
  seed: boolean;
  /** the one thing changed, under the playground's control names (activation, batchNorm and dropout apply to every hidden layer) */
  changes: Partial<{ activation: Activation; batchNorm: boolean; dropout: number; learningRate: number; weightDecay: number; init: NetworkConfig['init']; clipNorm: number }>;
}

export declare function applyChanges(config: PresetRun['config'], changes: PresetRemedy['changes']): PresetRun['config'];
export declare const REMEDY_CHANGES: readonly RemedyChangeKey[];

export interface Scenario extends PresetRun {
  name: string;
  dataset: DatasetSpec;
}

export interface ScenarioResult {
  /** the trained network; dispose it when done */
  net: Network;
  dataset: Dataset;
  history: FitHistory;
  findings: Finding[];
}

export interface RunOptions {
  seed?: number;
  epochs?: number;
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
  signal?: AbortSignalLike;
  coreOptions?: CoreOptions;
}

export declare const presets: Record<string, Preset>;
export declare const PRESET_NAMES: string[];
/** side: 'failure' (default), 'remedy' (the first remedy) or a remedy id */
export declare function presetScenario(name: string, side?: 'failure' | 'remedy' | (string & {})): Scenario;
export declare function runPreset(name: string, side?: 'failure' | 'remedy' | (string & {}), options?: RunOptions): Promise<ScenarioResult>;
export declare function runScenario(scenario: Omit<Scenario, 'name' | 'label'>, options?: RunOptions): Promise<ScenarioResult>;
export declare function loadDataset(spec: DatasetSpec, seed?: number): Promise<Dataset>;

// ---- sweep ---------------------------------------------------------------------
/** one seed's figures: measureRun(), the same measurement tryRemedies reports */
export type SweepRun = RunMeasurement & { seed: number };

export interface SweepRow {
  value: number;
  /** medians over seeds; a diverged run (non-finite loss) counts as +Infinity */
  trainLoss: number;
  testLoss: number;
  /** absent for mse */
  testAccuracy?: number;
  /** the worst hidden layer's share of ReLU units dead over the last epoch (as diagnose judges; see RunMeasurement) */
  deadFraction: number;
  maxGradNorm: number;
  skippedSteps: number;
  /** seeds whose final train loss was not finite */
  diverged: number;
  seeds: number[];
  runs: SweepRun[];
}

export interface SweepOptions {
  param: 'dropout' | 'learningRate';
  /** 1-100 values: dropout in [0, 1], learning rate in (0, 1e6] */
  values: number[];
  /** default: the scenario's fit.epochs */
  epochs?: number;
  /** a count n (seeds 1..n) or a list; default [1] */
  seeds?: number | number[];
  onPoint?: (row: SweepRow, index: number) => void | Promise<void>;
  signal?: AbortSignalLike;
  coreOptions?: CoreOptions;
}

/** Trains the scenario (a preset name: its failure) at each value; resolves to one row per value. */
export declare function sweep(scenario: string | Omit<Scenario, 'name' | 'label'>, options: SweepOptions): Promise<SweepRow[]>;

// ---- paper cards -----------------------------------------------------------------
export type PaperId = 'glorot-2010' | 'he-2015' | 'ioffe-2015' | 'srivastava-2014' | 'klambauer-2017';

/** one row of a card's setup: the paper's value of an item beside ours */
export interface PaperSetupRow {
  item: string;
  paper: string;
  ours: string;
}

export interface PaperSetup {
  /** the paper's setup and ours, side by side */
  rows: PaperSetupRow[];
  /** what was scaled down, and why */
  why: string;
  /** how long the default run (digits, no data) takes: measured in Node, a browser takes about 1-1.5x */
  time: string;
  /** how long a run on data given through reproduce's options.data takes (e.g. MNIST: minutes) */
  timeWithData: string;
}

export interface PaperInfo {
  title: string;
  authors: string;
  year: number;
  venue: string;
  /** the figures the card draws; each run's series name the figure they belong to by id */
  figures: { id: string; caption: string }[];
  setup: PaperSetup;
}

/**
 * A figure's data, plain arrays of numbers. A figure is drawn from every series whose `figure` is its id,
 * over all of a card's runs, each series one line (or one histogram) with `name` as its legend.
 * - 'line': y.values[i] at x.values[i] (same length); y.scale says whether the paper's axis is log.
 *   NaN marks a value that could not be measured (a diverged run's loss; null once through JSON): a page leaves a gap.
 * - 'histogram': x.edges has bins + 1 ascending edges, y.values one density per bin (integrates to the
 *   share of values inside the edges).
 *
 * The series each card draws, by figure id (names as listed):
 *
 * glorot-2010
 * - 'fig6-standard', 'fig6-normalized': histograms, names 'layer 1'…'layer 5'; x 'activation value' (48 bins on
 *   [-1, 1]), y density. 'fig7-standard', 'fig7-normalized': the same for dC/ds (48 bins on ±the probe's largest
 *   |dC/ds|). 'fig8-standard', 'fig8-normalized': the weight gradients (48 bins on ±4 × the largest layer std).
 * - 'per-layer': lines, x 'layer' 1–5, y 'std' (log); names '<init>: activations', '<init>: back-propagated
 *   gradients', '<init>: weight gradients' for init 'standard init U(±1/√n)' and 'normalized init'.
 * - 'fig2': lines of the 4-hidden-layer sigmoid net, x 'epoch' 1–40, y 'sigmoid output'; names 'layer L mean',
 *   'layer L std' for L = 1…4. 'fig2-depth': lines, x 'epoch', y the top hidden layer's mean output; names
 *   '2 hidden layers' … '5 hidden layers'.
 * - 'table1': lines, x 'epoch' 1–20, y 'test error'; names 'Sigmoid', 'Tanh', 'Tanh N', 'Softsign', 'Softsign N'.
 * he-2015
 * - 'variance': lines, x 'layer' 1–30, y std of the layer's output (log); names 'He: N(0, 2/n): measured',
 *   '"Xavier": N(0, 1/n): measured', '"Xavier": derived, He × 1/√2^L'.
 * - 'gradients': lines, x layer 1–31 (31 = output), y weight-gradient L2 norm (log); names 'He: N(0, 2/n)',
 *   '"Xavier": N(0, 1/n)'.
 * - 'fig2' (14 layers), 'fig3' (30 layers): lines, x 'epoch' 1–15, y 'test error'; 'fig2-loss', 'fig3-loss': y the
 *   epoch's mean training loss (log; NaN where a run diverged). Names as in 'gradients'.
 * ioffe-2015
 * - 'fig1a': lines, x 'training step' (every 60 steps to 3,000 on digits; every 1,000 to 50,000 with data),
 *   y 'test accuracy'; names 'without batch norm', 'with batch norm'.
 * - 'fig1b' (without), 'fig1c' (with): lines, the same x, y the unit's sigmoid input; names '15th percentile',
 *   '50th percentile', '85th percentile'.
 * srivastava-2014
 * - 'fig9a' (n fixed), 'fig9b' (pn fixed): lines, x the retention probability p (0.1, 0.2, 0.5, 1 on digits;
 *   0.1…1 with data), y 'classification error'; names 'test error', 'training error'.
 * - 'fig9a-curves', 'fig9b-curves': lines, x 'epoch', y 'test error'; one per p, names 'p = 0.1' ….
 * - 'fig8': histograms (40 bins from 0, the same bins for both), x the per-unit mean activation; names
 *   'autoencoder without dropout', 'autoencoder with dropout (p = 0.5)'. 'fig8-activations': the same for
 *   every activation (units × test images; the top 1% beyond the last bin).
 * klambauer-2017
 * - 'fixed-point-mean', 'fixed-point-std' (log): lines, x 'layer' 1–50; names 'selu', 'relu', 'tanh', 'elu'.
 * - 'fig1': lines, x 'epoch' 1–40, y the epoch's mean training loss (log); names 'SNN (SELU), D layers',
 *   'ReLU + batch norm, D layers' for D = 8, 16.
 */
export type PaperSeries =
  | { figure: string; kind: 'line'; name: string; x: { label: string; values: number[] }; y: { label: string; values: number[]; scale: 'linear' | 'log' } }
  | { figure: string; kind: 'histogram'; name: string; x: { label: string; edges: number[] }; y: { label: string; values: number[]; scale: 'linear' } };

export interface PaperRun {
  label: string;
  /** the createNetwork config of the run (inputs and loss from the data) */
  config: NetworkConfig;
  /** fit's epochs and batch size; null for a run that only looks at the network at initialization */
  fit: { epochs: number; batchSize: number; [key: string]: unknown } | null;
  series: PaperSeries[];
}

export interface PaperClaim {
  text: string;
  /** the paper's value as the paper gives it (a number, or words where it gives no number) and where it stands */
  paper: { value: string; source: 'text' | 'table' | 'figure'; where: string };
  /** our measured value on this seed, with its context */
  ours: string;
  /** true / false: measured here; null: not measured (note says what it needs: data, or a feature gradscope lacks) */
  holds: boolean | null;
  /** why a claim does not hold (or cannot be measured) here, when the card knows; also caveats on one that holds */
  note?: string;
}

export interface PaperCard {
  id: PaperId;
  seed: number;
  /** 'digits', or the name of the dataset given */
  data: string;
  runs: PaperRun[];
  claims: PaperClaim[];
  /** true: every measured claim holds; false: at least one does not; null: none measured (or stopped) */
  holds: boolean | null;
  /** true when options.signal stopped the card: runs holds the runs finished so far, claims is empty */
  aborted: boolean;
  /** wall-clock milliseconds */
  ms: number;
}

export interface ReproduceOptions {
  /** seeds the data split, init, dropout and shuffling; default 1 (the tests check seeds 1-3) */
  seed?: number;
  /** called after each unit of work (an epoch, a pass at initialization); may return a promise */
  onProgress?: (progress: { done: number; total: number; label: string }) => void | Promise<void>;
  /** checked between runs and epochs: the card then resolves with aborted: true */
  signal?: AbortSignalLike;
  /**
   * a classification dataset to use instead of digits, as datasets.parseCsv returns it (loss 'softmax-ce', y Int32Array),
   * e.g. MNIST: srivastava-2014 then runs the whole Fig 9 and ioffe-2015 the paper's 50,000 steps (minutes)
   */
  data?: Dataset;
}

/** the paper cards: ids glorot-2010, he-2015, ioffe-2015, srivastava-2014, klambauer-2017 */
export declare const papers: Readonly<Record<PaperId, Readonly<PaperInfo>>>;
export declare const PAPER_IDS: readonly PaperId[];
/** runs a paper card: its runs (with the figures' series), its claims checked on our runs, and the verdict */
export declare function reproduce(id: PaperId, options?: ReproduceOptions): Promise<PaperCard>;

export declare function createNetwork(config: NetworkConfig, options?: CoreOptions): Promise<Network>;
/** toJSON() output (or its text), or a state_dict exported from PyTorch by the shipped python/export_state_dict.py */
export declare function loadNetwork(json: NetworkJSON | PyTorchExport | string, options?: CoreOptions & FromPyTorchOptions): Promise<Network>;

export interface Core {
  readonly simd: boolean;
  /** the relaxed-SIMD build (see CoreOptions.relaxed) */
  readonly relaxed: boolean;
  /** the threaded build (gradscope_threads.wasm), its memory shared */
  readonly threads: boolean;
  readonly memory: WasmMemory;
}
/**
 * options.threads: true (or a count above 1) for the threaded build itself; createNetwork's
 * threads also starts its worker threads
 */
export declare function loadCore(options?: Omit<CoreOptions, 'threads'> & { threads?: boolean | number }): Promise<Core>;
export declare function simdSupported(): boolean;
/** whether this engine runs relaxed SIMD (final encoding), which `relaxed: true` needs */
export declare function relaxedSimdSupported(): boolean;
/**
 * Where the core's .wasm files (and the digits data) are served, for bundlers that do not
 * emit them (esbuild, Rollup) or files moved elsewhere: a folder URL holding
 * gradscope_simd.wasm, gradscope_scalar.wasm, digits.csv.gz (and the opt-in gradscope_relaxed.wasm and gradscope_threads.wasm), or a URL per file; null
 * goes back to the packaged files. Applies to cores loaded afterwards.
 */
export declare function setWasmPaths(paths: string | URLLike | { simd?: string | URLLike; scalar?: string | URLLike; relaxed?: string | URLLike; threads?: string | URLLike; digits?: string | URLLike } | null): void;

export declare const STAT_NAMES: (keyof LayerStats)[];
export declare const ACTIVATIONS: Activation[];
export declare const LOSSES: Loss[];
export declare const INITS: string[];
export declare const OPTIMIZERS: ('sgd' | 'adam')[];

// ---- PyTorch ---------------------------------------------------------------------
/**
 * A self-contained Python script (PyTorch) of the network: an nn.Sequential with the same
 * layers, the trained weights and running statistics, the optimizer with its
 * hyperparameters and state (buffers, step, schedule position), the loss, and
 * predict(x) / train_step(x, y) / train(x, y, epochs, batch_size).
 */
export declare function toPyTorch(net: Network | NetworkJSON): string;
/** what python/export_state_dict.py (shipped in the package) writes from an nn.Sequential */
export interface PyTorchExport {
  format: 'gradscope-pytorch-state-dict';
  version: number;
  modules: { type: string; [key: string]: unknown }[];
  loss: Loss | null;
  state_dict: Record<string, { shape: number[]; data: string }>;
}
export interface FromPyTorchOptions {
  /** the optimizer to continue with (default SGD, learning rate 0.01) */
  optimizer?: NetworkConfig['optimizer'];
  /** default: the export's loss, else 'mse' */
  loss?: Loss;
  /** for dropout (default 0) */
  seed?: number;
}
/** the config and parameters of an exported nn.Sequential (for createNetwork + setParameters) */
export declare function fromPyTorch(doc: PyTorchExport | string, options?: FromPyTorchOptions): { config: NetworkConfig; parameters: LayerParameters[] };
/** a Network from an exported nn.Sequential: its layers, weights and running statistics */
export declare function loadPyTorch(doc: PyTorchExport | string, options?: FromPyTorchOptions & CoreOptions): Promise<Network>;
