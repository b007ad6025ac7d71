/**
 * Hyper-parameter schedules as SB3 / rl-baselines3-zoo write them: a constant, or "lin_X" meaning
 * X * progress_remaining, where progress_remaining goes from 1 (start) to 0 (end of training).
 */
export type ScheduleSpec = number | string;

export function makeSchedule(spec: ScheduleSpec, name: string): (progressRemaining: number) => number {
  if (typeof spec === 'number') {
    if (!Number.isFinite(spec)) throw new Error(`${name}: expected a finite number, got ${spec}`);
    return () => spec;
  }
  const m = /^lin_([0-9.eE+-]+)$/.exec(spec);
  const x = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(x)) throw new Error(`${name}: expected a number or "lin_<value>" (e.g. "lin_0.001"), got "${spec}"`);
  return (p) => p * x;
}
