// Type declarations for gradscope/worker: the Network API, async, in a worker.
import type {
  CoreOptions,
  EpochInfo,
  Finding,
  FitHistory,
  FitOptions,
  LayerHistograms,
  LayerParameters,
  LayerStats,
  LayerTensors,
  NetworkConfig,
  NetworkJSON,
  ProbeOptions,
  ProbeResult,
  ResolvedConfig,
  StepResult,
  Targets,
  Thresholds,
  TrainingRecord,
} from '../index.js';

/** a Web Worker or a worker_threads Worker whose script imports 'gradscope/worker/host' */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  terminate(): unknown;
}

export interface WorkerOptions extends CoreOptions {
  /**
   * a worker of yours running 'gradscope/worker/host' (for bundlers that do not bundle
   * workers found in dependencies); several networks may share it and dispose() leaves it
   * running. Without it each network starts its own worker and dispose() ends it.
   */
  worker?: WorkerLike;
}

export interface WorkerFitOptions extends Omit<FitOptions, 'onEpoch'> {
  /**
   * each epoch's info, as Network.fit's: the worker waits until it (and a promise it
   * returns) is done before the next epoch, so an abort from it stops at the same step
   */
  onEpoch?: (info: EpochInfo) => void | Promise<void>;
}

/** A network in a worker: Network's methods, each returning a promise. */
export declare class WorkerNetwork {
  /** the validated configuration with every default filled in (a copy) */
  readonly config: ResolvedConfig;
  readonly inputs: number;
  readonly outputs: number;
  /** true when the worker runs the SIMD build of the core */
  readonly simd: boolean;
  /** true when the worker runs the opt-in relaxed-SIMD build (CoreOptions.relaxed) */
  readonly relaxed: boolean;
  /** threads sharing the network's matrix products in the worker (CoreOptions.threads) */
  readonly threads: number;
  trainStep(x: Float32Array, y: Targets): Promise<StepResult>;
  computeGradients(x: Float32Array, y: Targets): Promise<StepResult & { layers: LayerTensors[] }>;
  predict(x: Float32Array): Promise<Float32Array>;
  evaluate(x: Float32Array, y: Targets): Promise<{ loss: number; accuracy?: number }>;
  /**
   * an abort of options.signal stops training at the next epoch, as Network.fit: history.aborted
   * is then true, and onEpoch is not called after it. dispose() during a fit rejects it with
   * "fit: the network was disposed during training".
   */
  fit(x: Float32Array, y: Targets, options?: WorkerFitOptions): Promise<FitHistory>;
  layerStats(): Promise<LayerStats[]>;
  /** the last pass's histograms per layer (activation, gradient, weight) */
  layerHistograms(): Promise<LayerHistograms[]>;
  /** eval mode: per layer, the share of rows with output != 0 for each unit */
  unitActivity(x: Float32Array): Promise<Float32Array[]>;
  /**
   * Network.layerOutputs: eval mode, each hidden layer's output (rows × units, row-major) in layer
   * order; each array has a buffer of its own here (not views into one). One layer: [].
   */
  layerOutputs(x: Float32Array): Promise<Float32Array[]>;
  /** Network.probe: eval-mode statistics of a fixed probe set, no update */
  probe(x: Float32Array, y: Targets, options?: ProbeOptions): Promise<ProbeResult>;
  trainingRecord(): Promise<TrainingRecord>;
  resetRecord(): Promise<void>;
  getParameters(): Promise<LayerParameters[]>;
  setParameters(layers: Partial<Record<keyof LayerParameters, Float32Array | number[]>>[]): Promise<void>;
  toJSON(): Promise<NetworkJSON>;
  /** toPyTorch(net): a runnable PyTorch script of this network and its optimizer state */
  toPyTorch(): Promise<string>;
  /** diagnose(net, thresholds), run in the worker */
  diagnose(thresholds?: Partial<Thresholds>): Promise<Finding[]>;
  /** the learning rate the next step will use */
  learningRate(): Promise<number>;
  /** frees the network (a running fit rejects); ends its worker unless that was passed in options.worker */
  dispose(): Promise<void>;
}

/** createNetwork(config) with the network in a worker */
export declare function createNetwork(config: NetworkConfig, options?: WorkerOptions): Promise<WorkerNetwork>;
/** loadNetwork(json) with the network in a worker */
export declare function loadNetwork(json: NetworkJSON | string, options?: WorkerOptions): Promise<WorkerNetwork>;
