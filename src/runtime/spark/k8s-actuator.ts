/**
 * SparkK8sActuator: carries a decision into a Spark 3.5 Structured Streaming application run by the kubeflow Spark
 * Operator.
 *   - Executor count: LIVE, through the driver agent channel (the agent calls SparkContext.requestTotalExecutors /
 *     killExecutors in the driver; nothing restarts).
 *   - Memory per executor, codec, shuffle storage: a JSON merge patch of the SparkApplication (this restarts the
 *     application: spark-k8s.md 4.4), only when the RestartGate allows it; otherwise deferred and kept as it is.
 * The patch is guarded: it embeds the resourceVersion just read (S-K87951), so a concurrent change answers 409 and we
 * re-read and retry; 5xx/429 are retried with exponential back-off (or Retry-After); other 4xx fail at once. Before
 * every attempt the object is re-read and, if it already carries the action (a PATCH whose response was lost),
 * nothing is sent again: the application is never restarted twice for one decision.
 * Dry-run: every decision is printed with the exact patch / agent command it would send; nothing is sent.
 */
import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { validateAction } from '../../core/action.ts';
import type { Action, EdgeForecast, SystemSnapshot } from '../../core/types.ts';
import type { Actuator, AppliedAction } from '../../control/types.ts';
import { parseK8sStatus } from './formats.ts';
import type { RestartGate } from './restart-gate.ts';
import { ACTION_ANNOTATION, actionFromSparkApplication, agentCommand, restartClassChanged, sparkApplicationPatch, type SparkConfOptions } from './spark-conf.ts';

export const SPARK_APP_GROUP = 'sparkoperator.k8s.io';
export const SPARK_APP_VERSION = 'v1beta2';
export const SPARK_APP_PLURAL = 'sparkapplications';

/** A SparkApplication as the API returns it (only what we read). */
export interface SparkApplicationObject {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** An API failure with the HTTP status and the Kubernetes Status reason. */
export class K8sApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly retryAfterS?: number) {
    super(message);
    this.name = 'K8sApiError';
  }
}

/** The Kubernetes API subset the actuator uses: GET and merge-PATCH of one SparkApplication. */
export interface SparkAppApi {
  readonly path: string;
  get(): Promise<SparkApplicationObject>;
  mergePatch(body: Record<string, unknown>): Promise<SparkApplicationObject>;
}

