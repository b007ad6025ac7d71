/**
 * Maps an Edgepilot Action to Spark 3.5 configuration on Kubernetes and to the JSON merge patch of the kubeflow Spark
 * Operator SparkApplication that carries it. Keys and defaults: /work/shared/reference/spark-k8s.md (sections 3-4),
 * which read them from the Spark 3.5.7 docs (S-CONF, S-K8S) and the operator types (S-OPT). docs/SPARK.md explains
 * each tier mapping and what it needs on the cluster.
 *
 * What is live and what restarts (spark-k8s.md section 6): the executor COUNT goes live through the driver agent;
 * memory, codec and shuffle storage are fixed when executor pods are built, and any spec change restarts the
 * application (the operator's INVALIDATING path, section 4.4). So `restartClassChanged` decides which path a change
 * takes, and the patch is only sent for restart-class changes.
 */
import { validateAction } from '../../core/action.ts';
import type { Action, Codec, Tier } from '../../core/types.ts';

export interface SparkConfOptions {
  /** vCPUs per executor (spec.executor.cores); config.cluster.coresPerExecutor is 4. */
  coresPerExecutor: number;
  /** spark.executor.memoryOverheadFactor: 0.10 for JVM jobs (spark-k8s.md 3.2, S-CONF). */
  memoryOverheadFactor: number;
  /** Host path of the node's local NVMe disk for the 'nvme' tier (a hostPath volume). [assumed] a GKE/EKS-style mount. */
  nvmeHostPath: string;
  /** Size of the RAM-backed (tmpfs) local dirs for the 'redis' (hot) tier, GiB; added to the memory overhead. [assumed] */
  tmpfsGb: number;
  /** s3a:// root of the S3 shuffle plugin for the 's3' tier. */
  s3ShuffleRootDir: string;
  /** s3a:// root for the 'archive' tier (same plugin; a bucket with a lifecycle rule, see docs/SPARK.md). */
  archiveShuffleRootDir: string;
  /** spark.io.compression.zstd.level (default 1, S-CONF). */
  zstdLevel: number;
}

export const DEFAULT_SPARK_CONF_OPTIONS: SparkConfOptions = {
  coresPerExecutor: 4,
  memoryOverheadFactor: 0.1,
  nvmeHostPath: '/mnt/disks/nvme0',
  tmpfsGb: 2,
  s3ShuffleRootDir: 's3a://edgepilot-shuffle/hot',
  archiveShuffleRootDir: 's3a://edgepilot-shuffle-archive/cold',
  zstdLevel: 1,
};

/** Minimum executor memory overhead, MiB (S-CONF: max(384 MiB, factor x memory)). */
const MIN_OVERHEAD_MIB = 384;

/** The volume name prefix Spark treats as local (spill/shuffle) storage (spark-k8s.md 3.3, S-K8S). */
const NVME_VOLUME = 'spark-local-dir-1';
const NVME_MOUNT_PATH = '/data/spark-local';

/**
 * Every sparkConf key this module may set. A merge patch only overwrites the keys it names, so a patch names all of
 * them and sets `null` (RFC 7386: delete) for those the new action does not use: switching from the S3 tier back to
 * NVMe must remove the S3 shuffle manager.
 */
export const MANAGED_SPARK_CONF_KEYS = [
  'spark.io.compression.codec',
  'spark.io.compression.zstd.level',
  'spark.shuffle.compress',
  'spark.shuffle.spill.compress',
  'spark.kubernetes.local.dirs.tmpfs',
  `spark.kubernetes.executor.volumes.hostPath.${NVME_VOLUME}.mount.path`,
  `spark.kubernetes.executor.volumes.hostPath.${NVME_VOLUME}.options.path`,
  'spark.local.dir',
  'spark.shuffle.manager',
  'spark.shuffle.sort.io.plugin.class',
  'spark.shuffle.s3.rootDir',
  'spark.dynamicAllocation.shuffleTracking.enabled',
] as const;

export interface SparkConfForAction {
  /** spark-submit --conf pairs for the restart-class part of the action. */
  sparkConf: Record<string, string>;
  /** spec.executor fields. */
  executor: { instances: number; cores: number; memory: string; memoryOverhead: string };
  /** What each choice needs on the cluster (printed by `edgepilot spark-conf`). */
  notes: string[];
}

