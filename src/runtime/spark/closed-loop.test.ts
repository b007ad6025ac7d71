/**
 * The closed loop, end to end: ControlLoop (src/control) -> SparkK8sActuator -> {AgentChannel over HTTP -> a fake
 * driver agent speaking the agent protocol, a fake SparkApplication API} -> SparkIotEnv in its 'spark-k8s' target
 * standing in for Spark (executor counts live, memory/codec/tier changes restart it) -> progress events over HTTP ->
 * SparkMetricsSource -> ControlLoop. A policy that keeps proposing configuration changes is run twice: with the
 * restart gate, and with an actuator that patches on every decision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlLoop, type ControlClock } from '../../control/control-loop.ts';
import type { Action, EdgeForecast, SystemSnapshot } from '../../core/types.ts';
import { SparkIotEnv, type SparkK8sStepInfo } from '../../env/spark-iot-env.ts';
import type { StepRecord } from '../../env/spark-iot-types.ts';
import type { Policy, PolicyContext } from '../../policies/types.ts';
import { createPolicy } from '../../policies/registry.ts';
import { AgentChannel, signBody } from './agent-channel.ts';
import { SparkK8sActuator, type SparkAppApi, type SparkApplicationObject } from './k8s-actuator.ts';
import { SparkMetricsSource } from './metrics-source.ts';
import { RestartGate } from './restart-gate.ts';
import { actionFromSparkApplication } from './spark-conf.ts';

const TOKEN = 'closed-loop-test-token-0123';
const DEFAULT_STEPS = 60;
const STEP_MS = 10_000;

/** Sizes executors for the forecast like a sensible autoscaler, and keeps "tuning" memory and codec every 3rd tick. */
class RestlessPolicy implements Policy {
  readonly id = 'restless';
  private n = 0;
  reset(): void {
    this.n = 0;
  }
  act(_obs: Float32Array, c: PolicyContext): Action {
    this.n++;
    const rate = Math.max(c.snapshot.arrivalRateMsgsPerS, c.forecast.predictedRateMsgsPerS) + c.snapshot.backlogMsgs / 30;
    const executors = Math.min(20, Math.max(1, Math.ceil((1.3 * rate) / c.executorCapacityMsgsPerS)));
    const flip = this.n % 3 === 0;
    const cur = c.currentAction;
    return { executors, memoryGb: flip ? (cur.memoryGb === 4 ? 5 : 4) : cur.memoryGb, tier: cur.tier, codec: flip ? (cur.codec === 'lz4' ? 'zstd' : 'lz4') : cur.codec };
  }
}

/** The driver agent's protocol, spoken by the test (the Python agent speaks the same one: python-agent.test.ts). */
class FakeDriverAgent {
  lastSeq = 0;
  constructor(private readonly url: string, public executors: number, private readonly nowMs: () => number) {}