function toK8sError(err: unknown, what: string): Error {
  if (err instanceof ApiException) {
    const st = parseK8sStatus(err.body);
    return new K8sApiError(err.code, st?.reason ?? '', `${what}: HTTP ${err.code}${st ? ` ${st.reason}: ${st.message}` : ''}`, st?.retryAfterS);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** SparkAppApi over @kubernetes/client-node 1.4 CustomObjectsApi (merge patch via setHeaderOptions, spark-k8s.md 5.5). */
export class KubernetesSparkAppApi implements SparkAppApi {
  readonly path: string;
  private readonly api: CustomObjectsApi;
  private readonly ref: { group: string; version: string; namespace: string; plural: string; name: string };

  constructor(kc: KubeConfig, namespace: string, name: string) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.ref = { group: SPARK_APP_GROUP, version: SPARK_APP_VERSION, namespace, plural: SPARK_APP_PLURAL, name };
    this.path = `/apis/${SPARK_APP_GROUP}/${SPARK_APP_VERSION}/namespaces/${namespace}/${SPARK_APP_PLURAL}/${name}`;
  }

  /** From a kubeconfig file, or the default chain (KUBECONFIG, ~/.kube/config, in-cluster service account). */
  static fromKubeconfig(namespace: string, name: string, kubeconfig?: string): KubernetesSparkAppApi {
    const kc = new KubeConfig();
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
    return new KubernetesSparkAppApi(kc, namespace, name);
  }

  async get(): Promise<SparkApplicationObject> {
    try {
      return (await this.api.getNamespacedCustomObject(this.ref)) as SparkApplicationObject;
    } catch (err) {
      throw toK8sError(err, `GET ${this.path}`);
    }
  }

  async mergePatch(body: Record<string, unknown>): Promise<SparkApplicationObject> {
    try {
      return (await this.api.patchNamespacedCustomObject({ ...this.ref, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as SparkApplicationObject;
    } catch (err) {
      throw toK8sError(err, `PATCH ${this.path}`);
    }
  }
}

/** Where live executor-count decisions go (AgentChannel). */
export interface LiveExecutorChannel {
  publishDecision(executors: number, reason?: string): { seq: number };
}

export interface SparkK8sActuatorOptions {
  api: SparkAppApi;
  agent: LiveExecutorChannel;
  /** Restart-class changes pass only when the gate allows them; without a gate every one is patched. */
  gate?: RestartGate;
  /** What the gate decides on: the last snapshot and forecast (null: not known yet, restarts are deferred). */
  gateContext?: () => { snapshot: SystemSnapshot; forecast: EdgeForecast } | null;
  dryRun?: boolean;
  /** Dry-run output (default stdout). */
  print?: (line: string) => void;
  /** The action in force when the SparkApplication cannot be read at start (dry-run without a cluster). */
  fallbackAction?: Action;
  confOptions?: Partial<SparkConfOptions>;
  /**
   * Re-send the executor count in force when no decision went out for this long (s): decisions expire at the agent
   * (60 s), so a driver that restarted or missed one is brought back to the count the controller believes in.
   */
  refreshS?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  nowS?: () => number;
}

const RETRYABLE = (code: number): boolean => code === 429 || code >= 500;

export class SparkK8sActuator implements Actuator {
  readonly id: string;
  private readonly o: SparkK8sActuatorOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly nowS: () => number;
  private readonly print: (line: string) => void;
  private inForce: Action | null = null;
  private lastPublishedS = -Infinity;
  /** Counters (tests, /metrics). */
  patchesSent = 0;
  conflicts = 0;
  retries = 0;
  restarts = 0;
  liveChanges = 0;
  patchFailures = 0;

  constructor(opts: SparkK8sActuatorOptions) {
    this.o = opts;
    this.id = opts.dryRun ? 'spark-k8s-dry-run' : 'spark-k8s';
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.nowS = opts.nowS ?? (() => Date.now() / 1000);
    this.print = opts.print ?? ((line) => process.stdout.write(`${line}\n`));
  }

  /** The action in force (read from the SparkApplication on first use). */
  async current(): Promise<Action> {
    if (this.inForce) return { ...this.inForce };
    const fallback = this.o.fallbackAction ?? { executors: 2, memoryGb: 4, tier: 'nvme', codec: 'lz4' };
    try {
      const { action, unknown } = actionFromSparkApplication(await this.getWithRetry(), fallback, this.o.confOptions);
      if (unknown.length) this.print(`spark-k8s: could not read ${unknown.join(', ')} from ${this.o.api.path}; assuming ${JSON.stringify(fallback)}`);
      this.inForce = action;
    } catch (err) {
      if (!this.o.dryRun) throw err;
      this.print(`spark-k8s (dry-run): cannot read ${this.o.api.path} (${(err as Error).message}); assuming ${JSON.stringify(fallback)}`);
      this.inForce = { ...fallback };
    }
    return { ...this.inForce };
  }

  async apply(action: Action): Promise<AppliedAction> {
    validateAction(action);
    const current = await this.current();
    const next: Action = { ...current };
    const notes: string[] = [];
    const dry = this.o.dryRun === true;
    let live = false;
    let restarted = false;

    if (action.executors !== current.executors) {
      const cmd = agentCommand(action);
      if (dry) {
        this.print(`dry-run: agent decision ${JSON.stringify(cmd)} (GET /spark/decisions would serve it)`);
        notes.push(`would send agent decision ${JSON.stringify(cmd)}`);
      } else {
        const d = this.o.agent.publishDecision(action.executors, `executors ${current.executors} -> ${action.executors}`);
        notes.push(`agent decision seq ${d.seq}: executors ${current.executors} -> ${action.executors} (live)`);
        this.liveChanges++;
        this.lastPublishedS = this.nowS();
      }
      next.executors = action.executors;
      live = true;
    } else if (!dry && this.nowS() - this.lastPublishedS >= (this.o.refreshS ?? 30)) {
      const d = this.o.agent.publishDecision(current.executors, 'refresh');
      notes.push(`agent decision seq ${d.seq}: executors ${current.executors} (refresh, unchanged)`);
      this.lastPublishedS = this.nowS();
    }

    if (restartClassChanged(current, action)) {
      const ctx = this.o.gateContext?.() ?? null;
      const gate = this.o.gate;
      const verdict = !gate
        ? { allow: true, reason: 'no restart gate: patching' }
        : ctx
          ? gate.evaluate({ nowS: this.nowS(), current, proposed: action, snapshot: ctx.snapshot, forecast: ctx.forecast })
          : { allow: false, reason: 'restart deferred: no snapshot yet' };
      notes.push(verdict.reason);
      if (verdict.allow) {
        const target = { ...action };
        if (dry) {
          let rv: string | undefined;
          try {
            rv = (await this.o.api.get()).metadata?.resourceVersion;
          } catch {
            rv = undefined;
          }
          const patch = sparkApplicationPatch(target, this.o.confOptions, rv);
          this.print(`dry-run: PATCH ${this.o.api.path} (Content-Type: application/merge-patch+json; restarts the application)\n${JSON.stringify(patch)}`);
          notes.push('would patch the SparkApplication (restart)');
          Object.assign(next, { memoryGb: target.memoryGb, tier: target.tier, codec: target.codec });
          restarted = true;
        } else {
          try {
            const sent = await this.patchGuarded(target);
            notes.push(sent ? `patched ${this.o.api.path} (restart)` : `${this.o.api.path} already carries this action: not patched again`);
            Object.assign(next, { memoryGb: target.memoryGb, tier: target.tier, codec: target.codec });
            restarted = true;
            this.restarts++;
            gate?.recordRestart(this.nowS());
          } catch (err) {
            this.patchFailures++;
            notes.push(`restart patch failed, previous memory/tier/codec stay in force: ${(err as Error).message}`);
          }
        }
      }
    }

    this.inForce = next;
    const path: AppliedAction['path'] = dry ? 'dry-run' : restarted ? 'restart' : live ? 'live' : 'noop';
    return { action: { ...next }, path, notes };
  }

  /** GET, retrying 5xx/429 with back-off. */
  private async getWithRetry(): Promise<SparkApplicationObject> {
    const attempts = this.o.maxAttempts ?? 6;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.o.api.get();
      } catch (err) {
        if (!(err instanceof K8sApiError && RETRYABLE(err.code)) || attempt + 1 >= attempts) throw err;
        this.retries++;
        await this.sleep(backoffMs(attempt, this.o.baseBackoffMs ?? 250, this.o.maxBackoffMs ?? 8000, err.retryAfterS));
      }
    }
  }

  /** GET + guarded merge PATCH with retries. Returns false when the object already carried the action. */
  private async patchGuarded(target: Action): Promise<boolean> {
    const attempts = this.o.maxAttempts ?? 6;
    const base = this.o.baseBackoffMs ?? 250;
    const cap = this.o.maxBackoffMs ?? 8000;
    let lastErr: Error = new Error('no attempt made');
    for (let attempt = 0; attempt < attempts; attempt++) {
      let obj: SparkApplicationObject;
      try {
        obj = await this.o.api.get();
      } catch (err) {
        lastErr = err as Error;
        if (err instanceof K8sApiError && RETRYABLE(err.code)) {
          this.retries++;
          await this.sleep(backoffMs(attempt, base, cap, err.retryAfterS));
          continue;
        }
        throw err;
      }
      if (carries(obj, target)) return false;
      const rv = obj.metadata?.resourceVersion;
      try {
        this.patchesSent++;
        await this.o.api.mergePatch(sparkApplicationPatch(target, this.o.confOptions, rv));
        return true;
      } catch (err) {
        lastErr = err as Error;
        if (err instanceof K8sApiError && err.code === 409) {
          // Someone changed the object since our GET: re-read and retry (the re-read also catches our own write).
          this.conflicts++;
          continue;
        }
        if (err instanceof K8sApiError && RETRYABLE(err.code)) {
          this.retries++;
          await this.sleep(backoffMs(attempt, base, cap, err.retryAfterS));
          continue;
        }
        throw err;
      }
    }
    throw new Error(`gave up after ${attempts} attempts: ${lastErr.message}`);
  }
}

function backoffMs(attempt: number, baseMs: number, capMs: number, retryAfterS?: number): number {
  if (retryAfterS !== undefined && retryAfterS > 0) return Math.min(capMs, retryAfterS * 1000);
  return Math.min(capMs, baseMs * 2 ** attempt);
}

/** The object already runs `target`'s restart-class settings (our annotation says so). */
function carries(obj: SparkApplicationObject, target: Action): boolean {
  const raw = obj.metadata?.annotations?.[ACTION_ANNOTATION];
  if (!raw) return false;
  try {
    const a = JSON.parse(raw) as Action;
    return a.memoryGb === target.memoryGb && a.tier === target.tier && a.codec === target.codec;
  } catch {
    return false;
  }
}
