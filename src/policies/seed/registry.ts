/**
 * The seed policies and the numbers the original reports for them, for `edgepilot reproduce-seed`.
 *
 * Reference values are QUOTED from /work/shared/reference/original-system.md (§6.3 and §6.4), never computed here:
 * `readmeSlaPct` is the original README's claim; the rest is the spec author's re-run of the original code over
 * 200 random seeds x 500 steps (numpy clone + decoded real weights).
 */
import type { Policy } from '../types.ts';
import { SeedDexterPolicy } from './seed-dexter.ts';
import { SeedFixedPolicy } from './seed-fixed.ts';
import { SeedSeerPolicy } from './seed-seer.ts';
import { SeedThresholdPolicy } from './seed-threshold.ts';

export interface SeedReference {
  /** The original README's SLA-violation claim, % (null: the README has none). */
  readmeSlaPct: number | null;
  /** Spec author's re-run: mean SLA violation %, and its 5th-95th percentile over seeds (null: not reported). */
  slaPct: number;
  slaP5: number | null;
  slaP95: number | null;
  /** Mean total cost over 500 steps (sum of $/h values). */
  costUsd: number;
  p95LatencyMs: number;
  /** Std of executor counts (null: not reported). */
  stability: number | null;
}

export interface SeedPolicyEntry {
  id: string;
  /** The original's name for it. */
  label: string;
  create(): Policy;
  reference: SeedReference;
}

export const SEED_POLICIES: readonly SeedPolicyEntry[] = [
  {
    id: 'seed-fixed',
    label: 'Fixed (Static)',
    create: () => new SeedFixedPolicy(),
    // §6.3: README 90.0 %; re-run 90.3 % [83.6-95.0], $2,251.1, P95 1,533 ms, stability 0.
    reference: { readmeSlaPct: 90.0, slaPct: 90.3, slaP5: 83.6, slaP95: 95.0, costUsd: 2251.1, p95LatencyMs: 1533, stability: 0 },
  },
  {
    id: 'seed-dexter',
    label: 'Dexter (Reactive)',
    create: () => new SeedDexterPolicy(),
    // §6.3: README 54.4 %; re-run 63.7 % [56.8-69.8], $2,991, P95 1,158 ms, stability 0.65.
    reference: { readmeSlaPct: 54.4, slaPct: 63.7, slaP5: 56.8, slaP95: 69.8, costUsd: 2991, p95LatencyMs: 1158, stability: 0.65 },
  },
  {
    id: 'seed-seer',
    label: 'Seer (Predictive)',
    create: () => new SeedSeerPolicy(),
    // §6.3: README 100 %; re-run 99.3 % [98-100], $2,487, P95 1,246 ms, stability 3.17.
    reference: { readmeSlaPct: 100, slaPct: 99.3, slaP5: 98, slaP95: 100, costUsd: 2487, p95LatencyMs: 1246, stability: 3.17 },
  },
  {
    id: 'seed-threshold',
    label: 'Oracle cheap-safe (3-line rule)',
    create: () => new SeedThresholdPolicy(),
    // §6.4: 0.0 %, $2,831, P95 916 ms (no percentiles or stability reported; not in the README).
    reference: { readmeSlaPct: null, slaPct: 0.0, slaP5: null, slaP95: null, costUsd: 2831, p95LatencyMs: 916, stability: null },
  },
];

/** §6.3: RL (final_model): README 19.2 %; re-run 17.6 % [15.2-19.6], $3,296, P95 1,686 ms, stability 3.79. */
export const SEED_RL_REFERENCE: SeedReference = {
  readmeSlaPct: 19.2,
  slaPct: 17.6,
  slaP5: 15.2,
  slaP95: 19.6,
  costUsd: 3296,
  p95LatencyMs: 1686,
  stability: 3.79,
};

export function seedPolicyEntry(id: string): SeedPolicyEntry {
  const entry = SEED_POLICIES.find((e) => e.id === id);
  if (!entry) throw new Error(`unknown seed policy '${id}'; known: ${SEED_POLICIES.map((e) => e.id).join(', ')}`);
  return entry;
}
