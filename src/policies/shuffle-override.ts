/**
 * A wrapper policy that keeps another policy's executors and memory and overrides only the shuffle tier and codec.
 * The shuffle report (src/bench/reports/shuffle.ts) uses it to isolate the shuffle decision: the agent still scales
 * the cluster, and every variant (fixed tier x codec, the size-threshold rule) only changes where and how shuffle
 * data is written.
 *
 * The inner policy still sees the tier/codec actually in force in its observation (features 20-26) and its context,
 * so its scaling can react to the override; that is the honest comparison (the agent runs in the world the override
 * creates), and the report says so.
 */
import type { Action, Codec, Tier } from '../core/types.ts';
import { CODECS, TIERS } from '../core/types.ts';
import type { Policy, PolicyContext } from './types.ts';

export interface ShuffleChoice {
  tier: Tier;
  codec: Codec;
}

/** Chooses tier and codec from the context and the inner policy's proposal. */
export type ShuffleChooser = (ctx: PolicyContext, proposed: Action) => ShuffleChoice;

/** A constant choice (one of the 4 x 3 fixed variants); throws on a tier or codec outside the action space. */
export function fixedShuffleChooser(tier: Tier, codec: Codec): ShuffleChooser {
  if (!TIERS.includes(tier)) throw new Error(`fixedShuffleChooser: tier must be one of ${TIERS.join(', ')}, got ${JSON.stringify(tier)}`);
  if (!CODECS.includes(codec)) throw new Error(`fixedShuffleChooser: codec must be one of ${CODECS.join(', ')}, got ${JSON.stringify(codec)}`);
  return () => ({ tier, codec });
}

export class ShuffleOverridePolicy implements Policy {
  readonly clairvoyant?: boolean;

  constructor(
    readonly inner: Policy,
    private readonly choose: ShuffleChooser,
    readonly id: string,
  ) {
    // The override must not hide the future from an oracle it wraps, nor grant it to anyone else.
    if (inner.clairvoyant) this.clairvoyant = true;
  }

  reset(seed: number): void {
    this.inner.reset(seed);
  }

  act(obs: Float32Array, ctx: PolicyContext): Action {
    const proposed = this.inner.act(obs, ctx);
    const { tier, codec } = this.choose(ctx, proposed);
    return { executors: proposed.executors, memoryGb: proposed.memoryGb, tier, codec };
  }
}
