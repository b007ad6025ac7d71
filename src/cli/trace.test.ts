import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { loadShape } from '../workload/load-shape.ts';
import { generateSyntheticSeries } from '../workload/synthetic.ts';
import { loadTraceCsv, traceSeries, type Trace } from '../workload/trace.ts';
import { UsageError } from './output.ts';
import { cliErrorInProcess, runCli } from './test-run-cli.ts';
import { plotBuckets, register, resolveTraceCommand } from './trace.ts';

/** A 10 min trace of 1 s rows: a steady 50 msgs/s, a 20 s burst at 300 and a silent minute. */
function smallTrace(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-trace-'));
  const file = join(dir, 'rate.csv');
  const rows = Array.from({ length: 600 }, (_, t) => `${t},${t >= 200 && t < 220 ? 300 : t >= 400 && t < 460 ? 0 : 50 + (t % 7)}`);
  writeFileSync(file, `t,rate\n${rows.join('\n')}\n`);
  return { dir, file };
}

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);

test('trace prints how the file was read and a row per scenario, the trace next to the synthetic process', async () => {
  const { file } = smallTrace();
  const r = await runCli(['trace', file]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /rate\.csv: 600 rows of 1 s over 600 s; rate mean .*; rescaled so its p99 is the scenario's peak; no gaps file applied$/);
  assert.match(r.stdout, /Load shape over 10 min per 10 s control interval, seed 1/);
  for (const scenario of ['smart-city', 'healthcare', 'industrial', 'balanced']) assert.match(r.stdout, new RegExp(`\\n${scenario} +[\\d,.]+ / [\\d,.]+ `), scenario);
  assert.match(r.stdout, /trained on the synthetic worlds/);
});

test('trace --scenario healthcare --json gives the figures loadShape gives on the same worlds; --plot writes a PNG', async () => {
  const { dir, file } = smallTrace();
  const png = join(dir, 'rate.png');
  const r = await runCli(['trace', file, '--scenario', 'healthcare', '--json', '--plot', png, '--seed', '4']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { reading: string; lengthS: number; seed: number; scenarios: Array<{ scenario: string; trace: unknown; synthetic: unknown }>; plot: string };
  assert.equal(json.lengthS, 600, 'the trace\'s own span');
  assert.equal(json.seed, 4);
  assert.match(json.reading, /^600 rows of 1 s over 600 s; /);
  assert.equal(json.scenarios.length, 1);
  // The worlds an env reset with seed 4 draws (src/env/spark-iot-env.ts: the seed's 'world' fork), built here directly.
  const healthcare = loadConfig().scenarios.healthcare;
  const trace = loadTraceCsv(file);
  assert.deepEqual(json.scenarios[0], {
    scenario: 'healthcare',
    trace: loadShape(traceSeries(trace, 600, 0, healthcare, new Rng(4).fork('world')), 10),
    synthetic: loadShape(generateSyntheticSeries(600, 0, healthcare, new Rng(4).fork('world')), 10),
  });
  assert.equal(json.plot, png);
  assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the PNG signature');
});

test('trace --config compares with the scenarios of the config file: a doubled base load doubles the synthetic mean', async () => {
  const { dir, file } = smallTrace();
  const base = loadConfig().scenarios.industrial;
  const cfg = join(dir, 'heavy.json');
  writeFileSync(cfg, JSON.stringify({ scenarios: { industrial: { baseRateMsgsPerS: 2 * base.baseRateMsgsPerS } } }));
  const r = await runCli(['trace', file, '--scenario', 'industrial', '--config', cfg, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`\\nconfig: .*heavy\\.json \\(sets scenarios\\.industrial\\.baseRateMsgsPerS\\)\\n`));
  const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { config: string; scenarios: Array<{ synthetic: { meanMsgsPerS: number } }> };
  assert.match(json.config, /heavy\.json/);
  const heavy = loadConfig({ scenarios: { industrial: { baseRateMsgsPerS: 2 * base.baseRateMsgsPerS } } }).scenarios.industrial;
  assert.deepEqual(json.scenarios[0]!.synthetic, loadShape(generateSyntheticSeries(600, 0, heavy, new Rng(1).fork('world')), 10));
  const plain = loadShape(generateSyntheticSeries(600, 0, base, new Rng(1).fork('world')), 10);
  assert.ok(json.scenarios[0]!.synthetic.meanMsgsPerS > 1.5 * plain.meanMsgsPerS, 'the config file changed the world compared with');
  assert.ok(usage(/^--config: config file not found: .*nope\.json$/)(await cliErrorInProcess(register, ['trace', file, '--config', join(dir, 'nope.json')])));
});

test('trace: a missing file, a bad --hours, --plot into a missing folder and a malformed trace are usage errors naming them', async () => {
  const { dir, file } = smallTrace();
  const run = (args: string[]) => cliErrorInProcess(register, ['trace', ...args]);
  assert.ok(usage(/^file not found: .*nope\.csv$/)(await run([join(dir, 'nope.csv')])));
  assert.ok(usage(/^--hours must be a number, got 'two'$/)(await run([file, '--hours', 'two'])));
  assert.ok(usage(/^--hours must cover at least one control interval \(10 s, /)(await run([file, '--hours', '0.001'])));
  assert.ok(usage(/^--hours must be <= 277\.7 /)(await run([file, '--hours', '300'])));
  // --plot's folder is created (runs/ is not in a fresh clone, and the help's example writes there); a file in the way is not.
  assert.equal(resolveTraceCommand(file, { plot: join(dir, 'missing', 'out.png') }).plot, join(dir, 'missing', 'out.png'));
  assert.ok(existsSync(join(dir, 'missing')), '--plot created its folder');
  assert.ok(usage(/^--plot .*rate\.csv.*out\.png: '.*rate\.csv' is a file, not a folder$/)(await run([file, '--plot', join(file, 'out.png')])));
  assert.ok(usage(/^unknown scenario 'mode-switch'; valid scenarios: smart-city, healthcare, industrial, balanced, all/)(await run([file, '--scenario', 'mode-switch'])));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 't,rate\n0,1\n1,x\n');
  assert.ok(usage(/^.*bad\.csv: line 3: rate is not a number: 'x'$/)(await run([bad])));
  // From the command line: exit 2, and the message is one line plus the pointer to the help.
  const r = await runCli(['trace', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^edgepilot: .*bad\.csv: line 3: rate is not a number: 'x'\n\(see 'edgepilot trace --help'\)\n$/);
});

test('trace resolves the shared trace flags as bench does', () => {
  const { dir, file } = smallTrace();
  writeFileSync(join(dir, 'holes.csv'), 't_start,length_steps\n10,5\n');
  const plan = resolveTraceCommand(file, { traceStepS: '60', traceFormat: 'series', traceGaps: join(dir, 'holes.csv'), traceRescale: false, hours: '0.5' });
  assert.deepEqual(plan.options, { traceStepS: 60, format: 'series', gaps: join(dir, 'holes.csv') });
  assert.equal(plan.rescale, false);
  assert.equal(plan.lengthS, 1800);
  assert.deepEqual(plan.scenarios, ['smart-city', 'healthcare', 'industrial', 'balanced']);
  assert.equal(plan.seed, 1);
  assert.equal(resolveTraceCommand(file, { traceGaps: false }).options.gaps, false);
  assert.equal(resolveTraceCommand(file, { hours: '0.004' }).lengthS, 10, 'whole control intervals: 14.4 s is one');
  assert.throws(() => resolveTraceCommand(file, { traceFormat: 'xml' }), usage(/--trace-format must be one of auto, /));
  assert.throws(() => resolveTraceCommand(file, { traceGaps: join(dir, 'none.csv') }), usage(/--trace-gaps: file not found: .*none\.csv/));
});

const trace = (rate: number[], stepS = 1): Trace => ({ name: 'hand-made', stepS, tS: Float64Array.from(rate, (_, i) => i * stepS), rate: Float64Array.from(rate), size: null });

test('the plot buckets keep a one-row burst visible in their max, with the mean weighted by row duration', () => {
  const rate = new Array<number>(10_000).fill(10);
  rate[5_003] = 1_000;
  const points = plotBuckets(trace(rate), 2000);
  assert.equal(points.length, 2000);
  assert.equal(points[1000]!.tS, 5000);
  assert.equal(points[1000]!.maxRate, 1_000);
  assert.equal(points[1000]!.meanRate, (4 * 10 + 1_000) / 5);
  assert.equal(points[999]!.maxRate, 10);
  // Rows of unequal length: a 1 s row at 100, a 3 s row at 0 (its next row 3 s later) and a last row of one step at 0
  // average to 100 / 5 s, where the rows' plain mean would be 33.
  const uneven: Trace = { name: 'uneven', stepS: 1, tS: Float64Array.from([0, 1, 4]), rate: Float64Array.from([100, 0, 0]), size: null };
  assert.deepEqual(plotBuckets(uneven, 1), [{ tS: 0, maxRate: 100, meanRate: 100 / 5 }]);
});
