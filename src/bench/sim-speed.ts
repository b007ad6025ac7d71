/**
 * `npm run bench:sim [-- --steps N --scenario NAME --json]`: SparkIotEnv steps per second on one core with random
 * valid actions (episodes of 500 steps, resets included). With --json the last stdout line is
 * {"stepsPerSecond": N, ...}.
 */
import { Rng } from '../core/rng.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';
import { exitWithUsage, parseBenchArgs } from './bench-args.ts';

const USAGE = `npm run bench:sim -- [options]   (SparkIotEnv steps per second on one core, random valid actions)
  --steps N        steps to time (default 200000)
  --scenario NAME  ${SCENARIOS.join(' | ')} (default balanced)
  --hold N         keep each random action for N steps (default 1)
  --json           print one JSON summary as the last stdout line`;

function parseArgs(): { steps: number; scenario: ScenarioName; json: boolean; actionHoldSteps: number } {
  const v = parseBenchArgs('bench:sim', USAGE, {
    steps: { type: 'string', default: '200000' },
    scenario: { type: 'string', default: 'balanced' },
    hold: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  });
  const steps = Number(v.steps);
  const actionHoldSteps = Number(v.hold);
  const scenario = v.scenario as ScenarioName;
  if (!Number.isInteger(steps) || steps < 1) exitWithUsage('bench:sim', USAGE, `--steps must be a positive integer, got '${v.steps}'`);
  if (!Number.isInteger(actionHoldSteps) || actionHoldSteps < 1) exitWithUsage('bench:sim', USAGE, `--hold must be a positive integer, got '${v.hold}'`);
  if (!(SCENARIOS as readonly string[]).includes(scenario)) exitWithUsage('bench:sim', USAGE, `unknown scenario '${scenario}' (expected one of ${SCENARIOS.join(', ')})`);
  return { steps, scenario, json: v.json === true, actionHoldSteps };
}

function run(steps: number, scenario: ScenarioName, actionHoldSteps: number): { seconds: number; episodes: number; rewardSum: number } {
  const env = new SparkIotEnv({ scenario, maxSteps: 500 });
  const rng = new Rng(12345);
  const action = new Int32Array(4);
  const nvec = env.actionSpace.nvec;
  let episodes = 1;
  let rewardSum = 0;
  env.reset({ seed: 0 });
  const start = performance.now();
  for (let k = 0; k < steps; k++) {
    if (k % actionHoldSteps === 0) for (let j = 0; j < 4; j++) action[j] = rng.int(nvec[j]!);
    const out = env.step(action);
    rewardSum += out.reward;
    if (out.truncated || out.terminated) {
      env.reset({ seed: episodes++ });
    }
  }
  return { seconds: (performance.now() - start) / 1000, episodes, rewardSum };
}

const args = parseArgs();
run(Math.min(20_000, args.steps), args.scenario, args.actionHoldSteps); // warm-up (JIT)
const r = run(args.steps, args.scenario, args.actionHoldSteps);
const stepsPerSecond = args.steps / r.seconds;
const summary = { stepsPerSecond: Math.round(stepsPerSecond), steps: args.steps, seconds: Number(r.seconds.toFixed(3)), episodes: r.episodes, scenario: args.scenario, actionHoldSteps: args.actionHoldSteps, simulatedSecondsPerStep: 10, goal: 100_000 };
if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else process.stdout.write(`SparkIotEnv: ${summary.stepsPerSecond.toLocaleString('en-US')} steps/s (${args.steps} steps in ${summary.seconds} s, random actions held ${args.actionHoldSteps} step(s), scenario ${args.scenario})\n`);
