import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutageLog } from './outage-log.ts';

test('a broker outage is logged once when it starts and once when it ends, with how long it lasted', () => {
  let nowMs = 0;
  const lines: string[] = [];
  const outage = new OutageLog({ who: 'probe', where: 'mqtt://127.0.0.1:1883', nowMs: () => nowMs, log: (l) => lines.push(l), meanwhile: 'retrying' });
  outage.disconnected('before the first connect: start() reports that, not an outage');
  assert.deepEqual(lines, []);
  outage.connected();
  nowMs = 1000;
  outage.disconnected('connect ECONNREFUSED');
  nowMs = 1500;
  outage.disconnected('connect ECONNREFUSED'); // each failed reconnect attempt closes again
  nowMs = 3500;
  outage.connected();
  assert.deepEqual(lines, [
    'probe: lost the MQTT broker at mqtt://127.0.0.1:1883 (connect ECONNREFUSED); retrying',
    'probe: reconnected to the MQTT broker at mqtt://127.0.0.1:1883 after 2.5 s (connection 2)',
  ]);
  assert.equal(outage.connects, 2);
  outage.stopping = true;
  outage.disconnected();
  assert.equal(lines.length, 2, 'a close after stop began is the owner\'s own doing');
});

/** An OutageLog with a hand-driven clock and captured lines. */
function takeoverLog(clientId?: string) {
  const clock = { t: 1_000_000 };
  const lines: string[] = [];
  const outage = new OutageLog({ who: 'edge gateway edge-0', where: 'mqtt://b:1883', nowMs: () => clock.t, log: (l) => lines.push(l), ...(clientId === undefined ? {} : { clientId }) });
  /** One connection that lives `upMs`, then closes; the next one comes `downMs` later. */
  const cycle = (upMs: number, downMs = 500) => {
    outage.connected();
    clock.t += upMs;
    outage.disconnected();
    clock.t += downMs;
  };
  return { outage, clock, lines, cycle, hints: () => lines.filter((l) => l.includes('is another client using client id')) };
}

test('connections that keep closing right after connecting: one hint naming the client id (a session takeover loop), and only then', () => {
  const { lines, cycle, hints, outage } = takeoverLog('edgepilot-gw-edge-0');
  cycle(60_000); // a long connection, then a broker restart: not a takeover
  cycle(300);
  cycle(300);
  assert.equal(hints().length, 0, 'two quick closes in a row are not yet a loop');
  cycle(300);
  assert.deepEqual(hints(), [
    "edge gateway edge-0: the connection closed within 2 s of connecting 3 times in a row: is another client using client id 'edgepilot-gw-edge-0'? " +
      'Two running clients with one id throw each other out in a loop; give each its own (set --mqtt-client-id)',
  ]);
  // The hint comes right after the lost line of the close that completed the loop.
  assert.match(lines.at(-2)!, /lost the MQTT broker at mqtt:\/\/b:1883$/);
  assert.ok(outage.takeoverHinted);
  for (let i = 0; i < 10; i++) cycle(300);
  assert.equal(hints().length, 1, 'said once');

  // Not for quick closes spread between connections that lasted, nor for failed reconnect attempts, nor without a
  // client id to name.
  const slow = takeoverLog('serve-x');
  for (let i = 0; i < 10; i++) {
    slow.cycle(300);
    slow.cycle(300);
    slow.cycle(5000); // a connection that lasted: the count starts again
  }
  assert.equal(slow.hints().length, 0);

  const refused = takeoverLog('serve-x');
  refused.outage.connected();
  refused.clock.t += 60_000;
  for (let i = 0; i < 10; i++) {
    refused.outage.disconnected('connect ECONNREFUSED'); // attempts without a connection
    refused.clock.t += 100;
  }
  assert.equal(refused.hints().length, 0);

  const anonymous = takeoverLog();
  for (let i = 0; i < 10; i++) anonymous.cycle(100);
  assert.equal(anonymous.hints().length, 0);
});

test('takeover hint: an MQTT 5 DISCONNECT "session taken over" (0x8E) gives it at once, with the reason in the lost line', () => {
  const { outage, lines, hints } = takeoverLog('edgepilot-serve-industrial');
  const handlers = new Map<string, (arg?: unknown) => void>();
  const client = { on: (event: string, fn: (arg?: unknown) => void) => handlers.set(event, fn) };
  outage.watch(client as unknown as Parameters<OutageLog['watch']>[0]);
  handlers.get('connect')!();
  handlers.get('disconnect')!({ cmd: 'disconnect', reasonCode: 0x8e });
  handlers.get('close')!();
  assert.match(lines[0]!, /lost the MQTT broker at mqtt:\/\/b:1883 \(session taken over by another client\)$/);
  assert.equal(hints().length, 1);
  assert.match(hints()[0]!, /^edge gateway edge-0: the broker says another client took the session over: is another client using client id 'edgepilot-serve-industrial'\?/);
});

