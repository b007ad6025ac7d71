/**
 * Any policy behind the restart gate, as it runs on Spark on Kubernetes (docs/SPARK.md "The restart gate"). There the
 * actuator (src/runtime/spark/k8s-actuator.ts) applies executor counts live and lets a memory, codec or tier change
 * (a restart of the application) through only when the RestartGate allows it; a refused change is deferred and the
 * memory, codec and tier in force stay. This wrapper does the same in the simulator's 'spark-k8s' target
 * (`edgepilot bench --target spark-k8s --restart-gate`), so that the tournament scores what is deployed.
 *
 * One difference from the live gate: there the downtime estimate follows the restarts measured from the driver's
 * progress; here it keeps its starting value, driver restart + checkpoint recovery + median executor cold start, which
 * is what SparkIotEnv's spark-k8s target pauses for (src/env/spark-iot-env.ts).
 */
import type { SimConfig } from '../core/config.ts';
import { loadConfig } from '../core/config.ts';
import type { Action } from '../core/types.ts';
import { RestartGate } from '../runtime/spark/restart-gate.ts';
import { restartClassChanged } from '../runtime/spark/spark-conf.ts';
import type { Policy, PolicyContext } from './types.ts';

export class RestartGatedPolicy implements Policy {
  readonly id: string;
  readonly clairvoyant?: boolean;
  private readonly config: SimConfig;
  private gate: RestartGate | null = null;
  private gateScenario: string | null = null;
  private lastReason: string | null = null;
  /** Restart-class changes the inner policy proposed in this run, and how many the gate let through. */
  proposedRestarts = 0;
  allowedRestarts = 0;

  constructor(private readonly inner: Policy, config?: SimConfig) {
    this.id = inner.id;
    if (inner.clairvoyant) this.clairvoyant = true;
    this.config = config ?? loadConfig();
  }

  reset(seed: number): void {
    this.inner.reset(seed);
    // A new run is a new application: no restart yet, the downtime estimate starts over.
    this.gate = null;
    this.gateScenario = null;
    this.lastReason = null;
    this.proposedRestarts = this.allowedRestarts = 0;
  }

  private gateFor(scenario: string): RestartGate {
    if (this.gate === null || this.gateScenario !== scenario) {
      if (!Object.hasOwn(this.config.scenarios, scenario)) {
        throw new Error(`RestartGatedPolicy(${this.id}): the restart gate needs one of the scenarios ${Object.keys(this.config.scenarios).join(', ')}; the env says ${JSON.stringify(scenario)}`);
      }
      this.gate = new RestartGate({ config: this.config, scenario: scenario as keyof SimConfig['scenarios'] });
      this.gateScenario = scenario;
    }
    return this.gate;
  }

  act(obs: Float32Array, context: PolicyContext): Action {
    const proposed = this.inner.act(obs, context);
    const current = context.currentAction;
    this.lastReason = null;
    if (!restartClassChanged(current, proposed)) return proposed;
    this.proposedRestarts++;
    const gate = this.gateFor(context.scenario);
    const nowS = context.snapshot.tSeconds;
    const verdict = gate.evaluate({ nowS, current, proposed, snapshot: context.snapshot, forecast: context.forecast });
    this.lastReason = verdict.reason;
    if (verdict.allow) {
      gate.recordRestart(nowS);
      this.allowedRestarts++;
      return proposed;
    }
    // Deferred: the executor count goes through (it is live on Spark), memory, codec and tier stay as they are.
    return { ...proposed, memoryGb: current.memoryGb, tier: current.tier, codec: current.codec };
  }

  explain(): string[] {
    return [...(this.lastReason ? [this.lastReason] : []), ...(this.inner.explain?.() ?? [])];
  }
}
