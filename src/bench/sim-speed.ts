/**
 * `npm run bench:sim [-- --steps N --scenario NAME --json]`: SparkIotEnv steps per second on one core with random
 * valid actions (episodes of 500 steps, resets included). With --json the last stdout line is
 * {"stepsPerSecond": N, ...}.
 */
import { Rng } from '../core/rng.ts';
import { SparkIotEnv } from '../env/spark-iot-env.ts';
import { SCENARIOS, type ScenarioName } from '../env/spark-iot-types.ts';

function parseArgs(argv: string[]): { steps: number; scenario: ScenarioName; json: boolean; actionHoldSteps: number } {
  let steps = 200_000;
  let scenario: ScenarioName = 'balanced';
  let json = false;
  let actionHoldSteps = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--steps') steps = Number(argv[++i]);
    else if (a === '--hold') actionHoldSteps = Number(argv[++i]);
    else if (a === '--scenario') scenario = argv[++i] as ScenarioName;
    else throw new Error(`bench:sim: unknown argument '${a}' (expected --steps N, --scenario NAME, --hold N, --json)`);
  }
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`bench:sim: --steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(actionHoldSteps) || actionHoldSteps < 1) throw new Error(`bench:sim: --hold must be a positive integer, got ${actionHoldSteps}`);
  if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`bench:sim: unknown scenario '${scenario}' (expected one of ${SCENARIOS.join(', ')})`);
  return { steps, scenario, json, actionHoldSteps };
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

const args = parseArgs(process.argv.slice(2));
run(Math.min(20_000, args.steps), args.scenario, args.actionHoldSteps); // warm-up (JIT)
const r = run(args.steps, args.scenario, args.actionHoldSteps);
const stepsPerSecond = args.steps / r.seconds;
const summary = { stepsPerSecond: Math.round(stepsPerSecond), steps: args.steps, seconds: Number(r.seconds.toFixed(3)), episodes: r.episodes, scenario: args.scenario, actionHoldSteps: args.actionHoldSteps, simulatedSecondsPerStep: 10, goal: 100_000 };
if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else process.stdout.write(`SparkIotEnv: ${summary.stepsPerSecond.toLocaleString('en-US')} steps/s (${args.steps} steps in ${summary.seconds} s, random actions held ${args.actionHoldSteps} step(s), scenario ${args.scenario})\n`);
