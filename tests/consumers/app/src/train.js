// What the consumer app does in the page and in its worker: train a small
// network on the circle data and load the digits data, with no configuration.
import { createNetwork, datasets } from 'gradscope';

export async function train(where) {
  const started = performance.now();
  const data = datasets.circle({ samples: 200, noise: 0.05, seed: 1 });
  const net = await createNetwork({
    inputs: 2,
    layers: [{ units: 16, activation: 'relu' }, { units: 1 }],
    loss: 'bce',
    optimizer: { type: 'adam', learningRate: 0.02 },
    seed: 1,
  });
  const history = await net.fit(data.train.x, data.train.y, { epochs: 40, batchSize: 20 });
  const { accuracy } = net.evaluate(data.test.x, data.test.y);
  const simd = net.simd;
  net.dispose();
  const digits = await datasets.digits();
  return {
    where,
    first: history.loss[0],
    last: history.loss.at(-1),
    accuracy,
    simd,
    digits: digits.train.y.length + digits.test.y.length,
    ms: Math.round(performance.now() - started),
  };
}
