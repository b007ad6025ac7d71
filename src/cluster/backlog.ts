/**
 * The ingest backlog: a FIFO of per-second arrival buckets in a ring buffer (no per-message objects). Messages are
 * served oldest first; buckets older than the retention age, and the oldest messages beyond the count bound, are
 * dropped and counted.
 */
import { LatencySample } from './latency.ts';

export class Backlog {
  private counts: Float64Array;
  private readonly mask: number;
  /** Arrival second of the oldest non-empty bucket, and one past the newest. */
  private head = 0;
  private tail = 0;
  totalMsgs = 0;

  constructor(retentionAgeS: number) {
    let size = 1;
    while (size < retentionAgeS + 4) size <<= 1;
    this.counts = new Float64Array(size);
    this.mask = size - 1;
  }

  clear(startSecond: number): void {
    this.counts.fill(0);
    this.head = startSecond;
    this.tail = startSecond;
    this.totalMsgs = 0;
  }

  /** Messages arriving in second `second` (seconds must be pushed in order, one by one). */
  push(second: number, msgs: number): void {
    if (this.tail === this.head && this.totalMsgs === 0) this.head = second;
    this.counts[second & this.mask] = msgs;
    this.tail = second + 1;
    this.totalMsgs += msgs;
  }

  /** Drops buckets that arrived more than `retentionAgeS` before `nowSecond`; returns messages dropped. */
  dropExpired(nowSecond: number, retentionAgeS: number): number {
    let dropped = 0;
    while (this.head < this.tail && nowSecond - this.head > retentionAgeS) {
      const i = this.head & this.mask;
      dropped += this.counts[i]!;
      this.counts[i] = 0;
      this.head++;
    }
    this.totalMsgs -= dropped;
    if (this.totalMsgs < 1e-9) this.totalMsgs = 0;
    return dropped;
  }

  /** Drops the oldest messages beyond `maxMsgs`; returns messages dropped. */
  dropOverflow(maxMsgs: number): number {
    let excess = this.totalMsgs - maxMsgs;
    if (excess <= 0) return 0;
    let dropped = 0;
    while (excess > 0 && this.head < this.tail) {
      const i = this.head & this.mask;
      const take = Math.min(excess, this.counts[i]!);
      this.counts[i] = this.counts[i]! - take;
      excess -= take;
      dropped += take;
      if (this.counts[i]! <= 0) {
        this.counts[i] = 0;
        this.head++;
      }
    }
    this.totalMsgs -= dropped;
    return dropped;
  }

  /**
   * Serves up to `capacityMsgs` oldest first at second `nowSecond`; each served bucket adds its messages to `sample`
   * with latency (now - arrival second) * 1000 + extraMs. Returns messages served.
   */
  serve(capacityMsgs: number, nowSecond: number, extraMs: number, sample: LatencySample): number {
    let remaining = capacityMsgs;
    let served = 0;
    while (remaining > 0 && this.head < this.tail) {
      const i = this.head & this.mask;
      const c = this.counts[i]!;
      const take = c < remaining ? c : remaining;
      if (take > 0) {
        sample.add((nowSecond - this.head) * 1000 + extraMs, take);
        served += take;
        remaining -= take;
      }
      if (take >= c) {
        this.counts[i] = 0;
        this.head++;
      } else {
        this.counts[i] = c - take;
      }
    }
    this.totalMsgs -= served;
    if (this.totalMsgs < 1e-9) this.totalMsgs = 0;
    return served;
  }

  /** Age (s) of the oldest waiting message at `nowSecond`, or 0 when empty. */
  oldestAgeS(nowSecond: number): number {
    while (this.head < this.tail && this.counts[this.head & this.mask]! <= 0) this.head++;
    return this.head < this.tail ? nowSecond - this.head : 0;
  }
}
