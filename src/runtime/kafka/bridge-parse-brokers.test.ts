/** `--kafka-brokers host:port[,host:port...]`: each entry a whole host name and a port of 1 to 5 digits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBrokers } from './bridge.ts';

test('parseBrokers: every entry must be exactly host:port, with 1-5 port digits', () => {
  assert.deepEqual(parseBrokers('kafka-1.local:9092,10.0.0.7:1,b_2:65535'), ['kafka-1.local:9092', '10.0.0.7:1', 'b_2:65535']);
  assert.deepEqual(parseBrokers(' a:1 ,, b:2 '), ['a:1', 'b:2'], 'blanks around and empty entries are ignored');
  for (const bad of ['kafka:', 'kafka:123456', 'kafka:9092x', 'bad host:9092', 'kafka:9092/x', ':9092', 'host:port']) {
    assert.throws(() => parseBrokers(bad), (e: unknown) => e instanceof Error && e.message === `Kafka brokers: '${bad}' is not host:port (in '${bad}')`, bad);
  }
  assert.throws(() => parseBrokers(' , '), /expected host:port\[,host:port\.\.\.\], got ' , '/);
});
