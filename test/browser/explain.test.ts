/**
 * The explanation panel of the approvals page in headless Chromium against the real stack: a
 * viewer (who may not decide) presses x on a proposal and reads what the workflow did, why, on
 * which facts and policy, then the replay verdict, which comes second.
 *
 * Needs /usr/bin/chromium or CHROMIUM_PATH, like approvals.test.ts (skipped locally without it).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  console.warn(`[browser] Chromium not found at ${CHROMIUM}; skipping the explanation panel test.`);
}

let s: AdminStack;
let browser: Browser;
let page: Page;
/** The pending proposal as GET /api/approvals lists it. */
let proposal: { id: string; stepKey: string; policyVersion: number; draft: { subject: string; body: string } };

describe.skipIf(!available)('what the approvals page tells an operator', () => {
  beforeAll(async () => {
    s = await startAdminStack();
    await s.seedOverdueInvoices(['WEB-WHY'], { tier: 'standard', amountMinor: 48_000, daysOverdue: 4 });
    await s.syncWorkflows();
    proposal = await s.pendingProposal('WEB-WHY');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      headless: true,
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    page.on('pageerror', (e) => console.error('[browser] page error:', e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('x opens the explanation for a viewer: the action, why, the facts, the policy, then the replay verdict; x closes it', async () => {
    await page.goto(s.url);
    await page.getByLabel('Token').fill(s.tokens.vic);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const card = page.locator('article.proposal', { hasText: 'WEB-WHY' });
    await card.waitFor();
    await card.focus();
    await page.keyboard.press('x');
    const panel = card.locator('section.explain');
    await expect.poll(() => panel.textContent(), { timeout: 30_000 }).toContain(`${proposal.stepKey}: proposed`);
    const text = (await panel.textContent()) ?? '';
    for (const fact of [
      'What happened to WEB-WHY, and why',
      `“${proposal.draft.subject}”`,
      'Why: 4 days overdue',
      'balance 480.00 USD',
      '4 days overdue',
      '0 earlier contacts',
      'no promise',
      'no dispute',
      'of the standard ladder',
      `Policy v${proposal.policyVersion}`,
    ])
      expect(text).toContain(fact);
    await expect.poll(() => panel.locator('.explain-replay').textContent(), { timeout: 90_000 }).toMatch(/^Replay today: deterministic/);
    // A viewer cannot decide, but reading why is not deciding: no "cannot decide" message for x.
    expect(await page.locator('#status').textContent()).not.toContain('Cannot decide');
    await card.focus();
    await page.keyboard.press('x');
    await expect.poll(() => card.locator('section.explain').count()).toBe(0);
  });

  it('a banner says when the kill switch holds every send, and is gone after resume', async () => {
    expect(await page.locator('#sends-held').isVisible()).toBe(false);
    expect((await s.http('POST', '/api/sends/pause', { as: 'ada', body: { reason: 'bounce spike' } })).status).toBe(200);
    await page.reload();
    await expect.poll(() => page.locator('#sends-held').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.locator('#sends-held').textContent()).toMatch(/^All sends are paused since .+ UTC by ada: bounce spike\./);
    expect((await s.http('POST', '/api/sends/resume', { as: 'ada', body: {} })).status).toBe(200);
    await page.reload();
    await page.locator('article.proposal').first().waitFor();
    expect(await page.locator('#sends-held').isVisible()).toBe(false);
  });
});
