/**
 * The burst-onset window, defined once for the edge report (src/bench/reports/edge.ts) and the tournament's summary
 * (src/bench/summary.ts): the steps from WINDOW_BEFORE_STEPS before a ground-truth burst onset to WINDOW_AFTER_STEPS
 * after it. The edge-ablation claim counts SLA violations in these windows.
 */

/** From 3 steps (30 s) before an onset to 6 steps (60 s) after it (the brief's example). */
export const WINDOW_BEFORE_STEPS = 3;
export const WINDOW_AFTER_STEPS = 6;

/** 1 for every step in [onset - before, onset + after] of any onset (onsets[i] truthy = step i is an onset), else 0. */
export function burstWindowMask(onsets: ArrayLike<number | boolean>, before = WINDOW_BEFORE_STEPS, after = WINDOW_AFTER_STEPS): Uint8Array {
  const n = onsets.length;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!onsets[i]) continue;
    for (let j = Math.max(0, i - before); j <= Math.min(n - 1, i + after); j++) mask[j] = 1;
  }
  return mask;
}

/** SLA violation % over a run's burst-window steps; NaN when the run has no onset. */
export function windowViolationPct(onsets: ArrayLike<number | boolean>, violated: ArrayLike<number | boolean>, before = WINDOW_BEFORE_STEPS, after = WINDOW_AFTER_STEPS): number {
  if (violated.length !== onsets.length) throw new Error(`windowViolationPct: ${onsets.length} onset flags but ${violated.length} violation flags`);
  const mask = burstWindowMask(onsets, before, after);
  let steps = 0;
  let bad = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    steps++;
    if (violated[i]) bad++;
  }
  return steps > 0 ? (100 * bad) / steps : Number.NaN;
}
