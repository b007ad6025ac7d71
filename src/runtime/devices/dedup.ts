/**
 * Exactly-once accounting on top of QoS 1 (at-least-once) delivery: a message is new the first time its
 * (deviceId, seq) is seen. Per device it keeps a watermark (every seq below it has been seen or given up) plus the
 * seqs seen above it, and memory per device is O(window) whatever the traffic:
 *
 * - Reorder window. Seqs are tracked individually only within `windowSeqs` of the watermark. A seq further ahead
 *   moves the watermark up so the window holds it. Without this, one seq that never arrives (the callers only offer
 *   messages that passed validation, so a single out-of-range reading is enough) would pin the watermark and every
 *   later seq of that device would be kept forever.
 * - Given-up seqs. The seqs the watermark passes without having seen them are given up (`givenUp`) but remembered,
 *   up to `maxGivenUpSeqs` per device, so a late arrival of one is still accepted, once (`lateArrivals`). Past that
 *   bound the oldest is forgotten (`forgotten`): a late copy of a forgotten seq is counted as a duplicate. When one
 *   jump skips more than the bound, the lowest skipped seqs are the ones remembered (they are where the device's own
 *   stream continues if the jump came from another sender using its id); the rest are forgotten at once.
 * - Device restarts. A device that reboots starts again at seq 0. A re-send keeps its `sentAtMs` (docs/MESSAGES.md,
 *   "Delivery guarantees"), so a copy of a message already seen never carries a sentAtMs later than the latest one
 *   seen from that device: a seen seq with a strictly later sentAtMs is a new message from a restarted device. It
 *   starts a new run of seqs (`restarts`). The previous run is kept (one only) so that an old message still arriving
 *   afterwards (sentAtMs at or before the last one of the old run) is checked against the run it belongs to.
 *   Without `sentAtMs` (on the copy, or on every earlier message of the device) a seen seq is a duplicate.
 *
 * - Devices held. At most `maxDevices` devices are held; past that, one of those seen least recently is forgotten
 *   (`evicted`; the CLOCK approximation of least recently used, see evictOne), so a stream of ever-new device ids (short-lived ids, a misconfigured fleet, a sender making them up)
 *   cannot grow the table without bound in a long-running process. A forgotten device that sends again is a new one:
 *   from its seq if that is a window or more in (`joinedMidStream`), else from 0 with its earlier seqs given up; a
 *   copy of one of its old messages arriving after that is accepted again. The default bound is far above any fleet a
 *   gateway or engine here serves, so only ids that stopped sending are forgotten.
 *
 * Restart edge cases, not handled:
 * - A restart is noticed at the first seq that collides with the old run. New-boot messages whose seq the old run
 *   had not seen (its gaps, or seqs above its highest) are accepted into the old run before that; if one of them
 *   arrives after a later message of the same boot that already started the new run, it is checked against the old
 *   run and may be dropped as a duplicate.
 * - An old message sent after the last one seen from the old run (still in flight across the reboot) is taken into
 *   the new run. It is counted once, correctly, but when the rebooted device reaches that seq it looks like another
 *   restart (counted again; its redeliveries stay duplicates, because the run it retires is kept as the previous).
 *   Only one previous run is kept: a copy of a message two restarts back may be accepted again.
 * - A device whose clock goes backwards at boot (no RTC, NTP not yet synced) sends sentAtMs no later than before:
 *   its colliding seqs are dropped as duplicates until its clock passes the latest sentAtMs seen from it, or its
 *   seq passes the old run's seqs, whichever comes first. Likewise one far-future sentAtMs that was accepted (the
 *   gateway and engine refuse more than 5 min ahead; the receiver does not check) defers restart detection until
 *   the device's clock reaches it.
 * - Restart detection trusts sentAtMs. Anyone publishing under a device's id can replay a seen seq with a current
 *   clock and start a new run for it: accepted once, and the device's `contiguous` starts again from 0 (the demo,
 *   which waits on it, would then wait for that device until its timeout). Two senders sharing one id look like a
 *   restart at every collision. Counts for such an id mean little either way.
 */

/**
 * Default reorder window, in seqs per device. A device's messages arrive out of order only by what was in flight
 * when a connection dropped: the publisher keeps at most `maxInFlight` unacknowledged messages (default 100), and
 * brokers re-deliver their in-flight window in order. 4096 leaves a 40x margin (room for a raised maxInFlight) and
 * costs at most about 80 KB per device (V8 Set, about 20 bytes a seq), held only while a gap is open.
 */