function memoryOverheadMiB(memoryGb: number, tier: Tier, o: SparkConfOptions): number {
  const base = Math.max(MIN_OVERHEAD_MIB, Math.ceil(memoryGb * 1024 * o.memoryOverheadFactor));
  // tmpfs local dirs count toward the pod's memory (S-K8S: "raise the overhead factor").
  return tier === 'redis' ? base + Math.ceil(o.tmpfsGb * 1024) : base;
}

function codecConf(codec: Codec, o: SparkConfOptions): { conf: Record<string, string>; note: string } {
  switch (codec) {
    case 'none':
      // Spark has no "none" codec; compression of shuffle output and spills is switched off instead (S-CONF).
      return { conf: { 'spark.shuffle.compress': 'false', 'spark.shuffle.spill.compress': 'false' }, note: 'codec none: shuffle and spill compression off (spark.io.compression.codec stays at its default for broadcasts/RDDs)' };
    case 'lz4':
      return { conf: { 'spark.io.compression.codec': 'lz4', 'spark.shuffle.compress': 'true', 'spark.shuffle.spill.compress': 'true' }, note: 'codec lz4: Spark\'s default codec' };
    case 'zstd':
      return {
        conf: { 'spark.io.compression.codec': 'zstd', 'spark.io.compression.zstd.level': String(o.zstdLevel), 'spark.shuffle.compress': 'true', 'spark.shuffle.spill.compress': 'true' },
        note: `codec zstd level ${o.zstdLevel}: smaller shuffle files, more CPU than lz4`,
      };
  }
}

function tierConf(tier: Tier, o: SparkConfOptions): { conf: Record<string, string>; note: string } {
  switch (tier) {
    case 'redis':
      // Spark has no Redis shuffle backend; the hot in-memory tier maps to RAM-backed local dirs.
      return {
        conf: { 'spark.kubernetes.local.dirs.tmpfs': 'true' },
        note: `tier redis (hot): RAM-backed emptyDir local dirs (spark.kubernetes.local.dirs.tmpfs); +${o.tmpfsGb} GiB memory overhead per executor; shuffle lost with the executor`,
      };
    case 'nvme':
      return {
        conf: {
          [`spark.kubernetes.executor.volumes.hostPath.${NVME_VOLUME}.mount.path`]: NVME_MOUNT_PATH,
          [`spark.kubernetes.executor.volumes.hostPath.${NVME_VOLUME}.options.path`]: o.nvmeHostPath,
          'spark.local.dir': NVME_MOUNT_PATH,
        },
        note: `tier nvme: hostPath volume ${NVME_VOLUME} -> ${o.nvmeHostPath} (nodes need a local NVMe disk mounted there; the pod security policy must allow hostPath)`,
      };
    case 's3':
    case 'archive': {
      const root = tier === 's3' ? o.s3ShuffleRootDir : o.archiveShuffleRootDir;
      return {
        conf: {
          // IBM spark-s3-shuffle (spark-k8s.md 3.4, S-S3); a third-party plugin jar + hadoop-aws must be on the image.
          'spark.shuffle.manager': 'org.apache.spark.shuffle.sort.S3ShuffleManager',
          'spark.shuffle.sort.io.plugin.class': 'org.apache.spark.shuffle.S3ShuffleDataIO',
          'spark.shuffle.s3.rootDir': root,
          // Shuffle data outlives executors in S3, so executors need not be kept for it.
          'spark.dynamicAllocation.shuffleTracking.enabled': 'false',
        },
        note: tier === 's3'
          ? `tier s3: IBM spark-s3-shuffle plugin, root ${root} (plugin jar + hadoop-aws on the image, S3 credentials for executors)`
          : `tier archive: the S3 shuffle plugin on ${root}; Glacier-class storage cannot serve live shuffle reads, so the bucket's lifecycle rule moves data to archive after the job has read it`,
      };
    }
  }
}

/** The Spark configuration for an action (validated; throws naming the bad field). */
export function sparkConfForAction(action: Action, options: Partial<SparkConfOptions> = {}): SparkConfForAction {
  validateAction(action);
  const o = { ...DEFAULT_SPARK_CONF_OPTIONS, ...options };
  const codec = codecConf(action.codec, o);
  const tier = tierConf(action.tier, o);
  return {
    sparkConf: { ...codec.conf, ...tier.conf },
    executor: {
      instances: action.executors,
      cores: o.coresPerExecutor,
      memory: `${action.memoryGb}g`,
      memoryOverhead: `${memoryOverheadMiB(action.memoryGb, action.tier, o)}m`,
    },
    notes: [codec.note, tier.note, `executors ${action.executors}: live through the driver agent (no restart); written to spec.executor.instances only with a restart`],
  };
}

