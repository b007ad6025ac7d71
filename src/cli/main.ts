/** The `edgepilot` command line. Each command lives in its own file and registers itself here. */
import { Command, CommanderError } from 'commander';
import { UsageError } from './output.ts';
import { COMMANDS } from './commands.ts';

const program = new Command();
program
  .name('edgepilot')
  .description('Edge-aware hierarchical RL optimizer for serverless Spark streaming on bursty IoT data')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed the message and the help; its parse errors (unknown option or command, missing or
    // excess argument) are usage errors like ours: exit 2. --help and --version exit 0.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof UsageError || (err instanceof Error && err.name.endsWith('ValueError'))) {
    process.stderr.write(`edgepilot: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`edgepilot: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
