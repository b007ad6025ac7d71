/**
 * CLI policy ids -> factories, plus the settings each baseline runs with (printed in every report).
 * To add a policy (e.g. a trained RL agent): call `registerPolicy({ id, description, source, settings, create })`
 * from its module, or add an entry to BUILTIN below. Ids are matched exactly.
 */
import type { Policy } from './types.ts';
import type { SimConfig } from '../core/config.ts';
import { FixedPolicy, FIXED_EXECUTORS } from './fixed.ts';
import { DexterHpaPolicy, HPA_SETTINGS } from './dexter-hpa.ts';
import { SeerLinearPolicy, SEER_SETTINGS } from './seer-linear.ts';
import { SparkDraPolicy, SPARK_DRA_SETTINGS } from './spark-dra.ts';
import { SparkStreamingDraPolicy, STREAMING_DRA_SETTINGS } from './spark-streaming-dra.ts';
import { KedaLagPolicy, KEDA_SETTINGS } from './keda-lag.ts';
import { KnativeKpaPolicy, KPA_SETTINGS } from './knative-kpa.ts';
import { ThresholdForecastPolicy, THRESHOLD_FORECAST_SETTINGS } from './threshold-forecast.ts';
import { SENSIBLE_DEFAULTS } from './sensible-config.ts';
import { OraclePolicy, ORACLE_DEFAULTS } from './oracle.ts';
import { ForecastSizingPolicy, FORECAST_SIZING_CALM, FORECAST_SIZING_SETTINGS } from './forecast-sizing.ts';
import { createSizeThresholdShufflePolicy, SIZE_THRESHOLD_SHUFFLE_SETTINGS } from './size-threshold-shuffle.ts';
import { PpoAgentPolicy, EDGE_RL_CHECKPOINT, EDGE_RL_SPARK_K8S_CHECKPOINT, RL_NO_EDGE_CHECKPOINT } from './rl-agent.ts';
import { AGENT_SCALE_DOWN_HOLD_S } from './scale-down-hold.ts';
import { createEdgeRlPolicy, createNoEdgeMetaPolicy, HierarchicalPolicy } from '../meta/hierarchical-policy.ts';
import { SLO_GUARD_DEFAULTS } from '../meta/slo-guard.ts';

/** The SLO guard's settings as the guarded agents' entries list them (src/meta/slo-guard.ts). */
const SLO_GUARD_SETTINGS = { sloGuardMinSteps: SLO_GUARD_DEFAULTS.minSteps, sloGuardZ: SLO_GUARD_DEFAULTS.z, sloGuardWindowSteps: SLO_GUARD_DEFAULTS.windowSteps };

export interface PolicyEntry {
  id: string;
  description: string;
  /** Where its formula and defaults come from. */
  source: string;
  /** The settings used, for reports (seconds stay seconds here). */
  settings: Record<string, number | string | boolean>;
  /**
   * Builds the policy. `config` is the run's world (bench/serve/demo --config; default the built-in one): the policies
   * that model the world (forecast-sizing and the agents' base rule) size with it. The rest read only observations.
   */
  create: (config?: SimConfig) => Policy;
  /** False for sensitivity variants: runnable with --policies, left out of the default set. */
  inDefaultSet?: boolean;
  /**
   * What the policy is in the claims (src/bench/claims.ts): a baseline (default), the clairvoyant oracle, or
   * one of our agents; `reactive` marks the reactive autoscalers the agent is compared with one by one.
   */
  role?: 'baseline' | 'oracle' | 'agent';
  reactive?: boolean;
}

const flat = (o: object): Record<string, number | string | boolean> => ({ ...(o as Record<string, number | string | boolean>) });

