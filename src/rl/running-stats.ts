/**
 * Running mean and variance of observations, as SB3's VecNormalize (RunningMeanStd with the parallel
 * algorithm of Chan et al.; initial count 1e-4; normalised obs clipped to +-clipObs, default 10, eps 1e-8).
 */
export interface RunningStatsState {
  mean: number[];
  var: number[];
  count: number;
  clipObs: number;
  epsilon: number;
}

export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;
  readonly clipObs: number;
  readonly epsilon: number;
  private readonly batchMean: Float64Array;
  private readonly batchVar: Float64Array;

  constructor(
    readonly size: number,
    opts: { clipObs?: number; epsilon?: number } = {},
  ) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = 1e-4;
    this.clipObs = opts.clipObs ?? 10;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.batchMean = new Float64Array(size);
    this.batchVar = new Float64Array(size);
  }

  /** Folds in `n` rows of `x` (row-major n x size), using the population variance of the batch (np.var). */
  update(x: ArrayLike<number>, n: number): void {
    const d = this.size;
    this.batchMean.fill(0);
    this.batchVar.fill(0);
    for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) this.batchMean[i] = this.batchMean[i]! + x[r * d + i]! / n;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        const diff = x[r * d + i]! - this.batchMean[i]!;
        this.batchVar[i] = this.batchVar[i]! + (diff * diff) / n;
      }
    }
    const tot = this.count + n;
    for (let i = 0; i < d; i++) {
      const delta = this.batchMean[i]! - this.mean[i]!;
      const m2 = this.var[i]! * this.count + this.batchVar[i]! * n + ((delta * delta * this.count * n) / tot);
      this.mean[i] = this.mean[i]! + (delta * n) / tot;
      this.var[i] = m2 / tot;
    }
    this.count = tot;
  }

  /** out = clip((x - mean) / sqrt(var + eps), -clip, clip), row by row. */
  normalize(x: ArrayLike<number>, n: number, out: Float64Array): Float64Array {
    const d = this.size;
    const c = this.clipObs;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < d; i++) {
        const v = (x[r * d + i]! - this.mean[i]!) / Math.sqrt(this.var[i]! + this.epsilon);
        out[r * d + i] = v > c ? c : v < -c ? -c : v;
      }
    }
    return out;
  }

  toJSON(): RunningStatsState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count, clipObs: this.clipObs, epsilon: this.epsilon };
  }

  static fromJSON(s: RunningStatsState): RunningMeanStd {
    const r = new RunningMeanStd(s.mean.length, { clipObs: s.clipObs, epsilon: s.epsilon });
    if (s.var.length !== s.mean.length) throw new Error(`RunningMeanStd.fromJSON: mean has ${s.mean.length} entries but var has ${s.var.length}`);
    r.mean.set(s.mean);
    r.var.set(s.var);
    r.count = s.count;
    return r;
  }
}
