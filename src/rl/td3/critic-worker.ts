/**
 * TD3's second critic (and its target) on a worker thread, so the two critics train on both cores at once
 * (`threads: 2`). The worker owns its networks and its half of the critic Adam (Adam is elementwise, so two
 * optimisers with the same step count equal SB3's single optimiser over both critics: the results are
 * bit-identical to `threads: 1`). Commands and minibatch data go through a SharedArrayBuffer; Atomics wait/notify
 * do the hand-off. See CriticWorkerClient in td3-threads.ts for the layout.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Mlp } from '../nn/mlp.ts';
import { Adam } from '../nn/adam.ts';
import { CMD, layoutFor } from './td3-threads.ts';
import type { CriticWorkerInit } from './td3-threads.ts';

const init = workerData as CriticWorkerInit;
const spec = { sizes: init.criticSizes, activation: 'relu' as const };
const critic = new Mlp(spec, init.batchSize);
const target = new Mlp(spec, init.batchSize);
critic.params.set(init.criticParams);
target.params.set(init.targetParams);
const adam = new Adam([critic], { lr: init.learningRate, eps: init.adamEps });
const L = layoutFor(init.batchSize, init.criticSizes[0]!, critic.params.length);
const ctrl = new Int32Array(init.sab, 0, 2);
const f = new Float64Array(init.sab, 8);
const inNext = f.subarray(L.inNext, L.inNext + L.inLen);
const inCur = f.subarray(L.inCur, L.inCur + L.inLen);
const targetQ = f.subarray(L.targetQ, L.targetQ + init.batchSize);
const outQ = f.subarray(L.outQ, L.outQ + init.batchSize);
const dQ = new Float64Array(init.batchSize);
const B = init.batchSize;

for (;;) {
  Atomics.wait(ctrl, 0, CMD.idle);
  const cmd = Atomics.exchange(ctrl, 0, CMD.idle);
  if (cmd === CMD.exit) break;
  if (cmd === CMD.targetQ) {
    outQ.set(target.forward(inNext, B));
  } else if (cmd === CMD.update) {
    critic.zeroGrad();
    const q = critic.forward(inCur, B);
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const err = q[b]! - targetQ[b]!;
      loss += (err * err) / B;
      dQ[b] = (2 * err) / B;
    }
    critic.backward(dQ);
    adam.step();
    f[L.scalar] = loss;
  } else if (cmd === CMD.polyak) {
    target.polyakFrom(critic, f[L.scalar]!);
  } else if (cmd === CMD.exportParams) {
    f.set(critic.params, L.params);
    f.set(target.params, L.params + critic.params.length);
  }
  Atomics.store(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
parentPort?.close();