const BUILTIN: PolicyEntry[] = [
  {
    id: 'fixed',
    description: `static ${FIXED_EXECUTORS} executors`,
    source: "original thesis's Fixed (original-system.md 6.1)",
    settings: { executors: FIXED_EXECUTORS },
    create: () => new FixedPolicy(),
  },
  {
    id: 'dexter-hpa',
    reactive: true,
    description: 'Kubernetes HPA on CPU utilization',
    source: 'kubernetes HPA docs + replica_calculator (anchors.md 1.1)',
    settings: flat(HPA_SETTINGS),
    create: () => new DexterHpaPolicy(),
  },
  {
    id: 'seer-linear',
    description: 'OLS over recent arrival rate, predicted ahead by the measured provisioning delay',
    source: 'AWS predictive scaling pre-launch buffer idea (anchors.md 1.8); project design',
    settings: flat(SEER_SETTINGS),
    create: () => new SeerLinearPolicy(),
  },
  {
    id: 'spark-dra',
    reactive: true,
    description: 'Spark core dynamic allocation',
    source: 'Spark ExecutorAllocationManager / job-scheduling.md (anchors.md 1.3)',
    settings: flat(SPARK_DRA_SETTINGS),
    create: () => new SparkDraPolicy(),
  },
  {
    id: 'spark-streaming-dra',
    description: 'DStreams streaming allocator (processing time / batch interval)',
    source: 'Spark streaming ExecutorAllocationManager (anchors.md 1.4)',
    settings: flat(STREAMING_DRA_SETTINGS),
    create: () => new SparkStreamingDraPolicy(),
  },
  {
    id: 'keda-lag',
    reactive: true,
    description: 'KEDA Kafka lag scaler (generated HPA)',
    source: 'KEDA ScaledObject spec + kafka_scaler.go (anchors.md 1.2)',
    settings: flat(KEDA_SETTINGS),
    create: () => new KedaLagPolicy(),
  },
  {
    id: 'knative-kpa',
    reactive: true,
    description: 'Knative KPA, stable + panic windows',
    source: 'knative/serving autoscaler config + autoscaler.go (anchors.md 1.6)',
    settings: flat(KPA_SETTINGS),
    create: () => new KnativeKpaPolicy(),
  },
  {
    id: 'threshold-forecast',
    description: 'max(current, edge-predicted) rate with headroom, extra on high burst probability',
    source: 'project sanity baseline',
    settings: flat(THRESHOLD_FORECAST_SETTINGS),
    create: () => new ThresholdForecastPolicy(),
  },
  {
    id: 'forecast-sizing',
    description: "the oracle's sizing rule fed the present and the edge forecast instead of the future (model-based, no learning)",
    source: 'project baseline (session 9): src/policies/forecast-sizing.ts, at the oracle\'s default settings; since session 14 less latency headroom on calm load (session 15: calm measured around the trend)',
    settings: flat({ ...FORECAST_SIZING_SETTINGS, calmLatencyShareOfSla: FORECAST_SIZING_CALM.latencyShareOfSla, calmMaxArrivalCv: FORECAST_SIZING_CALM.maxArrivalCv, calmWindowSteps: FORECAST_SIZING_CALM.windowSteps, calmMeasure: FORECAST_SIZING_CALM.measure ?? 'cv' }),
    create: (config) => new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, config),
  },
  {
    id: 'oracle',
    role: 'oracle',
    description: 'clairvoyant lower bound: reads the exogenous future (env exposeFuture)',
    source: 'src/policies/oracle.ts (env engineer)',
    settings: flat(ORACLE_DEFAULTS),
    create: () => new OraclePolicy(),
  },
  // Sensitivity variants (anchors.md section 8: sweep at least the scale-down window); not in the default set.
  {
    id: 'dexter-hpa-down60',
    description: 'dexter-hpa with a 60 s scale-down stabilization window',
    source: 'as dexter-hpa; spec.behavior.scaleDown.stabilizationWindowSeconds = 60',
    settings: flat({ ...HPA_SETTINGS, scaleDownStabilizationS: 60 }),
    create: () => new DexterHpaPolicy({ ...HPA_SETTINGS, scaleDownStabilizationS: 60 }, 'dexter-hpa-down60'),
    inDefaultSet: false,
  },
  {
    id: 'keda-lag-down60',
    description: 'keda-lag with a 60 s HPA scale-down stabilization window',
    source: 'as keda-lag; advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds = 60',
    settings: flat({ ...KEDA_SETTINGS, scaleDownStabilizationS: 60 }),
    create: () => new KedaLagPolicy({ ...KEDA_SETTINGS, scaleDownStabilizationS: 60 }, 'keda-lag-down60'),
    inDefaultSet: false,
  },
  // Without the calm-load sizing (docs/AGENT.md "Calm load"): for a deployment whose SLA cannot take the extra
  // violations it costs on loads that step up without warning; not in the default set.
  {
    id: 'forecast-sizing-no-calm',
    description: 'forecast-sizing without the calm-load sizing: always 0.6 of the SLA (as in sessions 9-13)',
    source: 'as forecast-sizing, calm: null',
    settings: flat(FORECAST_SIZING_SETTINGS),
    create: (config) => new ForecastSizingPolicy(FORECAST_SIZING_SETTINGS, config, { calm: null, id: 'forecast-sizing-no-calm' }),
    inDefaultSet: false,
  },
  // The size-threshold shuffle rule (Uniffle's cold-storage threshold), for the shuffle report; not in the default set.
  {
    id: 'size-threshold-shuffle',
    description: 'threshold-forecast scaling; shuffle flushes > 64 MB per executor per interval -> s3/zstd, else redis/lz4',
    source: 'Apache Uniffle rss.server.flush.cold.storage.threshold.size (anchors.md 3); src/policies/size-threshold-shuffle.ts',
    settings: {
      flushThresholdBytes: SIZE_THRESHOLD_SHUFFLE_SETTINGS.flushThresholdBytes,
      hot: `${SIZE_THRESHOLD_SHUFFLE_SETTINGS.hot.tier}/${SIZE_THRESHOLD_SHUFFLE_SETTINGS.hot.codec}`,
      cold: `${SIZE_THRESHOLD_SHUFFLE_SETTINGS.cold.tier}/${SIZE_THRESHOLD_SHUFFLE_SETTINGS.cold.codec}`,
    },
    create: () => createSizeThresholdShufflePolicy(),
    inDefaultSet: false,
  },
  // The RL agents: their checkpoints load when a policy is created, so listing them costs nothing until used.
  {
    id: 'edge-rl-fixed',
    role: 'agent',
    description: "contextual PPO (lower level alone), the scenario's default weights",
    source: 'models/edge-rl-ppo.json, trained by configs/edge-rl-ppo.json (docs/AGENT.md)',
    settings: { checkpoint: 'models/edge-rl-ppo.json', deterministic: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S },
    create: (config) => new PpoAgentPolicy({ id: 'edge-rl-fixed', checkpointPath: EDGE_RL_CHECKPOINT, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S, config }),
  },
  {
    id: 'edge-rl-fixed-k8s',
    role: 'agent',
    description: "contextual PPO trained for the spark-k8s target (restarts priced in), the scenario's default weights",
    source: 'models/edge-rl-ppo-spark-k8s.json, trained by configs/edge-rl-ppo-spark-k8s.json (docs/SPARK.md)',
    settings: { checkpoint: 'models/edge-rl-ppo-spark-k8s.json', deterministic: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S },
    create: (config) => new PpoAgentPolicy({ id: 'edge-rl-fixed-k8s', checkpointPath: EDGE_RL_SPARK_K8S_CHECKPOINT, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S, config }),
    inDefaultSet: false,
  },
  {
    id: 'rl-no-edge',
    role: 'agent',
    description: 'ablation: the same PPO trained and run with the edge-forecast features masked',
    source: 'models/rl-no-edge-ppo.json, trained by configs/rl-no-edge-ppo.json (docs/AGENT.md)',
    settings: { checkpoint: 'models/rl-no-edge-ppo.json', deterministic: true, maskEdge: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S },
    create: (config) => new PpoAgentPolicy({ id: 'rl-no-edge', checkpointPath: RL_NO_EDGE_CHECKPOINT, maskEdge: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S, config }),
  },
  {
    id: 'edge-rl',
    role: 'agent',
    description: 'hierarchical: TD3 meta-controller picks the weights every 10 steps (and on a mode change), the contextual PPO acts; the SLO guard puts the critical weights in force while the mode phase is, with evidence, over its SLA cap',
    source: 'models/meta-td3.json (configs/meta-td3.json, docs/META.md) over models/edge-rl-ppo.json (docs/AGENT.md); guard: src/meta/slo-guard.ts',
    settings: { metaCheckpoint: 'models/meta-td3.json', lowerCheckpoint: 'models/edge-rl-ppo.json', windowSteps: 10, deterministic: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S, ...SLO_GUARD_SETTINGS },
    create: (config) => createEdgeRlPolicy(config),
  },
  {
    id: 'edge-rl-no-calm',
    role: 'agent',
    description: 'edge-rl whose base rule keeps its latency headroom on calm load (forecast-sizing-no-calm under the PPO)',
    source: 'as edge-rl, baseCalm: null (docs/AGENT.md "Calm load")',
    settings: { metaCheckpoint: 'models/meta-td3.json', lowerCheckpoint: 'models/edge-rl-ppo.json', windowSteps: 10, deterministic: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S, baseCalm: 'off', ...SLO_GUARD_SETTINGS },
    create: (config) => new HierarchicalPolicy({ id: 'edge-rl-no-calm', baseCalm: null, sloGuard: SLO_GUARD_DEFAULTS, ...(config ? { config } : {}) }),
    inDefaultSet: false,
  },
  {
    id: 'edge-rl-no-guard',
    role: 'agent',
    description: 'edge-rl without the SLO guard (the shipped edge-rl of sessions 10-19)',
    source: 'as edge-rl, sloGuard: off (docs/META.md "The SLO guard")',
    settings: { metaCheckpoint: 'models/meta-td3.json', lowerCheckpoint: 'models/edge-rl-ppo.json', windowSteps: 10, deterministic: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S, sloGuard: 'off' },
    create: (config) => new HierarchicalPolicy({ id: 'edge-rl-no-guard', ...(config ? { config } : {}) }),
    inDefaultSet: false,
  },
  {
    id: 'rl-no-edge-meta',
    role: 'agent',
    description: 'ablation of edge-rl: its hierarchy trained and run without the edge (meta burst features and PPO edge features masked)',
    source: 'models/meta-td3-no-edge.json (configs/meta-td3-no-edge.json, docs/META.md) over models/rl-no-edge-ppo.json (docs/AGENT.md)',
    settings: { metaCheckpoint: 'models/meta-td3-no-edge.json', lowerCheckpoint: 'models/rl-no-edge-ppo.json', windowSteps: 10, deterministic: true, maskEdge: true, scaleDownHoldS: AGENT_SCALE_DOWN_HOLD_S, ...SLO_GUARD_SETTINGS },
    create: (config) => createNoEdgeMetaPolicy(config),
  },
];

