import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Action } from '../../core/types.ts';
import { actionFromSparkApplication, MANAGED_SPARK_CONF_KEYS, restartClassChanged, sparkApplicationPatch, sparkConfForAction } from './spark-conf.ts';

const A: Action = { executors: 4, memoryGb: 4, tier: 'nvme', codec: 'zstd' };

test('codec keys: zstd with its level, lz4 (Spark default), none = shuffle compression off', () => {
  assert.deepEqual(sparkConfForAction(A).sparkConf['spark.io.compression.codec'], 'zstd');
  assert.equal(sparkConfForAction(A, { zstdLevel: 3 }).sparkConf['spark.io.compression.zstd.level'], '3');
  assert.equal(sparkConfForAction({ ...A, codec: 'lz4' }).sparkConf['spark.io.compression.codec'], 'lz4');
  const none = sparkConfForAction({ ...A, codec: 'none' }).sparkConf;
  assert.equal(none['spark.shuffle.compress'], 'false');
  assert.equal(none['spark.shuffle.spill.compress'], 'false');
  assert.equal(none['spark.io.compression.codec'], undefined);
});

test('tier keys: nvme hostPath local dir, redis = tmpfs with more overhead, s3/archive = the S3 shuffle plugin', () => {
  const nvme = sparkConfForAction(A);
  assert.equal(nvme.sparkConf['spark.kubernetes.executor.volumes.hostPath.spark-local-dir-1.options.path'], '/mnt/disks/nvme0');
  assert.equal(nvme.sparkConf['spark.local.dir'], '/data/spark-local');
  assert.equal(nvme.executor.memory, '4g');
  assert.equal(nvme.executor.memoryOverhead, '410m', 'max(384 MiB, 0.10 x 4096 MiB)');
  assert.equal(sparkConfForAction({ ...A, memoryGb: 1 }).executor.memoryOverhead, '384m');
  const hot = sparkConfForAction({ ...A, tier: 'redis' });
  assert.equal(hot.sparkConf['spark.kubernetes.local.dirs.tmpfs'], 'true');
  assert.equal(hot.executor.memoryOverhead, `${410 + 2048}m`, 'tmpfs counts toward pod memory');
  const s3 = sparkConfForAction({ ...A, tier: 's3' }).sparkConf;
  assert.equal(s3['spark.shuffle.manager'], 'org.apache.spark.shuffle.sort.S3ShuffleManager');
  assert.equal(s3['spark.shuffle.sort.io.plugin.class'], 'org.apache.spark.shuffle.S3ShuffleDataIO');
  assert.match(s3['spark.shuffle.s3.rootDir']!, /^s3a:\/\//);
  assert.notEqual(sparkConfForAction({ ...A, tier: 'archive' }).sparkConf['spark.shuffle.s3.rootDir'], s3['spark.shuffle.s3.rootDir']);
  for (const key of Object.keys(sparkConfForAction({ ...A, tier: 's3', codec: 'none' }).sparkConf)) assert.ok((MANAGED_SPARK_CONF_KEYS as readonly string[]).includes(key), `${key} is managed`);
});

test('the merge patch names every managed key (null deletes), is guarded when given a resourceVersion, and round-trips', () => {
  const p = sparkApplicationPatch(A, {}, '48213') as { metadata: { resourceVersion: string }; spec: { sparkConf: Record<string, string | null>; executor: Record<string, unknown> } };
  assert.equal(p.metadata.resourceVersion, '48213');
  assert.equal(Object.keys(p.spec.sparkConf).length, MANAGED_SPARK_CONF_KEYS.length);
  assert.equal(p.spec.sparkConf['spark.shuffle.manager'], null);
  assert.equal(p.spec.executor.instances, 4);
  assert.equal((sparkApplicationPatch(A) as { metadata: Record<string, unknown> }).metadata.resourceVersion, undefined);
  for (const tier of ['redis', 'nvme', 's3', 'archive'] as const) {
    for (const codec of ['none', 'lz4', 'zstd'] as const) {
      const a: Action = { executors: 7, memoryGb: 6, tier, codec };
      const patch = sparkApplicationPatch(a) as { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> };
      assert.deepEqual(actionFromSparkApplication(patch, A).action, a, 'via the annotation');
      delete (patch.metadata as { annotations?: unknown }).annotations;
      const sparkConf = Object.fromEntries(Object.entries((patch.spec as { sparkConf: Record<string, string | null> }).sparkConf).filter(([, v]) => v !== null));
      assert.deepEqual(actionFromSparkApplication({ spec: { ...patch.spec, sparkConf } }, A).action, a, `via the spec (${tier}, ${codec})`);
    }
  }
});

test('reading an operator-managed app without our annotation; bad actions are refused with the field named', () => {
  const app = JSON.parse(readFileSync(new URL('../../../test/fixtures/spark/sparkapplication.json', import.meta.url), 'utf8'));
  assert.deepEqual(actionFromSparkApplication(app, { executors: 1, memoryGb: 1, tier: 's3', codec: 'none' }), { action: { executors: 3, memoryGb: 4, tier: 'nvme', codec: 'lz4' }, unknown: [] });
  assert.deepEqual(actionFromSparkApplication({ spec: {} }, A).unknown, ['executors', 'memoryGb']);
  assert.throws(() => sparkConfForAction({ ...A, memoryGb: 9 }), /memoryGb must be an integer in \[1, 8\]/);
  assert.throws(() => sparkConfForAction({ ...A, tier: 'floppy' as 'nvme' }), /tier must be one of/);
  assert.equal(restartClassChanged(A, { ...A, executors: 9 }), false);
  assert.equal(restartClassChanged(A, { ...A, codec: 'lz4' }), true);
});

test('memory, codec and shuffle tier each need a restart; the executor count alone goes live', () => {
  assert.equal(restartClassChanged(A, { ...A, memoryGb: 8 }), true, 'memory per executor is fixed when executor pods are built');
  assert.equal(restartClassChanged(A, { ...A, codec: 'none' }), true, 'the codec is fixed at submit');
  assert.equal(restartClassChanged(A, { ...A, tier: 's3' }), true, 'shuffle storage is fixed at submit');
  assert.equal(restartClassChanged(A, { ...A, executors: 1 }), false, 'executors go live through the agent');
  assert.equal(restartClassChanged(A, { ...A }), false, 'no change, no restart');
});

test('S3 and archive tiers switch shuffle tracking off; every patch keeps dynamic allocation off and sets the executor memory in GiB', () => {
  for (const tier of ['s3', 'archive'] as const) {
    assert.equal(sparkConfForAction({ ...A, tier }).sparkConf['spark.dynamicAllocation.shuffleTracking.enabled'], 'false', `${tier}: shuffle data outlives executors`);
  }
  assert.equal(sparkConfForAction({ ...A, tier: 'archive' }).sparkConf['spark.shuffle.s3.rootDir'], 's3a://edgepilot-shuffle-archive/cold', 'archive tier root (docs/SPARK.md)');
  assert.equal(sparkConfForAction({ ...A, tier: 's3' }).sparkConf['spark.shuffle.s3.rootDir'], 's3a://edgepilot-shuffle/hot', 's3 tier root (docs/SPARK.md)');
  for (const tier of ['redis', 'nvme', 's3', 'archive'] as const) {
    const p = sparkApplicationPatch({ ...A, tier, memoryGb: 6 }) as { spec: { dynamicAllocation: { enabled: boolean }; executor: { memory: string; memoryOverhead: string } } };
    assert.deepEqual(p.spec.dynamicAllocation, { enabled: false }, `${tier}: the agent owns the executor count, dynamic allocation must stay off`);
    assert.equal(p.spec.executor.memory, '6g', `${tier}: spec.executor.memory is a Spark size string in GiB`);
    assert.match(p.spec.executor.memoryOverhead, /^\d+m$/, `${tier}: overhead in MiB`);
  }
  const nvme = sparkApplicationPatch(A) as { spec: { sparkConf: Record<string, string | null> } };
  assert.equal(nvme.spec.sparkConf['spark.dynamicAllocation.shuffleTracking.enabled'], null, 'leaving S3 deletes the shuffle-tracking override');
  assert.equal(nvme.spec.sparkConf['spark.shuffle.s3.rootDir'], null, 'leaving S3 deletes the S3 root');
});

test('executor memory is read back from Spark size strings in any unit (1 GiB = 1024 MiB), to the nearest whole GiB', () => {
  const mem = (memory: string): number => actionFromSparkApplication({ spec: { executor: { instances: 2, memory } } }, A).action.memoryGb;
  assert.equal(mem('6g'), 6, '6g');
  assert.equal(mem('6144m'), 6, '6144 MiB = 6 GiB');
  assert.equal(mem('1520m'), 1, '1520 MiB = 1.48 GiB: nearest is 1');
  assert.equal(mem('2600m'), 3, '2600 MiB = 2.54 GiB: nearest is 3');
  assert.equal(mem(`${6 * 1024 * 1024}k`), 6, 'KiB');
  assert.equal(mem('64g'), 8, 'clamped to the largest action (8 GiB)');
});

test('a hand-edited annotation that is not a valid action is ignored and the spec is read instead', () => {
  const patch = sparkApplicationPatch({ executors: 5, memoryGb: 2, tier: 'redis', codec: 'none' }) as { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> };
  patch.metadata.annotations['edgepilot.io/action'] = JSON.stringify({ executors: 5, memoryGb: 99, tier: 'nvme', codec: 'lz4' });
  assert.deepEqual(actionFromSparkApplication(patch, A).action, { executors: 5, memoryGb: 2, tier: 'redis', codec: 'none' }, 'an invalid annotation must not become the action in force');
});

test('with a configured archive root, an app without our annotation is read back as the archive tier, not s3', () => {
  const options = { archiveShuffleRootDir: 's3a://plant-7-archive/shuffle', s3ShuffleRootDir: 's3a://plant-7-hot/shuffle' };
  for (const tier of ['s3', 'archive'] as const) {
    const patch = sparkApplicationPatch({ ...A, tier }, options) as { metadata: Record<string, unknown>; spec: { sparkConf: Record<string, string | null> } };
    const sparkConf = Object.fromEntries(Object.entries(patch.spec.sparkConf).filter(([, v]) => v !== null));
    assert.equal(actionFromSparkApplication({ spec: { ...patch.spec, sparkConf } }, A, options).action.tier, tier, `${tier} written with custom roots reads back as ${tier}`);
  }
});
