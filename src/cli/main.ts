/** The `edgepilot` command line. Each command lives in its own file and registers itself here. */
import { Command, CommanderError } from 'commander';
import { CliError, didYouMean, exitSoonIfStuck, printable, UsageError } from './output.ts';
import { COMMANDS } from './commands.ts';

// A reader that goes away (`edgepilot serve --help | head`) closes our stdout: later writes fail with EPIPE, which
// without a listener is an uncaught error and a stack trace. Output nobody reads is dropped; the command goes on
// (a demo still stops cleanly and writes its files).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}

const program = new Command();
program
  .name('edgepilot')
  .description('Edge-aware hierarchical RL optimizer for serverless Spark streaming on bursty IoT data')
  .version('0.1.0')
  // A pointer to the help, not the whole help: a commander error stays one line the eye can find.
  .showHelpAfterError("(see 'edgepilot --help')")
  .exitOverride()
  .addHelpText(
    'after',
    `
Examples:
  edgepilot demo                                  the whole pipeline in one process; open the printed dashboard URL
  edgepilot bench --quick                         the tournament, small: all scenarios, 3 seeds x 120 steps
  edgepilot report all --quick                    the four reports, small runs, into runs/reports-quick (without --quick: reports/)
  edgepilot train --config configs/edge-rl-ppo.json --out runs/edge-rl.json
  edgepilot <command> --help                      every option of a command, with examples`,
  );

for (const register of COMMANDS) register(program);
for (const command of program.commands) command.showHelpAfterError(`(see 'edgepilot ${command.name()} --help')`);

// The command being run, for the pointer to its help after one of our usage errors.
let commandName: string | undefined;
program.hook('preAction', (_program, action) => {
  commandName = action.name();
});

try {
  // `edgepilot help nope`: commander prints the main help with exit 2 but never says what was wrong.
  const [first, second] = process.argv.slice(2);
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (first === 'help' && second !== undefined && !second.startsWith('-') && !names.includes(second)) throw new UsageError(`unknown command '${second}'${didYouMean(second, names)}`);
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed the message and the pointer to the help; its parse errors (unknown option or command,
    // missing or excess argument) are usage errors like ours: exit 2. --help and --version exit 0.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof UsageError || (err instanceof Error && err.name.endsWith('ValueError'))) {
    // printable: messages quote input files, whose control bytes must not reach the terminal raw.
    process.stderr.write(`edgepilot: ${printable(err.message)}\n(see 'edgepilot ${commandName ? `${commandName} ` : ''}--help')\n`);
    process.exitCode = 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`edgepilot: ${printable(err.message)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`edgepilot: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
// A failed start can leave a server or timer behind (an embedded broker whose port was taken keeps its aedes timers,
// src/runtime/devices/broker.ts): after a failure the process must still end.
if (process.exitCode !== undefined && process.exitCode !== 0) exitSoonIfStuck();
