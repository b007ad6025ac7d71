/**
 * KafkaIngestBridge.start gives a broker that drops every connection the first try and 3 retries (kafkajs
 * `retry.retries: 3`) before it fails with a clear error; a fake "broker" on 127.0.0.1 counts the attempts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { KafkaIngestBridge } from './bridge.ts';

test('bridge: a broker that closes every connection is tried 1 + 3 times, then start() rejects naming it', async () => {
  let attempts = 0;
  const server = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const broker = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await assert.rejects(KafkaIngestBridge.start({ brokers: [broker] }), (e: unknown) => e instanceof Error && e.message.startsWith(`KafkaIngestBridge: cannot connect to ${broker}: `));
    assert.equal(attempts, 4);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
