/**
 * Statistics on the control path (policies, observations), shared by the simulator and the live system. The seed
 * statistics of the reports (means over runs, confidence intervals) are in src/bench/stats.ts.
 */

/**
 * Population coefficient of variation (standard deviation over mean) of `values`; NaN when the mean is not above 0
 * (no values, or no arrivals), which compares false with any threshold.
 */
export function coefficientOfVariation(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const mean = values.reduce((a, x) => a + x, 0) / values.length;
  if (!(mean > 0)) return Number.NaN;
  const variance = values.reduce((a, x) => a + (x - mean) * (x - mean), 0) / values.length;
  return Math.sqrt(variance) / mean;
}
