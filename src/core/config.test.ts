import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, loadConfig } from './config.ts';
import { computeSPerMsg, workingSetGb } from '../cluster/memory.ts';
import { shuffleExecS } from '../shuffle/model.ts';
import { SCENARIOS } from '../env/spark-iot-types.ts';

test('defaults validate and loadConfig deep-merges overrides', () => {
  const c = loadConfig({ cluster: { coldStart: { medianS: 40 } }, scenarios: { healthcare: { slaP95LatencyMs: 1500 } } });
  assert.equal(c.cluster.coldStart.medianS, 40);
  assert.equal(c.cluster.coldStart.sigma, DEFAULT_CONFIG.cluster.coldStart.sigma);
  assert.equal(c.scenarios.healthcare.slaP95LatencyMs, 1500);
  assert.equal(c.scenarios.healthcare.baseRateMsgsPerS, DEFAULT_CONFIG.scenarios.healthcare.baseRateMsgsPerS);
  assert.equal(DEFAULT_CONFIG.cluster.coldStart.medianS, 25, 'defaults are not mutated');
});

test('a bad value or an unknown key names the key path', () => {
  assert.throws(() => loadConfig({ cluster: { coldStart: { medianS: -1 } } }), /cluster\.coldStart\.medianS/);
  assert.throws(() => loadConfig({ pricing: { vcpuUsdPerHour: 'cheap' } } as never), /pricing\.vcpuUsdPerHour/);
  assert.throws(() => loadConfig({ shuffle: { tiers: { redis: { latencyMs: 1 } } } } as never), /shuffle\.tiers\.redis.*latencyMs/);
});

test('an override key that names an object internal (__proto__, constructor) is refused by every caller of loadConfig', () => {
  // JSON.parse makes __proto__ an own key; merged as is, it would set the prototype and pass the schema unchecked.
  assert.throws(() => loadConfig(JSON.parse('{"__proto__": {"pricing": {"vcpuUsdPerHour": -1}}}')), /"__proto__" is not a config key/);
  assert.throws(() => loadConfig({ pricing: JSON.parse('{"constructor": 1}') }), /"pricing\.constructor" is not a config key/);
});

test('scenario weights follow original-system.md 3.7 (alpha = cost)', () => {
  assert.deepEqual(DEFAULT_CONFIG.scenarios.healthcare.defaultWeights, { alpha: 0.1, beta: 0.8, gamma: 0.1 });
  assert.deepEqual(DEFAULT_CONFIG.scenarios.industrial.defaultWeights, { alpha: 0.2, beta: 0.3, gamma: 0.5 });
  assert.deepEqual(DEFAULT_CONFIG.scenarios['smart-city'].defaultWeights, { alpha: 0.9, beta: 0.05, gamma: 0.05 });
});

test('every scenario peak is servable by the largest configuration with headroom, and base load needs a fraction', () => {
  const c = DEFAULT_CONFIG;
  for (const name of SCENARIOS) {
    const s = c.scenarios[name];
    const bytes = s.messageBytes * 1.2; // a large-message second
    let bestPerMsgS = Infinity;
    for (const tier of ['redis', 'nvme', 's3'] as const) for (const codec of ['none', 'lz4', 'zstd'] as const) {
      bestPerMsgS = Math.min(bestPerMsgS, computeSPerMsg(bytes, c.cluster) + shuffleExecS(bytes * c.shuffle.bytesPerInputByte, c.shuffle.tiers[tier], c.shuffle.codecs[codec]));
    }
    const maxCapacity = c.cluster.maxExecutors / bestPerMsgS;
    assert.ok(maxCapacity >= 1.25 * s.peakRateMsgsPerS, `${name}: max capacity ${maxCapacity.toFixed(0)} vs peak ${s.peakRateMsgsPerS}`);
    assert.ok(s.baseRateMsgsPerS <= 0.35 * maxCapacity, `${name}: base load needs ${(s.baseRateMsgsPerS / maxCapacity).toFixed(2)} of the max`);
    // 8 GB holds a fully loaded executor's working set: memory is a real but satisfiable constraint.
    assert.ok(workingSetGb(1 / computeSPerMsg(bytes, c.cluster), bytes, c.cluster) < 8, name);
  }
});
