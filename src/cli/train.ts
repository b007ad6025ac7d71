/** `edgepilot train`: trains PPO or TD3 on a registered env and saves a checkpoint (see docs/RL.md). */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { DEFAULT_CONFIG, isPlainObject } from '../core/config.ts';
import { envIds, hasEnv, makeEnv } from '../env/registry.ts';
import { ALGOS, artifactPaths, MAX_TIMESTEPS, MAX_TIMESTEPS_WHY, parseTrainConfig, runTraining } from '../rl/trainer.ts';
import { readCheckpoint, recordableEnvOptions } from '../rl/checkpoint.ts';
import type { Algo, TrainConfig, TrainOptions, TrainSummary } from '../rl/trainer.ts';
import { checkInputFile, CliError, didYouMean, ensureOutputFile, parseIntOption, printJsonSummary, UsageError } from './output.ts';
import { ProgressBar } from './progress.ts';
import { DEFAULT_ENSEMBLE_POOLING, ENSEMBLE_POOLINGS as POOLINGS, memberPath, parseSeedList, writeEnsembleManifest, type EnsemblePooling } from '../rl/ensemble.ts';

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
  jobs?: string;
  pooling?: string;
  resume?: boolean;
  json?: boolean;
  quiet?: boolean;
}

function loadConfig(path: string): TrainConfig {
  checkInputFile('--config', path);
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
  // The other kind of --config (edgepilot config's output): its keys would be listed as unknown, which says nothing.
  const keys = isPlainObject(raw) ? Object.keys(raw) : [];
  if (keys.length > 0 && keys.every((k) => Object.hasOwn(DEFAULT_CONFIG, k))) {
    throw new UsageError(`--config '${path}': this is a world config (bench/demo/serve --config); train --config takes a training config such as configs/edge-rl-ppo.json`);
  }
  try {
    return parseTrainConfig(raw, `config '${path}'`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Steps trained when neither --timesteps nor the config says (the help text is built from these). */
const DEFAULT_TIMESTEPS: Record<Algo, number> = { ppo: 100_000, td3: 20_000 };

/** [assumed] Members of one `--seeds` ensemble: each is a whole training run (the shipped ensembles have 24). */
const MAX_MEMBERS = 1_000;
const MAX_MEMBERS_WHY = 'each is a whole training run, and more would run for days; the shipped ensembles have 24';

/** How many seeds a --seeds list names, without expanding it (0 for a malformed list: parseSeedList says why). */
function seedCount(text: string): number {
  let n = 0;
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) return 0;
    n += m[2] === undefined ? 1 : Math.max(0, Number(m[2]) - Number(m[1]) + 1);
  }
  return n;
}

/** SparkIot-v1 is an alias of SparkIot (src/env/registry.ts): naming one where a config names the other is no contradiction. */
const sameEnv = (id: string): string => (id === 'SparkIot-v1' ? 'SparkIot' : id);

/**
 * didYouMean, and for a name that starts exactly one id (CartPole for CartPole-v1: too many letters missing for the
 * edit distance) that id.
 */
function envSuggestion(given: string): string {
  const close = didYouMean(given, envIds());
  if (close) return close;
  const g = given.toLowerCase();
  const starting = envIds().filter((id) => id.toLowerCase().startsWith(g));
  return starting.length === 1 ? ` (did you mean '${starting[0]}'?)` : '';
}

/** What `--json` prints for one trained model (the sequential path's trainOne returns the same fields). */
type MemberSummary = Pick<TrainSummary, 'algo' | 'env' | 'timesteps' | 'seed' | 'meanReturn' | 'stdReturn' | 'stepsPerSecond' | 'wallSeconds' | 'checkpoint'>;

/**
 * `--seeds` with `--jobs n`: each member is a child `edgepilot train --seed s --out <member>` (the same flags
 * otherwise), at most n at a time. A member's training depends only on its seed and config, so the files are the
 * ones a sequential run writes. A failed member fails the command, naming its seed and the child's error; no member
 * starts after it, and the members already written stay.
 */
async function trainMembersInParallel(flags: TrainFlags, seeds: readonly number[], out: string, jobs: number): Promise<MemberSummary[]> {
  const shared = [
    ...(flags.env ? ['--env', flags.env] : []),
    ...(flags.algo ? ['--algo', flags.algo] : []),
    ...(flags.config ? ['--config', flags.config] : []),
    ...(flags.timesteps ? ['--timesteps', flags.timesteps] : []),
    ...(flags.evalEpisodes ? ['--eval-episodes', flags.evalEpisodes] : []),
    ...(flags.evalFreq ? ['--eval-freq', flags.evalFreq] : []),
  ];
  const bar = new ProgressBar({ label: `${seeds.length} members, ${Math.min(jobs, seeds.length)} at a time`, total: seeds.length, silent: flags.quiet });
  const results = new Array<MemberSummary | undefined>(seeds.length);
  const failures: string[] = [];
  let next = 0;
  const runOne = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const seed = seeds[i]!;
      const args = [...process.execArgv, process.argv[1]!, 'train', ...shared, '--seed', String(seed), '--out', memberPath(out, seed), '--json', '--quiet'];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (err) => {
        failures.push(`seed ${seed}: ${err.message}`);
        resolve();
      });
      child.on('close', (code) => {
        if (code === 0) {
          try {
            const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as MemberSummary;
            results[i] = summary;
            bar.tick(1, `seed ${seed}: eval ${summary.meanReturn.toFixed(2)}, ${summary.wallSeconds.toFixed(0)} s`);
            if (!flags.json) {
              process.stdout.write(`${summary.algo} on ${summary.env}: ${summary.timesteps} steps, seed ${seed}: deterministic eval ${summary.meanReturn.toFixed(2)} ± ${summary.stdReturn.toFixed(2)}; ${summary.wallSeconds.toFixed(1)} s; checkpoint ${summary.checkpoint}\n`);
            }
          } catch {
            failures.push(`seed ${seed}: no summary from the child (stdout ended with '${stdout.trim().slice(-200)}')`);
          }
        } else failures.push(`seed ${seed}: exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
        resolve();
      });
    });
  // After a failure no new member starts (a bad config would fail them all); the running ones finish.
  const worker = async (): Promise<void> => {
    while (next < seeds.length && failures.length === 0) await runOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(jobs, seeds.length) }, worker));
  bar.finish();
  if (failures.length) {
    const written = results.filter(Boolean).length;
    throw new Error(`train --seeds: ${failures.length} of ${seeds.length} members failed, ${written} written, ${seeds.length - next} not started: ${failures.join('; ')}`);
  }
  return results as MemberSummary[];
}

/** What a member trained by this command would record (its training options): `--resume` keeps a file only if it matches. */
export type MemberExpectation = Pick<TrainOptions, 'algo' | 'envId' | 'seed' | 'timesteps' | 'hyperparameters' | 'envOptions'>;

/**
 * `--resume`: the member checkpoint at `path`, if there is one, when it is the model this command would train (a member
 * of an earlier run of it that was stopped; a member's training depends only on its seed and config). Returns null
 * when there is no file. Throws a CliError naming the field when the file is another model, so a resumed manifest never
 * mixes recipes: algorithm, env, seed, every hyper-parameter the config sets, the env options, and the steps trained
 * (TD3 exactly; PPO the budget rounded up to whole rollouts). Not checked: the contents of files the env options name
 * (a lower-level checkpoint given by path).
 */
export function resumableMember(path: string, expect: MemberExpectation): MemberSummary | null {
  if (!existsSync(path)) return null;
  const where = `--resume: '${path}'`;
  let ckpt;
  try {
    ckpt = readCheckpoint(path);
  } catch (err) {
    throw new CliError(`${where} is not a readable checkpoint (${(err as Error).message}); delete it to train that member again`);
  }
  const differs = (what: string, found: unknown, wanted: unknown): never => {
    throw new CliError(`${where} was trained with another ${what} (${JSON.stringify(found)}, this command: ${JSON.stringify(wanted)}); delete it or give another --out`);
  };
  if (ckpt.algo !== expect.algo) differs('algorithm', ckpt.algo, expect.algo);
  if (sameEnv(ckpt.envId) !== sameEnv(expect.envId)) differs('env', ckpt.envId, expect.envId);
  if (ckpt.seed !== expect.seed) differs('seed', ckpt.seed, expect.seed);
  for (const [key, value] of Object.entries(expect.hyperparameters ?? {})) {
    if (!isDeepStrictEqual(ckpt.hyperparameters[key], value)) differs(`hyper-parameter ${key}`, ckpt.hyperparameters[key], value);
  }
  const wantedOptions = recordableEnvOptions(expect.envOptions) ?? null;
  if (!isDeepStrictEqual(ckpt.envOptions ?? null, wantedOptions)) differs('envOptions', ckpt.envOptions ?? null, wantedOptions);
  const hp = ckpt.hyperparameters as { nSteps?: number; nEnvs?: number };
  const rollout = expect.algo === 'ppo' ? (hp.nSteps ?? 1) * (hp.nEnvs ?? 1) : 1;
  const steps = ckpt.numTimesteps;
  if (!(steps >= expect.timesteps && steps < expect.timesteps + rollout)) differs('number of steps', steps, expect.timesteps);
  // Its final evaluation, from the training log beside it (absent: NaN, printed as such).
  let meanReturn = Number.NaN;
  let stdReturn = Number.NaN;
  try {
    for (const line of readFileSync(artifactPaths(path).log, 'utf8').split('\n')) {
      if (!line.includes('"final-eval"')) continue;
      const row = JSON.parse(line) as { meanReturn: number; stdReturn: number };
      meanReturn = row.meanReturn;
      stdReturn = row.stdReturn;
    }
  } catch {
    // No log (or a damaged one): the model itself is what the manifest needs.
  }
  return { algo: expect.algo, env: expect.envId, timesteps: steps, seed: expect.seed, meanReturn, stdReturn, stepsPerSecond: Number.NaN, wallSeconds: 0, checkpoint: path };
}

export function register(program: Command): void {
  program
    .command('train')
    .description('Train PPO or TD3 on an environment (e.g. CartPole-v1, Pendulum-v1) and save a checkpoint')
    .option('--env <id>', `environment id: ${envIds().join(' | ')} (required, here or as "env" in --config)`)
    .option('--algo <algo>', `algorithm: ${ALGOS.join(' | ')} (required, here or as "algo" in --config)`)
    .option('--timesteps <n>', `environment steps to train for, 1-${MAX_TIMESTEPS.toLocaleString('en-US')} (default: "timesteps" in --config, else ${DEFAULT_TIMESTEPS.ppo} for ppo, ${DEFAULT_TIMESTEPS.td3} for td3; ppo trains whole rollouts, so it may run past it)`)
    .option('--seed <n>', 'random seed (default: "seed" in --config, else 0)')
    .option('--seeds <list>', `train an ensemble, one model per seed (e.g. 1-6 or 1,3,5; at most ${MAX_MEMBERS.toLocaleString('en-US')}): members go to <out>-s<seed>.json, the manifest to --out`)
    .option('--config <file>', 'JSON config (algo, env, timesteps, seed, evalFreq, evalEpisodes, hyperparameters)')
    .option('--jobs <n>', 'with --seeds: train up to n members at once, each in its own process (default 1, at most the number of seeds; members are identical either way)')
    .option('--pooling <how>', `with --seeds: how a loader pools the members, written to the manifest: ${POOLINGS.join(' | ')} (default ${DEFAULT_ENSEMBLE_POOLING}; docs/META.md "Pooling the seeds")`)
    .option('--resume', 'with --seeds: keep the members an earlier, stopped run of the same command already wrote (each checked against this command\'s algorithm, env, seed, hyper-parameters, env options and steps) and train only the others')
    .option('--out <file>', 'checkpoint path (default runs/<algo>-<env>-s<seed>.json, or runs/<algo>-<env>-ensemble.json with --seeds); the log and best model go next to it')
    .option('--eval-episodes <n>', 'episodes per periodic evaluation (default: "evalEpisodes" in --config, else 10; the final evaluation uses at least 20)')
    .option('--eval-freq <n>', 'env steps between periodic evaluations, 0 = final only (default: "evalFreq" in --config, else a tenth of --timesteps)')
    .option('--json', 'print a JSON summary as the last stdout line (and no progress bar)')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot train --env CartPole-v1 --algo ppo --timesteps 20000
  edgepilot train --config configs/edge-rl-ppo.json --out runs/edge-rl.json
  edgepilot train --config configs/meta-td3.json --seeds 1-6 --jobs 2 --out runs/meta-td3.json
  edgepilot train --config configs/meta-td3.json --seeds 1-6 --jobs 2 --out runs/meta-td3.json --resume   # after a stop`,
    )
    .action(async (flags: TrainFlags) => {
      const cfg = flags.config ? loadConfig(flags.config) : {};
      const algo = flags.algo ?? cfg.algo;
      if (!algo) throw new UsageError(`--algo is required (or "algo" in --config); valid: ${ALGOS.join(', ')}`);
      if (!(ALGOS as readonly string[]).includes(algo)) throw new UsageError(`unknown algo '${algo}'; valid: ${ALGOS.join(', ')}${didYouMean(algo, ALGOS)}`);
      if (cfg.algo && flags.algo && cfg.algo !== flags.algo) throw new UsageError(`--algo ${flags.algo} contradicts "algo": "${cfg.algo}" in ${flags.config}`);
      if (flags.config && cfg.hyperparameters && !cfg.algo) {
        try {
          parseTrainConfig({ ...cfg, algo }, `config '${flags.config}'`);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      const envId = flags.env ?? cfg.env;
      if (!envId) throw new UsageError(`--env is required (or "env" in --config); valid: ${envIds().join(', ')}`);
      if (!hasEnv(envId)) throw new UsageError(`unknown env '${envId}'; valid: ${envIds().join(', ')}${envSuggestion(envId)}`);
      // The config's envOptions and hyper-parameters are for its env: on another one they fail deep in the algorithm.
      if (cfg.env && flags.env && sameEnv(cfg.env) !== sameEnv(flags.env)) throw new UsageError(`--env ${flags.env} contradicts "env": "${cfg.env}" in ${flags.config}`);
      let probe: ReturnType<typeof makeEnv>;
      try {
        probe = makeEnv(envId, cfg.envOptions);
      } catch (err) {
        // The env's own checks (a bad option, a missing lower-level checkpoint) say what is wrong: one line, no stack.
        throw new CliError(`${envId}${flags.config ? ` (envOptions in ${flags.config})` : ''}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (algo === 'td3' && probe.actionSpace.kind !== 'box') throw new UsageError(`td3 needs a Box action space; ${envId} has a ${probe.actionSpace.kind} action space (use --algo ppo)`);
      probe.close?.();
      const timesteps = flags.timesteps !== undefined ? parseIntOption('--timesteps', flags.timesteps, 1, MAX_TIMESTEPS, MAX_TIMESTEPS_WHY) : (cfg.timesteps ?? DEFAULT_TIMESTEPS[algo as Algo]);
      if (flags.seed !== undefined && flags.seeds !== undefined) throw new UsageError('give --seed or --seeds, not both');
      let seeds: number[] | null = null;
      if (flags.seeds !== undefined) {
        // Counted before the list is built: '1-999999999999' would otherwise fill memory first.
        const count = seedCount(flags.seeds);
        if (count > MAX_MEMBERS) throw new UsageError(`--seeds names ${count.toLocaleString('en-US')} members, at most ${MAX_MEMBERS.toLocaleString('en-US')} (${MAX_MEMBERS_WHY}), got '${flags.seeds}'`);
        try {
          seeds = parseSeedList(flags.seeds);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      if (flags.jobs !== undefined && !seeds) throw new UsageError('--jobs needs --seeds (it trains ensemble members in parallel)');
      const jobs = flags.jobs !== undefined && seeds ? parseIntOption('--jobs', flags.jobs, 1, seeds.length, `one process per member, and --seeds names ${seeds.length}: more cannot help`) : 1;
      // Allowed (the machine may be idle later, or the user knows better), but worth a line: it will not be faster.
      if (jobs > availableParallelism()) process.stderr.write(`edgepilot: warning: --jobs ${jobs} is more than the ${availableParallelism()} CPUs here; the members share them, so the run is no faster\n`);
      if (flags.pooling !== undefined && !seeds) throw new UsageError('--pooling needs --seeds (it says how the ensemble manifest pools its members)');
      if (flags.resume && !seeds) throw new UsageError('--resume needs --seeds (it keeps the ensemble members an earlier run already wrote)');
      if (flags.pooling !== undefined && !(POOLINGS as readonly string[]).includes(flags.pooling)) throw new UsageError(`--pooling: unknown '${flags.pooling}'; valid: ${POOLINGS.join(', ')}${didYouMean(flags.pooling, POOLINGS)}`);
      const pooling = (flags.pooling ?? DEFAULT_ENSEMBLE_POOLING) as EnsemblePooling;
      const seed = flags.seed !== undefined ? parseIntOption('--seed', flags.seed, 0) : (cfg.seed ?? 0);
      const evalEpisodes = flags.evalEpisodes !== undefined ? parseIntOption('--eval-episodes', flags.evalEpisodes, 1) : (cfg.evalEpisodes ?? 10);
      const evalFreq = flags.evalFreq !== undefined ? parseIntOption('--eval-freq', flags.evalFreq, 0) : (cfg.evalFreq ?? Math.max(1, Math.floor(timesteps / 10)));
      const out = flags.out ?? (seeds ? `runs/${algo}-${envId}-ensemble.json` : `runs/${algo}-${envId}-s${seed}.json`);
      // Before training, not after it: an --out that is a folder (or under a file) would throw the model away.
      ensureOutputFile('--out', out);
      // --json is for a program reading stdout: no progress bar on stderr either.
      const quiet = flags.quiet === true || flags.json === true;
      const trainOne = (s: number, path: string, label: string) => {
        const bar = new ProgressBar({ label, total: timesteps, silent: quiet });
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
            // PPO collects whole rollouts, so the last one may run past the budget (as in SB3); the summary says how far.
            bar.set(Math.min(steps, timesteps), `${sps.toFixed(0)} steps/s  mean ep return ${meanRet === null ? '-' : meanRet.toFixed(1)}`);
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
      // --resume: members already on disk (checked) are kept; only the others are trained.
      const kept = new Map<number, MemberSummary>();
      if (flags.resume) {
        for (const s of seeds) {
          const member = resumableMember(memberPath(out, s), { algo: algo as Algo, envId, seed: s, timesteps, hyperparameters: cfg.hyperparameters, envOptions: cfg.envOptions });
          if (member) kept.set(s, member);
        }
        if (flags.quiet !== true) process.stderr.write(`edgepilot: --resume: ${kept.size} of ${seeds.length} members already written${kept.size ? ` (seeds ${[...kept.keys()].join(', ')})` : ''}; training ${seeds.length - kept.size}\n`);
      }
      const toTrain = seeds.filter((s) => !kept.has(s));
      const trainedList =
        toTrain.length === 0
          ? []
          : jobs > 1
            ? await trainMembersInParallel({ ...flags, quiet }, toTrain, out, Math.min(jobs, toTrain.length))
            : toTrain.map((s, i) => trainOne(s, memberPath(out, s), `${algo} ${envId} seed ${s} (${i + 1}/${toTrain.length})`));
      const trained = new Map(toTrain.map((s, i) => [s, trainedList[i]!]));
      const members = seeds.map((s) => kept.get(s) ?? trained.get(s)!);
      const command = ['edgepilot train', flags.env ? `--env ${flags.env}` : '', flags.algo ? `--algo ${flags.algo}` : '', flags.config ? `--config ${flags.config}` : '', flags.timesteps ? `--timesteps ${flags.timesteps}` : '', flags.evalEpisodes ? `--eval-episodes ${flags.evalEpisodes}` : '', flags.evalFreq ? `--eval-freq ${flags.evalFreq}` : '', `--seeds ${flags.seeds}`, flags.pooling ? `--pooling ${flags.pooling}` : '', `--out ${out}`].filter(Boolean).join(' ');
      writeEnsembleManifest(out, seeds, command, pooling);
      if (!flags.json) process.stdout.write(`ensemble manifest ${out}: ${seeds.length} members (${members.map((m) => m.checkpoint).join(', ')})\n`);
      else printJsonSummary({ ensemble: out, members });
    });
}
