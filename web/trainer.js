// Main-thread handle on a training worker: commands out, messages in.
export class Trainer {
  constructor(onMessage) {
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event) => onMessage(event.data);
    // an error the worker did not catch itself (a failed start, a script error): the page stops the run
    this.worker.onerror = (event) => {
      event.preventDefault();
      onMessage({ type: 'error', fatal: true, message: `the training worker failed: ${event.message || 'it could not start'}` });
    };
    this.worker.onmessageerror = () => onMessage({ type: 'error', message: 'a message from the training worker could not be read' });
  }

  send(type, payload = {}) {
    this.worker.postMessage({ type, ...payload });
  }

  terminate() {
    this.worker.terminate();
  }
}
