/**
 * Opens the HTML metrics report and the HTML plan in headless Debian chromium (playwright-core):
 * no console errors, no network requests, the SVG charts are drawn. Screenshots go to test-reports/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { renderMetricsHtml } from '../../src/cli/commands/metrics';
import { loadPlans, renderPlanHtml } from '../../src/cli/commands/plan';
import { computeDora, DeploymentRecord } from '../../src/cli/dora';

const OUT = path.resolve(__dirname, '..', '..', 'test-reports');
const since = new Date('2026-10-22T00:00:00Z');
const until = new Date('2026-11-21T00:00:00Z');

function history(): DeploymentRecord[] {
  const records: DeploymentRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const start = new Date(since.getTime() + i * 12 * 3_600_000 + (i % 5) * 1_800_000);
    const failed = i % 9 === 4;
    for (const environment of ['staging', 'prod']) {
      const offset = environment === 'prod' ? 2 * 3_600_000 : 0;
      records.push({
        pipeline: 'shop-pipeline',
        environment,
        executionId: `e${i}`,
        kind: 'deployment',
        status: failed && environment === 'prod' ? 'Failed' : 'Succeeded',
        startTime: new Date(start.getTime() + offset),
        endTime: new Date(start.getTime() + offset + 20 * 60_000),
        commitTime: new Date(start.getTime() - ((i * 37) % 11) * 3_600_000),
      });
    }
  }
  return records;
}

let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
});

async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForLoadState('load');
  return { page, errors, requests };
}

test('the metrics report renders its charts offline without errors', async () => {
  const file = path.join(OUT, 'metrics-report.html');
  fs.writeFileSync(file, renderMetricsHtml(computeDora(history(), { since, until }), since, until));
  const { page, errors, requests } = await open(file);
  expect(errors).toEqual([]);
  expect(requests).toEqual([`file://${file}`]);
  expect(await page.locator('section.environment').count()).toBe(2);
  expect(await page.locator('svg.chart').count()).toBe(6);
  expect(await page.locator('#deployments-0 rect').count()).toBeGreaterThan(20);
  expect(await page.locator('#leadtime-0 polyline').count()).toBe(1);
  expect(await page.locator('#failures-1 rect').count()).toBeGreaterThan(0);
  const box = await page.locator('#deployments-0').boundingBox();
  expect(box!.width).toBeGreaterThan(200);
  expect(box!.height).toBeGreaterThan(60);
  await page.screenshot({ path: path.join(OUT, 'metrics-report.png'), fullPage: true });
  await page.close();
});

test('the plan page renders every pipeline as a flow without errors', async () => {
  const file = path.join(OUT, 'plan.html');
  fs.writeFileSync(file, renderPlanHtml(loadPlans(path.resolve(__dirname, '..', 'cli', 'fixtures', 'assembly'))));
  const { page, errors, requests } = await open(file);
  expect(errors).toEqual([]);
  expect(requests).toEqual([`file://${file}`]);
  expect(await page.locator('section.pipeline').count()).toBe(2);
  expect(await page.locator('.step.prod').count()).toBe(2);
  expect(await page.locator('.tag.default').textContent()).toBe('added by default');
  await page.screenshot({ path: path.join(OUT, 'plan.png'), fullPage: true });
  await page.close();
});
