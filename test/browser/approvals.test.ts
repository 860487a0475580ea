/**
 * The approvals page in headless Chromium (Debian's, driven by playwright-core; no browser
 * download) against the real stack: sign in with a token, approve with the keyboard, edit then
 * approve, reject with a reason. Decisions leave the list without a reload and land in the
 * database with the user's name.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`) or CHROMIUM_PATH. Without it the suite
 * is skipped locally with a warning, and fails in CI.
 */
import { and, eq, sql } from 'drizzle-orm';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { startAdminStack, type AdminStack } from '../../dev/harness/admin-stack';
import { waitFor } from '../../dev/harness/wait';

// Browser globals used inside page.evaluate(): the project compiles without the DOM lib.
interface BrowserEl {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  closest(selector: string): BrowserEl | null;
}
declare const document: { activeElement: BrowserEl | null };
declare const sessionStorage: { getItem(key: string): string | null };
declare const localStorage: { length: number };
declare function getComputedStyle(el: BrowserEl): { outlineStyle: string };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = process.env.APPROVALS_SCREENSHOT ?? '/tmp/approvals.png';

const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  console.warn(`[browser] Chromium not found at ${CHROMIUM}; skipping the approvals page test (apt-get install -y chromium).`);
}

let s: AdminStack;
let browser: Browser;
let page: Page;
let tmp: string;
const INVOICES = ['WEB-APPROVE', 'WEB-EDIT', 'WEB-REJECT'];

