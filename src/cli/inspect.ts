/**
 * `edgepilot inspect <file>`: what a trained model is, read from the file alone. For a checkpoint: the algorithm,
 * env, spaces, network, training budget and seed, hyper-parameters, the env options it was trained with (recorded
 * since session 13), and the final evaluation from its training log when the log sits beside it. For an ensemble
 * manifest: the reproducing command and every member, checked. The checksum is verified on the way (a modified or
 * truncated file is an error naming it).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { CheckpointError, describeSpaceMismatch, readCheckpoint, type CheckpointContent, type SpaceJson } from '../rl/checkpoint.ts';
import { OBS_SIZE, OBSERVATION_FEATURES } from '../control/observation.ts';
import { residualActionSpace } from '../core/residual-action.ts';
import { isEnsembleFile, readEnsembleManifest, type EnsemblePooling } from '../rl/ensemble.ts';
import { artifactPaths } from '../rl/trainer.ts';
import { META_ENV_ID } from '../meta/meta-env.ts';
import { metaContextFeaturesOf } from '../meta/hierarchical-policy.ts';
import { metaObservationFeatures } from '../meta/meta-observation.ts';
import { CliError, printJsonSummary, UsageError } from './output.ts';

export interface CheckpointSummary {
  path: string;
  algo: 'ppo' | 'td3';
  envId: string;
  observation: string;
  action: string;
  network: string;
  numTimesteps: number;
  seed: number;
  hyperparameters: Record<string, unknown>;
  /** The env options recorded at training; null for checkpoints from before they were recorded. */
  envOptions: Record<string, unknown> | null;
  /** For a meta-controller: the observation variant it reads (src/meta/meta-observation.ts). */
  metaObservation: { variant: string; features: readonly string[] } | null;
  /** For a lower-level agent: the control observation's feature names (src/control/observation.ts). */
  controlObservation: readonly string[] | null;
  /** For a lower-level agent: true when its action is a correction of forecast-sizing's (src/core/residual-action.ts). */
  residual: boolean | null;
  observationNormalization: boolean;
  /** From <stem>.log.jsonl beside the checkpoint, when it is there. */
  finalEval: { meanReturn: number; stdReturn: number; episodes: number } | null;
}

function describeSpace(s: SpaceJson): string {
  if (s.kind === 'box') return `Box [${s.shape.join(', ')}] in [${Math.min(...s.low)}, ${Math.max(...s.high)}]`;
  if (s.kind === 'discrete') return `Discrete(${s.n})`;
  return `MultiDiscrete [${s.nvec.join(', ')}]`;
}

function describeNetwork(c: CheckpointContent): string {
  const a = c.architecture as { actorSizes?: number[]; criticSizes?: number[]; activation?: string };
  const parts = [a.actorSizes ? `actor ${a.actorSizes.join('-')}` : null, a.criticSizes ? `critic ${a.criticSizes.join('-')}` : null, a.activation ?? null];
  return parts.filter(Boolean).join(', ') || 'not recorded';
}

/** The final-eval row of the training log beside `path`, if any (a malformed log is ignored, not fatal). */
function finalEvalOf(path: string): CheckpointSummary['finalEval'] {
  const log = artifactPaths(path).log;
  if (!existsSync(log)) return null;
  const lines = readFileSync(log, 'utf8').trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const row = JSON.parse(line) as { type?: string; meanReturn?: number; stdReturn?: number; episodes?: number };
      if (row.type === 'final-eval' && typeof row.meanReturn === 'number') return { meanReturn: row.meanReturn, stdReturn: row.stdReturn ?? NaN, episodes: row.episodes ?? 0 };
    } catch {
      // a torn last line of a log still being written: look further up
    }
  }
  return null;
}

export function summarizeCheckpoint(path: string): CheckpointSummary {
  const c = readCheckpoint(path);
  const variant = c.envId === META_ENV_ID ? metaContextFeaturesOf(c, `'${path}'`) : null;
  // The lower-level envs (SparkIot, its training and Spark variants) all show the control observation.
  const lower = c.envId.startsWith('SparkIot') && c.envId !== META_ENV_ID && c.observationSpace.kind === 'box' && c.observationSpace.shape.join() === String(OBS_SIZE);
  return {
    path,
    algo: c.algo,
    envId: c.envId,
    observation: describeSpace(c.observationSpace),
    action: describeSpace(c.actionSpace),
    network: describeNetwork(c),
    numTimesteps: c.numTimesteps,
    seed: c.seed,
    hyperparameters: c.hyperparameters,
    envOptions: c.envOptions ?? null,
    metaObservation: variant ? { variant, features: metaObservationFeatures(variant) } : null,
    controlObservation: lower ? OBSERVATION_FEATURES : null,
    residual: lower ? describeSpaceMismatch(c.actionSpace, residualActionSpace) === null : null,
    observationNormalization: c.normalization !== null,
    finalEval: finalEvalOf(path),
  };
}