  async poll(): Promise<void> {
    const r = await fetch(`${this.url}/spark/decisions?after=${this.lastSeq}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const text = await r.text();
    assert.equal(r.headers.get('x-edgepilot-signature'), signBody(TOKEN, r.headers.get('x-edgepilot-timestamp')!, text));
    const { decision } = JSON.parse(text) as { decision: { seq: number; executors: number; expiresAtMs: number } | null };
    if (!decision || decision.seq <= this.lastSeq || decision.expiresAtMs <= this.nowMs()) return;
    this.lastSeq = decision.seq;
    this.executors = decision.executors; // requestTotalExecutors / killExecutors in a real driver
    await this.post('/spark/applied', { seq: decision.seq, executors: decision.executors, ok: true, detail: 'fake' });
  }

  async post(path: string, body: unknown): Promise<void> {
    const text = JSON.stringify(body);
    const ts = String(this.nowMs());
    const r = await fetch(this.url + path, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'x-edgepilot-timestamp': ts, 'x-edgepilot-signature': signBody(TOKEN, ts, text) }, body: text });
    assert.equal(r.status, 202);
  }
}

/** The SparkApplication and the operator: a spec change restarts the world with the new memory/tier/codec. */
class FakeOperator implements SparkAppApi {
  readonly path = '/apis/sparkoperator.k8s.io/v1beta2/namespaces/streaming/sparkapplications/iot';
  obj: SparkApplicationObject;
  restarts = 0;
  private rv = 1;
  constructor(a: Action) {
    this.obj = { metadata: { name: 'iot', resourceVersion: '1', annotations: { 'edgepilot.io/action': JSON.stringify(a) } }, spec: {} };
  }
  async get(): Promise<SparkApplicationObject> {
    return structuredClone(this.obj);
  }
  async mergePatch(body: Record<string, unknown>): Promise<SparkApplicationObject> {
    const md = body.metadata as { resourceVersion?: string; annotations: Record<string, string> };
    assert.equal(md.resourceVersion, this.obj.metadata!.resourceVersion, 'every patch is guarded by the current resourceVersion');
    this.rv++;
    this.obj = { metadata: { ...this.obj.metadata, resourceVersion: String(this.rv), annotations: md.annotations }, spec: body.spec as Record<string, unknown> };
    this.restarts++;
    return structuredClone(this.obj);
  }
  worldSettings(fallback: Action): Pick<Action, 'memoryGb' | 'tier' | 'codec'> {
    const { memoryGb, tier, codec } = actionFromSparkApplication(this.obj, fallback).action;
    return { memoryGb, tier, codec };
  }
}

function progressFrom(rec: StepRecord, simMs: number, runId: string, offsets: { consumed: number }): Record<string, unknown> {
  const rows = Math.round(rec.processedRateMsgsPerS * 10);
  offsets.consumed += rows;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    id: 'q-iot', runId, name: 'iot-agg', timestamp: iso(simMs - 1000), batchId: rec.step, numInputRows: rows,
    inputRowsPerSecond: rec.arrivalRateMsgsPerS, processedRowsPerSecond: rec.processedRateMsgsPerS,
    durationMs: { triggerExecution: 1000 },
    // The oldest event of the batch: its end-to-end latency is the step's p95 (the simulator's ground truth).
    eventTime: { min: iso(simMs - rec.p95LatencyMs) },
    sources: [{ description: 'KafkaV2[Subscribe[iot]]', endOffset: { iot: { 0: offsets.consumed } }, latestOffset: { iot: { 0: offsets.consumed + Math.round(rec.backlogMsgs) } }, numInputRows: rows, metrics: { avgOffsetsBehindLatest: String(rec.backlogMsgs) } }],
    sink: { description: 'ForeachBatchSink', numOutputRows: -1 },
  };
}

/**
 * The driver UI's monitoring REST API over the simulated world: the executors list (heap from the working set) and one
 * completed stage per interval whose memoryBytesSpilled is what did not fit in executor memory.
 */
function fakeSparkUi(snapshot: () => SystemSnapshot): { fetch: typeof fetch; completeInterval(): void } {
  const APP = 'spark-00000000000000000000000000000001';
  const stages: Array<Record<string, unknown>> = [];
  const GiB = 2 ** 30;
  const routes: Record<string, () => unknown> = {
    '/api/v1/applications': () => [{ id: APP, name: 'iot', attempts: [{ completed: false }] }],
    [`/api/v1/applications/${APP}/executors`]: () => {
      const s = snapshot();
      const heap = Math.min(1, s.memoryUtilization) * s.memoryPerExecutorGb * GiB;
      const list: Array<Record<string, unknown>> = [{ id: 'driver', isActive: true, totalCores: 0 }];
      for (let i = 1; i <= s.executorsRunning; i++) list.push({ id: String(i), isActive: true, totalCores: 4, activeTasks: 1, totalDuration: 0, totalShuffleWrite: 0, maxMemory: 0, peakMemoryMetrics: { JVMHeapMemory: heap } });
      return list;
    },
    [`/api/v1/applications/${APP}/stages`]: () => [...stages].reverse(),
  };
  return {
    fetch: (async (input: string | URL | Request) => {
      const route = routes[new URL(String(input)).pathname];
      return route ? new Response(JSON.stringify(route()), { status: 200 }) : new Response('{}', { status: 404 });
    }) as typeof fetch,
    completeInterval: () => {
      const s = snapshot();
      const spilled = Math.max(0, s.memoryUtilization - 1) * s.memoryPerExecutorGb * GiB * s.executorsRunning;
      stages.push({ status: 'COMPLETE', stageId: stages.length, attemptId: 0, memoryBytesSpilled: spilled, diskBytesSpilled: spilled / 3 });
    },
  };
}

interface LoopResult { violatedSteps: number[]; restarts: number; slaViolationShare: number; deferred: number; maxP95Ms: number; liveChanges: number; acks: number }

/** Sizes executors like RestlessPolicy, and always asks for 8 GB executors. */
class BigMemoryPolicy extends RestlessPolicy {
  override act(obs: Float32Array, c: PolicyContext): Action {
    return { ...super.act(obs, c), memoryGb: 8, codec: c.currentAction.codec };
  }
}

async function runClosedLoop(gated: boolean, seed: number, opts: { policy?: Policy; steps?: number; initialMemoryGb?: number } = {}): Promise<LoopResult> {
  const STEPS = opts.steps ?? DEFAULT_STEPS;
  let simMs = 1_767_225_600_000;
  const nowMs = (): number => simMs;
  const env = new SparkIotEnv({ scenario: 'balanced', maxSteps: STEPS, target: 'spark-k8s', config: opts.initialMemoryGb ? { cluster: { initial: { memoryGb: opts.initialMemoryGb } } } : {} });
  const reset = env.reset({ seed });
  let info = reset.info as { action: Action; forecast: EdgeForecast; snapshot: SystemSnapshot };
  const channel = await AgentChannel.start({ token: TOKEN, nowMs });
  try {
    const operator = new FakeOperator(info.action);
    const driver = new FakeDriverAgent(channel.url, info.action.executors, nowMs);
    let inForce = info.action;
    const gate = gated ? new RestartGate({ config: env.config }) : undefined;
    const ui = fakeSparkUi(() => info.snapshot);
    const metrics = new SparkMetricsSource({ events: channel, sparkUiUrl: 'http://iot-ui-svc.streaming.svc:4040', fetch: ui.fetch, actionInForce: () => inForce, config: env.config, nowMs, warn: () => {}, onRestartMeasured: (s) => gate?.recordMeasuredDowntime(s) });
    const actuator = new SparkK8sActuator({ api: operator, agent: channel, gate, gateContext: () => (metrics.last ? { snapshot: metrics.last, forecast: info.forecast } : null), nowS: () => simMs / 1000, sleep: async () => {}, print: () => {} });
    const clock: ControlClock = { nowMs, setInterval: () => 0, clearInterval: () => {} };
    const loop = new ControlLoop({ metrics, forecasts: { latest: () => info.forecast }, actuator: { id: actuator.id, apply: async (a) => { const r = await actuator.apply(a); inForce = r.action; return r; } }, policy: opts.policy ?? new RestlessPolicy(), scenario: 'balanced', config: env.config, clock, log: () => {} });
    const offsets = { consumed: 0 };
    let runs = 0;
    let lastRestarts = 0;
    await driver.post('/spark/progress', { event: 'progress', progress: progressFrom({ ...(info.snapshot as unknown as StepRecord), step: -1 }, simMs, `run-${runs}`, offsets) });
    let violations = 0;
    const violatedSteps: number[] = [];
    let maxP95Ms = 0;
    for (let i = 0; i < STEPS; i++) {
      await loop.tick();
      await driver.poll();
      const world: Action = { executors: driver.executors, ...operator.worldSettings(info.action) };
      const r = env.stepAction(world);
      simMs += STEP_MS;
      info = r.info as typeof info;
      ui.completeInterval();
      const rec = r.info.record as StepRecord;
      const k8s = r.info.sparkK8s as SparkK8sStepInfo;
      if (k8s.restarts !== lastRestarts) runs++;
      lastRestarts = k8s.restarts;
      if (rec.slaViolated) {
        violations++;
        violatedSteps.push(i);
      }
      maxP95Ms = Math.max(maxP95Ms, rec.p95LatencyMs);
      // A restarting driver posts nothing; after it, progress comes from a new run of the same query.
      if (rec.tSeconds > k8s.pausedUntilS) await driver.post('/spark/progress', { event: 'progress', progress: progressFrom(rec, simMs, `run-${runs}`, offsets) });
    }
    assert.equal(operator.restarts, env.restartCount, 'every patch became exactly one restart of the world');
    return { violatedSteps, restarts: operator.restarts, slaViolationShare: violations / STEPS, deferred: gate?.restartsRefused ?? 0, maxP95Ms, liveChanges: actuator.liveChanges, acks: channel.lastAck ? 1 : 0 };
  } finally {
    await channel.close();
  }
}

test('closed loop: the gated controller keeps the SLA with fewer restarts than one that patches on every decision', async () => {
  for (const seed of [3, 11]) {
    const gated = await runClosedLoop(true, seed);
    const every = await runClosedLoop(false, seed);
    const msg = `seed ${seed}: gated ${JSON.stringify({ ...gated, violatedSteps: undefined })} vs patch-every ${JSON.stringify({ ...every, violatedSteps: undefined })}`;
    if (process.env.EDGEPILOT_VERBOSE) console.log(msg);
    assert.ok(gated.liveChanges > 0 && gated.acks === 1, `executor counts went live through the agent: ${msg}`);
    assert.ok(every.restarts >= 20, `the restless policy asks for a restart every 3rd decision: ${msg}`);
    assert.ok(gated.restarts <= 2, `the gate lets at most a couple through: ${msg}`);
    assert.ok(gated.deferred > 0, msg);
    assert.ok(gated.slaViolationShare <= 0.1, `the gated loop stays within the SLA (<= 10 % of intervals): ${msg}`);
    assert.ok(every.slaViolationShare > gated.slaViolationShare + 0.3, `restarting on every decision wrecks the SLA: ${msg}`);
  }
});

test('closed loop: a restart that pays (spilling 1 GB executors -> 8 GB) goes through the gate once', async () => {
  const r = await runClosedLoop(true, 5, { policy: new BigMemoryPolicy(), steps: 40, initialMemoryGb: 1 });
  if (process.env.EDGEPILOT_VERBOSE) console.log(JSON.stringify(r));
  assert.equal(r.restarts, 1, JSON.stringify(r));
  // Spilling 1 GB executors violate the SLA until the restart; after it (and its catch-up) the job keeps the SLA.
  const late = r.violatedSteps.filter((i) => i >= 20).length;
  assert.ok(r.violatedSteps.filter((i) => i < 20).length >= 5, JSON.stringify(r));
  assert.ok(late <= 1, `after the restart: ${JSON.stringify(r)}`);
});

test('closed loop: the shipped edge-rl, trained on the embedded engine, keeps the SLA on Spark behind the gate and wrecks it when every restart is patched', async () => {
  // The bench's finding (`bench --target spark-k8s [--restart-gate]`, docs/BENCHMARKS.md), here through the live path.
  for (const seed of [3, 11]) {
    const gated = await runClosedLoop(true, seed, { policy: createPolicy('edge-rl') });
    const every = await runClosedLoop(false, seed, { policy: createPolicy('edge-rl') });
    const msg = `seed ${seed}: gated ${JSON.stringify({ ...gated, violatedSteps: undefined })} vs patch-every ${JSON.stringify({ ...every, violatedSteps: undefined })}`;
    if (process.env.EDGEPILOT_VERBOSE) console.log(msg);
    assert.ok(every.restarts >= 10, `the agent asks for memory, codec or tier changes often: ${msg}`);
    assert.ok(gated.restarts <= 2, msg);
    assert.ok(gated.slaViolationShare <= 0.1, msg);
    assert.ok(every.slaViolationShare >= 0.5, msg);
  }
});
