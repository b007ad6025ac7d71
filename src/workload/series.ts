/**
 * The exogenous world of one episode, generated up front from action-independent random streams, so that every
 * policy given the same seed faces the identical world (common random numbers) and the oracle can look ahead.
 *
 * Index i is a second on the cloud-ingest timeline; cloud time t = 0 is index `offsetS` (after the warm-up).
 * The edge gateways see the same messages `edgeLeadTimeS` earlier: at cloud time t they have seen indices
 * up to offsetS + t + lead.
 */
export interface ExogenousSeries {
  /** Number of seconds in every array. */
  readonly lengthS: number;
  /** Index of cloud time t = 0. */
  readonly offsetS: number;
  /** Messages arriving at the cloud ingest in each second. */
  readonly arrivalsMsgs: Float64Array;
  /** Mean message size (bytes) in each second. */
  readonly messageBytes: Float64Array;
  /** Data temperature: probability that shuffle data written in this second is reused (re-read). */
  readonly reuseProbability: Float64Array;
  /** Ground truth for reports: a burst is in progress at the cloud ingest. */
  readonly burstActive: Uint8Array;
  /** Ground truth: a burst's onset reaches the cloud ingest in this second. */
  readonly burstOnset: Uint8Array;
  /** Trace file name, or '' for the synthetic process. */
  readonly source: string;
}

/** A series of the given shape, reusing `previous`'s arrays when they have the same length (no allocation per reset). */
export function allocateSeries(lengthS: number, offsetS: number, source: string, previous?: ExogenousSeries | null): ExogenousSeries {
  if (previous && previous.lengthS === lengthS) {
    previous.burstActive.fill(0);
    previous.burstOnset.fill(0);
    return { ...previous, offsetS, source };
  }
  return {
    lengthS,
    offsetS,
    arrivalsMsgs: new Float64Array(lengthS),
    messageBytes: new Float64Array(lengthS),
    reuseProbability: new Float64Array(lengthS),
    burstActive: new Uint8Array(lengthS),
    burstOnset: new Uint8Array(lengthS),
    source,
  };
}

/** Cloud-second indices of burst onsets (for forecast-accuracy metrics). */
export function burstOnsetIndices(series: ExogenousSeries): number[] {
  const out: number[] = [];
  for (let i = 0; i < series.lengthS; i++) if (series.burstOnset[i]) out.push(i);
  return out;
}
