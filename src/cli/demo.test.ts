import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliErrorInProcess, runCli } from './test-run-cli.ts';
import { UsageError } from './output.ts';

test('edgepilot demo --duration: live dashboard while it runs, then a balanced summary and the JSON line', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-demo-'));
  type Probe = { state: { info: { scenario: string; policy: string; notes: string[] } }; health: { ok: boolean }; noToken: number; wrongToken: number; sse: string; modeStatus: number; modeAfter: string };
  // A holder object: TypeScript does not track assignments made inside the callback.
  const box: { probe: Promise<Probe> | null } = { probe: null };
  try {
    const run = await runCli(['demo', '--scenario', 'healthcare', '--duration', '15', '--port', '0', '--control-interval', '2', '--devices', '50', '--faulty-every', '4', '--out', dir, '--json'], {
      onStdout: (out) => {
        const url = /dashboard: (http:\/\/\S+)/.exec(out)?.[1];
        const token = /control token: (\S+)/.exec(out)?.[1];
        if (url && token && box.probe === null) {
          box.probe = (async () => {
            const base = url.replace(/\/$/, '');
            const state = (await (await fetch(`${base}/api/state`)).json()) as { info: { scenario: string; policy: string; notes: string[] } };
            const health = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean };
            const noToken = (await fetch(`${base}/api/stop`, { method: 'POST' })).status;
            const wrongToken = (await fetch(`${base}/api/policy`, { method: 'POST', headers: { Authorization: 'Bearer wrong-token-000' }, body: '{"policy":"fixed"}' })).status;
            // The first bytes of the live stream.
            const controller = new AbortController();
            const res = await fetch(`${base}/api/events`, { signal: controller.signal });
            const reader = res.body!.getReader();
            const { value } = await reader.read();
            controller.abort();
            // With the printed token the operating mode switches (and the page's header follows).
            const modeStatus = (await fetch(`${base}/api/mode`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{"mode":"critical"}' })).status;
            const modeAfter = ((await (await fetch(`${base}/api/state`)).json()) as { info: { mode: string } }).info.mode;
            return { state, health, noToken, wrongToken, modeStatus, modeAfter, sse: `${res.headers.get('content-type')}\n${Buffer.from(value ?? new Uint8Array()).toString('utf8')}` };
          })();
        }
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(box.probe !== null, `the demo printed its dashboard URL: ${run.stdout}`);
    const p = await box.probe;
    assert.equal(p.state.info.scenario, 'healthcare');
    assert.ok(p.state.info.notes.includes("workload: the scenario's synthetic process"), `notes: ${p.state.info.notes.join(' | ')}`);
    assert.equal(p.health.ok, true);
    assert.equal(p.noToken, 401, 'stop refused without a token');
    assert.equal(p.wrongToken, 403, 'policy switch refused with a wrong token');
    assert.match(p.sse, /^text\/event-stream/);
    assert.match(p.sse, /retry: 2000/);
    assert.equal(p.modeStatus, 200);
    assert.equal(p.modeAfter, 'critical');

    const last = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number>;
    assert.deepEqual(Object.keys(last), ['published', 'ingested', 'processed', 'dropped', 'malformed', 'slaViolationPct', 'costUsd', 'decisions']);
    assert.ok(last.published! > 0, 'messages were published');
    assert.equal(last.published, last.processed! + last.dropped!, 'every published message was processed or dropped');
    assert.ok(last.decisions! > 0, 'the controller decided');
    assert.ok(last.costUsd! > 0, 'the emulated cluster cost money');
    assert.ok(last.slaViolationPct! >= 0 && last.slaViolationPct! <= 100);
    assert.match(run.stdout, /OK {2}published \d+ = processed \d+ \+ dropped \d+/);
    // The faulty sensor (one bad payload every 4 s here) is caught by the validators, every time.
    assert.ok(last.malformed! >= 2, `malformed ${last.malformed}`);
    assert.match(run.stdout, new RegExp(`OK {2}malformed ${last.malformed} = sent by the faulty sensor ${last.malformed}`));
    assert.match(run.stdout, /policy (threshold-forecast|edge-rl) \(/, 'says which policy and why');
    // The decision log has one JSON line per decision.
    const log = readFileSync(join(dir, 'decisions.jsonl'), 'utf8').trim().split('\n');
    assert.equal(log.length, last.decisions);
    assert.ok(existsSync(join(dir, 'windows.jsonl')) || existsSync(join(dir, 'alerts.jsonl')), 'engine outputs were written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot demo: usage errors exit 2 with a message', async () => {
  const badScenario = await runCli(['demo', '--scenario', 'mars', '--duration', '1']);
  assert.equal(badScenario.code, 2);
  assert.match(badScenario.stderr, /--scenario must be one of/);
  const badDuration = await runCli(['demo', '--duration', '-3']);
  assert.equal(badDuration.code, 2);
  assert.match(badDuration.stderr, /--duration must be > 0/);
  const badPolicy = await runCli(['demo', '--policy', 'nope', '--duration', '1', '--port', '0']);
  assert.equal(badPolicy.code, 2);
  assert.match(badPolicy.stderr, /unknown policy 'nope'/);
  assert.doesNotMatch(badPolicy.stderr, /\n\s+at /, 'no stack trace');
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-demo-trace-'));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 't,rate\n0,1\n1,x\n');
  const badTrace = await runCli(['demo', '--trace', bad, '--duration', '1', '--port', '0']);
  assert.equal(badTrace.code, 2);
  assert.match(badTrace.stderr, /--trace [^ ]*bad\.csv: line 3: rate is not a number/);
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, '{"scenarios": {"healthcare": {"slaMs": 100}}}');
  const badConfig = await runCli(['demo', '--config', typo, '--duration', '1', '--port', '0']);
  assert.equal(badConfig.code, 2);
  assert.match(badConfig.stderr, /--config: config file .*typo\.json: invalid config at "scenarios\.healthcare\.slaMs"/);
  const edgeConfig = await runCli(['edge', '--config', join(dir, 'absent.json'), '--duration', '1']);
  assert.equal(edgeConfig.code, 2);
  assert.match(edgeConfig.stderr, /--config: config file not found: .*absent\.json/);
  const formatAlone = await runCli(['demo', '--trace-format', 'events', '--duration', '1']);
  assert.equal(formatAlone.code, 2);
  assert.match(formatAlone.stderr, /--trace-format needs --trace/);
  rmSync(dir, { recursive: true, force: true });
});

test('edgepilot demo --trace runs the whole --duration even when the trace is silent, and says what it replays', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-demo-trace-'));
  try {
    // One message in ten minutes: the device schedule ends at once (before session 11 the demo stopped with it).
    const trace = join(dir, 'quiet.csv');
    writeFileSync(trace, ['t,rate', ...Array.from({ length: 600 }, (_, t) => `${t},${t === 300 ? 1 : 0}`)].join('\n'));
    const run = await runCli(['demo', '--trace', trace, '--duration', '6', '--port', '0', '--control-interval', '2', '--faulty-every', '0', '--out', join(dir, 'out')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /workload: trace .*quiet\.csv: 600 rows of 1 s over 600 s; rate mean 0\.00167, .* 100 % of rows empty/);
    const elapsedS = Number(/demo summary \(([\d.]+) s/.exec(run.stdout)?.[1]);
    assert.ok(elapsedS >= 5.5, `ran ${elapsedS} s of the 6 s asked for`);
    assert.match(run.stdout, /OK {2}published (\d+) = processed \1 \+ dropped 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('edgepilot demo: an unusable --out, a policy that cannot run live, timers beyond the longest and too many devices are refused before anything starts', async () => {
  const { register } = await import('./demo.ts');
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-demo-usage-'));
  try {
    writeFileSync(join(dir, 'a-file'), '');
    const cases: Array<[string[], RegExp]> = [
      // Under /proc a recursive mkdir spun forever and SIGTERM could not end it; a file in the way is the portable case.
      [['--out', join(dir, 'a-file', 'out')], /^--out .*a-file\/out: '.*a-file' is a file, not a folder$/],
      [['--policy', 'oracle'], /^--policy: policy 'oracle' cannot run live; valid live policies: /],
      [['--policy', 'edge-rll'], /^--policy: unknown policy 'edge-rll'; .*\(did you mean 'edge-rl'\?\)/],
      [['--faulty-every', '1e12'], /^--faulty-every must be <= 2147483 seconds/],
      [['--control-interval', '1e12'], /^--control-interval must be <= 2147483 seconds/],
      [['--devices', '200000'], /^--devices must be <= 100,000/],
    ];
    for (const [args, re] of cases) {
      const err = await cliErrorInProcess(register, ['demo', '--duration', '1', '--port', '0', ...args]);
      assert.ok(err instanceof UsageError, `${args.join(' ')}: ${String(err)}`);
      assert.match(err.message, re);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
