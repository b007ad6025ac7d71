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
