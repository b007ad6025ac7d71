/**
 * Statistics on the control path (policies, observations), shared by the simulator and the live system. The seed
 * statistics of the reports (means over runs, confidence intervals) are in src/bench/stats.ts.
 */

/** The mean of `values`, or null when there are none or it is not above 0 (a CV is then undefined). */
function positiveMean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, x) => a + x, 0) / values.length;
  return mean > 0 ? mean : null;
}

/**
 * Population coefficient of variation (standard deviation over mean) of `values`; NaN when the mean is not above 0
 * (no values, or no arrivals), which compares false with any threshold.
 */
export function coefficientOfVariation(values: readonly number[]): number {
  const mean = positiveMean(values);
  if (mean === null) return Number.NaN;
  const variance = values.reduce((a, x) => a + (x - mean) * (x - mean), 0) / values.length;
  return Math.sqrt(variance) / mean;
}

/** The least-squares slope of `values` against their index, given their mean (at least 2 values). */
function slopeAbout(values: readonly number[], mean: number): number {
  const n = values.length;
  const meanIndex = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - meanIndex) * (values[i]! - mean);
    sxx += (i - meanIndex) * (i - meanIndex);
  }
  return sxy / sxx;
}

/** The least-squares slope of `values` against their index (units of a value per index step); 0 for fewer than 2. */
export function leastSquaresSlope(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  let mean = 0;
  for (const v of values) mean += v / n;
  return slopeAbout(values, mean);
}

/**
 * The coefficient of variation of `values` around their least-squares line (residual standard deviation over the
 * mean): a steady ramp scores 0 where coefficientOfVariation scores its slope. NaN when the mean is not above 0.
 */
export function detrendedCoefficientOfVariation(values: readonly number[]): number {
  const n = values.length;
  const mean = positiveMean(values);
  if (mean === null) return Number.NaN;
  if (n < 3) return 0;
  const meanIndex = (n - 1) / 2;
  const slope = slopeAbout(values, mean);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const residual = values[i]! - (mean + slope * (i - meanIndex));
    sse += residual * residual;
  }
  return Math.sqrt(sse / n) / mean;
}
