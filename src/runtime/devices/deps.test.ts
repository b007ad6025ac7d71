/**
 * Imports every runtime dependency this module added, so a version that installs but fails to load on
 * Node 20 (infra.md: "have a test import every runtime dependency") breaks the build here, not in the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('mqtt 5.16.0 and aedes 1.2.0 load and expose what the devices module uses', async () => {
  const mqtt = await import('mqtt');
  assert.equal(typeof mqtt.connect, 'function');
  assert.equal(typeof mqtt.connectAsync, 'function');
  const aedes = await import('aedes');
  assert.equal(typeof aedes.Aedes.createBroker, 'function');
  assert.match(mqtt.MQTTJS_VERSION, /5\.16\.0/);
  const broker = await aedes.Aedes.createBroker();
  try {
    assert.equal((broker as unknown as { version: string }).version, '1.2.0'); // aedes' getter, missing from its typings
  } finally {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
});
