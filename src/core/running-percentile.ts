/**
 * An exact running order statistic: after n values, `value()` is the element at index ceil(p * n) - 1 (at least 0)
 * of the values sorted ascending, the same element a sort of the whole history would give. Two heaps (the lowest
 * k values in a max-heap, the rest in a min-heap) make each `add` O(log n) instead of a sort per step, which made
 * long runs of every baseline quadratic (src/policies/sensible-config.ts).
 */
class BinaryHeap {
  private readonly items: number[] = [];

  /** `before(a, b)`: a belongs nearer the top than b. */
  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): number {
    if (this.items.length === 0) throw new Error('BinaryHeap.peek: empty heap');
    return this.items[0]!;
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): number {
    const a = this.items;
    if (a.length === 0) throw new Error('BinaryHeap.pop: empty heap');
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < a.length && this.before(a[l]!, a[best]!)) best = l;
        if (r < a.length && this.before(a[r]!, a[best]!)) best = r;
        if (best === i) break;
        [a[i], a[best]] = [a[best]!, a[i]!];
        i = best;
      }
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}

export class RunningPercentile {
  /** The lowest `rank + 1` values; its top is the answer. */
  private readonly low = new BinaryHeap((a, b) => a > b);
  /** Every other value. */
  private readonly high = new BinaryHeap((a, b) => a < b);

  /** `p` in (0, 1]: the share of the sorted history at or below the value returned. */
  constructor(readonly p: number) {
    if (!(p > 0 && p <= 1)) throw new Error(`RunningPercentile: p must be in (0, 1], got ${p}`);
  }

  get count(): number {
    return this.low.size + this.high.size;
  }

  add(x: number): void {
    if (!Number.isFinite(x)) throw new Error(`RunningPercentile.add: value must be finite, got ${x}`);
    if (this.low.size > 0 && x <= this.low.peek()) this.low.push(x);
    else this.high.push(x);
    const n = this.count;
    const want = Math.max(0, Math.min(n - 1, Math.ceil(this.p * n) - 1)) + 1;
    while (this.low.size > want) this.high.push(this.low.pop());
    while (this.low.size < want) this.low.push(this.high.pop());
  }

  /** The order statistic of the values so far; throws when there are none. */
  value(): number {
    if (this.count === 0) throw new Error('RunningPercentile.value: no values yet');
    return this.low.peek();
  }

  reset(): void {
    this.low.clear();
    this.high.clear();
  }
}
