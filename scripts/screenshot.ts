/**
 * `npm run screenshot [-- --seconds 110 --scenario smart-city --out docs/dashboard.png]`: runs the real demo
 * (src/runtime/demo.ts, on a free port), lets it run long enough to show the scenario's first burst (the demo starts
 * 45 s before it), opens the dashboard in Debian's Chromium (playwright-core; $EDGEPILOT_TEST_CHROMIUM or
 * /usr/bin/chromium; never `playwright install`), saves a full-page PNG, and stops the demo cleanly.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDemo } from '../src/runtime/demo.ts';
import { openDashboard, waitForDecisions } from '../src/dashboard/screenshot.ts';
import { isScenarioName } from '../src/runtime/devices/topics.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '110' },
    scenario: { type: 'string', default: 'smart-city' },
    out: { type: 'string', default: 'docs/dashboard.png' },
    seed: { type: 'string', default: '1' },
  },
});
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`screenshot: --seconds must be > 0, got '${values.seconds}'`);
const scenario = values.scenario!;
if (!isScenarioName(scenario)) throw new Error(`screenshot: unknown scenario '${scenario}'`);
const chromium = process.env.EDGEPILOT_TEST_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) throw new Error(`screenshot: no Chromium at ${chromium} (apt-get install -y chromium, or set EDGEPILOT_TEST_CHROMIUM)`);
const out = resolve(values.out!);

const controlIntervalS = 5;
const demo = await startDemo({ scenario, port: 0, seed: Number(values.seed), controlIntervalS, outputDir: resolve('runs', 'screenshot-demo') });
process.stderr.write(`screenshot: demo at ${demo.url} (policy ${demo.policy}); waiting ${seconds} s of live data\n`);
try {
  const browser = await openDashboard(demo.url, chromium);
  try {
    await waitForDecisions(browser.page, Math.floor(seconds / controlIntervalS), (seconds + 60) * 1000);
    // One animation frame for the last event to be drawn.
    await browser.page.waitForTimeout(300);
    mkdirSync(dirname(out), { recursive: true });
    await browser.page.screenshot({ path: out, fullPage: true });
    process.stderr.write(`screenshot: wrote ${out}\n`);
  } finally {
    await browser.close();
  }
} finally {
  const summary = await demo.stop();
  process.stderr.write(`screenshot: demo stopped: published ${summary.published}, processed ${summary.processed}, dropped ${summary.dropped}, ${summary.decisions} decisions\n`);
}
