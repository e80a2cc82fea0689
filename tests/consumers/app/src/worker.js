import { train } from './train.js';

train('worker').then(
  (result) => postMessage({ result }),
  (err) => postMessage({ error: String(err?.stack ?? err) }),
);