const registry = new Map<string, PolicyEntry>();
for (const e of BUILTIN) registry.set(e.id, e);

/** Register another policy (RL agents, the oracle). Throws if the id is taken. */
export function registerPolicy(entry: PolicyEntry): void {
  if (registry.has(entry.id)) throw new Error(`registerPolicy: policy id '${entry.id}' is already registered`);
  registry.set(entry.id, entry);
}

/** Every registered id. */
export function policyIds(): string[] {
  return [...registry.keys()];
}

/** The ids `edgepilot bench` runs when --policies is not given. */
export function defaultPolicyIds(): string[] {
  return [...registry.values()].filter((e) => e.inDefaultSet !== false).map((e) => e.id);
}

export function getPolicyEntry(id: string): PolicyEntry {
  const e = registry.get(id);
  if (!e) throw new UnknownPolicyError(id, policyIds());
  return e;
}

/** The policy `id`, in the world `config` (default the built-in one). */
export function createPolicy(id: string, config?: SimConfig): Policy {
  return getPolicyEntry(id).create(config);
}

/** Shared by every baseline: how memory, tier and codec are chosen. */
export const SHARED_RESOURCE_SETTINGS = flat(SENSIBLE_DEFAULTS);

export class UnknownPolicyError extends Error {
  constructor(id: string, valid: string[]) {
    super(`unknown policy '${id}'; valid policies: ${valid.join(', ')}`);
    this.name = 'UnknownPolicyError';
  }
}
