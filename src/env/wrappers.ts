/** Gymnasium-style wrappers: TimeLimit, RecordEpisodeStatistics and an observation-normalisation hook. */
import type { Env, EnvAction, ResetOptions, ResetResult, StepResult } from './types.ts';

/** Base class forwarding everything to the wrapped env. */
export class Wrapper<O = Float32Array, A = EnvAction> implements Env<O, A> {
  constructor(readonly env: Env<O, A>) {}
  get id(): string {
    return this.env.id;
  }
  get observationSpace() {
    return this.env.observationSpace;
  }
  get actionSpace() {
    return this.env.actionSpace;
  }
  reset(opts?: ResetOptions): ResetResult<O> {
    return this.env.reset(opts);
  }
  step(action: A): StepResult<O> {
    return this.env.step(action);
  }
  close(): void {
    this.env.close?.();
  }
}

/**
 * Sets `truncated` from the `maxEpisodeSteps`-th step on, like gymnasium.wrappers.TimeLimit: also when that step
 * terminated (then both are set; consumers bootstrap only when truncated && !terminated).
 */
export class TimeLimit<O = Float32Array, A = EnvAction> extends Wrapper<O, A> {
  private elapsed = 0;
  constructor(
    env: Env<O, A>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) throw new Error(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
  }
  override reset(opts?: ResetOptions): ResetResult<O> {
    this.elapsed = 0;
    return this.env.reset(opts);
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}

export interface EpisodeStats {
  /** Undiscounted return of the episode. */
  r: number;
  /** Length in steps. */
  l: number;
}

/** Puts `info.episode = {r, l}` on the step that ends an episode, like RecordEpisodeStatistics / SB3's Monitor. */
export class RecordEpisodeStatistics<O = Float32Array, A = EnvAction> extends Wrapper<O, A> {
  private episodeReturn = 0;
  private episodeLength = 0;
  override reset(opts?: ResetOptions): ResetResult<O> {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return this.env.reset(opts);
  }
  override step(action: A): StepResult<O> {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength++;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStats = { r: this.episodeReturn, l: this.episodeLength };
      r.info = { ...r.info, episode };
    }
    return r;
  }
}

/** Anything that maps a raw observation to a normalised one (e.g. a RunningMeanStd owned by an agent). */
export interface ObservationNormalizer {
  normalize(x: ArrayLike<number>, n: number, out: Float64Array): Float64Array;
  update?(x: ArrayLike<number>, n: number): void;
}

/** Applies an ObservationNormalizer to every observation (updating it when `update` is set). */
export class NormalizeObservation<A = EnvAction> extends Wrapper<Float32Array, A> {
  private readonly scratch: Float64Array;
  constructor(
    env: Env<Float32Array, A>,
    private readonly normalizer: ObservationNormalizer,
    private readonly update = false,
  ) {
    super(env);
    this.scratch = new Float64Array(env.observationSpace.kind === 'box' ? env.observationSpace.low.length : 1);
  }
  private apply(obs: Float32Array): Float32Array {
    if (this.update) this.normalizer.update?.(obs, 1);
    return Float32Array.from(this.normalizer.normalize(obs, 1, this.scratch));
  }
  override reset(opts?: ResetOptions): ResetResult<Float32Array> {
    const r = this.env.reset(opts);
    return { ...r, obs: this.apply(r.obs) };
  }
  override step(action: A): StepResult<Float32Array> {
    const r = this.env.step(action);
    return { ...r, obs: this.apply(r.obs) };
  }
}