/** 1, 2, 3, 5 -> '1-3, 5'. */
export function seedRanges(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j]! + 1) j++;
    parts.push(j > i ? `${seeds[i]}-${seeds[j]}` : String(seeds[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** What each pooling does, after its name (src/meta/hierarchical-policy.ts; docs/META.md "Pooling the seeds"). */
const POOLING_WHAT: Record<EnsemblePooling, string> = {
  arithmetic: ': the mean of the members\' normalized outputs (the shipped ensembles\')',
  geometric: ': exp of the mean log of the members\' normalized outputs, rescaled to sum 1 (a component most members set near 0 stays near 0)',
};

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const value = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function checkpointLines(s: CheckpointSummary): string[] {
  const lines = [
    `${s.path}: ${s.algo.toUpperCase()} checkpoint for ${s.envId} (checksum verified)`,
    `  trained: ${s.numTimesteps.toLocaleString('en-US')} steps, seed ${s.seed}`,
    `  observation: ${s.observation}${s.observationNormalization ? ', normalized by the running statistics it carries' : ''}`,
  ];
  if (s.metaObservation) lines.push(`  meta observation: '${s.metaObservation.variant}': ${s.metaObservation.features.join(', ')}`);
  if (s.controlObservation) lines.push(`  control observation: ${s.controlObservation.join(', ')}`);
  lines.push(`  action: ${s.action}${s.residual === true ? ' (a correction of forecast-sizing\'s action: executor and memory offsets, keep-or-set tier and codec)' : s.residual === false ? ' (executors, memory, tier, codec)' : ''}`, `  network: ${s.network}`);
  lines.push(`  hyperparameters: ${Object.entries(s.hyperparameters).map(([k, v]) => `${k}=${value(v)}`).join(', ')}`);
  lines.push(`  env options: ${s.envOptions ? Object.entries(s.envOptions).map(([k, v]) => `${k}=${value(v)}`).join(', ') : 'none recorded (the env\'s defaults; checkpoints made before session 13 did not record them)'}`);
  lines.push(`  final evaluation: ${s.finalEval ? `mean return ${fmt(s.finalEval.meanReturn)} ± ${fmt(s.finalEval.stdReturn)} over ${s.finalEval.episodes} episodes (${artifactPaths(s.path).log})` : 'no training log beside it'}`);
  return lines;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('describe a trained model: a checkpoint (algorithm, env, spaces, budget, hyper-parameters, env options, final evaluation) or an ensemble manifest and its members')
    .argument('<file>', 'a checkpoint (models/edge-rl-ppo.json) or an ensemble manifest (models/meta-td3.json)')
    .option('--json', 'print a JSON summary as the last stdout line')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot inspect models/edge-rl-ppo.json
  edgepilot inspect models/meta-td3.json --json`,
    )
    .action((file: string, flags: { json?: boolean }) => {
      if (!existsSync(file)) throw new UsageError(`'${file}' not found`);
      if (statSync(file).isDirectory()) throw new UsageError(`'${file}' is a folder; give a checkpoint or an ensemble manifest (a .json file)`);
      try {
        inspectFile(file, flags);
      } catch (err) {
        // A damaged or foreign file: the message names it and what is wrong; a stack trace would add nothing.
        if (err instanceof CheckpointError) throw new CliError(err.message);
        throw err;
      }
    });
}

function inspectFile(file: string, flags: { json?: boolean }): void {
  if (isEnsembleFile(file)) {
    const manifest = readEnsembleManifest(file);
    const missing = manifest.memberPaths.filter((p) => !existsSync(p));
    if (missing.length) throw new CliError(`ensemble '${file}': member${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')}${manifest.command ? `; produce ${missing.length > 1 ? 'them' : 'it'} with: ${manifest.command}` : ''}`);
    const members = manifest.memberPaths.map(summarizeCheckpoint);
    const kinds = [...new Set(members.map((m) => `${m.algo} on ${m.envId}, observation ${m.observation}${m.metaObservation ? ` ('${m.metaObservation.variant}')` : ''}, ${m.numTimesteps.toLocaleString('en-US')} steps`))];
    const evals = members.map((m) => m.finalEval?.meanReturn).filter((x): x is number => x !== undefined);
    const lines = [
      `${file}: ensemble of ${members.length} checkpoints (seeds ${seedRanges(manifest.seeds)})`,
      `  pooling: ${manifest.pooling}${POOLING_WHAT[manifest.pooling]}`,
      `  command: ${manifest.command ?? 'not recorded'}`,
      `  members: ${kinds.length === 1 ? `all ${kinds[0]}` : `DIFFERENT: ${kinds.join(' | ')}`} (checksums verified)`,
      `  final evaluation of the members: ${evals.length ? `mean return ${fmt(Math.min(...evals))} .. ${fmt(Math.max(...evals))} (${evals.length} logs)` : 'no training logs beside them'}`,
    ];
    const first = members[0]!;
    lines.push(`  env options: ${first.envOptions ? Object.entries(first.envOptions).map(([k, v]) => `${k}=${value(v)}`).join(', ') : 'none recorded (the env\'s defaults; checkpoints made before session 13 did not record them)'}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (flags.json) printJsonSummary({ kind: 'ensemble', path: file, command: manifest.command ?? null, seeds: manifest.seeds, pooling: manifest.pooling, members });
    return;
  }
  const summary = summarizeCheckpoint(file);
  process.stdout.write(`${checkpointLines(summary).join('\n')}\n`);
  if (flags.json) printJsonSummary({ kind: 'checkpoint', ...summary });
}
