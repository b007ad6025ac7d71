/**
 * The steps of a TD3 update that both threads run (with `threads: 2` the worker runs them for critic 2 and the second
 * row block). TD3's actor step on a block of minibatch rows: dLoss/dθ of the actor loss -mean_B Q1(s, π(s)), accumulated into
 * `actor.grads`, through critic 1's input gradient (its parameter gradients are not needed). The minibatch is
 * processed in two row blocks both single-threaded and with `threads: 2` (where the worker takes the second
 * block), so the two modes do the same arithmetic and stay bit-identical.
 */
import type { Mlp } from '../nn/mlp.ts';
import type { Dtype } from '../wasm/kernels.ts';

export interface ActorStepScratch {
  criticIn: Float64Array;
  dQ: Float64Array;
  dCriticIn: Float64Array;
  dActorOut: Float64Array;
}

/** Returns this block's share of the actor loss. `obsRows` holds the block's observations, row-major n x obsSize. */
export function actorStepRows(actor: Mlp<Dtype>, critic: Mlp<Dtype>, obsRows: ArrayLike<number>, n: number, batchSize: number, s: ActorStepScratch): number {
  if (n === 0) return 0;
  const O = actor.inputSize;
  const A = actor.outputSize;
  const C = O + A;
  const a = actor.forward(obsRows, n);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < O; i++) s.criticIn[b * C + i] = obsRows[b * O + i]!;
    for (let i = 0; i < A; i++) s.criticIn[b * C + O + i] = a[b * A + i]!;
  }
  const q = critic.forward(s.criticIn, n);
  let loss = 0;
  for (let b = 0; b < n; b++) {
    loss -= q[b]! / batchSize;
    s.dQ[b] = -1 / batchSize; // the mean is over the whole minibatch
  }
  critic.backward(s.dQ, s.dCriticIn, { paramGrads: false });
  for (let b = 0; b < n; b++) for (let i = 0; i < A; i++) s.dActorOut[b * A + i] = s.dCriticIn[b * C + O + i]!;
  actor.backward(s.dActorOut);
  return loss;
}

/**
 * A critic's step on a minibatch, on either thread: mse(Q(s, a), target) over the B rows of `input` (concat(obs, action)),
 * its gradients zeroed then accumulated into `critic.grads` (dLoss/dQ goes through `dQ`); returns the loss.
 */
export function criticMseGradients(critic: Mlp<Dtype>, input: ArrayLike<number>, target: ArrayLike<number>, B: number, dQ: Float64Array): number {
  critic.zeroGrad();
  const q = critic.forward(input, B);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const err = q[b]! - target[b]!;
    loss += (err * err) / B;
    dQ[b] = (2 * err) / B;
  }
  critic.backward(dQ);
  return loss;
}

/** Rows [0, H) go to the main thread, [H, B) to the worker. */
export function splitRow(batchSize: number): number {
  return batchSize >> 1;
}
