import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionFromFlags } from './spark-conf.ts';
import { runCli } from './test-run-cli.ts';

test('edgepilot spark-conf --json prints the configuration and the guarded patch for a decision', async () => {
  const j = await runCli(['spark-conf', '--executors', '2', '--memory-gb', '6', '--tier', 's3', '--codec', 'lz4', '--resource-version', '77', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout.trim().split('\n').pop()!);
  assert.equal(out.command, 'spark-conf');
  assert.deepEqual(out.action, { executors: 2, memoryGb: 6, tier: 's3', codec: 'lz4' });
  assert.deepEqual(out.agent, { executors: 2 });
  assert.equal(out.patch.metadata.resourceVersion, '77');
  assert.equal(out.patch.spec.executor.memory, '6g');
  assert.equal(out.sparkConf['spark.shuffle.manager'], 'org.apache.spark.shuffle.sort.S3ShuffleManager');
});

test('edgepilot spark-conf: a usage error exits 2 with a message and no stack', async () => {
  const r = await runCli(['spark-conf', '--executors', '3', '--memory-gb', '9', '--tier', 'nvme', '--codec', 'lz4']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--memory-gb must be <= 8, got '9'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('flags -> decision: --action JSON or the four flags, each mistake named', () => {
  assert.deepEqual(actionFromFlags({ action: '{"executors":4,"memoryGb":4,"tier":"nvme","codec":"zstd"}' }), { executors: 4, memoryGb: 4, tier: 'nvme', codec: 'zstd' });
  assert.deepEqual(actionFromFlags({ executors: '3', memoryGb: '2', tier: 'redis', codec: 'none' }), { executors: 3, memoryGb: 2, tier: 'redis', codec: 'none' });
  const cases: Array<[Parameters<typeof actionFromFlags>[0], RegExp]> = [
    [{}, /give --action, or all of/],
    [{ action: '{bad' }, /--action is not valid JSON/],
    [{ action: '4' }, /--action must be a JSON object/],
    [{ action: '{"executors":4,"memoryGb":4,"tier":"nvme","codec":"zstd"}', tier: 'nvme' }, /not both/],
    [{ action: '{"executors":40,"memoryGb":4,"tier":"nvme","codec":"zstd"}' }, /executors must be an integer in \[1, 20\]/],
    [{ executors: '3', memoryGb: '4', tier: 'tape', codec: 'lz4' }, /--tier must be one of redis, nvme, s3, archive/],
    [{ executors: '3', memoryGb: '4', tier: 'nvme', codec: 'gzip' }, /--codec must be one of none, lz4, zstd/],
    [{ executors: 'three', memoryGb: '4', tier: 'nvme', codec: 'lz4' }, /--executors must be an integer >= 1/],
  ];
  for (const [flags, re] of cases) assert.throws(() => actionFromFlags(flags), (err: Error) => err.name === 'UsageError' && re.test(err.message), JSON.stringify(flags));
});

test('spark-conf --action: a misspelt key is named with the right spelling; an array or a quoted number is refused', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"executors":4,"memory_gb":4,"tier":"nvme","codec":"zstd"}', /--action: unknown key 'memory_gb'; the keys are executors, memoryGb, tier, codec \(did you mean 'memoryGb'\?\)/],
    ['[4,4,"nvme","zstd"]', /--action must be a JSON object/],
    ['{"executors":"4","memoryGb":4,"tier":"nvme","codec":"zstd"}', /--action: 'executors' must be a number, got "4"/],
    ['{"executors":4,"memoryGb":4,"tier":"tape","codec":"zstd"}', /^--action: action\.tier must be one of/],
  ];
  for (const [action, re] of cases) assert.throws(() => actionFromFlags({ action }), (err: Error) => err.name === 'UsageError' && re.test(err.message), action);
  assert.throws(() => actionFromFlags({ executors: '21', memoryGb: '4', tier: 'nvme', codec: 'lz4' }), /--executors must be <= 20, got '21'/);
  assert.throws(() => actionFromFlags({ executors: '2', memoryGb: '4', tier: 'nvm', codec: 'lz4' }), /\(did you mean 'nvme'\?\)/);
});

test('spark-conf --resource-version \'\' is refused (an empty resourceVersion went into the patch)', () => {
  const flags = { executors: '2', memoryGb: '4', tier: 'nvme', codec: 'lz4' };
  for (const rv of ['', '  ']) assert.throws(() => actionFromFlags({ ...flags, resourceVersion: rv }), (err: Error) => err.name === 'UsageError' && /^--resource-version is empty/.test(err.message), JSON.stringify(rv));
  assert.equal(actionFromFlags({ ...flags, resourceVersion: '12345' }).executors, 2);
});

test('spark-conf with some of the four flags names exactly the missing ones', () => {
  const fails = (flags: Parameters<typeof actionFromFlags>[0], re: RegExp) => assert.throws(() => actionFromFlags(flags), (err: Error) => err.name === 'UsageError' && re.test(err.message), JSON.stringify(flags));
  fails({ executors: '4' }, /^missing --memory-gb, --tier and --codec \(a decision needs all of/);
  fails({ executors: '4', memoryGb: '4', tier: 'nvme' }, /^missing --codec \(/);
  fails({ tier: 'nvme', codec: 'lz4' }, /^missing --executors and --memory-gb \(/);
  fails({}, /^give --action, or all of --executors, --memory-gb, --tier and --codec$/);
});

test('spark-conf --action null and --memory-gb 0 are refused, naming the flag', () => {
  assert.throws(() => actionFromFlags({ action: 'null' }), (err: Error) => err.name === 'UsageError' && /^--action must be a JSON object/.test(err.message));
  assert.throws(() => actionFromFlags({ executors: '2', memoryGb: '0', tier: 'nvme', codec: 'lz4' }), (err: Error) => err.name === 'UsageError' && /^--memory-gb must be an integer >= 1, got '0'$/.test(err.message));
});

test('spark-conf prints, as text, the live agent command, the spark-submit confs, the guarded patch and the notes', async () => {
  const { register } = await import('./spark-conf.ts');
  const { Command } = await import('commander');
  const run = async (args: string[]): Promise<string> => {
    const program = new Command().exitOverride();
    register(program);
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    // Only the command's own output (it starts with its '# decision' line); the test runner's report goes on through.
    process.stdout.write = ((c: string) => (String(c).startsWith('# decision') || String(c).startsWith('{"command":"spark-conf"') ? (out.push(String(c)), true) : write(c))) as typeof process.stdout.write;
    try {
      await program.parseAsync(['spark-conf', ...args], { from: 'user' });
    } finally {
      process.stdout.write = write;
    }
    return out.join('');
  };
  const text = await run(['--executors', '4', '--memory-gb', '6', '--tier', 'nvme', '--codec', 'zstd', '--resource-version', '42']);
  const lines = text.split('\n');
  assert.equal(lines[0], '# decision {"executors":4,"memoryGb":6,"tier":"nvme","codec":"zstd"}');
  assert.deepEqual(lines.slice(1, 4), ['# live (no restart): driver agent command', '{"executors":4}', '# restart-class: spark-submit --conf']);
  assert.ok(lines.includes('--conf spark.executor.memory=6g'), text);
  assert.ok(lines.some((l) => /^--conf spark\.executor\.memoryOverhead=\S+$/.test(l)), text);
  assert.ok(lines.some((l) => /^--conf spark\.executor\.cores=\d+$/.test(l)), text);
  const patchStart = lines.indexOf('# SparkApplication JSON merge patch (Content-Type: application/merge-patch+json; restarts the application)');
  const notesStart = lines.indexOf('# notes');
  assert.ok(patchStart > 0 && notesStart > patchStart, text);
  const patch = JSON.parse(lines.slice(patchStart + 1, notesStart).join('\n')) as { metadata: { resourceVersion: string }; spec: { executor: { memory: string } } };
  assert.equal(patch.metadata.resourceVersion, '42');
  assert.equal(patch.spec.executor.memory, '6g');
  assert.ok(lines.slice(notesStart + 1).some((l) => l.startsWith('- ')), 'at least one note');
  const json = JSON.parse(await run(['--executors', '4', '--memory-gb', '6', '--tier', 'nvme', '--codec', 'zstd', '--json'])) as { notes: string[] };
  assert.ok(Array.isArray(json.notes) && json.notes.length > 0, 'the JSON carries the notes');
});
