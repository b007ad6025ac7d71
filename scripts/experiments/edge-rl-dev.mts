/**
 * `edge-rl` (the hierarchy whose models sit in this checkout's models/) on development worlds: the four scenarios,
 * synthetic and on the Azure event log and Twitter traces, SLA violation %, cost and the normal mode's objective J per
 * run (means over seeds). `--meta FILE` runs a candidate meta-controller (a checkpoint or an ensemble manifest, with
 * its own observation variant) over the shipped PPO instead of the shipped one
 * (scripts/experiments/eval-hierarchy.sh does the same on the tournament's worlds).
 * `--no-guard` runs it without the SLO guard (src/meta/slo-guard.ts, docs/META.md "The SLO guard"; `edge-rl` has it since session 20).
 * Run: node --import tsx scripts/experiments/edge-rl-dev.mts [--seeds 8] [--seed-base 30000] [--meta FILE] [--no-guard]
 */
import './stdout-pipe.ts';
import { createPolicy } from '../../src/policies/registry.ts';
import { HierarchicalPolicy } from '../../src/meta/hierarchical-policy.ts';
import { DEV_STEPS, printDevTable } from './dev-worlds.ts';
import { flag } from './flag.ts';
import { SLO_GUARD_DEFAULTS } from '../../src/meta/slo-guard.ts';

const seeds = Number(flag('--seeds', '8'));
const seedBase = Number(flag('--seed-base', '30000'));
const meta = flag('--meta', '');
if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${seeds}`);
const guard = !process.argv.includes('--no-guard');
const makePolicy = () => (meta || !guard ? new HierarchicalPolicy({ id: 'edge-rl', ...(meta ? { metaCheckpointPath: meta } : {}), ...(guard ? { sloGuard: SLO_GUARD_DEFAULTS } : {}) }) : createPolicy('edge-rl'));
process.stdout.write(`edge-rl${meta ? ` with meta ${meta}` : ''}${guard ? '' : ' without the SLO guard'}, seeds ${seedBase}..${seedBase + seeds - 1}, ${DEV_STEPS} steps: violations, cost USD, normal-mode J\n`);
printDevTable(makePolicy, 'edge-rl', seeds, seedBase);
