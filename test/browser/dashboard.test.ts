/**
 * The finance leads' dashboard in headless Chromium (Debian's, driven by playwright-core) against
 * the real admin endpoint and PostgreSQL: a viewer signs in; each chart (DSO and CEI over time
 * against the baseline, the aging mix, the approval rates with their intervals) is drawn by uPlot
 * with the seeded data points on a painted canvas; the tuning table says what approvers change.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, utcDate } from '../../domain/calendar';
import { schema } from '../../db/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { takeSnapshot } from '../../insights/snapshots';

// Browser globals used inside page.evaluate(): the project compiles without the DOM lib.
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
declare const document: { querySelector(selector: string): Canvas | null };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'];
const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT ?? '/tmp/dashboard.png';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);

let s: AdminStack;
let browser: Browser;
let page: Page;
let tmp: string;

describe.skipIf(!available)('dashboard page', () => {
  beforeAll(async () => {
    s = await startAdminStack();
    const db = s.stack.db;
    await s.seedOverdueInvoices(['DASH-1', 'DASH-2'], { tier: 'strategic', amountMinor: 250_000, daysOverdue: 40 });
    await s.seedOverdueInvoices(['DASH-3'], { tier: 'small', amountMinor: 9_900, daysOverdue: 5 });
    const today = utcDate(new Date());
    await takeSnapshot(db, { kind: 'baseline', asOf: addDays(today, -5), takenBy: 'test', note: 'before the pilot' });
    for (let d = 4; d >= 1; d--) await takeSnapshot(db, { kind: 'daily', asOf: addDays(today, -d), takenBy: 'test' });
    const [customer] = await db.select().from(schema.customers).limit(1);
    for (const [i, edited] of [false, false, true].entries()) {
      await db.insert(schema.proposals).values({
        id: `dash-${i}`,
        workflowId: 'invoice-DASH-1',
        invoiceNumber: 'DASH-1',
        customerId: customer!.id,
        actionKind: 'reminder',
        stepKey: 'overdue-21',
        tone: 'firm',
        subject: 's',
        body: 'b',
        reasoning: 'r',
        policyVersion: 1,
        currency: 'USD',
        amountMinor: 250_000,
        status: 'approved',
        decidedBy: 'alice',
        decidedAt: new Date(Date.now() - (i + 1) * 3_600_000),
        editedBody: edited ? 'softer' : null,
        editCategory: edited ? 'tone' : null,
      });
    }
    tmp = mkdtempSync(path.join(tmpdir(), 'ar-dashboard-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, downloadsPath: tmp });
    page = await browser.newPage({ viewport: { width: 1200, height: 2200 } });
    page.on('pageerror', (e) => console.error('[browser] page error:', e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** How many pixels of the chart's canvas uPlot painted (not transparent). */
  const painted = (id: string) =>
    page.evaluate((sel) => {
      const c = document.querySelector(sel);
      if (!c) return 0;
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
      return n;
    }, `#${id} canvas`);

  it('signs a viewer in and draws every chart from the stored figures', async () => {
    await page.goto(`${s.url}/dashboard`);
    await page.getByLabel('Token').fill(s.tokens.vic);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('body[data-loaded="true"]').waitFor();

    // 4 daily snapshots and a baseline, one currency: each defined figure is a point, the baseline a
    // line across the 5 days. The seeded invoices were issued before the 90-day window, so the
    // standard DSO is undefined (no credit sales) and only the countback is drawn.
    expect(await page.locator('#chart-dso').getAttribute('data-points')).toBe('9');
    expect(await page.locator('#chart-cei').getAttribute('data-points')).toBe('9');
    for (const id of ['chart-dso', 'chart-cei']) expect(await painted(id)).toBeGreaterThan(500);
    // One currency, five buckets: 5 bars.
    expect(await page.locator('#chart-aging').getAttribute('data-points')).toBe('5');
    expect(await painted('chart-aging')).toBeGreaterThan(500);
    // One scope: the rate, its interval's two ends, the edit rate.
    expect(await page.locator('#chart-rates').getAttribute('data-points')).toBe('4');
    expect(await painted('chart-rates')).toBeGreaterThan(500);
    expect(await page.locator('#trend-note').textContent()).toContain('baseline of');
    expect(await page.locator('#rates-table').textContent()).toContain('reminder|strategic');
    expect(await page.locator('#tuning-table').textContent()).toContain(
      'approvers changed the tone of 33% of overdue-21 drafts for the strategic tier (1 of 3)',
    );
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
