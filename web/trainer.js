// Main-thread handle on a training worker: named commands out (messages.js),
// named replies in, each to its role's handler.
import { FROM_WORKER, TO_WORKER } from './messages.js';

const COMMANDS = new Set(Object.values(TO_WORKER));
const REPLIES = new Set(Object.values(FROM_WORKER));

export class Trainer {
  /** handlers: { [FROM_WORKER name]: (msg) => void }; replies without a handler are not this role's business */
  constructor(handlers, { simd, threads } = {}) {
    for (const name of Object.keys(handlers)) if (!REPLIES.has(name)) throw new Error(`Trainer: ${name} is not a worker reply; expected one of ${[...REPLIES].join(', ')}`);
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (event) => {
      const msg = event.data;
      if (Object.hasOwn(handlers, msg?.type)) handlers[msg.type](msg);
    };
    // an error the worker did not catch itself (a failed start, a script error): the role stops and says why
    this.worker.onerror = (event) => {
      event.preventDefault();
      handlers.error?.({ type: 'error', fatal: true, message: `the training worker failed: ${event.message || 'it could not start'}` });
    };
    this.worker.onmessageerror = () => handlers.error?.({ type: 'error', message: 'a message from the training worker could not be read' });
    this.send(TO_WORKER.init, { simd, threads });
  }

  send(type, payload = {}) {
    if (!COMMANDS.has(type)) throw new Error(`Trainer: ${type} is not a worker command; expected one of ${[...COMMANDS].join(', ')}`);
    this.worker.postMessage({ type, ...payload });
  }

  terminate() {
    this.worker.terminate();
  }
}
