/** `edgepilot train`: trains PPO or TD3 on a registered env and saves a checkpoint (see docs/RL.md). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { envIds, hasEnv, makeEnv } from '../env/registry.ts';
import { ALGOS, parseTrainConfig, runTraining } from '../rl/trainer.ts';
import type { Algo, TrainConfig } from '../rl/trainer.ts';
import { parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { ProgressBar } from './progress.ts';
import { memberPath, parseSeedList, writeEnsembleManifest } from '../rl/ensemble.ts';

interface TrainFlags {
  env?: string;
  algo?: string;
  timesteps?: string;
  seed?: string;
  seeds?: string;
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
    .option('--seeds <list>', 'train an ensemble, one model per seed (e.g. 1-6 or 1,3,5): members go to <out>-s<seed>.json, the manifest to --out')
    .option('--config <file>', 'JSON config (algo, env, timesteps, seed, evalFreq, evalEpisodes, hyperparameters)')
    .option('--out <file>', 'checkpoint path (default runs/<algo>-<env>-s<seed>.json, or runs/<algo>-<env>-ensemble.json with --seeds); the log and best model go next to it')
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
      if (flags.seed !== undefined && flags.seeds !== undefined) throw new UsageError('give --seed or --seeds, not both');
      let seeds: number[] | null = null;
      if (flags.seeds !== undefined) {
        try {
          seeds = parseSeedList(flags.seeds);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      const seed = flags.seed !== undefined ? parseIntOption('--seed', flags.seed, 0) : (cfg.seed ?? 0);
      const evalEpisodes = flags.evalEpisodes !== undefined ? parseIntOption('--eval-episodes', flags.evalEpisodes, 1) : (cfg.evalEpisodes ?? 10);
      const evalFreq = flags.evalFreq !== undefined ? parseIntOption('--eval-freq', flags.evalFreq, 0) : (cfg.evalFreq ?? Math.max(1, Math.floor(timesteps / 10)));
      const out = flags.out ?? (seeds ? `runs/${algo}-${envId}-ensemble.json` : `runs/${algo}-${envId}-s${seed}.json`);
      const trainOne = (s: number, path: string, label: string) => {
        const bar = new ProgressBar({ label, total: timesteps, silent: flags.quiet });
        const t0 = performance.now();
        let lastDraw = 0;
        const summary = runTraining({
          envId,
          algo: algo as Algo,
          timesteps,
          seed: s,
          hyperparameters: cfg.hyperparameters,
          envOptions: cfg.envOptions,
          evalFreq,
          evalEpisodes,
          finalEvalEpisodes: Math.max(20, evalEpisodes),
          out: path,
          onProgress: (steps, meanRet) => {
            if (steps - lastDraw < 100 && steps < timesteps) return;
            lastDraw = steps;
            const sps = steps / ((performance.now() - t0) / 1000);
            bar.set(steps, `${sps.toFixed(0)} steps/s  mean ep return ${meanRet === null ? '-' : meanRet.toFixed(1)}`);
          },
        });
        bar.finish(`${summary.stepsPerSecond.toFixed(0)} steps/s`);
        if (!flags.json) {
          process.stdout.write(`${summary.algo} on ${summary.env}: ${summary.timesteps} steps, seed ${summary.seed}: deterministic eval ${summary.meanReturn.toFixed(2)} ± ${summary.stdReturn.toFixed(2)} (${Math.max(20, evalEpisodes)} episodes)\n`);
          process.stdout.write(`  ${summary.stepsPerSecond.toFixed(0)} steps/s, ${summary.wallSeconds.toFixed(1)} s; checkpoint ${summary.checkpoint}; log ${summary.logPath}\n`);
        }
        const { algo: a, env, timesteps: ts, seed: sd, meanReturn, stdReturn, stepsPerSecond, wallSeconds, checkpoint } = summary;
        return { algo: a, env, timesteps: ts, seed: sd, meanReturn, stdReturn, stepsPerSecond, wallSeconds, checkpoint };
      };
      if (!seeds) {
        const one = trainOne(seed, out, `${algo} ${envId}`);
        if (flags.json) printJsonSummary(one);
        return;
      }
      const members = seeds.map((s, i) => trainOne(s, memberPath(out, s), `${algo} ${envId} seed ${s} (${i + 1}/${seeds.length})`));
      const command = ['edgepilot train', flags.env ? `--env ${flags.env}` : '', flags.algo ? `--algo ${flags.algo}` : '', flags.config ? `--config ${flags.config}` : '', flags.timesteps ? `--timesteps ${flags.timesteps}` : '', flags.evalEpisodes ? `--eval-episodes ${flags.evalEpisodes}` : '', flags.evalFreq ? `--eval-freq ${flags.evalFreq}` : '', `--seeds ${flags.seeds}`, `--out ${out}`].filter(Boolean).join(' ');
      writeEnsembleManifest(out, seeds, command);
      if (!flags.json) process.stdout.write(`ensemble manifest ${out}: ${seeds.length} members (${members.map((m) => m.checkpoint).join(', ')})\n`);
      else printJsonSummary({ ensemble: out, members });
    });
}
