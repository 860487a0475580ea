/**
 * The dashboard's rollout panels in headless Chromium against the real admin endpoint, worker,
 * Temporal dev server and PostgreSQL: after a forced advance over HTTP, an approver sees the phase,
 * the scopes, each scope's evidence against its thresholds and the timeline (forced, with its
 * note); they mark a sampled autonomous action wrong from the review queue, and the mark is stored.
 */
import { existsSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { ensureRolloutWorkflow } from '../../rollout/start';
import { seedDecisions } from '../support/rollout';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'];
const available = existsSync(CHROMIUM);

let s: AdminStack;
let browser: Browser;
let page: Page;

describe.skipIf(!available)('dashboard: the rollout panels', () => {
  beforeAll(async () => {
    s = await startAdminStack();
    const { db } = s.stack;
    await seedDecisions(db, { count: 30, at: new Date(), outcome: 'approved' });
    await s.stack.seed.customer(db, { id: 'C-RV', tier: 'small' });
    await db.insert(schema.autonomyReviews).values({
      auditKey: 'invoice-RV-1/overdue-1/sent',
      invoiceNumber: 'RV-1',
      customerId: 'C-RV',
      scopeId: 'reminder-small',
      policyVersion: 2,
      subject: 'Reminder: invoice RV-1 is overdue',
      reasoning: 'overdue-1 of the small ladder',
    });
    await ensureRolloutWorkflow(s.stack.env.client, s.stack.taskQueue);
    const forced = await s.http('POST', '/api/rollout/advance', { as: 'ada', body: { note: 'pilot customer asked', force: true } });
    expect(forced.status, JSON.stringify(forced.body)).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1200, height: 2600 } });
    page.on('pageerror', (e) => console.error('[browser] page error:', e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('shows phase, scopes, evidence and timeline, and takes a review mark', async () => {
    await page.goto(`${s.url}/dashboard`);
    await page.getByLabel('Token').fill(s.tokens.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('body[data-loaded="true"]').waitFor();

    expect(await page.locator('#rollout-note').textContent()).toMatch(/^Phase 1 \(auto-send reminders on small invoices\) in policy v\d+/);
    // The forced advance published a version; its fan-out's progress is shown beside the phase.
    expect(await page.locator('#policy-fanout').textContent()).toMatch(
      /^Policy v\d+ told to running workflows: (running|done), \d+( of \d+)? signalled \(\d+ invoice, \d+ outreach\), started /,
    );
    expect(await page.locator('#rollout-phases li.current').textContent()).toContain('reminder-small');
    expect(await page.locator('#rollout-scopes').textContent()).toContain('reminder-smallreminder');
    const evidence = await page.locator('#rollout-evidence').textContent();
    // Phase 2's scopes against the promotion thresholds: 30 decisions are short of 50.
    expect(evidence).toContain('reminder-standard (promote?)');
    expect(evidence).toContain('decisions 30 < 50');
    expect(evidence).toContain('30/30 as drafted; 0 edited; shadow agreement 0/0');
    expect(evidence).toContain('reminder-small (demote?)');
    const timeline = page.locator('#rollout-timeline tr[data-kind="advance"]');
    expect(await timeline.textContent()).toMatch(/advance \(forced\)0 → 1ada.*pilot customer asked/);

    const row = page.locator('#reviews-table tr[data-review]');
    expect(await row.count()).toBe(1);
    await row.getByLabel(/reason for review/).fill('went to the old AP address');
    await row.getByRole('button', { name: 'Wrong' }).click();
    await page.locator('#reviews-table td', { hasText: 'Nothing waits for review.' }).waitFor();
    const [stored] = await s.stack.db.select().from(schema.autonomyReviews).where(eq(schema.autonomyReviews.invoiceNumber, 'RV-1'));
    expect(stored).toMatchObject({ verdict: 'wrong', reviewedBy: 'alice', reason: 'went to the old AP address' });
  });
});
