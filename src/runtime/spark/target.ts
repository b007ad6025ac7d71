/**
 * `edgepilot serve --target spark-k8s`: wires the Spark on Kubernetes world into the control loop:
 *   AgentChannel (the HTTP endpoint the driver agent talks to)
 *   -> SparkMetricsSource (agent progress + the driver's monitoring REST API)
 *   -> SparkK8sActuator (live executor counts through the agent; gated restarts through the SparkApplication).
 * src/cli/serve.ts (engineer F) calls buildSparkK8sTarget; docs/DEPLOY.md shows the deployment.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type SimConfig } from '../../core/config.ts';
import type { Action } from '../../core/types.ts';
import type { Actuator, ForecastSource, MetricsSource } from '../../control/types.ts';
import { NO_FORECAST } from '../../edge/forecast-source.ts';
import { AgentChannel } from './agent-channel.ts';
import { KubernetesSparkAppApi, SparkK8sActuator, type SparkAppApi, type SparkApplicationObject } from './k8s-actuator.ts';
import { SparkMetricsSource } from './metrics-source.ts';
import { mergeEventSources, MqttAgentEvents } from './mqtt-progress.ts';
import { RestartGate } from './restart-gate.ts';
import { loadTlsFiles, TlsFileWatcher, type TlsFiles } from './tls-files.ts';
import { withoutPassword } from '../../core/url-for-log.ts';

export interface SparkK8sTargetOptions {
  namespace: string;
  app: string;
  dryRun: boolean;
  /** Shared secret with the driver agent (default: $EDGEPILOT_AGENT_TOKEN; a dry run without one makes an ephemeral one). */
  token?: string;
  /** Driver UI base URL; default: the operator's UI service from the SparkApplication status. */
  sparkUiUrl?: string;
  kubeconfig?: string;
  /** Port of the agent endpoint (default 7450), on all interfaces so the driver pod can reach it. */
  agentPort?: number;
  // Additive options (not in the original signature):
  /** Edge forecasts for the restart gate's burst rule (without them the gate sees no burst coming). */
  forecasts?: ForecastSource;
  agentHost?: string;
  /** Serve the agent endpoint over HTTPS with this certificate and key, re-read when they change (renewals). */
  agentTls?: TlsFiles;
  /** How often the TLS files are checked for a renewal (ms; default 60 s). */
  agentTlsCheckIntervalMs?: number;
  /** Also read the agent's progress from this MQTT broker (the agent's `mqtt=` option). */
  agentMqttUrl?: string;
  /** Topic of the agent's MQTT progress (default edgepilot/spark/<app>/progress). */
  agentMqttTopic?: string;
  scenario?: keyof SimConfig['scenarios'];
  config?: SimConfig;
  /** Replaces the Kubernetes client (tests). */
  api?: SparkAppApi;
  print?: (line: string) => void;
  warn?: (line: string) => void;
}

export interface SparkK8sTarget {
  metrics: MetricsSource;
  actuator: Actuator;
  close(): Promise<void>;
  // Additive: for serve's status page and tests.
  channel: AgentChannel;
  gate: RestartGate;
  /** With agentTls: the watcher that swaps in renewed files (checked on a timer; `check()` checks now). */
  tlsWatcher: TlsFileWatcher | null;
  /** Set or replace the forecast source after building (serve builds its ForecastSource separately). */
  setForecastSource(f: ForecastSource): void;
}

export const DEFAULT_AGENT_PORT = 7450;

/** Whether a listen address is reachable from this machine only (no token crosses a network to reach it). */
export function isLoopbackHost(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost';
}

function uiUrlFromStatus(app: SparkApplicationObject, namespace: string): string | undefined {
  const info = (app.status?.driverInfo ?? {}) as { webUIServiceName?: string; webUIPort?: number; webUIAddress?: string };
  // The UI service name is stable across restarts; the pod address is not (spark-k8s.md 1.1, 4.3).
  if (info.webUIServiceName) return `http://${info.webUIServiceName}.${namespace}.svc:${info.webUIPort ?? 4040}`;
  if (info.webUIAddress) return `http://${info.webUIAddress}`;
  return undefined;
}

