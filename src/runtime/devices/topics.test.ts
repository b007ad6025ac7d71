import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsTopic, deviceTopic, deviceTopicFilter, forecastTopic, ingestTopic, parseTopic, resultsTopic, scenarioKinds, CONTROL_ACTIONS_TOPIC, CONTROL_SNAPSHOTS_TOPIC } from './topics.ts';

test('topic builders and parseTopic are inverses', () => {
  assert.equal(deviceTopic('healthcare', 'HC-0001'), 'edgepilot/devices/healthcare/HC-0001');
  assert.deepEqual(parseTopic(deviceTopic('smart-city', 'SC-0042')), { type: 'device', scenario: 'smart-city', deviceId: 'SC-0042' });
  assert.deepEqual(parseTopic(ingestTopic('balanced')), { type: 'ingest', scenario: 'balanced' });
  assert.deepEqual(parseTopic(forecastTopic('gw-1')), { type: 'forecast', gatewayId: 'gw-1' });
  assert.deepEqual(parseTopic(resultsTopic('industrial')), { type: 'results', scenario: 'industrial' });
  assert.deepEqual(parseTopic(alertsTopic('industrial')), { type: 'alerts', scenario: 'industrial' });
  assert.deepEqual(parseTopic(CONTROL_ACTIONS_TOPIC), { type: 'control-actions' });
  assert.deepEqual(parseTopic(CONTROL_SNAPSHOTS_TOPIC), { type: 'control-snapshots' });
  assert.equal(deviceTopicFilter(), 'edgepilot/devices/#');
  assert.equal(deviceTopicFilter('healthcare'), 'edgepilot/devices/healthcare/+');
});

test('ids that could widen a subscription or escape their level are refused', () => {
  for (const bad of ['a/b', '+', '#', 'HC+1', '$SYS', '', 'x'.repeat(65), 'a b']) {
    assert.throws(() => deviceTopic('healthcare', bad), /deviceId/);
    assert.equal(parseTopic(`edgepilot/devices/healthcare/${bad}`), null, bad);
  }
  assert.throws(() => deviceTopic('mars' as 'healthcare', 'HC-1'), /unknown scenario 'mars'/);
  assert.throws(() => forecastTopic('gw/1'), /gatewayId/);
  for (const t of ['', 'edgepilot', 'iot/healthcare/vitals', 'edgepilot/devices/healthcare', 'edgepilot/devices/healthcare/HC-1/extra', 'edgepilot/control/other']) {
    assert.equal(parseTopic(t), null, t);
  }
});

test('balanced fleets mix all three message kinds, other scenarios have one', () => {
  assert.deepEqual([...scenarioKinds('balanced')], ['healthcare', 'industrial', 'smart-city']);
  assert.deepEqual([...scenarioKinds('industrial')], ['industrial']);
});

test('parseTopic: an ingest topic has exactly one level after `ingest`, a forecast topic a valid gateway id', () => {
  assert.equal(parseTopic(`${ingestTopic('smart-city')}/extra`), null, 'a level below the ingest topic is outside the scheme');
  assert.equal(parseTopic('edgepilot/edge/-gw/forecast'), null, 'a gateway id must start with a letter or digit');
  assert.equal(parseTopic('edgepilot/edge/gw 1/forecast'), null, 'a gateway id has no spaces');
  assert.equal(parseTopic(`edgepilot/edge/${'g'.repeat(65)}/forecast`), null, 'a gateway id has at most 64 characters');
  assert.deepEqual(parseTopic(`edgepilot/edge/${'g'.repeat(64)}/forecast`), { type: 'forecast', gatewayId: 'g'.repeat(64) }, '64 characters are fine');
});
