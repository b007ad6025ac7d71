/**
 * PPO's critic on a worker thread (`threads: 2`): forward, backward, clip scaling and its Adam, on the commands of
 * PpoCriticWorkerClient (critic-threads.ts, which explains why the results equal `threads: 1`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Mlp } from '../nn/mlp.ts';
import { Adam, scaleGrads } from '../nn/adam.ts';
import { PPO_CMD, ppoCriticLayout, ppoCriticViews } from './critic-threads.ts';
import type { PpoCriticWorkerInit } from './critic-threads.ts';

const init = workerData as PpoCriticWorkerInit;
const critic = new Mlp({ sizes: init.sizes, activation: init.activation }, init.maxBatch);
critic.params.set(init.params);
const adam = new Adam([critic], { lr: 0, eps: init.adamEps });
const L = ppoCriticLayout(init.maxBatch, critic.inputSize, critic.params.length);
const { ctrl, f64 } = ppoCriticViews(init.sab, L);
const obs = f64.subarray(L.obs, L.values);
const values = f64.subarray(L.values, L.dValue);
const dValue = f64.subarray(L.dValue, L.grads);
const grads = f64.subarray(L.grads, L.params);
const params = f64.subarray(L.params, L.total);

for (;;) {
  Atomics.wait(ctrl, 0, PPO_CMD.idle);
  const cmd = Atomics.exchange(ctrl, 0, PPO_CMD.idle);
  if (cmd === PPO_CMD.exit) break;
  if (cmd === PPO_CMD.forward) {
    const batch = ctrl[2]!;
    critic.zeroGrad();
    values.set(critic.forward(obs, batch));
  } else if (cmd === PPO_CMD.backward) {
    critic.backward(dValue);
    grads.set(critic.grads);
  } else if (cmd === PPO_CMD.step) {
    // The same scaling as clipGradNorm (src/rl/nn/adam.ts), with the coefficient the main thread computed.
    const coef = f64[L.coef]!;
    if (coef < 1) scaleGrads(critic.grads, coef);
    adam.lr = f64[L.lr]!;
    adam.step();
  } else if (cmd === PPO_CMD.importParams) {
    critic.params.set(params);
  } else if (cmd === PPO_CMD.exportParams) {
    params.set(critic.params);
  }
  Atomics.store(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
parentPort?.close();
