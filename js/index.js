// gradscope: train small neural networks in WebAssembly and watch every
// layer's gradients. Public entry point.
import { diagnose as diagnoseRecord } from './diagnose.js';
import { Network } from './network.js';
import { toPyTorch as pytorchScript } from './pytorch.js';

export { createNetwork, loadNetwork, loadPyTorch, Network, STAT_NAMES } from './network.js';
export { loadCore, relaxedSimdSupported, setWasmPaths, simdSupported } from './loader.js';
export { ACTIVATIONS, LOSSES, INITS, OPTIMIZERS } from './config.js';
export * as datasets from './datasets.js';
export { THRESHOLDS, inputScale } from './diagnose.js';
export { tryRemedies, remediesFor } from './remedies.js';
export { FINDINGS, FINDING_KINDS, FINDING_METRICS, REMEDIES } from './findings.js';
export { presets, PRESET_NAMES, presetScenario, runPreset, runScenario, loadDataset, applyChanges, REMEDY_CHANGES } from './presets.js';
export { sweep } from './sweep.js';
export { papers, reproduce, PAPER_IDS } from './papers/index.js';
export { fromPyTorch } from './pytorch.js';

// diagnose(net) and toPyTorch(net) read the network through its methods: a disposed one
// is refused under their own names, not those of the methods they call
/** diagnose.js's diagnose(net, thresholds, options) */
export function diagnose(net, thresholds, options) {
  Network.checkLive('diagnose', net);
  return diagnoseRecord(net, thresholds, options);
}
/** pytorch.js's toPyTorch(net) */
export function toPyTorch(net) {
  Network.checkLive('toPyTorch', net);
  return pytorchScript(net);
}
