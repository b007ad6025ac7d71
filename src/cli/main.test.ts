import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './test-run-cli.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('the command line exits 2 on every usage error, commander\'s included, and 0 on --help and --version', async () => {
  const unknownOption = await runCli(['bench', '--bogus']);
  assert.equal(unknownOption.code, 2);
  assert.match(unknownOption.stderr, /unknown option '--bogus'/);
  const unknownCommand = await runCli(['bogus']);
  assert.equal(unknownCommand.code, 2);
  assert.match(unknownCommand.stderr, /unknown command 'bogus'/);
  const missingArgument = await runCli(['report']);
  assert.equal(missingArgument.code, 2);
  assert.match(missingArgument.stderr, /missing required argument 'kind'/);
  const ours = await runCli(['bench', '--seeds', '0']);
  assert.equal(ours.code, 2);
  assert.match(ours.stderr, /--seeds must be an integer >= 1, got '0'/);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: edgepilot/);
  assert.equal((await runCli(['--version'])).code, 0);
});

test("a usage error is a line or two ending with a pointer to the command's help, not the whole help", async () => {
  const commander = await runCli(['bench', '--bogus']);
  assert.equal(commander.code, 2);
  assert.match(commander.stderr, /\(see 'edgepilot bench --help'\)/);
  assert.doesNotMatch(commander.stderr, /Options:/, 'no help dump');
  assert.ok(commander.stderr.trim().split('\n').length <= 3, commander.stderr);
  const ours = await runCli(['report', 'shufle']);
  assert.equal(ours.code, 2);
  assert.match(ours.stderr, /^edgepilot: unknown report 'shufle'; .* \(did you mean 'shuffle'\?\)\n\(see 'edgepilot report --help'\)\n$/);
});

test('every command has an Examples section in its --help', async () => {
  const { Command } = await import('commander');
  const { COMMANDS } = await import('./commands.ts');
  const program = new Command();
  for (const register of COMMANDS) register(program);
  for (const command of program.commands) {
    let text = '';
    command.configureOutput({ writeOut: (s) => (text += s) });
    command.outputHelp();
    assert.match(text, /\nExamples?:\n {2}edgepilot /, `${command.name()} --help`);
  }
});

test('output piped into a reader that stops early (`edgepilot serve --help | head -1`) ends quietly, exit 0', () => {
  const bin = fileURLToPath(new URL('../../bin/edgepilot.js', import.meta.url));
  // The shell closes the pipe after head's first line; serve --help writes about 5 KB after it.
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" serve --help | head -c 1`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'U');
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at /, r.stderr);
});
