/**
 * `npm run bench:rl-speed [-- --json]`: throughput of the RL engine (a benchmark, not a test).
 *  - PPO training with SB3 defaults (1 env, n_steps 2048, batch 64, 10 epochs, 64x64 tanh) on CartPole-v1:
 *    env steps per second over whole rollout+update iterations, after one warm-up iteration.
 *  - Single-decision inference (batch 1): PPO policy action + value, median microseconds per call.
 *  - TD3 updates per second with [256, 256] networks, batch 256 (Pendulum-v1 replay data), in TD3's default
 *    dtype (float32: f32x4 wasm kernels, as torch/SB3 train), with 1 thread and with `threads: 2` (critic 1 and
 *    half of the actor work on a worker); the headline figure is the faster of the two (target: >= 50).
 *    `--td3-dtype f64` measures the float64 networks instead (PPO's dtype).
 * Set EDGEPILOT_RL_KERNEL=ts to measure the pure-TypeScript kernels instead of wasm SIMD. The machine may be
 * shared: the load average before and after is printed, and each figure is a median over 15 update pairs.
 */
import { loadavg, cpus } from 'node:os';
import { Rng } from '../core/rng.ts';
import { makeEnv } from '../env/registry.ts';
import { SyncVecEnv } from '../env/vector.ts';
import { PPO } from '../rl/ppo/ppo.ts';
import { TD3 } from '../rl/td3/td3.ts';
import { TD3_DEFAULTS } from '../rl/td3/config.ts';
import { defaultKernel, parseDtype } from '../rl/wasm/kernels.ts';
import { exitWithUsage, parseBenchArgs } from './bench-args.ts';

const USAGE = `npm run bench:rl-speed -- [options]   (PPO training steps/s, inference µs, TD3 [256, 256] updates/s)
  --td3-dtype f32|f64   TD3 network precision (default ${TD3_DEFAULTS.dtype})
  --json                print one JSON summary as the last stdout line`;
const args = parseBenchArgs('bench:rl-speed', USAGE, { json: { type: 'boolean', default: false }, 'td3-dtype': { type: 'string', default: TD3_DEFAULTS.dtype } });
const json = args.json === true;
let td3Dtype: ReturnType<typeof parseDtype>;
try {
  td3Dtype = parseDtype(args['td3-dtype'], '--td3-dtype');
} catch (error) {
  exitWithUsage('bench:rl-speed', USAGE, (error as Error).message);
}
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

log(`bench:rl-speed  kernel=${defaultKernel()}  ${cpus().length} cpus  load average before ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

// 1. PPO training throughput, SB3 defaults.
const vec = new SyncVecEnv([makeEnv('CartPole-v1')]);
const ppo = new PPO(vec, {}, 0);
ppo.learn(2048); // warm-up iteration (JIT)
const ppoIterations = 3;
const t0 = performance.now();
ppo.learn(2048 * ppoIterations);
const ppoStepsPerSecond = (2048 * ppoIterations) / ((performance.now() - t0) / 1000);
log(`PPO (SB3 defaults, CartPole-v1): ${ppoStepsPerSecond.toFixed(0)} env steps/s over ${ppoIterations} iterations of 2048 steps + 320 gradient steps`);

// 2. Single-decision inference: action (sampled) + value for one observation.
const rng = new Rng(1);
const obs = Float64Array.of(0.01, -0.02, 0.03, 0.04);
const policy = ppo.policy;
const action = new Float64Array(1);
let sink = 0;
const decide = (): void => {
  const x = policy.normalize(obs, 1);
  const out = policy.actor.forward(x, 1);
  policy.dist.sample(out, 0, policy.logStd.params, rng, action, 0);
  sink += policy.dist.logProb(out, 0, policy.logStd.params, action, 0) + policy.values(x, 1)[0]!;
};
for (let i = 0; i < 20000; i++) decide();
const chunkMicros: number[] = [];
for (let c = 0; c < 200; c++) {
  const s = performance.now();
  for (let i = 0; i < 500; i++) decide();
  chunkMicros.push(((performance.now() - s) * 1000) / 500);
}
const inferenceMicros = median(chunkMicros);
log(`Inference (batch 1, 4->64->64->2 policy + 4->64->64->1 value, sample + log-prob): ${inferenceMicros.toFixed(2)} µs median (per-call mean of 200 chunks of 500)`);

// 3. TD3 update rate, [256, 256], batch 256, single-threaded and with critic 1 on a worker thread.
function td3Rate(threads: 1 | 2): { perSecond: number; msPerUpdate: number; cpuMsPerUpdate: number } {
  const td3 = new TD3(makeEnv('Pendulum-v1'), { netArch: [256, 256], batchSize: 256, learningStarts: 2000, bufferSize: 10000, threads, dtype: td3Dtype }, 0);
  td3.learn(2000); // random-action warm-up data, no updates
  td3.train(4);
  const updateMs: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < 15; k++) {
    const s = performance.now();
    td3.train(2); // one critic-only and one critic+actor update
    updateMs.push((performance.now() - s) / 2);
  }
  // CPU time of the whole process (both threads with threads: 2): less sensitive to other processes than wall time.
  const cpu = process.cpuUsage(cpu0);
  td3.close();
  return { perSecond: 1000 / median(updateMs), msPerUpdate: median(updateMs), cpuMsPerUpdate: (cpu.user + cpu.system) / 1000 / 30 };
}
const td3One = td3Rate(1);
log(`TD3 ([256, 256], batch 256, ${td3Dtype}), 1 thread: ${td3One.perSecond.toFixed(1)} updates/s (median of 15 pairs, ${td3One.msPerUpdate.toFixed(1)} ms/update; CPU ${td3One.cpuMsPerUpdate.toFixed(1)} ms/update)`);
const td3Two = td3Rate(2);
log(`TD3 ([256, 256], batch 256, ${td3Dtype}), 2 threads (critic 1 on a worker): ${td3Two.perSecond.toFixed(1)} updates/s (${td3Two.msPerUpdate.toFixed(1)} ms/update; CPU of both threads ${td3Two.cpuMsPerUpdate.toFixed(1)} ms/update)`);
const td3UpdatesPerSecond = Math.max(td3One.perSecond, td3Two.perSecond);
log(`load average after ${loadavg().map((x) => x.toFixed(2)).join(' ')}${sink === 42 ? ' ' : ''}`);

if (json) process.stdout.write(`${JSON.stringify({ ppoStepsPerSecond, inferenceMicros, td3UpdatesPerSecond, td3UpdatesPerSecondOneThread: td3One.perSecond, td3UpdatesPerSecondTwoThreads: td3Two.perSecond, td3CpuMsPerUpdateOneThread: td3One.cpuMsPerUpdate, td3CpuMsPerUpdateTwoThreads: td3Two.cpuMsPerUpdate, td3Dtype, kernel: defaultKernel(), loadAverage: loadavg() })}\n`);
