/** `edgepilot train`: trains PPO or TD3 on a registered env and saves a checkpoint (see docs/RL.md). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { envIds, hasEnv, makeEnv } from '../env/registry.ts';
import { ALGOS, parseTrainConfig, runTraining } from '../rl/trainer.ts';
import type { Algo, TrainConfig } from '../rl/trainer.ts';
import { parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { ProgressBar } from './progress.ts';

interface TrainFlags {
  env?: string;
  algo?: string;
  timesteps?: string;
  seed?: string;
  config?: string;
  out?: string;
  evalEpisodes?: string;
  evalFreq?: string;
  json?: boolean;
  quiet?: boolean;
}

function loadConfig(path: string): TrainConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--config: cannot read '${path}': ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--config '${path}' is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseTrainConfig(raw, `config '${path}'`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Train PPO or TD3 on an environment (e.g. CartPole-v1, Pendulum-v1) and save a checkpoint')
    .option('--env <id>', 'environment id')
    .option('--algo <algo>', `algorithm: ${ALGOS.join(' | ')}`)
    .option('--timesteps <n>', 'environment steps to train for')
    .option('--seed <n>', 'random seed', undefined)
    .option('--config <file>', 'JSON config (algo, env, timesteps, seed, evalFreq, evalEpisodes, hyperparameters)')
    .option('--out <file>', 'checkpoint path (default runs/<algo>-<env>-s<seed>.json); the log and best model go next to it')
    .option('--eval-episodes <n>', 'episodes per periodic evaluation (the final evaluation uses at least 20)')
    .option('--eval-freq <n>', 'env steps between periodic evaluations (0 = final only)')
    .option('--json', 'print a JSON summary as the last stdout line')
    .option('--quiet', 'no progress bar')
    .action((flags: TrainFlags) => {
      const cfg = flags.config ? loadConfig(flags.config) : {};
      const algo = flags.algo ?? cfg.algo;
      if (!algo) throw new UsageError(`--algo is required (or "algo" in --config); valid: ${ALGOS.join(', ')}`);
      if (!(ALGOS as readonly string[]).includes(algo)) throw new UsageError(`unknown algo '${algo}'; valid: ${ALGOS.join(', ')}`);
      if (cfg.algo && flags.algo && cfg.algo !== flags.algo) throw new UsageError(`--algo ${flags.algo} contradicts "algo": "${cfg.algo}" in ${flags.config}`);
      if (flags.config && cfg.hyperparameters && !cfg.algo) parseTrainConfig({ ...cfg, algo }, `config '${flags.config}'`);
      const envId = flags.env ?? cfg.env;
      if (!envId) throw new UsageError(`--env is required (or "env" in --config); valid: ${envIds().join(', ')}`);
      if (!hasEnv(envId)) throw new UsageError(`unknown env '${envId}'; valid: ${envIds().join(', ')}`);
      const probe = makeEnv(envId, cfg.envOptions);
      if (algo === 'td3' && probe.actionSpace.kind !== 'box') throw new UsageError(`td3 needs a Box action space; ${envId} has a ${probe.actionSpace.kind} action space (use --algo ppo)`);
      probe.close?.();
      const timesteps = flags.timesteps !== undefined ? parseIntOption('--timesteps', flags.timesteps, 1) : (cfg.timesteps ?? (algo === 'ppo' ? 100_000 : 20_000));
      const seed = flags.seed !== undefined ? parseIntOption('--seed', flags.seed, 0) : (cfg.seed ?? 0);
      const evalEpisodes = flags.evalEpisodes !== undefined ? parseIntOption('--eval-episodes', flags.evalEpisodes, 1) : (cfg.evalEpisodes ?? 10);
      const evalFreq = flags.evalFreq !== undefined ? parseIntOption('--eval-freq', flags.evalFreq, 0) : (cfg.evalFreq ?? Math.max(1, Math.floor(timesteps / 10)));
      const out = flags.out ?? `runs/${algo}-${envId}-s${seed}.json`;
      const bar = new ProgressBar({ label: `${algo} ${envId}`, total: timesteps, silent: flags.quiet });
      const t0 = performance.now();
      let lastDraw = 0;
      const summary = runTraining({
        envId,
        algo: algo as Algo,
        timesteps,
        seed,
        hyperparameters: cfg.hyperparameters,
        envOptions: cfg.envOptions,
        evalFreq,
        evalEpisodes,
        finalEvalEpisodes: Math.max(20, evalEpisodes),
        out,
        onProgress: (steps, meanRet) => {
          if (steps - lastDraw < 100 && steps < timesteps) return;
          lastDraw = steps;
          const sps = steps / ((performance.now() - t0) / 1000);
          bar.set(steps, `${sps.toFixed(0)} steps/s  mean ep return ${meanRet === null ? '-' : meanRet.toFixed(1)}`);
        },
      });
      bar.finish(`${summary.stepsPerSecond.toFixed(0)} steps/s`);
      const { algo: a, env, timesteps: ts, seed: s, meanReturn, stdReturn, stepsPerSecond, wallSeconds, checkpoint } = summary;
      if (!flags.json) {
        process.stdout.write(`${a} on ${env}: ${ts} steps, seed ${s}: deterministic eval ${meanReturn.toFixed(2)} ± ${stdReturn.toFixed(2)} (${Math.max(20, evalEpisodes)} episodes)\n`);
        process.stdout.write(`  ${stepsPerSecond.toFixed(0)} steps/s, ${wallSeconds.toFixed(1)} s; checkpoint ${checkpoint}; log ${summary.logPath}\n`);
      }
      if (flags.json) printJsonSummary({ algo: a, env, timesteps: ts, seed: s, meanReturn, stdReturn, stepsPerSecond, wallSeconds, checkpoint });
    });
}
