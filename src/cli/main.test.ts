import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './test-run-cli.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Each command's --help text, and the top level's. */
async function helpTexts(): Promise<Array<{ name: string; text: string }>> {
  const { Command } = await import('commander');
  const { COMMANDS } = await import('./commands.ts');
  const program = new Command();
  for (const register of COMMANDS) register(program);
  const texts: Array<{ name: string; text: string }> = [];
  for (const command of program.commands) {
    let text = '';
    command.configureOutput({ writeOut: (s) => (text += s) });
    command.outputHelp();
    texts.push({ name: command.name(), text });
  }
  const top = await runCli(['--help']);
  texts.push({ name: '(top level)', text: top.stdout });
  return texts;
}

test('the top-level --help has examples (demo, bench --quick, report all, train)', async () => {
  const top = (await runCli(['--help'])).stdout;
  for (const example of ['edgepilot demo', 'edgepilot bench --quick', 'edgepilot report all', 'edgepilot train --config configs/']) assert.ok(top.includes(`\n  ${example}`), example);
});

test("every input file a help example names exists from the repo root (a fresh clone: runs/ is not in git); placeholders are marked <...>", async () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const helps = await helpTexts();
  const examples = helps.flatMap(({ name, text }) => text.split('\n').filter((l) => l.startsWith('  edgepilot ')).map((line) => ({ name, line: line.trim(), tokens: line.trim().split(/\s+/) })));
  // What an example writes (its --out, --plot or a shell redirection) is there for the examples that read it
  // (train --out runs/meta-td3.json, then select-meta --candidates runs/meta-td3.json).
  const outputs = new Set(examples.flatMap(({ tokens }) => tokens.filter((_, i) => ['--out', '--plot', '>'].includes(tokens[i - 1] ?? ''))));
  for (const { name, line, tokens } of examples) {
    for (const token of tokens) {
      if (outputs.has(token) || token.includes('<') || token.includes('://') || !/\.(csv|json|jsonl|gz|log|txt)$/.test(token)) continue;
      // The shared traces sit next to a working checkout (../shared); a clean clone elsewhere (CI) finds them where
      // the other tests on the real traces do, /work/shared.
      const path = token.startsWith('../shared/') && !existsSync(join(root, '../shared')) ? join('/work', token.slice(3)) : join(root, token);
      assert.ok(existsSync(path), `${name} --help: '${token}' in '${line}' does not exist from the repo root`);
    }
  }
});

test("edgepilot help nope says the command is unknown, with the close name (it printed the whole help), exit 2", async () => {
  const r = await runCli(['help', 'benhc']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "edgepilot: unknown command 'benhc' (did you mean 'bench'?)\n(see 'edgepilot --help')\n");
  assert.equal(r.stdout, '');
  const known = await runCli(['help', 'bench']);
  assert.equal(known.code, 0);
  assert.match(known.stdout, /Usage: edgepilot bench/);
});

test('an error quoting a file escapes its control bytes (a JSON syntax error echoed them to the terminal raw)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'main-ctl-'));
  const file = join(dir, 'ctl.json');
  writeFileSync(file, '{"a":\u0001\u001b[31m}');
  const r = await runCli(['config', '--config', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not valid JSON: .*\\x01\\x1b\[31m/);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr, /[\u0001\u001b]/);
});

test('edgepilot --version prints the version of package.json', async () => {
  const { version } = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${version}\n`);
});

test('an operational failure (exit 1) escapes the control bytes of the path it quotes, like a usage error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'main-ctl-op-'));
  const folder = join(dir, 'a\u001b[31mb');
  mkdirSync(folder);
  writeFileSync(join(folder, 'model.json'), 'not a checkpoint');
  const r = await runCli(['inspect', join(folder, 'model.json')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^edgepilot: checkpoint '.*a\\x1b\[31mb\/model\.json': /);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr, /\u001b/);
});
