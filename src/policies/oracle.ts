/**
 * `oracle`: a clairvoyant lower bound. It reads the exogenous future (context.future, filled by SparkIotEnv only when
 * created with { exposeFuture: true }): per-second arrivals, message sizes, data temperature and the cold-start
 * durations it will get. Each step it sizes the cluster for the peak demand until the executors it would request now
 * are ready plus one more interval (so it scales up a cold start early), picks once per episode the smallest memory
 * that fits a fully loaded executor (no spill, and no costly replacements), and picks the tier and codec with the
 * lowest total cost (executors + storage + requests + the billing of drains: local nvme shuffle keeps a removed
 * executor billed until its shuffle data expires) whose batch latency stays within the SLA.
 */
import { MAX_EXECUTORS, MAX_MEMORY_GB } from '../core/action.ts';
import { CODECS, TIERS, type Action, type Codec, type Tier } from '../core/types.ts';
import { computeSPerMsg, executorUsdPerS, workingSetGb } from '../cluster/memory.ts';
import { rereadExecS, rereadUsd, residencyUsdPerS, shuffleExecS, shuffleOpLatencyMs, writeReadUsd } from '../shuffle/model.ts';
import type { FutureView } from '../env/spark-iot-env.ts';
import type { Policy, PolicyContext } from './types.ts';

export interface OracleSettings {
  /** Capacity over the peak demand it provisions for. */
  capacityMargin: number;
  /** Share of the SLA the modelled batch latency may use (the rest is queueing noise). */
  latencyShareOfSla: number;
}

export const ORACLE_DEFAULTS: OracleSettings = { capacityMargin: 1.15, latencyShareOfSla: 0.6 };

export class OraclePolicy implements Policy {
  readonly id = 'oracle';
  readonly clairvoyant = true;
  private memoryGb = 0;
  /** Executor removals so far and the seconds they happened in, for the drain-cost estimate. */
  private removals = 0;
  private elapsedS = 0;
  private lastExecutors = 0;

  constructor(readonly settings: OracleSettings = ORACLE_DEFAULTS) {}

  reset(_seed: number): void {
    this.memoryGb = 0;
    this.removals = 0;
    this.elapsedS = 0;
    this.lastExecutors = 0;
  }

  act(_obs: Float32Array, context: PolicyContext): Action {
    const f = context.future as FutureView | undefined;
    if (!f || !f.arrivalsMsgs) throw new Error('oracle: context.future is missing; create SparkIotEnv with { exposeFuture: true } for the oracle');
    const cfg = f.config;
    const cluster = cfg.cluster;
    const interval = f.controlIntervalS;
    const now = f.offsetS + f.tSeconds;
    const coldS = f.coldStartS(f.coldStartsUsed);
    const end = Math.min(f.arrivalsMsgs.length, now + 2 * interval + Math.ceil(coldS));

    let peak = 0;
    let sum = 0;
    let bytes = 0;
    let reuse = 0;
    for (let i = now; i < end; i++) {
      peak = Math.max(peak, f.arrivalsMsgs[i]!);
      sum += f.arrivalsMsgs[i]!;
      bytes = Math.max(bytes, f.messageBytes[i]!);
      reuse += f.reuseProbability[i]!;
    }
    const n = Math.max(1, end - now);
    const meanRate = sum / n;
    reuse /= n;
    const demand = peak + context.snapshot.backlogMsgs / interval;

    if (this.memoryGb === 0) this.memoryGb = this.pickMemory(f);
    const usdPerExecS = executorUsdPerS(this.memoryGb, cfg);
    const computeS = computeSPerMsg(bytes, cluster);
    const raw = bytes * cfg.shuffle.bytesPerInputByte;
    const residencyS = cfg.shuffle.residencyS;
    const rereads = reuse * cfg.shuffle.rereadsPerReuse;
    // Removals per executor-second so far, with a prior of one removal per executor per 10 minutes.
    const priorS = 600;
    const removalRate = (this.removals + 1) / (this.elapsedS + priorS);

    let best: { tier: Tier; codec: Codec; executors: number; usdPerS: number } | null = null;
    let fallback: { tier: Tier; codec: Codec; perMsgS: number } | null = null;
    for (const tierName of TIERS) {
      const tier = cfg.shuffle.tiers[tierName];
      for (const codecName of CODECS) {
        const codec = cfg.shuffle.codecs[codecName];
        const perMsgS = computeS + shuffleExecS(raw, tier, codec) + rereads * rereadExecS(raw, tier, codec);
        if (!fallback || perMsgS < fallback.perMsgS) fallback = { tier: tierName, codec: codecName, perMsgS };
        // Executors: enough capacity with the margin, and a batch short enough for the SLA share.
        const budgetMs = this.settings.latencyShareOfSla * f.scenario.slaP95LatencyMs - cluster.triggerWaitMs - cluster.batchOverheadMs
          - shuffleOpLatencyMs(tier, reuse, cfg.shuffle.rereadsPerReuse);
        if (budgetMs <= 0) continue;
        const maxUtilization = Math.min(1 / this.settings.capacityMargin, budgetMs / 1000);
        const executors = Math.max(1, Math.ceil((demand * perMsgS) / maxUtilization));
        if (executors > MAX_EXECUTORS) continue;
        const residentBytes = (meanRate * raw * residencyS) / codec.ratio;
        const capacityBytes = tier.capacityGb * 1e9 * (tier.capacityPerExecutor ? executors : 1);
        if (residentBytes > capacityBytes) continue; // would overflow to the next tier
        const storageUsdPerS = meanRate * (writeReadUsd(raw, tier, codec, residencyS) + rereads * rereadUsd(raw, tier, codec))
          + residencyUsdPerS(residentBytes, tier, residencyS);
        const drainUsdPerS = removalRate * executors * tier.drainS * usdPerExecS;
        const usdPerS = executors * usdPerExecS + storageUsdPerS + drainUsdPerS;
        if (!best || usdPerS < best.usdPerS) best = { tier: tierName, codec: codecName, executors, usdPerS };
      }
    }
    const action: Action = best
      ? { executors: best.executors, memoryGb: this.memoryGb, tier: best.tier, codec: best.codec }
      : { executors: MAX_EXECUTORS, memoryGb: this.memoryGb, tier: fallback!.tier, codec: fallback!.codec };
    if (this.lastExecutors > action.executors) this.removals += (this.lastExecutors - action.executors) / Math.max(1, this.lastExecutors);
    this.lastExecutors = action.executors;
    this.elapsedS += interval;
    return action;
  }

  /** Smallest memory that holds the working set of a fully loaded executor at the episode's largest messages. */
  private pickMemory(f: FutureView): number {
    const cluster = f.config.cluster;
    let maxBytes = 0;
    for (let i = f.offsetS; i < f.messageBytes.length; i++) maxBytes = Math.max(maxBytes, f.messageBytes[i]!);
    const fullLoad = 1 / computeSPerMsg(maxBytes, cluster);
    return Math.min(MAX_MEMORY_GB, Math.max(1, Math.ceil(workingSetGb(fullLoad, maxBytes, cluster))));
  }
}
