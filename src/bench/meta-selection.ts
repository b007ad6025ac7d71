/**
 * Choosing one meta-controller among several trained by the same recipe (TD3 seeds), by validation. Each candidate
 * runs as the hierarchical agent over whole single-mode runs in every (scenario, mode) cell, on world seeds that
 * neither training (>= 2e9), the tournament (10 000..) nor the reports use (default 70 000..), and is scored by the
 * mode's own objective J (src/meta/modes.ts), the quantity the meta-env trains on. The candidate with the best mean J
 * over the cells wins (ties: the first). Why: TD3 seeds of one recipe land on different weights, and the meta-env's
 * own noisy return cannot rank them, but whole-phase J per cell can (docs/META.md "Choosing a seed by validation").
 */
import { loadConfig } from '../core/config.ts';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { ModeScheduleEnv } from '../meta/mode-env.ts';
import { HierarchicalPolicy } from '../meta/hierarchical-policy.ts';
import { MODES, singleModeSchedule, type ModeName } from '../meta/modes.ts';
import type { StepRecord } from '../env/spark-iot-types.ts';
import type { Policy } from '../policies/types.ts';
import { combinedObjective, scoreRun } from './reports/meta.ts';
import { mean } from './stats.ts';
import { runEpisode } from './tournament.ts';

/** World seeds of the validation runs: seedBase + i. Disjoint from the tournament's 10 000 + i (up to 60 000 seeds). */
export const VALIDATION_SEED_BASE = 70_000;
export const VALIDATION_SEEDS = 30;
export const VALIDATION_STEPS = 500;

export interface MetaSelectionOptions {
  seeds?: number;
  seedBase?: number;
  steps?: number;
  /** Score the candidates as the no-edge ablation runs them (its PPO and masked edge features). */
  maskEdge?: boolean;
  scenarios?: readonly ScenarioName[];
  modes?: readonly ModeName[];
  /** Called after each candidate x cell with the runs done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface CandidateScore {
  path: string;
  /** Mean J over the cells (each cell's J averaged over the seeds). */
  meanJ: number;
  /** Mean J per cell, keyed `scenario/mode`. */
  cells: Record<string, number>;
  /** Per world seed: the mean J over the cells (for paired comparisons between candidates). */
  perSeedJ: number[];
}

/**
 * Whole single-mode runs of one policy in one (scenario, mode) cell, one per world seed seedBase + i. One policy and
 * one env serve every seed (reset per run), as in the tournament, so checkpoints are loaded once per cell.
 */
export function* singleModeRuns(policy: Policy, scenario: ScenarioName, mode: ModeName, seeds: number, seedBase: number, steps: number): Generator<StepRecord[]> {
  const env = new ModeScheduleEnv({ scenario, maxSteps: steps, schedule: singleModeSchedule(mode) });
  for (let i = 0; i < seeds; i++) yield runEpisode(env, policy, policy.id, seedBase + i, steps);
}

/** Scores every candidate checkpoint on the same validation worlds (common random numbers across candidates). */
export function scoreMetaCandidates(paths: readonly string[], opts: MetaSelectionOptions = {}): CandidateScore[] {
  const seeds = opts.seeds ?? VALIDATION_SEEDS;
  const seedBase = opts.seedBase ?? VALIDATION_SEED_BASE;
  const steps = opts.steps ?? VALIDATION_STEPS;
  const scenarios = opts.scenarios ?? SCENARIOS;
  const modes = opts.modes ?? MODES;
  const config = loadConfig();
  if (paths.length === 0) throw new Error('scoreMetaCandidates: no candidates');
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`scoreMetaCandidates: seeds must be a positive integer, got ${seeds}`);
  if (!(Number.isInteger(seedBase) && seedBase >= 0)) throw new Error(`scoreMetaCandidates: seedBase must be an integer >= 0, got ${seedBase}`);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`scoreMetaCandidates: steps must be a positive integer, got ${steps}`);
  if (scenarios.length === 0 || modes.length === 0) throw new Error('scoreMetaCandidates: at least one scenario and one mode');
  const total = paths.length * scenarios.length * modes.length * seeds;
  let done = 0;
  return paths.map((path) => {
    const cells: Record<string, number> = {};
    const perSeedSum = new Array<number>(seeds).fill(0);
    const policy = new HierarchicalPolicy({ id: 'meta-candidate', metaCheckpointPath: path, maskEdge: opts.maskEdge ?? false });
    for (const scenario of scenarios) {
      for (const mode of modes) {
        const schedule = singleModeSchedule(mode);
        const js: number[] = [];
        for (const records of singleModeRuns(policy, scenario, mode, seeds, seedBase, steps)) {
          const j = combinedObjective(scoreRun(records, schedule, config.scenarios[scenario].budgetUsdPerHour, config.modes));
          perSeedSum[js.length]! += j;
          js.push(j);
        }
        cells[`${scenario}/${mode}`] = mean(js);
        done += seeds;
        opts.onProgress?.(done, total);
      }
    }
    const nCells = scenarios.length * modes.length;
    const perSeedJ = perSeedSum.map((s) => s / nCells);
    return { path, meanJ: mean(perSeedJ), cells, perSeedJ };
  });
}

/** The candidate with the highest mean J (the first of equals). */
export function bestCandidate(scores: readonly CandidateScore[]): CandidateScore {
  if (scores.length === 0) throw new Error('bestCandidate: no candidates');
  return scores.reduce((best, s) => (s.meanJ > best.meanJ ? s : best));
}
