/**
 * GraphiQL in a real browser (Debian's Chromium, driven by playwright-core): the pre-filled
 * example runs and shows jobs with status names, the documentation explorer lists trainingJobs
 * with its argument descriptions, and no request leaves the machine. A screenshot is saved
 * under test-results/. The second tab runs the live example over SSE, and a second result
 * replaces the first. The third runs the chips example: the counts and a status group's page.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  // As in demo mode: the data moves with the clock, and pages are polled often.
  stack = await startStack({ tokens: { mode: 'passthrough', demoToken: 'demo-token' }, emulator: { motion: {} }, live: { pollMs: 300 } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/**
 * Opens a tab and returns the moment GraphiQL shows it active. Right after the page loads, the
 * first click on a middle tab can go unheard (seen with three tabs, in Chromium 156 headless),
 * so the click is repeated until the tab is the active one.
 */
async function openTab(page: Page, title: string): Promise<void> {
  const button = page.locator('.graphiql-tab-button', { hasText: title }).first();
  const active = page.locator('.graphiql-tab-active', { hasText: title });
  await expect
    .poll(async () => {
      if ((await active.count()) === 0) await button.click();
      return active.count();
    }, { timeout: 30_000 })
    .toBe(1);
}

/**
 * A fresh GraphiQL page with the tab `title` run: Execute is clicked straight after the tab opens,
 * as a person in a hurry would, so the tab's operation name must be GraphiQL's at once, not
 * 100 ms later (src/server/graphiql.ts, fixTabSwitch).
 */
async function runTab(title: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${stack.origin}/graphql`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  const execute = page.locator('button[aria-label*="Execute" i]').first();
  await execute.waitFor({ state: 'visible', timeout: 60_000 });
  // The editor is up once it shows the first tab's example.
  await page.waitForFunction(() => /RunningJobs/.test(document.querySelector('.graphiql-query-editor')?.textContent ?? ''), null, { timeout: 60_000 });
  await openTab(page, title);
  await execute.click();
  return page;
}

it('runs the example query and documents trainingJobs, offline', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const urls = new Set<string>();
  page.on('request', (request) => urls.add(request.url()));
  await page.goto(`${stack.origin}/graphql`, { waitUntil: 'domcontentloaded', timeout: 60_000 });

  const execute = page.locator('button[aria-label*="Execute" i]').first();
  await execute.waitFor({ state: 'visible', timeout: 60_000 });
  await page.waitForFunction(() => /trainingJobs/.test(document.querySelector('.graphiql-query-editor')?.textContent ?? ''), null, { timeout: 60_000 });
  await execute.click();
  await page.waitForFunction(() => /"RUNNING"/.test(document.querySelector('.graphiql-response')?.textContent ?? ''), null, { timeout: 60_000 });
  // The editor draws only visible lines, and with non-breaking spaces.
  const result = ((await page.locator('.graphiql-response').first().textContent()) ?? '').replace(/\s+/g, ' ');
  expect(result).toMatch(/"status": "RUNNING"/);
  expect(result).toMatch(/"createdAt": "\d{4}-\d\d-\d\dT[\d:.]+Z"/);
  mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: 'test-results/graphiql.png' });

  await page.locator('button[aria-label*="Documentation" i]').first().click();
  await page.locator('.graphiql-doc-explorer a', { hasText: /^Query$/ }).first().click();
  await page.locator('.graphiql-doc-explorer a', { hasText: /^trainingJobs$/ }).first().click();
  await page.waitForFunction(() => /Jobs per page/.test(document.querySelector('.graphiql-doc-explorer')?.textContent ?? ''), null, { timeout: 30_000 });
  const docs = ((await page.locator('.graphiql-doc-explorer').textContent()) ?? '').replace(/\s+/g, ' ');
  expect(docs).toContain('Jobs per page, from 1 to 1000.');
  expect(docs).toContain('The page to return, from 1 to 65535.');
  await page.screenshot({ path: 'test-results/graphiql-docs.png' });

  const offsite = [...urls].filter((url) => !url.startsWith(stack.origin) && !url.startsWith(`blob:${stack.origin}`));
  expect(offsite).toEqual([]);
  await page.close();
}, 120_000);

it('runs the live example in its tab and shows the next result when the page changes', async () => {
  const page = await runTab('LiveRunningJobs');
  const response = () => document.querySelector('.graphiql-response')?.textContent ?? '';
  await page.waitForFunction(() => /"duration"|"message"/.test(document.querySelector('.graphiql-response')?.textContent ?? ''), null, { timeout: 30_000 });
  const first = await page.evaluate(response);
  expect(first).not.toMatch(/"message"/);
  // Running jobs run on: the next poll finds longer durations, and GraphiQL shows that result.
  await page.waitForFunction(
    (before) => {
      const now = document.querySelector('.graphiql-response')?.textContent ?? '';
      return /"duration"/.test(now) && now !== before;
    },
    first,
    { timeout: 30_000 },
  );
  const second = await page.evaluate(response);
  expect(second).not.toEqual(first);
  expect(second.replace(/\s+/g, ' ')).toMatch(/"status": "RUNNING"/);
  await page.screenshot({ path: 'test-results/graphiql-live.png' });
  await page.close();
}, 120_000);

it('runs the chips example in its tab: the counts of every group and the failed jobs', async () => {
  const page = await runTab('FailedJobsWithCounts');
  await page.waitForFunction(() => /"byGroup"|"message"/.test(document.querySelector('.graphiql-response')?.textContent ?? ''), null, { timeout: 30_000 });
  const result = ((await page.locator('.graphiql-response').first().textContent()) ?? '').replace(/\s+/g, ' ');
  expect(result).not.toMatch(/"message"/);
  expect(result).toMatch(/"group": "FAILED"/);
  expect(result).toMatch(/"failed": \{ "totalCount": \d+, "jobs": \[/);
  await page.screenshot({ path: 'test-results/graphiql-chips.png' });
  await page.close();
}, 120_000);
