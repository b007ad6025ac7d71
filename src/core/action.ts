/** The action encoding: Action <-> MultiDiscrete [20, 8, 4, 3] indices. */
import { CODECS, TIERS, type Action, type Codec, type Tier } from './types.ts';
import { multiDiscrete } from './spaces.ts';

export const MAX_EXECUTORS = 20;
export const MAX_MEMORY_GB = 8;
export const ACTION_NVEC = [MAX_EXECUTORS, MAX_MEMORY_GB, TIERS.length, CODECS.length] as const;
export const actionSpace = multiDiscrete(ACTION_NVEC);

export class InvalidActionValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidActionValueError';
  }
}

/** Index form -> Action. Throws a clear error on anything outside [20, 8, 4, 3]. */
export function decodeAction(index: ArrayLike<number>): Action {
  if (!index || typeof index.length !== 'number' || index.length !== 4) {
    throw new InvalidActionValueError(`action must have 4 indices [executors 0-19, memory 0-7, tier 0-3, codec 0-2], got ${describe(index)}`);
  }
  const names = ['executors', 'memory', 'tier', 'codec'];
  for (let i = 0; i < 4; i++) {
    const v = index[i]!;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= ACTION_NVEC[i]!) {
      throw new InvalidActionValueError(`action index ${i} (${names[i]}) must be an integer in [0, ${ACTION_NVEC[i]! - 1}], got ${v}`);
    }
  }
  return { executors: index[0]! + 1, memoryGb: index[1]! + 1, tier: TIERS[index[2]!]!, codec: CODECS[index[3]!]! };
}

/** Action -> index form. */
export function encodeAction(action: Action): Int32Array {
  validateAction(action);
  return Int32Array.of(action.executors - 1, action.memoryGb - 1, TIERS.indexOf(action.tier), CODECS.indexOf(action.codec));
}

export function validateAction(action: Action): void {
  if (!action || typeof action !== 'object') throw new InvalidActionValueError(`action must be an object, got ${describe(action)}`);
  if (!Number.isInteger(action.executors) || action.executors < 1 || action.executors > MAX_EXECUTORS) {
    throw new InvalidActionValueError(`action.executors must be an integer in [1, ${MAX_EXECUTORS}], got ${action.executors}`);
  }
  if (!Number.isInteger(action.memoryGb) || action.memoryGb < 1 || action.memoryGb > MAX_MEMORY_GB) {
    throw new InvalidActionValueError(`action.memoryGb must be an integer in [1, ${MAX_MEMORY_GB}], got ${action.memoryGb}`);
  }
  if (!TIERS.includes(action.tier as Tier)) throw new InvalidActionValueError(`action.tier must be one of ${TIERS.join(', ')}, got ${describe(action.tier)}`);
  if (!CODECS.includes(action.codec as Codec)) throw new InvalidActionValueError(`action.codec must be one of ${CODECS.join(', ')}, got ${describe(action.codec)}`);
}

export function actionsEqual(a: Action, b: Action): boolean {
  return a.executors === b.executors && a.memoryGb === b.memoryGb && a.tier === b.tier && a.codec === b.codec;
}

function describe(x: unknown): string {
  if (ArrayBuffer.isView(x)) return `[${Array.from(x as unknown as ArrayLike<number>).join(', ')}]`;
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