export const DEFAULT_WINDOW_SEQS = 4096;

/**
 * Default number of given-up seqs remembered per device. A seq more than a window late is rare; most given-up seqs
 * are readings the validator rejected, which never arrive and are kept until forgotten, so this is smaller.
 */
export const DEFAULT_MAX_GIVEN_UP_SEQS = 1024;

/**
 * [assumed] Default bound on the devices held: 100,000, the largest fleet `demo --devices` runs, at a few hundred bytes
 * per device with no gap open (tens of MB in all).
 */
export const DEFAULT_MAX_DEVICES = 100_000;

export interface SeqDeduperOptions {
  /** Seqs tracked one by one above the watermark (>= 1). Default DEFAULT_WINDOW_SEQS. */
  windowSeqs?: number;
  /** Given-up seqs remembered per run of a device (>= 0). Default DEFAULT_MAX_GIVEN_UP_SEQS. */
  maxGivenUpSeqs?: number;
  /** Devices held (>= 1); past it the least recently seen is forgotten. Default DEFAULT_MAX_DEVICES. */
  maxDevices?: number;
}

/** One run of a device's seqs from 0 (a restarted device begins a new one). */
interface SeqRun {
  /** Where the run starts: 0, or the first seq of a device first seen far into its seqs (joinedMidStream). */
  firstSeq: number;
  /** Every seq < watermark has been seen or given up (below firstSeq: taken as seen). */
  watermark: number;
  /** Seqs seen above the watermark (out of order), all < watermark + windowSeqs. */
  ahead: Set<number>;
  /** Given-up seqs (below the watermark, never seen) still remembered. Insertion order is ascending. */
  givenUp: Set<number>;
  /** Lowest given-up seq no longer remembered (Infinity if none): `contiguous` cannot pass it. */
  lowestForgottenSeq: number;
  maxSeen: number;
}

interface DeviceSeqState {
  run: SeqRun;
  /** The run before the last restart, for old messages that arrive after it. */
  previous: SeqRun | undefined;
  /** Latest sentAtMs of the previous run: a message sent no later than this belongs to it. */
  previousLatestSentAtMs: number;
  /** Latest sentAtMs seen from the device (-Infinity if none carried one). */
  latestSentAtMs: number;
  /** Seen since the eviction sweep last passed it (its second chance: see evictOne). */
  seenSinceSweep: boolean;
}

function newRun(firstSeq = 0): SeqRun {
  return { firstSeq, watermark: firstSeq, ahead: new Set(), givenUp: new Set(), lowestForgottenSeq: Infinity, maxSeen: -1 };
}

/** True if `seq` was seen in `run` (or was given up and then forgotten, which looks the same). */
function seenIn(run: SeqRun, seq: number): boolean {
  return seq < run.watermark ? !run.givenUp.has(seq) : run.ahead.has(seq);
}

export class SeqDeduper {
  private readonly devices = new Map<string, DeviceSeqState>();
  private readonly windowSeqs: number;
  private readonly maxGivenUpSeqs: number;
  private readonly maxDevices: number;
  /** Messages accepted: first copies of a (deviceId, seq), including late arrivals and restarted devices' messages. */
  unique = 0;
  /** Copies dropped as already seen (including late copies of forgotten seqs, see `forgotten`). */
  duplicates = 0;
  /** Seqs the watermark passed without having seen them (a seq that arrives later is still counted here). */
  givenUp = 0;
  /** Given-up seqs that arrived afterwards and were accepted. */
  lateArrivals = 0;
  /** Given-up seqs no longer remembered: a late copy of one is counted as a duplicate. */
  forgotten = 0;
  /** Device restarts detected (a seen seq with a sentAtMs later than any seen from the device). */
  restarts = 0;
  /** Devices first seen at a seq of windowSeqs or more: tracked from there, their earlier seqs taken as seen. */
  joinedMidStream = 0;
  /** Devices forgotten because more than maxDevices were held (the least recently seen first). */
  evicted = 0;

