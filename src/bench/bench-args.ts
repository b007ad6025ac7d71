/**
 * Command-line options of the `npm run bench:*` scripts: strict parsing (an unknown or malformed option is an error
 * that names it), `--help` / `-h` printing the usage, and a clean exit 2 with the message instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../core/did-you-mean.ts';

export type BenchOptions = NonNullable<ParseArgsConfig['options']>;

/** Parses argv against `options`; on --help prints `usage` and exits 0; on bad input prints the error and exits 2. */
export function parseBenchArgs<O extends BenchOptions>(name: string, usage: string, options: O, argv = process.argv.slice(2)): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'] {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return exitWithUsage(name, usage, `${(error as Error).message}${unknownOptionHint(error, options)}`);
  }
}

/** For a misspelt option, the declared one it is close to: " (did you mean '--steps'?)", else ''. */
function unknownOptionHint(error: unknown, options: BenchOptions): string {
  if ((error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const given = /'(-{1,2}[^']+)'/.exec((error as Error).message)?.[1];
  return given === undefined ? '' : didYouMean(given.split('=')[0]!, Object.keys(options).map((k) => `--${k}`));
}

/** Prints `name: message` and the usage on stderr and exits 2 (bad command-line input). */
export function exitWithUsage(name: string, usage: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n${usage}\n`);
  process.exit(2);
}
