/**
 * The dashboard side of a live ControlLoop, shared by `edgepilot demo` and `edgepilot serve`: the DashboardHub with
 * the run's info, the decision feed (SLA violations counted at the scenario's target; the weights edge-rl's
 * meta-controller chose itself shown instead of the loop's; rates at the engine's own scale), and the
 * token-guarded policy and mode switches, which swap or retune the ModeContextPolicy the loop runs.
 */
import type { ControlLoop } from '../control/control-loop.ts';
import { DashboardHub } from '../dashboard/state.ts';
import { MODES } from '../meta/modes.ts';
import { createPolicy, policyIds } from '../policies/registry.ts';
import { ModeContextPolicy, unscaleRecord } from './demo-support.ts';

/** Policies that cannot run live: the oracle needs the future, seed-* policies act on the seed-compat env. */
export const NOT_LIVE_POLICIES: ReadonlySet<string> = new Set(['oracle']);

/** Ids the dashboard may switch to. */
export function livePolicyIds(): string[] {
  return policyIds().filter((id) => !NOT_LIVE_POLICIES.has(id) && !id.startsWith('seed-'));
}

export interface LiveDashboardOptions {
  scenario: string;
  /** The policy id the run starts with. */
  policyId: string;
  slaP95LatencyMs: number;
  budgetUsdPerHour: number;
  /** The loop sees the engine's rates times this (the simulator's scale); the dashboard shows the engine's own. */
  rateScale: number;
  notes: string[];
  /** Told of each switch made from the dashboard (after it took effect). */
  log?: (line: string) => void;
}

export interface LiveDashboard {
  hub: DashboardHub;
  /** Decisions so far whose interval violated the SLA (p95 over the target, or drops). */
  slaViolations(): number;
  setPolicy(id: string): void;
  setMode(mode: string): void;
}

/** Binds a hub to `loop`, which runs `policy`; the returned switches are the dashboard server's controls. */
export function bindLiveDashboard(loop: ControlLoop, policy: ModeContextPolicy, opts: LiveDashboardOptions): LiveDashboard {
  let modePolicy = policy;
  let slaViolations = 0;
  const hub = new DashboardHub({
    info: {
      scenario: opts.scenario,
      policy: opts.policyId,
      mode: 'normal',
      slaP95LatencyMs: opts.slaP95LatencyMs,
      policies: livePolicyIds(),
      modes: [...MODES],
      notes: opts.notes,
    },
  });
  loop.onDecision((record) => {
    if (record.snapshot.p95LatencyMs > opts.slaP95LatencyMs || record.snapshot.droppedMsgs > 0) slaViolations++;
    const own = modePolicy.ownWeights();
    const shown = own ? { ...record, weights: own } : record;
    hub.recordDecision(opts.rateScale === 1 ? shown : unscaleRecord(shown, opts.rateScale));
  });
  return {
    hub,
    slaViolations: () => slaViolations,
    setPolicy: (id) => {
      // The run's world model (a --config file's prices, SLAs, scenarios), as for the policy the run started with.
      const next = new ModeContextPolicy(createPolicy(id, loop.config), opts.budgetUsdPerHour);
      next.setMode(modePolicy.mode);
      modePolicy = next;
      loop.setPolicy(next);
      opts.log?.(`policy switched to ${id} from the dashboard`);
    },
    setMode: (mode) => {
      modePolicy.setMode(mode);
      opts.log?.(`operating mode set to ${mode} from the dashboard`);
    },
  };
}
