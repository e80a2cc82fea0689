// gradscope: train small neural networks in WebAssembly and watch every
// layer's gradients. Public entry point.
export { createNetwork, loadNetwork, Network, STAT_NAMES } from './network.js';
export { loadCore, relaxedSimdSupported, setWasmPaths, simdSupported } from './loader.js';
export { ACTIVATIONS, LOSSES, INITS, OPTIMIZERS } from './config.js';
export * as datasets from './datasets.js';
export { diagnose, THRESHOLDS, inputScale } from './diagnose.js';
export { tryRemedies, remediesFor } from './remedies.js';
export { FINDINGS, FINDING_KINDS, FINDING_METRICS, REMEDIES } from './findings.js';
export { presets, PRESET_NAMES, presetScenario, runPreset, runScenario, loadDataset, applyChanges, REMEDY_CHANGES } from './presets.js';
export { sweep } from './sweep.js';
export { toPyTorch, fromPyTorch, loadPyTorch } from './pytorch.js';
