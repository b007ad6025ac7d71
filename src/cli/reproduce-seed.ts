/**
 * `edgepilot reproduce-seed`: re-runs the original thesis tournament (500 steps, SLA = latency > 1000 ms) on
 * SeedCompatEnv over many seeds, and prints our measured numbers next to the numbers the original reports
 * (quoted from original-system.md §6.3-6.4, labelled as such). Measured numbers always come from running the env.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { SEED_SCENARIO_NAMES, type SeedScenarioName } from '../env/seed-compat-env.ts';
import { SEED_POLICIES, SEED_RL_REFERENCE, type SeedReference } from '../policies/seed/registry.ts';
import { loadSeedRlPolicy, SEED_RL_DEFAULT_CHECKPOINT } from '../policies/seed/seed-rl.ts';
import { runSeedTournament, type SeedTournamentRow } from '../policies/seed/tournament.ts';
import type { Policy } from '../policies/types.ts';
import { checkInputFile, CliError, didYouMean, parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { PACKAGE_ROOT } from '../core/paths.ts';
import { MAX_SEEDS, MAX_SEEDS_WHY, MAX_STEPS, MAX_STEPS_WHY } from './bench.ts';
import { CheckpointError } from '../rl/checkpoint.ts';
import { ProgressBar } from './progress.ts';

interface ReproduceSeedFlags {
  seeds: string;
  steps: string;
  scenario: string;
  rlCheckpoint?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('reproduce-seed')
    .description("Re-run the original thesis tournament on SeedCompatEnv and compare with the original's reported numbers")
    .option('--seeds <n>', `number of seeds (runs per policy), 1-${MAX_SEEDS.toLocaleString('en-US')}`, '200')
    .option('--steps <n>', `steps per run (the original used 500), 1-${MAX_STEPS.toLocaleString('en-US')}`, '500')
    .option('--scenario <name>', `'random' (the original's per-reset draw) or one of ${SEED_SCENARIO_NAMES.join(', ')}`, 'random')
    .option('--rl-checkpoint <path>', `seed-rl PPO checkpoint (default: the shipped ${relative(PACKAGE_ROOT, SEED_RL_DEFAULT_CHECKPOINT)} if it exists)`)
    .option('--json', 'print one JSON summary object as the last stdout line (and no progress bar)')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot reproduce-seed --seeds 20 --steps 200            a quick look
  edgepilot reproduce-seed --scenario balanced --json         the original's protocol on one scenario`,
    )
    .action(async (flags: ReproduceSeedFlags) => {
      await reproduceSeed(flags);
    });
}

async function reproduceSeed(flags: ReproduceSeedFlags): Promise<void> {
  const seeds = parseIntOption('--seeds', flags.seeds, 1, MAX_SEEDS, MAX_SEEDS_WHY);
  const steps = parseIntOption('--steps', flags.steps, 1, MAX_STEPS, MAX_STEPS_WHY);
  const scenario = parseScenario(flags.scenario);

  const policies: Policy[] = SEED_POLICIES.map((e) => e.create());
  const references = new Map<string, SeedReference>(SEED_POLICIES.map((e) => [e.id, e.reference]));
  const rl = await loadRlIfPresent(flags.rlCheckpoint);
  if (rl) {
    policies.push(rl);
    references.set(rl.id, SEED_RL_REFERENCE);
  }

  const bar = new ProgressBar({ label: 'reproduce-seed', total: policies.length * seeds, silent: flags.json === true });
  const rows = runSeedTournament(policies, { seeds, steps, scenario, onRun: () => bar.tick() });
  bar.finish();

  printTable(rows, references, seeds, steps, scenario, rl !== null);
  if (flags.json) {
    printJsonSummary({
      seeds,
      steps,
      scenario,
      rows: rows.map((r) => {
        const ref = references.get(r.policy)!;
        return {
          policy: r.policy,
          slaViolationPct: r.slaViolationPct,
          slaP5: r.slaP5,
          slaP95: r.slaP95,
          costUsd: r.costUsd,
          costP5: r.costP5,
          costP95: r.costP95,
          p95LatencyMs: r.p95LatencyMs,
          stability: r.stability,
          meanReward: r.meanReward,
          referenceSlaViolationPct: ref.slaPct,
          referenceReadmeSlaViolationPct: ref.readmeSlaPct,
          referenceCostUsd: ref.costUsd,
          referenceP95LatencyMs: ref.p95LatencyMs,
          referenceStability: ref.stability,
        };
      }),
    });
  }
}

function parseScenario(value: string): SeedScenarioName | 'random' {
  if (value === 'random') return 'random';
  if ((SEED_SCENARIO_NAMES as string[]).includes(value)) return value as SeedScenarioName;
  throw new UsageError(`--scenario must be 'random' or one of ${SEED_SCENARIO_NAMES.join(', ')}, got '${value}'${didYouMean(value, ['random', ...SEED_SCENARIO_NAMES])}`);
}

/** The seed-rl hook: the RL row appears when a checkpoint exists and loads. */
async function loadRlIfPresent(explicitPath: string | undefined): Promise<Policy | null> {
  if (explicitPath !== undefined) {
    if (!existsSync(explicitPath)) throw new UsageError(`--rl-checkpoint: no file at '${explicitPath}'`);
    checkInputFile('--rl-checkpoint', explicitPath);
    try {
      return await loadSeedRlPolicy(explicitPath);
    } catch (err) {
      // Not a checkpoint, a damaged one, or one for another env: its message says which, no stack trace needed.
      if (err instanceof CheckpointError) throw new CliError(`--rl-checkpoint: ${err.message}`);
      throw err;
    }
  }
  if (!existsSync(SEED_RL_DEFAULT_CHECKPOINT)) return null;
  try {
    return await loadSeedRlPolicy(SEED_RL_DEFAULT_CHECKPOINT);
  } catch (err) {
    process.stderr.write(`reproduce-seed: skipping the seed-rl row: ${err instanceof Error ? err.message : String(err)}\n`);
    return null;
  }
}

