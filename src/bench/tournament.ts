/**
 * The benchmark tournament: every policy x scenario x seed, on common random numbers (seed i is the same world for
 * every policy: the env draws all exogenous randomness from streams forked from the seed, independent of actions).
 * Only a policy that declares `clairvoyant = true` (the oracle) gets an env with `exposeFuture` and sees
 * `context.future`; everyone else gets the same context with `future` removed.
 * Runs are streamed: each StepRecord goes to `onRecord` (the steps file) and to its run's RunAccumulator, then is
 * dropped, so the tournament holds no records, only each finished run's metrics; its size is bounded by time, not heap.
 */
import type { Action } from '../core/types.ts';
import type { SimConfig } from '../core/config.ts';
import { validateAction } from '../core/action.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';
import type { Trace } from '../workload/trace.ts';
import type { Policy, PolicyContext } from '../policies/types.ts';
import { createPolicy } from '../policies/registry.ts';
import { RunAccumulator, summarizeRuns, type FinishedRun, type SummaryRow } from './summary.ts';

/** Seeds of the tournament: BASE_SEED + i, away from the small seeds training runs use, so evaluation is held out. */
export const BASE_SEED = 10_000;
export const seedFor = (i: number): number => BASE_SEED + i;

/** What the tournament needs from SparkIotEnv (src/env/spark-iot-env.ts). */
export interface BenchEnv {
  reset(opts: { seed: number }): { obs: Float32Array; info: unknown };
  stepAction(action: Action): { obs: Float32Array; reward: number; terminated: boolean; truncated: boolean; info: unknown };
}

export interface BenchEnvOptions {
  scenario: string;
  maxSteps: number;
  controlIntervalS?: number;
  /** A trace file (loaded by the env, with its default gaps handling) or a Trace already loaded once by the caller. */
  trace?: string | Trace;
  traceStepS?: number;
  exposeFuture?: boolean;
  /** SparkIotEnv's target ('embedded' | 'spark-k8s'); unset = the env's default. */
  target?: 'embedded' | 'spark-k8s';
  /** false: replay the trace's rates as msgs/s (SparkIotEnv option rescaleTrace); unset = rescaled to the peak. */
  rescaleTrace?: boolean;
  /** The world (a --config file's; src/core/config-file.ts); unset = the built-in config. */
  config?: SimConfig;
}

export type EnvFactory = (opts: BenchEnvOptions) => BenchEnv;

export interface TournamentOptions {
  scenarios: readonly string[];
  policies: readonly string[];
  seeds: number;
  steps: number;
  /** A trace file (loaded by the env, with its default gaps handling) or a Trace already loaded once by the caller. */
  trace?: string | Trace;
  traceStepS?: number;
  controlIntervalS?: number;
  /** The world every env and policy gets (a --config file's); unset = the built-in config. */
  config?: SimConfig;
  makeEnv: EnvFactory;
  /** Wraps each policy once built (bench --restart-gate: src/policies/restart-gated.ts); unset = the policy as built. */
  wrapPolicy?: (policy: Policy) => Policy;
  /**
   * Every StepRecord as it is produced, in file order: scenario -> policy -> seed -> step, so each run's records are
   * contiguous and onRunDone follows a run's last one. The tournament keeps none of them.
   */
  onRecord?: (record: StepRecord) => void;
  /** Called after each run (for a progress bar). */
  onRunDone?: (done: number, total: number, label: string) => void;
}

/** The summary only: the records went to onRecord (the steps file) as they were produced. */
export interface TournamentResult {
  summary: SummaryRow[];
}

function contextOf(info: unknown, where: string): PolicyContext {
  const ctx = (info as { context?: PolicyContext } | undefined)?.context;
  if (!ctx || typeof ctx !== 'object' || !ctx.snapshot) throw new Error(`${where}: env info has no 'context' (PolicyContext)`);
  return ctx;
}

/** One run: reset the env and the policy with `seed`, act for `steps` control steps, return every StepRecord. */
export function runEpisode(env: BenchEnv, policy: Policy, policyId: string, seed: number, steps: number): StepRecord[] {
  const records: StepRecord[] = [];
  streamEpisode(env, policy, policyId, seed, steps, (r) => records.push(r));
  return records;
}

/** runEpisode without the array: each StepRecord goes to `onRecord` as soon as the env produced it. */
export function streamEpisode(env: BenchEnv, policy: Policy, policyId: string, seed: number, steps: number, onRecord: (record: StepRecord) => void): void {
  const where = `run policy=${policyId} seed=${seed}`;
  const first = env.reset({ seed });
  let obs = first.obs;
  let ctx = contextOf(first.info, where);
  policy.reset(seed);
  for (let t = 0; t < steps; t++) {
    const shown: PolicyContext = policy.clairvoyant ? ctx : { ...ctx, future: undefined };
    const action = policy.act(obs, shown);
    try {
      validateAction(action);
    } catch (err) {
      throw new Error(`${where} step ${t}: policy returned an invalid action: ${(err as Error).message}`);
    }
    const res = env.stepAction(action);
    const record = (res.info as { record?: StepRecord } | undefined)?.record;
    if (!record) throw new Error(`${where} step ${t}: env info has no 'record' (StepRecord)`);
    onRecord({ ...record, policy: policyId, seed });
    obs = res.obs;
    ctx = contextOf(res.info, where);
    if (res.terminated || res.truncated) break;
  }
}

/** Every run, ordered scenario -> policy -> seed; the summary is computed from each run's records as it finishes. */
export function runTournament(opts: TournamentOptions): TournamentResult {
  if (!(Number.isInteger(opts.seeds) && opts.seeds >= 1)) throw new Error(`tournament: seeds must be an integer >= 1, got ${opts.seeds}`);
  if (!(Number.isInteger(opts.steps) && opts.steps >= 1)) throw new Error(`tournament: steps must be an integer >= 1, got ${opts.steps}`);
  const total = opts.scenarios.length * opts.policies.length * opts.seeds;
  const finished: FinishedRun[] = [];
  let done = 0;
  for (const scenario of opts.scenarios) {
    for (const policyId of opts.policies) {
      const built = createPolicy(policyId, opts.config);
      const policy = opts.wrapPolicy ? opts.wrapPolicy(built) : built;
      // Optional keys are left out rather than set to undefined, so an env's `{...defaults, ...opts}` keeps its defaults.
      const envOpts: BenchEnvOptions = { scenario, maxSteps: opts.steps, exposeFuture: policy.clairvoyant === true };
      if (opts.controlIntervalS !== undefined) envOpts.controlIntervalS = opts.controlIntervalS;
      if (opts.trace !== undefined) envOpts.trace = opts.trace;
      if (opts.traceStepS !== undefined) envOpts.traceStepS = opts.traceStepS;
      if (opts.config !== undefined) envOpts.config = opts.config;
      const env = opts.makeEnv(envOpts);
      for (let i = 0; i < opts.seeds; i++) {
        const run = new RunAccumulator();
        streamEpisode(env, policy, policyId, seedFor(i), opts.steps, (r) => {
          run.add(r);
          opts.onRecord?.(r);
        });
        finished.push(run.finish());
        done++;
        opts.onRunDone?.(done, total, `${scenario}/${policyId}`);
      }
    }
  }
  return { summary: summarizeRuns(finished) };
}
