import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutPassword } from './url-for-log.ts';

test('a password in a URL is masked for logs; the user, host and anything else are kept', () => {
  assert.equal(withoutPassword('mqtts://agent:s3cret@broker.streaming:8883'), 'mqtts://agent:***@broker.streaming:8883');
  assert.equal(withoutPassword('mqtt://agent@broker:1883'), 'mqtt://agent@broker:1883');
  assert.equal(withoutPassword('mqtt://127.0.0.1:1883'), 'mqtt://127.0.0.1:1883');
  assert.equal(withoutPassword('not a url'), 'not a url');
});
