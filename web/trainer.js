// Main-thread handle on a training worker: commands out, messages in.
export class Trainer {
  constructor(onMessage) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event) => onMessage(event.data);
    this.worker.onerror = (event) => onMessage({ type: 'error', message: event.message || 'the training worker failed to start' });
  }

  send(type, payload = {}) {
    this.worker.postMessage({ type, ...payload });
  }

  terminate() {
    this.worker.terminate();
  }
}
