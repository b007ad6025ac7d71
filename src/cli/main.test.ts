import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './test-run-cli.ts';

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