function printTable(rows: SeedTournamentRow[], refs: Map<string, SeedReference>, seeds: number, steps: number, scenario: string, hasRl: boolean): void {
  const out: string[] = [];
  out.push(`Original tournament on SeedCompatEnv: ${seeds} seeds x ${steps} steps, scenario ${scenario}, SLA = latency > 1000 ms.`);
  out.push('MEASURED here (mean [5th-95th percentile over seeds]; cost = sum of per-step $/h; P95 and stability are means over seeds):');
  const header = ['policy', 'SLA viol %', 'total cost $', 'P95 ms', 'stability'];
  const measured = rows.map((r) => [
    r.policy,
    `${f1(r.slaViolationPct)} [${f1(r.slaP5)}-${f1(r.slaP95)}]`,
    `${f0(r.costUsd)} [${f0(r.costP5)}-${f0(r.costP95)}]`,
    f0(r.p95LatencyMs),
    f2(r.stability),
  ]);
  out.push(...formatTable(header, measured));
  out.push('');
  out.push('REFERENCE values quoted from original-system.md (not measured here): README claim, and the spec author\'s re-run of');
  out.push('the original code (200 random seeds x 500 steps, §6.3; seed-threshold is the "oracle cheap-safe" rule of §6.4):');
  const refHeader = ['policy', 'README SLA %', 're-run SLA %', 're-run cost $', 're-run P95 ms', 're-run stability'];
  const refRows = rows.map((r) => {
    const ref = refs.get(r.policy)!;
    const band = ref.slaP5 !== null && ref.slaP95 !== null ? ` [${f1(ref.slaP5)}-${f1(ref.slaP95)}]` : '';
    return [r.policy, ref.readmeSlaPct === null ? '-' : f1(ref.readmeSlaPct), `${f1(ref.slaPct)}${band}`, f0(ref.costUsd), f0(ref.p95LatencyMs), ref.stability === null ? '-' : f2(ref.stability)];
  });
  if (!hasRl) {
    const ref = SEED_RL_REFERENCE;
    refRows.push(['seed-rl (not run)', f1(ref.readmeSlaPct!), `${f1(ref.slaPct)} [${f1(ref.slaP5!)}-${f1(ref.slaP95!)}]`, f0(ref.costUsd), f0(ref.p95LatencyMs), f2(ref.stability!)]);
  }
  out.push(...formatTable(refHeader, refRows));
  if (steps !== 500) out.push(`(The reference runs are 500 steps long; our total costs are over ${steps} steps.)`);
  if (!hasRl) out.push(`(seed-rl is measured once a PPO checkpoint exists at ${SEED_RL_DEFAULT_CHECKPOINT} or is given with --rl-checkpoint.)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

const f0 = (x: number): string => x.toFixed(0);
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
