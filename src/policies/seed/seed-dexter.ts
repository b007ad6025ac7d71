/**
 * seed-dexter: the original's "Dexter (Reactive)" baseline exactly as coded (original-system.md §6.1): an executor
 * index that starts at 10, goes +2 when the observed cpu (obs 2) is above 80 %, -1 below 30 %, clamped to 0..19;
 * always 4 GB, NVMe, light compression. cpu saturates at 100 whenever W > 80, so in practice it ramps to 20.
 */
import { decodeAction } from '../../core/action.ts';
import type { Action } from '../../core/types.ts';
import { SEED_OBS } from '../../env/seed-compat-env.ts';
import type { Policy, PolicyContext } from '../types.ts';

const START_INDEX = 10;
const SCALE_UP_CPU_PCT = 80;
const SCALE_DOWN_CPU_PCT = 30;
const SCALE_UP_STEP = 2;
const SCALE_DOWN_STEP = 1;
const MAX_INDEX = 19;
/** Memory index 3 = 4 GB, tier 1 = NVMe, codec 1 = light ("LZ4"). */
const MEMORY_INDEX = 3;
const TIER_INDEX = 1;
const CODEC_INDEX = 1;

export class SeedDexterPolicy implements Policy {
  readonly id = 'seed-dexter';
  private executorIndex = START_INDEX;

  reset(_seed: number): void {
    this.executorIndex = START_INDEX;
  }

  act(obs: Float32Array, _context: PolicyContext): Action {
    const cpuPct = obs[SEED_OBS.cpuUtil]!;
    if (cpuPct > SCALE_UP_CPU_PCT) this.executorIndex += SCALE_UP_STEP;
    else if (cpuPct < SCALE_DOWN_CPU_PCT) this.executorIndex -= SCALE_DOWN_STEP;
    this.executorIndex = Math.min(MAX_INDEX, Math.max(0, this.executorIndex));
    return decodeAction([this.executorIndex, MEMORY_INDEX, TIER_INDEX, CODEC_INDEX]);
  }
}