  constructor(opts: SeqDeduperOptions = {}) {
    this.windowSeqs = opts.windowSeqs ?? DEFAULT_WINDOW_SEQS;
    this.maxGivenUpSeqs = opts.maxGivenUpSeqs ?? DEFAULT_MAX_GIVEN_UP_SEQS;
    this.maxDevices = opts.maxDevices ?? DEFAULT_MAX_DEVICES;
    if (!Number.isSafeInteger(this.windowSeqs) || this.windowSeqs < 1) throw new Error(`SeqDeduper: windowSeqs must be an integer >= 1, got ${opts.windowSeqs}`);
    if (!Number.isSafeInteger(this.maxGivenUpSeqs) || this.maxGivenUpSeqs < 0) throw new Error(`SeqDeduper: maxGivenUpSeqs must be an integer >= 0, got ${opts.maxGivenUpSeqs}`);
    if (!Number.isSafeInteger(this.maxDevices) || this.maxDevices < 1) throw new Error(`SeqDeduper: maxDevices must be an integer >= 1, got ${opts.maxDevices}`);
  }

  /**
   * True the first time (deviceId, seq) is offered, false for a re-delivery. `sentAtMs` (the message's, kept by
   * re-sends) lets a restarted device's new messages through; see the file comment for what it cannot tell apart.
   */
  accept(deviceId: string, seq: number, sentAtMs?: number): boolean {
    if (typeof deviceId !== 'string') throw new Error(`SeqDeduper: deviceId must be a string, got ${typeof deviceId}`);
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`SeqDeduper: seq must be a non-negative safe integer, got ${seq} (device ${deviceId.slice(0, 64)})`);
    if (sentAtMs !== undefined && (typeof sentAtMs !== 'number' || !Number.isFinite(sentAtMs))) {
      throw new Error(`SeqDeduper: sentAtMs must be a finite number of ms or absent, got ${String(sentAtMs)} (device ${deviceId.slice(0, 64)}, seq ${seq})`);
    }
    let state = this.devices.get(deviceId);
    if (state === undefined) {
      // A device first seen a window or more into its seqs was running before this process started (the gateway or
      // the engine restarted, the device did not): its run starts at that seq. From 0, every earlier seq would be
      // given up (a million for a device a million in) and the window would fill with its seqs one by one.
      const joined = seq >= this.windowSeqs;
      if (joined) this.joinedMidStream++;
      // Room first, so the newcomer is never the one forgotten. It starts unmarked: an id seen once goes before any
      // device seen again since the sweep passed it (a flood of one-off ids cannot push out a fleet that keeps sending).
      if (this.devices.size >= this.maxDevices) this.evictOne();
      state = { run: newRun(joined ? seq : 0), previous: undefined, previousLatestSentAtMs: -Infinity, latestSentAtMs: -Infinity, seenSinceSweep: false };
      this.devices.set(deviceId, state);
    } else {
      state.seenSinceSweep = true;
    }
    if (sentAtMs !== undefined && state.previous !== undefined && sentAtMs <= state.previousLatestSentAtMs) {
      // Sent before the restart: an old message, judged by the run it belongs to.
      if (seenIn(state.previous, seq)) {
        this.duplicates++;
        return false;
      }
      this.record(state.previous, seq);
      this.unique++;
      return true;
    }
    if (seenIn(state.run, seq)) {
      // A restart needs a sentAtMs on record to compare with (-Infinity: none of the device's messages had one).
      if (sentAtMs === undefined || state.latestSentAtMs === -Infinity || !(sentAtMs > state.latestSentAtMs)) {
        this.duplicates++;
        return false;
      }
      state.previous = state.run;
      state.previousLatestSentAtMs = state.latestSentAtMs;
      state.run = newRun();
      this.restarts++;
    }
    this.record(state.run, seq);
    this.unique++;
    if (sentAtMs !== undefined && sentAtMs > state.latestSentAtMs) state.latestSentAtMs = sentAtMs;
    return true;
  }

  /**
   * Forgets one device, an approximation of the least recently seen (the CLOCK algorithm): the Map keeps devices in
   * the order they were (re)inserted; the first one not seen since the sweep last passed it goes, and each one seen
   * meanwhile is cleared and moved to the end. Marking a device on accept costs one write, where moving it to the end
   * of the Map on every message halved the deduper's throughput.
   */
  private evictOne(): void {
    for (const [deviceId, state] of this.devices) {
      this.devices.delete(deviceId);
      if (state.seenSinceSweep) {
        state.seenSinceSweep = false;
        this.devices.set(deviceId, state);
        continue;
      }
      this.evicted++;
      return;
    }
  }

  /** Marks an unseen `seq` as seen in `run`. */
  private record(run: SeqRun, seq: number): void {
    if (seq > run.maxSeen) run.maxSeen = seq;
    if (seq < run.watermark) {
      run.givenUp.delete(seq);
      this.lateArrivals++;
      return;
    }
    if (seq - run.watermark >= this.windowSeqs) this.advance(run, seq - this.windowSeqs + 1);
    if (seq === run.watermark) {
      run.watermark++;
      while (run.ahead.delete(run.watermark)) run.watermark++;
    } else {
      run.ahead.add(seq);
    }
  }

  /** Moves the watermark up to `toSeq`: seen seqs below it leave `ahead`, the others are given up. */
  private advance(run: SeqRun, toSeq: number): void {
    const fromSeq = run.watermark;
    const { ahead, givenUp } = run;
    // Remember the lowest skipped seqs that were never seen, up to the bound. Walks at most bound + window seqs.
    let remembered = 0;
    let seq = fromSeq;
    for (; seq < toSeq && remembered < this.maxGivenUpSeqs; seq++) {
      if (!ahead.has(seq)) {
        givenUp.add(seq);
        remembered++;
      }
    }
    while (seq < toSeq && ahead.has(seq)) seq++;
    const firstNotRememberedSeq = seq; // the lowest skipped seq left unremembered, if any (< toSeq)
    // Drop the skipped seen seqs from `ahead`, walking whichever is shorter: the skipped range or `ahead`.
    let seenSkipped = 0;
    if (toSeq - fromSeq <= ahead.size) {
      for (let s = fromSeq; s < toSeq; s++) if (ahead.delete(s)) seenSkipped++;
    } else {
      for (const s of ahead) {
        if (s < toSeq) {
          ahead.delete(s);
          seenSkipped++;
        }
      }
    }
    const skippedUnseen = toSeq - fromSeq - seenSkipped;
    this.givenUp += skippedUnseen;
    if (skippedUnseen > remembered) {
      this.forgotten += skippedUnseen - remembered;
      run.lowestForgottenSeq = Math.min(run.lowestForgottenSeq, firstNotRememberedSeq);
    }
    // Past the bound the oldest given-up seqs are forgotten (insertion order is ascending, so they are the lowest).
    while (givenUp.size > this.maxGivenUpSeqs) {
      const oldest = givenUp.values().next().value as number;
      givenUp.delete(oldest);
      this.forgotten++;
      run.lowestForgottenSeq = Math.min(run.lowestForgottenSeq, oldest);
    }
    run.watermark = toSeq;
    while (ahead.delete(run.watermark)) run.watermark++;
  }

  /** Devices seen so far. */
  get deviceCount(): number {
    return this.devices.size;
  }

  /** Seqs held in memory over all devices (seen out of order, or given up and remembered): bounded per device. */
  get trackedSeqs(): number {
    let n = 0;
    for (const s of this.devices.values()) {
      n += s.run.ahead.size + s.run.givenUp.size;
      if (s.previous !== undefined) n += s.previous.ahead.size + s.previous.givenUp.size;
    }
    return n;
  }

  /**
   * Seqs below each device's highest seen seq that have not arrived (lost or still in flight), in the device's
   * current run, ascending. Given-up seqs that were forgotten are not listed (see `forgotten`).
   */
  gaps(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [deviceId, { run }] of this.devices) {
      const missing = [...run.givenUp];
      for (let seq = run.watermark; seq < run.maxSeen; seq++) if (!run.ahead.has(seq)) missing.push(seq);
      if (missing.length > 0) out.set(deviceId, missing);
    }
    return out;
  }

  /**
   * How many of the device's seqs 0, 1, 2, ... have arrived without a gap (0 for an unknown device), in its current
   * run (it starts again from 0 when the device restarts; a device first seen mid-stream counts from its first seq
   * seen, `joinedMidStream`). For a sender whose seqs start at 0 (docs/MESSAGES.md),
   * this counts its own messages only: a stranger's message with a made-up seq far ahead does not raise it. A
   * given-up seq stops it until it arrives; a forgotten one stops it for good.
   */
  contiguous(deviceId: string): number {
    const run = this.devices.get(deviceId)?.run;
    if (run === undefined) return 0;
    const lowestGivenUp = run.givenUp.size > 0 ? (run.givenUp.values().next().value as number) : Infinity;
    return Math.min(run.watermark, lowestGivenUp, run.lowestForgottenSeq) - run.firstSeq;
  }

  /** Highest seq seen per device in its current run (-1 if none). */
  maxSeq(deviceId: string): number {
    return this.devices.get(deviceId)?.run.maxSeen ?? -1;
  }
}
