import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClientId, DEFAULT_SESSION_EXPIRY_S, MAX_CLIENT_ID_CHARS, mqttSessionOptions, sessionMeanwhile } from './mqtt-session.ts';

test('mqttSessionOptions: clientId and clean always; a session expiry only for a persistent MQTT 5 session', () => {
  assert.deepEqual(mqttSessionOptions({ clientId: 'edgepilot-gw-edge-0', clean: false, protocolVersion: 5 }), {
    clientId: 'edgepilot-gw-edge-0',
    clean: false,
    properties: { sessionExpiryInterval: DEFAULT_SESSION_EXPIRY_S },
  });
  assert.equal(DEFAULT_SESSION_EXPIRY_S, 3600);
  // MQTT 3.1.1 has no session expiry property (the broker decides how long a session lives).
  assert.deepEqual(mqttSessionOptions({ clientId: 'a', clean: false, protocolVersion: 4 }), { clientId: 'a', clean: false });
  // A clean session ends at disconnect: nothing to expire, in either version.
  assert.deepEqual(mqttSessionOptions({ clientId: 'a', clean: true, protocolVersion: 5 }), { clientId: 'a', clean: true });
  assert.deepEqual(mqttSessionOptions({ clientId: 'a', clean: true, protocolVersion: 4 }), { clientId: 'a', clean: true });
  assert.deepEqual(mqttSessionOptions({ clientId: 'a', clean: false, protocolVersion: 5, sessionExpiryS: 60 }).properties, { sessionExpiryInterval: 60 });
  assert.throws(() => mqttSessionOptions({ clientId: 'a', clean: false, protocolVersion: 5, sessionExpiryS: 0 }), /session expiry must be an integer in \[1, 4294967295\] seconds, got 0/);
  assert.throws(() => mqttSessionOptions({ clientId: 'a', clean: false, protocolVersion: 5, sessionExpiryS: 1.5 }), /got 1\.5/);
});

test('checkClientId: refuses empty, too long and unsafe ids with a message naming the option', () => {
  for (const ok of ['edgepilot-serve-smart-city', 'gw_1.a-b', 'X', '9', 'a'.repeat(MAX_CLIENT_ID_CHARS)]) assert.equal(checkClientId(ok, '--mqtt-client-id'), ok);
  assert.throws(() => checkClientId('', '--mqtt-client-id'), /^Error: --mqtt-client-id must not be empty$/);
  assert.throws(() => checkClientId('a'.repeat(MAX_CLIENT_ID_CHARS + 1), '--mqtt-client-id'), /--mqtt-client-id must be at most 128 characters, got 129/);
  for (const bad of ['a b', 'a/b', 'a+', '#', '$SYS', '-lead', '.lead', 'tab\there', 'new\nline', 'é']) {
    assert.throws(() => checkClientId(bad, 'EdgeGateway: clientId'), (err: Error) => err.message.startsWith('EdgeGateway: clientId must match ') && err.message.includes(JSON.stringify(bad)) && !err.message.includes('\n'), bad);
  }
  assert.throws(() => mqttSessionOptions({ clientId: 'a b', clean: true, protocolVersion: 4 }, 'DeviceReceiver: clientId'), /^Error: DeviceReceiver: clientId must match/);
});

test('sessionMeanwhile: says what the broker does with the QoS 1 messages while the client is away', () => {
  assert.equal(sessionMeanwhile({ clientId: 'edgepilot-serve-industrial', clean: false }), "the broker queues QoS 1 messages for session 'edgepilot-serve-industrial' meanwhile, up to its own queue limit");
  assert.equal(sessionMeanwhile({ clientId: 'x', clean: true }, '--mqtt-clean-session'), 'clean session (--mqtt-clean-session): QoS 1 messages published meanwhile are lost');
  assert.equal(sessionMeanwhile({ clientId: 'x', clean: true }), 'clean session: QoS 1 messages published meanwhile are lost');
});

test('mqttSessionOptions: the largest MQTT 5 session expiry, 4294967295 s ("never expires"), is accepted; one more is refused', () => {
  const never = mqttSessionOptions({ clientId: 'c1', clean: false, protocolVersion: 5, sessionExpiryS: 0xffffffff });
  assert.deepEqual(never.properties, { sessionExpiryInterval: 0xffffffff }, 'the four-byte maximum is a valid expiry');
  assert.throws(() => mqttSessionOptions({ clientId: 'c1', clean: false, protocolVersion: 5, sessionExpiryS: 0x100000000 }), /session expiry/, 'past four bytes is refused');
});
