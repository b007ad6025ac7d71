import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardHub } from './state.ts';
import { startDashboardServer } from './server.ts';
import { FakeDecisionFeed } from './fake-feed.ts';
import { openDashboard, waitForDecisions, waitForText } from './screenshot.ts';

const CHROMIUM = process.env.EDGEPILOT_TEST_CHROMIUM;
const SKIP = CHROMIUM ? false : 'EDGEPILOT_TEST_CHROMIUM is not set: run `npm test` (scripts/test-services.sh installs Debian chromium) to run the browser test';

test('the dashboard page loads, updates live over SSE, and its controls refuse without a token', { skip: SKIP, timeout: 60_000 }, async () => {
  const hub = new DashboardHub({
    info: { scenario: 'smart-city', policy: 'threshold-forecast', mode: 'demo', slaP95LatencyMs: 2000, policies: ['threshold-forecast', 'fixed'], modes: ['demo'], notes: ['browser test'] },
  });
  const stops: string[] = [];
  const server = await startDashboardServer({ hub, controls: { stop: () => void stops.push('stop') } });
  const feed = new FakeDecisionFeed(11);
  for (let i = 0; i < 30; i++) hub.recordDecision(feed.next());
  let published = 0;
  const timer = setInterval(() => {
    hub.recordDecision(feed.next());
    published += 100;
    hub.setCounters({ published, ingested: published, processed: published - 10, dropped: 0, malformed: 0 });
  }, 100);
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-dashboard-'));
  const browser = await openDashboard(server.url, CHROMIUM as string);
  try {
    const page = browser.page;
    const first = await waitForDecisions(page, 31, 20_000);
    const scenario = await page.textContent('#scenario');
    assert.equal(scenario, 'smart-city');
    const tBefore = await page.textContent('#v-t');
    const publishedBefore = await page.textContent('#v-published');
    const later = await waitForDecisions(page, first + 5, 20_000);
    assert.ok(later >= first + 5, `decisions went from ${first} to ${later}`);
    assert.notEqual(await page.textContent('#v-t'), tBefore, 'the time card changed');
    assert.notEqual(await page.textContent('#v-published'), publishedBefore, 'the counters changed');
    // Every chart has drawn its lines; the decision log has rows.
    for (const id of ['c-rate', 'c-backlog', 'c-latency', 'c-exec', 'c-mem', 'c-cost', 'c-weights']) {
      const paths = await page.locator(`#${id} path[data-series]`).count();
      assert.ok(paths >= 1, `chart ${id} has ${paths} lines`);
    }
    assert.ok((await page.locator('#decisions tr').count()) >= 10);

    // The page's own control button without a token: the server answers 401 and nothing stops.
    page.on('dialog', (d) => void d.accept());
    await page.click('#stop');
    await waitForText(page, 'control-result', /^401 /);
    const status = await page.evaluate(async () => (await fetch('/api/policy', { method: 'POST', body: '{"policy":"fixed"}' })).status);
    assert.equal(status, 401);
    assert.deepEqual(stops, []);
    // With the token typed in, the same button works.
    await page.fill('#token', server.token);
    await page.click('#stop');
    await waitForText(page, 'control-result', /^202 /);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(stops, ['stop']);

    const png = join(dir, 'dashboard.png');
    await page.screenshot({ path: png, fullPage: true });
    assert.ok(existsSync(png) && statSync(png).size > 10_000, 'a non-trivial screenshot was written');
  } finally {
    clearInterval(timer);
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
