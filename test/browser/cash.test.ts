/**
 * The cash page in headless Chromium against the real stack: a supervised match waits as a
 * cash-match proposal, an approver approves it; an unattributable credit waits in the unapplied
 * queue, and the approver applies it by hand. Both land in the ledger with the approver's name.
 *
 * Needs /usr/bin/chromium or CHROMIUM_PATH; skipped locally without it, fails in CI.
 */
import { eq } from 'drizzle-orm';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startCashWorkflows, waitForCashWorkflows } from '../../cash/start';
import { importBankFile } from '../../cash/store';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';
import { camt053 } from '../support/bank-files';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'];
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  console.warn(`[browser] Chromium not found at ${CHROMIUM}; skipping the cash page test.`);
}

let s: AdminStack;
let browser: Browser;
let page: Page;
let tmp: string;

const invoice = async (n: string) => (await s.stack.db.select().from(schema.invoices).where(eq(schema.invoices.number, n)))[0]!;

describe.skipIf(!available)('cash page', () => {
  beforeAll(async () => {
    s = await startAdminStack();
    await s.seedOverdueInvoices(['WEB-CASH-1', 'WEB-CASH-2', 'WEB-CASH-3', 'WEB-CASH-4'], { tier: 'strategic', amountMinor: 125_000 });
    await s.syncWorkflows();
    // No autonomous cash_match scope: the named payment is proposed, the anonymous one left unapplied.
    const imported = await importBankFile(
      s.stack.db,
      Buffer.from(
        camt053('WEB-STMT', 'USD', [
          { ref: 'WEB-R1', amount: '1250.00', direction: 'credit', payer: 'Customer WEB-CASH-1', remittance: 'Invoice WEB-CASH-1' },
          { ref: 'WEB-R2', amount: '1250.00', direction: 'credit', remittance: 'thank you' },
          // Pays two invoices, one in part; nothing in it names them.
          { ref: 'WEB-R3', amount: '2000.00', direction: 'credit', remittance: 'payment' },
          { ref: 'WEB-R4', amount: '1250.00', direction: 'credit', payer: 'Customer WEB-CASH-4', remittance: 'Invoice WEB-CASH-4' },
        ]),
      ),
      { fileName: 'web.xml', importedBy: 'test' },
    );
    const starts = await startCashWorkflows(s.stack.env.client, s.stack.taskQueue, imported.statements);
    const [done] = await waitForCashWorkflows(
      s.stack.env.client,
      starts.map((x) => x.workflowId),
    );
    expect(done).toMatchObject({ decided: { proposed: 2, unapplied: 2 } });
    tmp = mkdtempSync(path.join(tmpdir(), 'ar-browser-cash-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, downloadsPath: tmp });
    page = await browser.newPage({ viewport: { width: 1200, height: 1200 } });
    page.on('pageerror', (e) => console.error('[browser] page error:', e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('approves a cash-match proposal and applies an unapplied credit by hand', async () => {
    await page.goto(`${s.url}/cash`);
    await page.getByLabel('Token').fill(s.tokens.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const proposal = page.locator('#proposals li.card', { hasText: 'WEB-R1' });
    await proposal.waitFor();
    expect(await proposal.textContent()).toContain('Proposed: WEB-CASH-1 1250.00');
    await proposal.getByRole('button', { name: 'Approve' }).click();
    await waitFor(async () => (await invoice('WEB-CASH-1')).status === 'paid', { tries: 300, what: 'WEB-CASH-1 paid' });
    await expect.poll(() => page.locator('#proposals li.card').count()).toBe(1);

    // The other proposal, approved with a changed allocation: 1000.00 of its 1250.00 to the invoice.
    const changed = page.locator('#proposals li.card', { hasText: 'WEB-R4' });
    await changed.getByRole('button', { name: 'Change allocations' }).click();
    expect(await changed.getByLabel('Invoice', { exact: true }).inputValue()).toBe('WEB-CASH-4');
    await changed.getByLabel('Amount').fill('1000.00');
    await changed.getByRole('button', { name: 'Apply these allocations' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Applied WEB-R4 to WEB-CASH-4');
    expect((await invoice('WEB-CASH-4')).openMinor).toBe(25_000);
    await expect.poll(() => page.locator('#proposals li.card').count()).toBe(0);

    const credit = page.locator('#unapplied li.card', { hasText: 'WEB-R2' });
    await credit.getByLabel('Invoice', { exact: true }).fill('WEB-CASH-2');
    await credit.getByRole('button', { name: 'Apply', exact: true }).click();
    await waitFor(async () => (await invoice('WEB-CASH-2')).status === 'paid', { tries: 300, what: 'WEB-CASH-2 paid' });
    await expect.poll(() => page.locator('#status').textContent()).toBe('Applied WEB-R2 to WEB-CASH-2');

    // Found by searching the open invoices: each takes what it owes, at most what is left of the credit.
    const split = page.locator('#unapplied li.card', { hasText: 'WEB-R3' });
    await split.getByLabel('Find invoice').fill('web cash 3');
    await split.getByRole('button', { name: /^WEB-CASH-3 · Customer WEB-CASH-3 · 1250\.00 USD open/ }).click();
    await split.getByLabel('Find invoice').fill('Customer WEB-CASH-4');
    await split.getByRole('button', { name: /^WEB-CASH-4 ·/ }).click();
    expect(await split.getByLabel('Amount').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value))).toEqual([
      '1250.00',
      '250.00',
    ]);
    await split.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Applied WEB-R3 to WEB-CASH-3, WEB-CASH-4');
    expect([(await invoice('WEB-CASH-3')).status, (await invoice('WEB-CASH-4')).status]).toEqual(['paid', 'paid']);

    const applied = await s.stack.db.select().from(schema.paymentApplications);
    expect(applied.map((a) => [a.invoiceNumber, a.amountMinor, a.appliedBy]).sort()).toEqual([
      ['WEB-CASH-1', 125_000, 'alice'],
      ['WEB-CASH-2', 125_000, 'alice'],
      ['WEB-CASH-3', 125_000, 'alice'],
      ['WEB-CASH-4', 100_000, 'alice'],
      ['WEB-CASH-4', 25_000, 'alice'],
    ]);
  });
});
