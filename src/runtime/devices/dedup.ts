/**
 * Exactly-once accounting on top of QoS 1 (at-least-once) delivery: a message is new the first time its
 * (deviceId, seq) is seen. Memory stays small when messages arrive mostly in order: per device it keeps a
 * watermark (every seq below it has been seen) plus the few seqs seen above it.
 */
interface DeviceSeqState {
  /** Every seq < watermark has been seen. */
  watermark: number;
  /** Seqs seen at or above the watermark (out of order). */
  ahead: Set<number>;
  maxSeen: number;
}

export class SeqDeduper {
  private readonly devices = new Map<string, DeviceSeqState>();
  unique = 0;
  duplicates = 0;

  /** True the first time (deviceId, seq) is offered, false for a re-delivery. */
  accept(deviceId: string, seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`SeqDeduper: seq must be a non-negative safe integer, got ${seq} (device ${deviceId})`);
    let state = this.devices.get(deviceId);
    if (state === undefined) {
      state = { watermark: 0, ahead: new Set(), maxSeen: -1 };
      this.devices.set(deviceId, state);
    }
    if (seq < state.watermark || state.ahead.has(seq)) {
      this.duplicates++;
      return false;
    }
    this.unique++;
    state.maxSeen = Math.max(state.maxSeen, seq);
    if (seq === state.watermark) {
      state.watermark++;
      while (state.ahead.delete(state.watermark)) state.watermark++;
    } else {
      state.ahead.add(seq);
    }
    return true;
  }

  /** Devices seen so far. */
  get deviceCount(): number {
    return this.devices.size;
  }

  /** Seqs below each device's highest seen seq that have not arrived (lost or still in flight). */
  gaps(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [deviceId, s] of this.devices) {
      const missing: number[] = [];
      for (let seq = s.watermark; seq < s.maxSeen; seq++) if (!s.ahead.has(seq)) missing.push(seq);
      if (missing.length > 0) out.set(deviceId, missing);
    }
    return out;
  }

  /**
   * How many of the device's seqs 0, 1, 2, ... have arrived without a gap (0 for an unknown device). For a sender
   * whose seqs start at 0 (docs/MESSAGES.md), this counts its own messages only: a stranger's message with a
   * made-up seq far ahead does not raise it.
   */
  contiguous(deviceId: string): number {
    return this.devices.get(deviceId)?.watermark ?? 0;
  }

  /** Highest seq seen per device (-1 if none). */
  maxSeq(deviceId: string): number {
    return this.devices.get(deviceId)?.maxSeen ?? -1;
  }
}
