export * from '../js/worker/index.js';