describe.skipIf(!available)('approvals page', () => {
  beforeAll(async () => {
    s = await startAdminStack();
    await s.seedOverdueInvoices(['WEB-APPROVE'], { tier: 'strategic', amountMinor: 1_250_000, daysOverdue: 8 });
    await s.seedOverdueInvoices(['WEB-EDIT'], { tier: 'standard', amountMinor: 48_000 });
    await s.seedOverdueInvoices(['WEB-REJECT'], { tier: 'small', amountMinor: 9_950, daysOverdue: 15 });
    await s.syncWorkflows();
    for (const n of INVOICES) await s.pendingProposal(n);
    // launch() runs on a fresh temporary profile of its own; downloads (none expected) stay in a temp dir.
    tmp = mkdtempSync(path.join(tmpdir(), 'ar-browser-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, downloadsPath: tmp });
    page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    page.on('pageerror', (e) => console.error('[browser] page error:', e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const card = (invoice: string) => page.locator('article.proposal', { hasText: invoice });
  const focusedId = () => page.evaluate(() => document.activeElement?.dataset.id ?? null);

  it('refuses a bad token, then signs in and lists the pending proposals with their context', async () => {
    await page.goto(s.url);
    // Before sign-in there is nobody to sign out: no button, no empty role badge.
    expect(await page.locator('#who').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);
    await page.getByLabel('Token').fill('ar_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toBe('That token is not valid.');

    await page.getByLabel('Token').fill(s.tokens.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('article.proposal').nth(2).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await page.locator('#who-name').textContent()).toBe('alice');
    expect(await page.locator('article.proposal').count()).toBe(3);
    expect(await page.locator('#count').textContent()).toBe('3 pending');

    const approve = card('WEB-APPROVE');
    await expect.poll(() => approve.textContent()).toContain('Customer WEB-APPROVE');
    const text = (await approve.textContent()) ?? '';
    expect(text).toContain('8 days overdue');
    expect(text).toContain('$12,500.00');
    expect(text).toContain('strategic');
    expect(text).toContain('Why:');
    // The token lives in this tab's sessionStorage only.
    expect(await page.evaluate(() => sessionStorage.getItem('ar.admin.token'))).toBe(s.tokens.alice);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('filters the list by tier and customer without a reload', async () => {
    await page.getByLabel('Tier').selectOption('small');
    await expect.poll(() => page.locator('article.proposal').count()).toBe(1);
    expect(await page.locator('article.proposal').first().textContent()).toContain('WEB-REJECT');
    await page.getByLabel('Tier').selectOption('');
    await page.getByLabel('Customer', { exact: true }).fill('web-edit');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('article.proposal').count()).toBe(1);
    expect(await page.locator('article.proposal').first().textContent()).toContain('WEB-EDIT');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.locator('article.proposal').count()).toBe(3);
  });

  it('reaches every control of a proposal by Tab, with a visible focus', async () => {
    await page.locator('article.proposal').first().focus();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement!;
        return {
          text: el.textContent?.trim(),
          outline: getComputedStyle(el).outlineStyle,
          card: el.closest('article')?.dataset.id ?? null,
        };
      });
    const first = await page.locator('article.proposal').first().getAttribute('data-id');
    // Tab stops inside the card: the draft (a scrollable region, when long) and the three buttons.
    const seen: string[] = [];
    while (!seen.includes('Reject') && seen.length < 6) {
      await page.keyboard.press('Tab');
      const f = await focused();
      expect(f.card).toBe(first);
      expect(f.outline).not.toBe('none');
      seen.push(f.text ?? '');
    }
    expect(seen.filter((t) => ['Approve', 'Edit', 'Reject'].includes(t))).toEqual(['Approve', 'Edit', 'Reject']);
  });

  it('moves with j/k and approves with a; the item leaves the list and shows its outcome', async () => {
    const ids = await page.locator('article.proposal').evaluateAll((els) => els.map((e) => (e as unknown as BrowserEl).dataset.id));
    await page.locator('article.proposal').first().focus();
    await page.keyboard.press('j');
    expect(await focusedId()).toBe(ids[1]);
    await page.keyboard.press('k');
    expect(await focusedId()).toBe(ids[0]);

    const target = await card('WEB-APPROVE').getAttribute('data-id');
    await card('WEB-APPROVE').focus();
    await page.keyboard.press('a');
    await card('WEB-APPROVE').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('#decided-list li').first().textContent()).toMatch(/^ApprovedWEB-APPROVE/);
    expect(await page.locator('#status').textContent()).toBe('Approved WEB-APPROVE.');
    // Focus stays in the queue, on a remaining proposal.
    expect(INVOICES.map((n) => `invoice-${n}`).some((p) => (target ?? '').startsWith(p))).toBe(true);
    expect(await focusedId()).not.toBeNull();

    const [row] = await s.stack.db.select().from(schema.proposals).where(eq(schema.proposals.id, target!));
    expect(row).toMatchObject({ status: 'approved', decidedBy: 'alice' });
    await waitFor(async () => (await outbox('WEB-APPROVE')).length > 0, { tries: 600, what: 'the approved email' });
  });

  it('edits in place with e, then approves; the edited text is sent', async () => {
    await card('WEB-EDIT').focus();
    await page.keyboard.press('e');
    const subject = card('WEB-EDIT').getByLabel('Subject');
    await expect.poll(() => subject.evaluate((el) => (el as unknown) === document.activeElement)).toBe(true);
    await subject.fill('Following up on WEB-EDIT');
    await card('WEB-EDIT').getByLabel('Message').fill('Hello,\n\nA friendly nudge about WEB-EDIT.\n\nAlice');
    // An edit must say what it changed: refused in place, the typed text kept.
    await card('WEB-EDIT').getByRole('button', { name: 'Approve with edits' }).click();
    await expect.poll(() => card('WEB-EDIT').getByRole('alert').textContent()).toBe('Say what you changed before approving with edits.');
    expect(await subject.inputValue()).toBe('Following up on WEB-EDIT');
    await card('WEB-EDIT').getByLabel('What did you change?').selectOption('wording');
    await card('WEB-EDIT').getByLabel('Why (optional)').fill('plainer opening');
    await card('WEB-EDIT').getByRole('button', { name: 'Approve with edits' }).click();
    await card('WEB-EDIT').waitFor({ state: 'detached' });
    expect(await page.locator('#status').textContent()).toBe('Approved WEB-EDIT (edited: wording).');
    const [mail] = await waitFor(
      async () => {
        const rows = await outbox('WEB-EDIT');
        return rows.length ? rows : null;
      },
      { tries: 600, what: 'the edited email' },
    );
    expect(mail).toMatchObject({ subject: 'Following up on WEB-EDIT', body: 'Hello,\n\nA friendly nudge about WEB-EDIT.\n\nAlice' });
    const [decided] = await s.stack.db.select().from(schema.proposals).where(eq(schema.proposals.invoiceNumber, 'WEB-EDIT'));
    expect(decided).toMatchObject({ status: 'approved', editCategory: 'wording', editNote: 'plainer opening' });
  });

  it('rejects with r and a reason typed in place; nothing is sent', async () => {
    const id = await card('WEB-REJECT').getAttribute('data-id');
    await card('WEB-REJECT').focus();
    await page.keyboard.press('r');
    const reason = card('WEB-REJECT').getByPlaceholder('Reason for rejecting (required)');
    await expect.poll(() => reason.evaluate((el) => (el as unknown) === document.activeElement)).toBe(true);
    // An empty reason is refused in the page before any request.
    await page.keyboard.press('Enter');
    expect(await card('WEB-REJECT').count()).toBe(1);
    await reason.fill('Customer disputes the delivery; call them instead');
    await page.keyboard.press('Enter');
    await card('WEB-REJECT').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('#decided-list li').first().textContent()).toMatch(/^RejectedWEB-REJECT/);
    expect(await page.locator('#count').textContent()).toBe('Nothing waiting for a decision.');

    const [row] = await waitFor(
      async () => {
        const rows = await s.stack.db
          .select()
          .from(schema.proposals)
          .where(and(eq(schema.proposals.id, id!), eq(schema.proposals.status, 'rejected')));
        return rows.length ? rows : null;
      },
      { what: 'the rejected proposal row' },
    );
    expect(row).toMatchObject({ decidedBy: 'alice', decisionNote: 'Customer disputes the delivery; call them instead' });
    expect(await outbox('WEB-REJECT')).toHaveLength(0);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-after.png'), fullPage: true });
  });

  it('shows an approver her limits per currency, and a proposal over her USD limit cannot be decided', async () => {
    await s.seedOverdueInvoices(['WEB-LIMIT'], { amountMinor: 25_000 });
    await s.syncWorkflows();
    await s.pendingProposal('WEB-LIMIT');
    // Proposed after WEB-LIMIT, within lena's 100.00 USD: she can decide this one.
    await s.seedOverdueInvoices(['WEB-SMALL'], { amountMinor: 5_000, daysOverdue: 1 });
    await s.syncWorkflows();
    await s.pendingProposal('WEB-SMALL');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Token').fill(s.tokens.lena);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await card('WEB-LIMIT').waitFor();
    expect(await page.locator('#who-name').textContent()).toBe('lena');
    expect(await page.locator('#who-role').textContent()).toBe('approver · up to €5,000.00 · $100.00');
    await expect.poll(() => card('WEB-LIMIT').textContent()).toContain('over your limit of 100.00 USD');
    expect(await card('WEB-LIMIT').getByRole('button', { name: 'Approve', exact: true }).isDisabled()).toBe(true);
  });

  it('lists what the approver can decide first, says why on a key press, and filters to decidable by me', async () => {
    const order = () => page.locator('article.proposal h3').allTextContents();
    await card('WEB-SMALL').waitFor();
    // Oldest first on the server, but WEB-SMALL, which lena can decide, comes before WEB-LIMIT.
    expect(await order()).toEqual(['Customer WEB-SMALL · WEB-SMALL', 'Customer WEB-LIMIT · WEB-LIMIT']);
    expect(await card('WEB-SMALL').textContent()).toContain('1 day overdue');
    expect(await card('WEB-SMALL').textContent()).not.toContain('1 days overdue');

    await card('WEB-LIMIT').focus();
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('#status').textContent()).toBe('Cannot decide WEB-LIMIT: over your limit of 100.00 USD.');
    expect(await card('WEB-LIMIT').count()).toBe(1);

    await page.getByLabel('Decidable by me').check();
    await expect.poll(() => order()).toEqual(['Customer WEB-SMALL · WEB-SMALL']);
    expect(await page.locator('#count').textContent()).toBe('1 pending');
    await page.getByLabel('Decidable by me').uncheck();
    await expect.poll(() => page.locator('article.proposal').count()).toBe(2);

    // The same filter on the API: decidable=me narrows items and total; other parameters still apply.
    const mine = await s.http('GET', '/api/approvals?decidable=me', { as: 'lena' });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: { invoice: { number: string } }) => i.invoice.number)).toEqual(['WEB-SMALL']);
    expect(mine.body).toMatchObject({ total: 1, nextCursor: null });
    const all = await s.http('GET', '/api/approvals?status=pending', { as: 'lena' });
    expect(all.body.items.map((i: { invoice: { number: string } }) => i.invoice.number)).toEqual(['WEB-LIMIT', 'WEB-SMALL']);
    // A viewer decides nothing; an unlimited approver decides both.
    expect((await s.http('GET', '/api/approvals?decidable=me', { as: 'vic' })).body).toMatchObject({ items: [], total: 0 });
    expect((await s.http('GET', '/api/approvals?decidable=me', { as: 'alice' })).body.total).toBe(2);
    expect((await s.http('GET', '/api/approvals?decidable=you', { as: 'lena' })).status).toBe(400);
  });

  it('pages through decidable=me with a cursor', async () => {
    const first = await s.http('GET', '/api/approvals?decidable=me&limit=1', { as: 'alice' });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.total).toBe(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await s.http('GET', `/api/approvals?decidable=me&limit=1&cursor=${first.body.nextCursor}`, { as: 'alice' });
    expect(second.body.items.map((i: { id: string }) => i.id)).not.toEqual(first.body.items.map((i: { id: string }) => i.id));
    expect(second.body).toMatchObject({ total: 2, nextCursor: null });
  });
});

async function outbox(invoiceNumber: string) {
  return s.stack.db
    .select()
    .from(schema.emailOutbox)
    .where(sql`${schema.emailOutbox.invoiceNumbers} @> ${JSON.stringify([invoiceNumber])}::jsonb`);
}
