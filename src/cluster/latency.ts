/** A weighted latency sample (latency, message count) with a 95th percentile; preallocated, reused per step. */
export class LatencySample {
  private latencyMs = new Float64Array(256);
  private weight = new Float64Array(256);
  n = 0;
  totalWeight = 0;

  clear(): void {
    this.n = 0;
    this.totalWeight = 0;
  }

  add(latencyMs: number, weight: number): void {
    if (this.n === this.latencyMs.length) {
      const l = new Float64Array(this.n * 2);
      const w = new Float64Array(this.n * 2);
      l.set(this.latencyMs);
      w.set(this.weight);
      this.latencyMs = l;
      this.weight = w;
    }
    // Insertion keeps the sample sorted by latency (n is small: a few buckets per second).
    let i = this.n++;
    while (i > 0 && this.latencyMs[i - 1]! > latencyMs) {
      this.latencyMs[i] = this.latencyMs[i - 1]!;
      this.weight[i] = this.weight[i - 1]!;
      i--;
    }
    this.latencyMs[i] = latencyMs;
    this.weight[i] = weight;
    this.totalWeight += weight;
  }

  /** Weighted quantile q (smallest latency whose cumulative weight reaches q), 0 when empty. */
  quantile(q: number): number {
    if (this.n === 0 || this.totalWeight <= 0) return 0;
    const target = q * this.totalWeight;
    let cum = 0;
    for (let i = 0; i < this.n; i++) {
      cum += this.weight[i]!;
      if (cum >= target) return this.latencyMs[i]!;
    }
    return this.latencyMs[this.n - 1]!;
  }

  mean(): number {
    if (this.totalWeight <= 0) return 0;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.latencyMs[i]! * this.weight[i]!;
    return s / this.totalWeight;
  }
}
