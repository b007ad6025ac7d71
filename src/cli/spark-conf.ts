/**
 * `edgepilot spark-conf`: print the Spark configuration and the SparkApplication merge patch for one decision, and
 * which part goes live (executor count, through the driver agent) and which part restarts the application.
 */
import type { Command } from 'commander';
import { MAX_EXECUTORS, MAX_MEMORY_GB, validateAction } from '../core/action.ts';
import { CODECS, TIERS, type Action, type Codec, type Tier } from '../core/types.ts';
import { agentCommand, sparkApplicationPatch, sparkConfForAction } from '../runtime/spark/spark-conf.ts';
import { didYouMean, parseIntOption, printJsonSummary, UsageError } from './output.ts';

const ACTION_KEYS = ['executors', 'memoryGb', 'tier', 'codec'] as const;

export interface SparkConfFlags {
  action?: string;
  executors?: string;
  memoryGb?: string;
  tier?: string;
  codec?: string;
  resourceVersion?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('spark-conf')
    .description('print the Spark on Kubernetes configuration and SparkApplication patch for a decision')
    .option('--action <json>', 'the decision as JSON, e.g. \'{"executors":4,"memoryGb":4,"tier":"nvme","codec":"zstd"}\'')
    .option('--executors <n>', `executor count 1-${MAX_EXECUTORS} (instead of --action)`)
    .option('--memory-gb <n>', `memory per executor, GB 1-${MAX_MEMORY_GB} (instead of --action)`)
    .option('--tier <tier>', `shuffle storage: ${TIERS.join(' | ')} (instead of --action)`)
    .option('--codec <codec>', `shuffle codec: ${CODECS.join(' | ')} (instead of --action)`)
    .option('--resource-version <rv>', 'embed metadata.resourceVersion in the patch (a guarded write)')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText(
      'after',
      `
Examples:
  edgepilot spark-conf --executors 4 --memory-gb 4 --tier nvme --codec zstd
  edgepilot spark-conf --action '{"executors":6,"memoryGb":2,"tier":"s3","codec":"lz4"}' --resource-version 12345 --json`,
    )
    .action((flags: SparkConfFlags) => {
      const action = actionFromFlags(flags);
      const conf = sparkConfForAction(action);
      const patch = sparkApplicationPatch(action, {}, flags.resourceVersion);
      if (flags.json) {
        printJsonSummary({ command: 'spark-conf', action, sparkConf: conf.sparkConf, executor: conf.executor, patch, agent: agentCommand(action), notes: conf.notes });
        return;
      }
      const out: string[] = [];
      out.push(`# decision ${JSON.stringify(action)}`);
      out.push('# live (no restart): driver agent command');
      out.push(JSON.stringify(agentCommand(action)));
      out.push('# restart-class: spark-submit --conf');
      for (const [k, v] of Object.entries(conf.sparkConf)) out.push(`--conf ${k}=${v}`);
      out.push(`--conf spark.executor.memory=${conf.executor.memory}`);
      out.push(`--conf spark.executor.memoryOverhead=${conf.executor.memoryOverhead}`);
      out.push(`--conf spark.executor.cores=${conf.executor.cores}`);
      out.push('# SparkApplication JSON merge patch (Content-Type: application/merge-patch+json; restarts the application)');
      out.push(JSON.stringify(patch, null, 2));
      out.push('# notes');
      for (const n of conf.notes) out.push(`- ${n}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}

/** The decision the flags describe (exported for tests); UsageError naming the bad flag. */
export function actionFromFlags(flags: SparkConfFlags): Action {
  // An empty resourceVersion in the patch is not a guard; refused rather than written.
  if (flags.resourceVersion !== undefined && flags.resourceVersion.trim() === '') throw new UsageError('--resource-version is empty; give the SparkApplication\'s metadata.resourceVersion, or leave the flag out');
  const parts = [flags.executors, flags.memoryGb, flags.tier, flags.codec];
  let action: Action;
  if (flags.action !== undefined) {
    if (parts.some((p) => p !== undefined)) throw new UsageError('give either --action or --executors/--memory-gb/--tier/--codec, not both');
    let parsed: unknown;
    try {
      parsed = JSON.parse(flags.action);
    } catch (err) {
      throw new UsageError(`--action is not valid JSON: ${(err as Error).message}`);
    }
    const o = parsed as Partial<Action>;
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new UsageError('--action must be a JSON object {executors, memoryGb, tier, codec}');
    // A misspelt key would otherwise be dropped and reported as its correct spelling missing.
    for (const k of Object.keys(o)) {
      if (!(ACTION_KEYS as readonly string[]).includes(k)) throw new UsageError(`--action: unknown key '${k}'; the keys are ${ACTION_KEYS.join(', ')}${didYouMean(k, ACTION_KEYS)}`);
    }
    for (const k of ['executors', 'memoryGb'] as const) {
      if (o[k] !== undefined && typeof o[k] !== 'number') throw new UsageError(`--action: '${k}' must be a number, got ${JSON.stringify(o[k])}`);
    }
    action = { executors: o.executors!, memoryGb: o.memoryGb!, tier: o.tier!, codec: o.codec! };
  } else {
    const names = ['--executors', '--memory-gb', '--tier', '--codec'];
    const missing = names.filter((_, i) => parts[i] === undefined);
    // Name exactly what is missing: with some of the four given, the list of all four hides which.
    if (missing.length === names.length) throw new UsageError(`give --action, or all of ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);
    if (missing.length > 0) throw new UsageError(`missing ${missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`} (a decision needs all of ${names.join(', ')}, or --action)`);
    const tier = flags.tier as Tier;
    const codec = flags.codec as Codec;
    if (!TIERS.includes(tier)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}, got '${flags.tier}'${didYouMean(tier, TIERS)}`);
    if (!CODECS.includes(codec)) throw new UsageError(`--codec must be one of ${CODECS.join(', ')}, got '${flags.codec}'${didYouMean(codec, CODECS)}`);
    action = { executors: parseIntOption('--executors', flags.executors!, 1, MAX_EXECUTORS), memoryGb: parseIntOption('--memory-gb', flags.memoryGb!, 1, MAX_MEMORY_GB), tier, codec };
  }
  try {
    validateAction(action);
  } catch (err) {
    throw new UsageError(`${flags.action !== undefined ? '--action' : 'invalid decision'}: ${(err as Error).message}`);
  }
  return action;
}
