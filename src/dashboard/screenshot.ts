/**
 * Drives Debian's Chromium through playwright-core (never `playwright install`: no browser download) to load a
 * dashboard URL, wait until it shows live data, and save a PNG. Used by the browser test and `npm run screenshot`.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export interface BrowserHandle {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** The page's `document`, typed narrowly: the DOM types are not loaded in this Node project. */
type PageDocument = { getElementById(id: string): { textContent: string | null } | null };

/** Opens `url` in headless Chromium at a desktop size. `executablePath`: e.g. /usr/bin/chromium. */
export async function openDashboard(url: string, executablePath: string, viewport = { width: 1400, height: 1250 }): Promise<BrowserHandle> {
  // --no-sandbox: the test machines run as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport });
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    return { browser, page, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Waits until the page has rendered at least `minDecisions` control decisions from its SSE stream. */
export async function waitForDecisions(page: Page, minDecisions: number, timeoutMs = 60_000): Promise<number> {
  if (!Number.isInteger(minDecisions)) throw new Error(`waitForDecisions: minDecisions must be an integer, got ${minDecisions}`);
  // Predicates are functions, not strings: the page's CSP forbids string eval. Playwright sends their source to the
  // page, so they must be self-contained.
  await page.waitForFunction(
    (n: number) => Number((globalThis as unknown as { document: PageDocument }).document.getElementById('v-decisions')?.textContent ?? '0') >= n,
    minDecisions,
    { timeout: timeoutMs, polling: 100 },
  );
  return Number(await page.textContent('#v-decisions'));
}

/** Waits until the text of the element `#id` matches `pattern` (e.g. the control result line). */
export async function waitForText(page: Page, id: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`waitForText: bad element id '${id}'`);
  await page.waitForFunction(
    ([elementId, source, flags]) => new RegExp(source, flags).test((globalThis as unknown as { document: PageDocument }).document.getElementById(elementId)?.textContent ?? ''),
    [id, pattern.source, pattern.flags] as const,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await page.textContent(`#${id}`)) ?? '';
}
