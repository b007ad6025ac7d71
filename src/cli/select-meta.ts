/**
 * `edgepilot select-meta`: picks one meta-controller among several trained by the same recipe (an ensemble manifest
 * from `edgepilot train --seeds`, or a list of checkpoints) by validation (src/bench/meta-selection.ts), copies the
 * winner with its best model and training log to --out, and writes what was measured to <out>.selection.json.
 */
import { copyFileSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { bestCandidate, scoreMetaCandidates, VALIDATION_SEED_BASE, VALIDATION_SEEDS, VALIDATION_STEPS } from '../bench/meta-selection.ts';
import { pairedDifference } from '../bench/stats.ts';
import { SCENARIOS } from '../env/spark-iot-types.ts';
import { MODES } from '../meta/modes.ts';
import { isEnsembleFile, readEnsembleManifest } from '../rl/ensemble.ts';
import { artifactPaths } from '../rl/trainer.ts';
import { CliError, ensureOutputFile, parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { MAX_SEEDS, MAX_SEEDS_WHY, MAX_STEPS, MAX_STEPS_WHY } from './bench.ts';
import { CheckpointError, readCheckpoint } from '../rl/checkpoint.ts';
import { META_ENV_ID } from '../meta/meta-env.ts';
import { ProgressBar } from './progress.ts';

export const SELECTION_FORMAT = 'edgepilot-meta-selection';

interface SelectFlags {
  candidates?: string;
  out?: string;
  /** commander turns --no-edge into `edge: false` (default true). */
  edge: boolean;
  seeds: string;
  seedBase: string;
  steps: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The files `--candidates` names (manifests not expanded). */
function candidateItems(spec: string): string[] {
  return spec.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The candidate checkpoints: a manifest's members, or a comma-separated list of files. */
function candidatePaths(spec: string): string[] {
  const items = candidateItems(spec);
  if (items.length === 0) throw new UsageError('--candidates is empty');
  const paths: string[] = [];
  for (const item of items) {
    if (!existsSync(item)) throw new UsageError(`--candidates: '${item}' not found`);
    if (statSync(item).isDirectory()) throw new UsageError(`--candidates: '${item}' is a folder; give an ensemble manifest or checkpoint files`);
    if (isEnsembleFile(item)) {
      let members: string[];
      try {
        members = readEnsembleManifest(item).memberPaths;
      } catch (err) {
        throw new UsageError(`--candidates: ${(err as Error).message}`);
      }
      const missing = members.filter((m) => !existsSync(m));
      if (missing.length) throw new UsageError(`--candidates: member${missing.length > 1 ? 's' : ''} of '${item}' not found: ${missing.join(', ')}`);
      paths.push(...members);
    } else paths.push(item);
  }
  // The same file twice would be scored twice and, when best, marked chosen twice.
  const seen = new Map<string, string>();
  for (const p of paths) {
    const key = resolve(p);
    const first = seen.get(key);
    if (first !== undefined) throw new UsageError(`--candidates: '${p}' is listed twice${first !== p ? ` (also as '${first}')` : ''}; give each candidate once`);
    seen.set(key, p);
  }
  return paths;
}

/**
 * A TD3 checkpoint for another env (Pendulum-v1, say) would only fail inside the loader, on its observation shape:
 * say what it is instead. The loader still checks the rest (a ppo model, the spaces, the checksum).
 */
function checkCandidateEnvs(paths: readonly string[]): void {
  for (const p of paths) {
    const c = readCheckpoint(p);
    if (c.algo === 'td3' && c.envId !== META_ENV_ID) throw new CheckpointError(`'${p}'`, `is a ${c.envId} model; select-meta needs ${META_ENV_ID} models (meta-controllers: edgepilot train --config configs/meta-td3.json)`);
  }
}

/** `<out>.selection.json` (".json" stripped): the record of the selection next to the chosen checkpoint. */
export function selectionRecordPath(out: string): string {
  return `${out.endsWith('.json') ? out.slice(0, -'.json'.length) : out}.selection.json`;
}

export function register(program: Command): void {
  program
    .command('select-meta')
    .description('Pick the best of several trained meta-controllers (TD3 seeds) by each mode\'s objective on validation worlds, and copy it to --out')
    .option('--candidates <files>', 'required: an ensemble manifest (edgepilot train --seeds ... --out X.json) or comma-separated checkpoints')
    .option('--out <file>', 'required: where the chosen checkpoint goes (its .best.json and .log.jsonl are copied beside it, the record of the selection to <out>.selection.json)')
    .option('--no-edge', 'score the candidates as the no-edge ablation runs them (models/rl-no-edge-ppo.json, edge features masked)')
    .option('--seeds <n>', `validation world seeds per (scenario, mode) cell, 2-${MAX_SEEDS.toLocaleString('en-US')}`, String(VALIDATION_SEEDS))
    .option('--seed-base <n>', 'first validation world seed (the tournament uses 10000..)', String(VALIDATION_SEED_BASE))
    .option('--steps <n>', `control steps per validation run, 1-${MAX_STEPS.toLocaleString('en-US')}`, String(VALIDATION_STEPS))
    .option('--force', 'overwrite an --out (and the files written beside it) that already exists')
    .option('--json', 'print a JSON summary as the last stdout line (and no progress bar)')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot select-meta --candidates models/meta-td3.json --out runs/meta-td3-chosen.json --seeds 2 --steps 50
  edgepilot select-meta --candidates models/meta-td3-no-edge.json --no-edge --out runs/meta-no-edge-chosen.json --seeds 10 --steps 200 --force`,
    )
    .action((flags: SelectFlags) => {
      if (!flags.candidates) throw new UsageError('--candidates is required (an ensemble manifest or comma-separated checkpoints)');
      if (!flags.out) throw new UsageError('--out is required (e.g. runs/meta-td3-chosen.json)');
      const seeds = parseIntOption('--seeds', flags.seeds, 2, MAX_SEEDS, MAX_SEEDS_WHY);
      const seedBase = parseIntOption('--seed-base', flags.seedBase, 0);
      const steps = parseIntOption('--steps', flags.steps, 1, MAX_STEPS, MAX_STEPS_WHY);
      const maskEdge = !flags.edge;
      const paths = candidatePaths(flags.candidates);
      const out = flags.out;
      if ([...paths, ...candidateItems(flags.candidates)].some((p) => resolve(p) === resolve(out))) throw new UsageError(`--out '${out}' is one of the candidates; choose another path`);
      // The shipped models/ are tracked files: an --out that exists is overwritten only when asked for.
      const written = [out, selectionRecordPath(out), artifactPaths(out).best, artifactPaths(out).log];
      const existing = written.find((f) => existsSync(f));
      if (existing !== undefined && !flags.force) throw new UsageError(`--out ${out}: '${existing}' already exists; give --force to overwrite it, or another --out`);
      // Before the validation runs, not after them: an unusable --out would throw their work away.
      ensureOutputFile('--out', out);
      const cells = SCENARIOS.length * MODES.length;
      const bar = new ProgressBar({ label: `select-meta: ${paths.length} candidates x ${cells} cells x ${seeds} seeds`, total: paths.length * cells * seeds, silent: flags.quiet || flags.json });
      let scores: ReturnType<typeof scoreMetaCandidates>;
      try {
        checkCandidateEnvs(paths);
        scores = scoreMetaCandidates(paths, { seeds, seedBase, steps, maskEdge, onProgress: (done) => bar.set(done) });
      } catch (err) {
        // A candidate that is not a meta-controller checkpoint (or a damaged one): its message names the file.
        if (err instanceof CheckpointError) throw new CliError(`--candidates: ${err.message}`);
        throw err;
      }
      bar.finish();
      const best = bestCandidate(scores);
      const rows = scores.map((s) => {
        const d = pairedDifference(s.perSeedJ, best.perSeedJ);
        return { path: s.path, meanJ: s.meanJ, minusChosen: d.mean, minusChosenCi95: d.ci95, cells: s.cells };
      });

      copyFileSync(best.path, out);
      const from = artifactPaths(best.path);
      const to = artifactPaths(out);
      const copied = [out];
      for (const k of ['best', 'log'] as const) {
        if (existsSync(from[k])) {
          copyFileSync(from[k], to[k]);
          copied.push(to[k]);
        } else rmSync(to[k], { force: true }); // with --force: not a stale one from the model overwritten beside the new one
      }
      const command = ['edgepilot select-meta', `--candidates ${flags.candidates}`, `--out ${out}`, maskEdge ? '--no-edge' : '', seeds !== VALIDATION_SEEDS ? `--seeds ${seeds}` : '', seedBase !== VALIDATION_SEED_BASE ? `--seed-base ${seedBase}` : '', steps !== VALIDATION_STEPS ? `--steps ${steps}` : ''].filter(Boolean).join(' ');
      const record = {
        format: SELECTION_FORMAT,
        version: 1,
        command,
        chosen: best.path,
        protocol: { objective: "each mode's J (src/meta/modes.ts), whole single-mode runs", scenarios: [...SCENARIOS], modes: [...MODES], seeds, seedBase, steps, maskEdge },
        candidates: rows,
      };
      const recordPath = selectionRecordPath(out);
      writeFileSync(recordPath, `${JSON.stringify(record, null, 1)}\n`);

      if (flags.json) {
        printJsonSummary({ chosen: best.path, out, copied, record: recordPath, candidates: rows.map(({ cells: _c, ...r }) => r) });
        return;
      }
      process.stdout.write(`mean J over ${cells} (scenario, mode) cells, ${seeds} validation seeds from ${seedBase}; paired difference to the chosen one:\n`);
      const width = Math.max(...rows.map((r) => r.path.length));
      for (const r of [...rows].sort((a, b) => b.meanJ - a.meanJ)) {
        const tag = r.path === best.path ? '  <- chosen' : `  ${r.minusChosen >= 0 ? '+' : ''}${r.minusChosen.toFixed(4)} ± ${r.minusChosenCi95.toFixed(4)}`;
        process.stdout.write(`  ${r.path.padEnd(width)}  ${r.meanJ.toFixed(4)}${tag}\n`);
      }
      process.stdout.write(`copied ${best.path} to ${copied.join(', ')}; record in ${recordPath}\n`);
    });
}
