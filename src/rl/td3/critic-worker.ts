/**
 * TD3's second critic (and its target) on a worker thread, so the two critics train on both cores at once
 * (`threads: 2`). The worker owns its networks and its half of the critic Adam (Adam is elementwise, so two
 * optimisers with the same step count equal SB3's single optimiser over both critics). It also mirrors the actor,
 * the actor target and critic 1 to compute the second row block of the actor-target forward and of the actor
 * gradient (actor-step.ts), so the work splits evenly over the two cores; the results are bit-identical to
 * `threads: 1`, in either dtype. Commands and minibatch data go through a SharedArrayBuffer; Atomics wait/notify do the hand-off.
 * See CriticWorkerClient in td3-threads.ts for the layout.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Mlp } from '../nn/mlp.ts';
import { Adam } from '../nn/adam.ts';
import { CMD, layoutFor, sharedViews } from './td3-threads.ts';
import type { CriticWorkerInit } from './td3-threads.ts';
import type { FloatArray } from '../wasm/kernels.ts';
import { actorStepRows, criticMseGradients, splitRow } from './actor-step.ts';

const init = workerData as CriticWorkerInit;
const B = init.batchSize;
const dtype = init.dtype;
const criticSpec = { sizes: init.criticSizes, activation: 'relu' as const, dtype };
const actorSpec = { sizes: init.actorSizes, activation: 'relu' as const, outputActivation: 'tanh' as const, dtype };
const critic = new Mlp(criticSpec, B);
const target = new Mlp(criticSpec, B);
const critic0 = new Mlp(criticSpec, B);
const actor = new Mlp(actorSpec, B);
const actorTarget = new Mlp(actorSpec, B);
critic.params.set(init.criticParams);
target.params.set(init.targetParams);
actor.params.set(init.actorParams);
actorTarget.params.set(init.actorTargetParams);
const adam = new Adam([critic], { lr: init.learningRate, eps: init.adamEps });
const O = actor.inputSize;
const A = actor.outputSize;
const C = O + A;
const H = splitRow(B);
const L = layoutFor(dtype, B, init.criticSizes[0]!, critic.params.length, A, actor.params.length);
const { ctrl, f64, data: d } = sharedViews(init.sab, dtype, L);
const inNext = d.subarray(L.inNext, L.inNext + L.inLen);
const inCur = d.subarray(L.inCur, L.inCur + L.inLen);
const targetQ = f64.subarray(L.targetQ, L.targetQ + B);
const outQ = d.subarray(L.outQ, L.outQ + B);
const nextA = d.subarray(L.nextA, L.nextA + B * A);
const actorParams = d.subarray(L.actorParams, L.actorParams + actor.params.length);
const critic0Params = d.subarray(L.critic0Params, L.critic0Params + critic.params.length);
const actorGrad = d.subarray(L.actorGrad, L.actorGrad + actor.params.length);
const dQ = new Float64Array(B);
const obsRows = new Float64Array(B * O);
const scratch = { criticIn: new Float64Array(B * C), dQ: new Float64Array(B), dCriticIn: new Float64Array(B * C), dActorOut: new Float64Array(B * A) };

/** Rows [H, B) of a critic-input block, observation part only, made contiguous. */
function gatherObs(src: FloatArray): void {
  for (let b = H; b < B; b++) for (let i = 0; i < O; i++) obsRows[(b - H) * O + i] = src[b * C + i]!;
}

for (;;) {
  Atomics.wait(ctrl, 0, CMD.idle);
  const cmd = Atomics.exchange(ctrl, 0, CMD.idle);
  if (cmd === CMD.exit) break;
  if (cmd === CMD.actorTargetRows) {
    if (f64[L.actorPolyakPending] === 1) {
      actor.params.set(actorParams);
      actorTarget.polyakFrom(actor, init.tau);
      f64[L.actorPolyakPending] = 0;
    }
    gatherObs(inNext);
    nextA.set(actorTarget.forward(obsRows, B - H));
  } else if (cmd === CMD.targetQ) {
    outQ.set(target.forward(inNext, B));
  } else if (cmd === CMD.update) {
    const loss = criticMseGradients(critic, inCur, targetQ, B, dQ);
    adam.step();
    f64[L.scalar] = loss;
  } else if (cmd === CMD.actorStep) {
    actor.params.set(actorParams);
    critic0.params.set(critic0Params);
    gatherObs(inCur);
    actor.zeroGrad();
    f64[L.scalar] = actorStepRows(actor, critic0, obsRows, B - H, B, scratch);
    actorGrad.set(actor.grads);
    target.polyakFrom(critic, init.tau); // critic-2 target update: independent of the actor step
  } else if (cmd === CMD.exportParams) {
    d.set(critic.params, L.params);
    d.set(target.params, L.params + critic.params.length);
  }
  Atomics.store(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
parentPort?.close();
