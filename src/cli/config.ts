/**
 * `edgepilot config [--config file.json]`: prints the world model the runs use, as JSON: the built-in defaults
 * (src/core/config.ts, each modelling constant cited there), merged with a --config file's overrides when one is
 * given. A starting point for a file of your own, and a check of what a file changes.
 */
import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { describeConfigFile } from '../core/config-file.ts';
import { CONFIG_FLAG_HELP, configFileFlag } from './config-flag.ts';

export function runConfig(opts: { config?: string }, write: (text: string) => void = (t) => process.stdout.write(t), log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (opts.config === undefined) {
    write(`${JSON.stringify(DEFAULT_CONFIG, null, 2)}\n`);
    return;
  }
  const file = configFileFlag(opts.config);
  log(`config ${describeConfigFile(file)}`);
  write(`${JSON.stringify(file.config, null, 2)}\n`);
}

export function register(program: Command): void {
  program
    .command('config')
    .description('print the world model the runs use (prices, SLA targets, scenarios, cluster, modes) as JSON: the defaults, or merged with --config')
    .option('--config <file.json>', CONFIG_FLAG_HELP)
    .addHelpText(
      'after',
      `
Examples:
  edgepilot config > my-world.json                  the defaults, to edit (keep only what you change)
  edgepilot config --config my-world.json           what the runs would use with it`,
    )
    .action((opts: { config?: string }) => runConfig(opts));
}
