import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PACKAGE_ROOT, shippedModel } from './paths.ts';

test('the package root holds package.json and the shipped models, whatever the working directory', () => {
  assert.ok(isAbsolute(PACKAGE_ROOT));
  assert.equal(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).name, 'edgepilot');
  assert.ok(existsSync(shippedModel('edge-rl-ppo.json')));
  assert.equal(shippedModel('meta-td3.json'), join(PACKAGE_ROOT, 'models', 'meta-td3.json'));
});