test('a loop of quick closes is told once a minute with the count of the others, not twice a second; a lasting connection ends the quiet', () => {
  const { lines, cycle, clock, outage } = takeoverLog('edgepilot-gw-edge-0');
  // 3 minutes of a takeover loop: a connection every second that lives 0.5 s.
  for (let i = 0; i < 180; i++) cycle(500, 500);
  const lost = lines.filter((l) => l.includes('lost the MQTT broker'));
  const back = lines.filter((l) => l.includes('reconnected to the MQTT broker'));
  // The first 3 outages in full (the third makes the loop), then one a minute: at 60 s and 120 s after it.
  assert.equal(lost.length, 5, lines.join('\n'));
  assert.equal(back.length, 3 + 2, 'only the ends of told outages are told');
  assert.match(lost[3]!, /lost the MQTT broker at mqtt:\/\/b:1883 \(and 59 more such outages since the last line, not shown\)$/);
  assert.match(lost[4]!, /\(and 59 more such outages since the last line, not shown\)$/);
  assert.equal(lines.filter((l) => l.includes('is another client using client id')).length, 1);
  // The loop ends: a connection that lasts. Its next outage is told at once, with the untold ones counted.
  outage.connected();
  clock.t += 600_000;
  outage.disconnected('broker restart');
  assert.match(lines.at(-1)!, /lost the MQTT broker at mqtt:\/\/b:1883 \(broker restart\) \(and \d+ more such outages since the last line, not shown\)$/);
  const n = lines.length;
  clock.t += 2000;
  outage.connected();
  assert.equal(lines.length, n + 1, 'and its end');
  assert.match(lines.at(-1)!, /reconnected to the MQTT broker at mqtt:\/\/b:1883 after 2\.0 s/);
});

test('a connection that lived exactly TAKEOVER_WITHIN_MS (2 s) is not a quick close: no takeover hint', () => {
  const { cycle, hints } = takeoverLog('edgepilot-gw-edge-0');
  for (let i = 0; i < 10; i++) cycle(2000);
  assert.equal(hints().length, 0, '"closes less than 2 s after it was made" counts; 2 s does not');
  const quick = takeoverLog('edgepilot-gw-edge-0');
  for (let i = 0; i < 3; i++) quick.cycle(1999);
  assert.equal(quick.hints().length, 1, '1.999 s does');
});

test('after a lasting connection ends a loop, a new loop is told in full again up to the close that makes it a loop', () => {
  const { lines, cycle, clock, outage } = takeoverLog();
  const lost = () => lines.filter((l) => l.includes('lost the MQTT broker')).length;
  for (let i = 0; i < 4; i++) cycle(500, 500); // 3 told (the third makes the loop), the fourth quiet
  assert.equal(lost(), 3, 'the fourth quick outage falls in the quiet minute');
  outage.connected();
  clock.t += 5000; // a connection that lasted
  outage.disconnected();
  assert.equal(lost(), 4, 'the end of a lasting connection is told at once');
  for (let i = 0; i < 3; i++) cycle(500, 500); // well within the minute of the last loop line
  assert.equal(lost(), 7, 'a new loop: its first 3 outages are told, like the first loop');
});

test('the cause in a lost line is the last error of that connection, not one from an earlier connection', () => {
  const { outage, lines } = takeoverLog();
  const handlers = new Map<string, (arg?: unknown) => void>();
  const client = { on: (event: string, fn: (arg?: unknown) => void) => handlers.set(event, fn) };
  outage.watch(client as unknown as Parameters<OutageLog['watch']>[0]);
  handlers.get('connect')!();
  handlers.get('error')!(new Error('read ECONNRESET'));
  handlers.get('close')!();
  handlers.get('connect')!();
  handlers.get('close')!(); // closed without an error this time
  const lost = lines.filter((l) => l.includes('lost the MQTT broker'));
  assert.equal(lost.length, 2, lines.join('\n'));
  assert.match(lost[0]!, /\(read ECONNRESET\)$/, 'the first outage names its error');
  assert.doesNotMatch(lost[1]!, /ECONNRESET/, 'the second outage had no error: the old one is not its cause');
});