export async function buildSparkK8sTarget(opts: SparkK8sTargetOptions): Promise<SparkK8sTarget> {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace ?? '')) throw new Error(`spark-k8s target: --namespace must be a Kubernetes name, got '${opts.namespace}'`);
  if (!/^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(opts.app ?? '')) throw new Error(`spark-k8s target: --app must be a SparkApplication name, got '${opts.app}'`);
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const warn = opts.warn ?? ((l: string) => process.stderr.write(`${l}\n`));
  const config = opts.config ?? loadConfig();
  let token = opts.token ?? process.env.EDGEPILOT_AGENT_TOKEN;
  if (!token) {
    if (!opts.dryRun) throw new Error('spark-k8s target: an agent token is required (--token or EDGEPILOT_AGENT_TOKEN, at least 16 characters)');
    token = randomBytes(24).toString('hex');
    warn('spark-k8s (dry-run): no agent token given; using an ephemeral one (no real agent can connect)');
  }

  let api: SparkAppApi;
  try {
    api = opts.api ?? KubernetesSparkAppApi.fromKubeconfig(opts.namespace, opts.app, opts.kubeconfig);
  } catch (err) {
    if (!opts.dryRun) throw err;
    const path = `/apis/sparkoperator.k8s.io/v1beta2/namespaces/${opts.namespace}/sparkapplications/${opts.app}`;
    const why = (err as Error).message;
    api = { path, get: async () => Promise.reject(new Error(`no Kubernetes client: ${why}`)), mergePatch: async () => Promise.reject(new Error('dry-run')) };
  }

  let sparkUiUrl = opts.sparkUiUrl;
  if (!sparkUiUrl) {
    try {
      sparkUiUrl = uiUrlFromStatus(await api.get(), opts.namespace);
    } catch (err) {
      warn(`spark-k8s: cannot read ${api.path} to find the Spark UI (${(err as Error).message}); executor metrics degrade to defaults`);
    }
  }

  // The watcher notes the files' state before they are read, so a renewal landing in between is still picked up.
  const tlsWatcher = opts.agentTls ? new TlsFileWatcher(opts.agentTls, (pair) => channel.reloadTls(pair), warn) : null;
  const tls = opts.agentTls ? loadTlsFiles(opts.agentTls) : undefined;
  const agentHost = opts.agentHost ?? '0.0.0.0';
  const channel = await AgentChannel.start({ token, port: opts.agentPort ?? DEFAULT_AGENT_PORT, host: agentHost, ...(tls ? { tls } : {}) });
  tlsWatcher?.start(opts.agentTlsCheckIntervalMs);
  if (!tls && !isLoopbackHost(agentHost)) {
    warn(`spark-k8s: the agent channel on ${agentHost} is plain HTTP: the agent's bearer token crosses the network in clear (--agent-tls-cert/--agent-tls-key serve HTTPS; docs/DEPLOY.md "TLS on the agent channel")`);
  }
  let mqtt: MqttAgentEvents | null = null;
  const agentMqttTopic = opts.agentMqttTopic ?? `edgepilot/spark/${opts.app}/progress`;
  if (opts.agentMqttUrl) {
    try {
      mqtt = await MqttAgentEvents.start({ mqttUrl: opts.agentMqttUrl, topic: agentMqttTopic, token });
    } catch (err) {
      tlsWatcher?.stop();
      await channel.close();
      throw err;
    }
  }
  const closeAll = async (): Promise<void> => {
    tlsWatcher?.stop();
    await mqtt?.close();
    await channel.close();
  };
  const gate = new RestartGate({ config, scenario: opts.scenario });
  let forecasts: ForecastSource | undefined = opts.forecasts;
  const fallback: Action = { executors: 2, memoryGb: config.cluster.initial.memoryGb, tier: config.shuffle.initialTier, codec: config.shuffle.initialCodec };
  let actionInForce: Action = fallback;
  const metrics = new SparkMetricsSource({
    events: mqtt ? mergeEventSources(channel, mqtt) : channel,
    sparkUiUrl,
    actionInForce: () => actionInForce,
    config,
    scenario: opts.scenario,
    warn,
    onRestartMeasured: (s) => gate.recordMeasuredDowntime(s),
  });
  const actuator = new SparkK8sActuator({
    api,
    agent: channel,
    gate,
    gateContext: () => (metrics.last ? { snapshot: metrics.last, forecast: forecasts?.latest() ?? NO_FORECAST } : null),
    dryRun: opts.dryRun,
    print,
    fallbackAction: fallback,
  });
  try {
    actionInForce = await actuator.current();
  } catch (err) {
    await closeAll();
    throw new Error(`spark-k8s target: cannot read ${api.path}: ${(err as Error).message}`);
  }
  // Keep the metrics source's view of memory/tier/codec in step with what the actuator brought into force.
  const tracked: Actuator = {
    id: actuator.id,
    apply: async (a) => {
      const r = await actuator.apply(a);
      actionInForce = r.action;
      return r;
    },
  };
  if (!forecasts) warn('spark-k8s: no forecast source given yet: the restart gate sees burst probability 0 until setForecastSource is called');
  print(`spark-k8s: agent endpoint ${channel.url} (POST /spark/progress, GET /spark/decisions); app ${opts.namespace}/${opts.app}${opts.dryRun ? ' (dry-run)' : ''}; in force ${JSON.stringify(actionInForce)}`);
  if (mqtt) print(`spark-k8s: agent progress also from MQTT ${withoutPassword(opts.agentMqttUrl!)} topic ${agentMqttTopic}`);
  return {
    metrics,
    actuator: tracked,
    channel,
    gate,
    tlsWatcher,
    setForecastSource: (f) => {
      forecasts = f;
    },
    close: closeAll,
  };
}