/** True when going from `current` to `next` needs an application restart (memory, codec or shuffle storage). */
export function restartClassChanged(current: Action, next: Action): boolean {
  return current.memoryGb !== next.memoryGb || current.codec !== next.codec || current.tier !== next.tier;
}

/** The annotation holding the action in force (metadata changes do not restart the app: spark-k8s.md 4.4). */
export const ACTION_ANNOTATION = 'edgepilot.io/action';

/**
 * The JSON merge patch (RFC 7386, Content-Type application/merge-patch+json) that brings `action` into a
 * SparkApplication. With `resourceVersion` the patch is a guarded write: the API server answers 409 when the object
 * changed since it was read (S-K87951: the precondition must be embedded in the body).
 */
export function sparkApplicationPatch(action: Action, options: Partial<SparkConfOptions> = {}, resourceVersion?: string): Record<string, unknown> {
  const conf = sparkConfForAction(action, options);
  const sparkConf: Record<string, string | null> = {};
  for (const key of MANAGED_SPARK_CONF_KEYS) sparkConf[key] = conf.sparkConf[key] ?? null;
  const metadata: Record<string, unknown> = { annotations: { [ACTION_ANNOTATION]: JSON.stringify(action) } };
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  return {
    metadata,
    spec: {
      executor: conf.executor,
      sparkConf,
      // The agent owns the executor count; Spark's own allocation manager would fight it (docs/SPARK.md).
      dynamicAllocation: { enabled: false },
    },
  };
}

/** The agent command for the live part of an action. */
export function agentCommand(action: Action): { executors: number } {
  return { executors: action.executors };
}

function parseMemoryGb(memory: unknown): number | null {
  if (typeof memory !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)([kmgt])?b?$/i.exec(memory.trim());
  if (!m) return null;
  const v = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const gb = unit === 'g' ? v : unit === 'm' ? v / 1024 : unit === 't' ? v * 1024 : unit === 'k' ? v / 1024 / 1024 : v / 1024 ** 3;
  return gb;
}

/**
 * The action a SparkApplication runs now, read from its spec (our annotation first, then the executor memory and
 * sparkConf). Fields it cannot tell fall back to `fallback` and are named in `unknown`. `options` are the ones the
 * patches were written with: the archive tier is told from the s3 tier by its configured root.
 */
export function actionFromSparkApplication(app: unknown, fallback: Action, options: Partial<SparkConfOptions> = {}): { action: Action; unknown: string[] } {
  const obj = (app ?? {}) as { metadata?: { annotations?: Record<string, string> }; spec?: { executor?: { instances?: number; memory?: string }; sparkConf?: Record<string, string> } };
  const annotated = obj.metadata?.annotations?.[ACTION_ANNOTATION];
  if (annotated) {
    try {
      const a = JSON.parse(annotated) as Action;
      validateAction(a);
      return { action: a, unknown: [] };
    } catch {
      // fall through to the spec: a hand-edited annotation must not stop the controller
    }
  }
  const unknown: string[] = [];
  const spec = obj.spec ?? {};
  const conf = spec.sparkConf ?? {};
  const executors = Number.isInteger(spec.executor?.instances) ? Math.min(20, Math.max(1, spec.executor!.instances!)) : (unknown.push('executors'), fallback.executors);
  const memGb = parseMemoryGb(spec.executor?.memory);
  const memoryGb = memGb !== null ? Math.min(8, Math.max(1, Math.round(memGb))) : (unknown.push('memoryGb'), fallback.memoryGb);
  let codec: Codec;
  if (conf['spark.shuffle.compress'] === 'false') codec = 'none';
  else if (conf['spark.io.compression.codec'] === 'zstd' || /ZStd/.test(conf['spark.io.compression.codec'] ?? '')) codec = 'zstd';
  else codec = 'lz4'; // Spark's default (S-CONF)
  let tier: Tier;
  const archiveRoot = options.archiveShuffleRootDir ?? DEFAULT_SPARK_CONF_OPTIONS.archiveShuffleRootDir;
  if (conf['spark.shuffle.s3.rootDir']) tier = conf['spark.shuffle.s3.rootDir'] === archiveRoot ? 'archive' : 's3';
  else if (conf['spark.kubernetes.local.dirs.tmpfs'] === 'true') tier = 'redis';
  else tier = 'nvme'; // local-disk shuffle is Spark's default (spark-k8s.md 3.4)
  return { action: { executors, memoryGb, tier, codec }, unknown };
}

