/**
 * Cash application end to end on the Temporal dev server and PostgreSQL: bank files in three
 * formats are stored, matched and applied to the built-in ledger by the cash workflow, which
 * tells each invoice workflow. Nothing mocked: the real worker, the real invoice workflows.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoiceStateQuery } from '../../collections/messages';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { schema } from '../../db/client';
import { listCash } from '../../cash/list';
import { cashProgressQuery, type CashProgress } from '../../cash/messages';
import { startCashWorkflows, waitForCashWorkflows } from '../../cash/start';
import { importBankFile } from '../../cash/store';
import { createBuiltinLedger } from '../../ledger/builtin';
import { startAdminServer, type AdminServer } from '../../apps/http/server';
import { createUser } from '../../access/users';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { bai2, camt053, mt940 } from '../support/bank-files';

let stack: TestStack;
let server: AdminServer;
const tokens: Record<string, string> = {};

async function http(method: string, path: string, as: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[as]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const CUSTOMERS = [
  ['C1', 'Acme GmbH', 'INV-C1', 125_000, 'EUR'],
  ['C2', 'Birch Ltd', 'INV-C2', 100_000, 'EUR'],
  ['C3', 'Cedar Inc', 'INV-C3', 100_000, 'EUR'],
  ['C4', 'Dune SA', 'INV-C4', 50_000, 'EUR'],
  ['C5', 'Elm LLC', 'INV-B1', 75_000, 'USD'],
  ['C6', 'Fjord AS', 'INV-M1', 42_000, 'EUR'],
  ['C7', 'Gale BV', 'INV-C7', 300_000, 'EUR'],
] as const;
/** Strategic customers: no autonomous cash_match scope covers them, so their credits are proposed. */
const STRATEGIC = [
  ['S1', 'Granite Holdings', 'INV-S1', 300_000, 'EUR'],
  ['S2', 'Harbor Group', 'INV-S2', 80_000, 'EUR'],
] as const;

const camtFile = camt053('STMT-CAMT-1', 'EUR', [
  {
    ref: 'CAMT-R1',
    amount: '1250.00',
    direction: 'credit',
    payer: 'Acme GmbH',
    payerIban: 'NL66RABO0160878799',
    remittance: 'Invoice INV-C1',
    endToEndId: 'E2E-C1',
  },
  { ref: 'CAMT-R2', amount: '400.00', direction: 'credit', payer: 'Birch Ltd', remittance: 'Partial payment INV-C2' },
  { ref: 'CAMT-R3', amount: '900.00', direction: 'credit', payer: 'Cedar Inc', remittance: 'INV-C3 less damaged goods' },
  { ref: 'CAMT-R4', amount: '600.00', direction: 'credit', payer: 'Dune SA', remittance: 'INV-C4' },
  { ref: 'CAMT-R5', amount: '12.50', direction: 'debit', payer: 'Our Bank', remittance: 'Account fees' },
  { ref: 'CAMT-R6', amount: '2990.00', direction: 'credit', payer: 'Gale BV', remittance: 'INV-C7' },
]);

async function runFile(
  text: string,
  fileName: string,
): Promise<{ progress: CashProgress[]; imported: Awaited<ReturnType<typeof importBankFile>> }> {
  const imported = await importBankFile(stack.db, Buffer.from(text), { fileName, importedBy: 'test' });
  const starts = await startCashWorkflows(stack.env.client, stack.taskQueue, imported.statements);
  const progress = await waitForCashWorkflows(
    stack.env.client,
    starts.filter((s) => s.started).map((s) => s.workflowId),
  );
  return { progress, imported };
}

const invoice = async (n: string) => (await stack.db.select().from(schema.invoices).where(eq(schema.invoices.number, n)))[0]!;
const count = async (table: string) => (await stack.db.$client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
const byRef = async (ref: string) => (await listCash(stack.db)).find((t) => t.entryRef === ref)!;

async function workflowStatus(n: string): Promise<string> {
  return (await stack.env.client.workflow.getHandle(`invoice-${n}`).describe()).status.name;
}

beforeAll(async () => {
  stack = await startTestStack();
  await stack.seed.policy(stack.db, {
    sendWindow: { startHour: 0, endHour: 24, businessDaysOnly: false },
    // Cash application may act alone for standard customers: clean matches are applied automatically.
    autonomy: [{ action: 'cash_match', tiers: ['standard'], mode: 'autonomous', reviewSampleRate: 0 }],
  });
  const today = new Date().toISOString().slice(0, 10);
  for (const [id, name, number, amountMinor, currency] of CUSTOMERS) {
    await stack.seed.customer(stack.db, { id, name, email: `ap@${id.toLowerCase()}.example` });
    await stack.seed.invoice(stack.db, { number, customerId: id, amountMinor, currency, dueDate: today });
  }
  for (const [id, name, number, amountMinor, currency] of STRATEGIC) {
    await stack.seed.customer(stack.db, { id, name, tier: 'strategic', email: `ap@${id.toLowerCase()}.example` });
    await stack.seed.invoice(stack.db, { number, customerId: id, amountMinor, currency, dueDate: today });
  }
  for (const [name, role] of [
    ['vic', 'viewer'],
    ['alice', 'approver'],
    ['ada', 'admin'],
  ] as const)
    tokens[name] = (await createUser(stack.db, { name, role, limits: null })).token;
  server = await startAdminServer({ db: stack.db, temporal: stack.env.client, config: { ADMIN_PORT: 0, ADMIN_HOST: '127.0.0.1' } });
  await syncInvoiceWorkflows(stack.env.client, stack.db, createBuiltinLedger(stack.db), { taskQueue: stack.taskQueue });
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

describe('cash application', () => {
  it('applies a camt.053 statement: paid, partial, deduction, overpayment; the debit is stored and never matched', async () => {
    const { progress, imported } = await runFile(camtFile, 'camt-1.xml');
    expect(imported.alreadyImported).toBe(false);
    expect(imported.statements).toMatchObject([{ key: 'DE89370400440532013000/STMT-CAMT-1', credits: 5, debits: 1, stored: true }]);
    expect(progress[0]).toMatchObject({ phase: 'done', decided: { applied: 5, proposed: 0, unapplied: 0 }, posted: 5, alreadyPosted: 0 });
    // Readable by an operator: the summary in the Temporal UI, and the progress query.
    const cash = stack.env.client.workflow.getHandle('cash-DE89370400440532013000/STMT-CAMT-1');
    expect(await (await cash.describe()).staticSummary()).toBe(
      'Bank statement STMT-CAMT-1 · camt053 · account DE89370400440532013000 · 5 credits, 1 debits (EUR)',
    );
    expect(await cash.query(cashProgressQuery)).toMatchObject({ phase: 'done', posted: 5, invoicesTold: 5 });

    // Paid in full: the ledger closes it, and its workflow ends as paid.
    expect(await invoice('INV-C1')).toMatchObject({ openMinor: 0, status: 'paid' });
    await waitFor(async () => (await workflowStatus('INV-C1')) === 'COMPLETED', { what: 'invoice-INV-C1 to close' });
    const result = await stack.env.client.workflow.getHandle('invoice-INV-C1').result();
    expect(result).toMatchObject({ status: 'paid', openMinor: 0 });

    // Partial: the rest stays open and the workflow keeps working it.
    expect(await invoice('INV-C2')).toMatchObject({ openMinor: 60_000, status: 'open' });
    const c2 = await stack.env.client.workflow.getHandle('invoice-INV-C2').query(invoiceStateQuery);
    expect(c2).toMatchObject({ openMinor: 60_000 });
    expect(c2.status).not.toBe('paid');

    // Short with a deduction named: applied, and the difference is a deduction dispute on the invoice.
    expect((await invoice('INV-C3')).openMinor).toBe(10_000);
    const dispute = await waitFor(
      async () => (await stack.db.select().from(schema.disputes).where(eq(schema.disputes.invoiceNumber, 'INV-C3')))[0],
      { what: 'the deduction dispute of INV-C3' },
    );
    expect(dispute).toMatchObject({ reason: 'deduction', status: 'open' });

    // Overpaid: the invoice is paid, the excess stays unapplied as credit on account.
    expect(await invoice('INV-C4')).toMatchObject({ openMinor: 0, status: 'paid' });
    const r4 = await byRef('CAMT-R4');
    expect(r4).toMatchObject({ status: 'applied', amount: '600.00', allocations: [{ invoiceNumber: 'INV-C4', amount: '500.00' }] });
    expect(r4.reasons.join(' ')).toContain('100.00 EUR more than the invoices: left unapplied as credit on account');

    // Short by bank charges within tolerance (10.00 of 3,000.00): a write-off proposal, through the dispute path.
    expect((await invoice('INV-C7')).openMinor).toBe(1_000);
    const fees = await waitFor(
      async () => (await stack.db.select().from(schema.disputes).where(eq(schema.disputes.invoiceNumber, 'INV-C7')))[0],
      { what: 'the write-off proposal of INV-C7' },
    );
    expect(fees).toMatchObject({ reason: 'bank charges', status: 'open' });
    expect(fees.note).toContain('write-off proposed');

    const debit = await byRef('CAMT-R5');
    expect(debit).toMatchObject({ direction: 'debit', status: 'ignored', confidence: null, allocations: [] });

    // Every posting is in the audit trail with its reasoning and approver.
    const audit = await stack.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'cash_applied'));
    expect(audit).toHaveLength(5);
    expect(
      audit.every(
        (a) => a.approvedBy === 'autonomous' && a.policyVersion !== null && (a.reasoning ?? '').includes('Applied automatically'),
      ),
    ).toBe(true);
  });

  it('applies a BAI2 statement and an MT940 statement to the ledger', async () => {
    const b = await runFile(
      bai2('BAIFILE1', '77777777', 'USD', [{ ref: 'BAI-R1', amount: '750.00', direction: 'credit', remittance: 'PAYMENT INV-B1' }]),
      'file.bai2',
    );
    expect(b.progress[0]).toMatchObject({ decided: { applied: 1 }, posted: 1 });
    expect(await invoice('INV-B1')).toMatchObject({ openMinor: 0, status: 'paid' });

    const m = await runFile(
      mt940('MT-REF-1', 'NL69INGB0123456789', 'EUR', [
        {
          ref: 'MT-R1',
          amount: '420.00',
          direction: 'credit',
          payer: 'Fjord AS',
          payerIban: 'NO9386011117947',
          remittance: 'Faktura INV-M1',
        },
      ]),
      'file.sta',
    );
    expect(m.progress[0]).toMatchObject({ decided: { applied: 1 }, posted: 1 });
    expect(await invoice('INV-M1')).toMatchObject({ openMinor: 0, status: 'paid' });
    await waitFor(async () => (await workflowStatus('INV-M1')) === 'COMPLETED', { what: 'invoice-INV-M1 to close' });
  });

  it('re-importing the file, or running its workflow again, changes nothing', async () => {
    const before = [
      await count('payments'),
      await count('payment_applications'),
      await count('bank_transactions'),
      await count('audit_log'),
    ];
    const again = await importBankFile(stack.db, Buffer.from(camtFile), { fileName: 'camt-1-again.xml', importedBy: 'test' });
    expect(again.alreadyImported).toBe(true);
    expect(again.statements.every((s) => !s.stored)).toBe(true);
    const starts = await startCashWorkflows(stack.env.client, stack.taskQueue, again.statements);
    expect(starts.map((s) => s.started)).toEqual([false]);

    // A second run of the same statement (an operator re-running it) finds every allocation already posted.
    const rerun = await stack.env.client.workflow.execute('cashWorkflow', {
      workflowId: starts[0]!.workflowId,
      taskQueue: stack.taskQueue,
      args: [{ statementKey: starts[0]!.statementKey }],
    });
    expect(rerun).toMatchObject({ posted: 0, alreadyPosted: 5 });
    expect([
      await count('payments'),
      await count('payment_applications'),
      await count('bank_transactions'),
      await count('audit_log'),
    ]).toEqual(before);
  });

  it('a returned credit reverses its application and reopens the invoice', async () => {
    const { progress } = await runFile(
      camt053(
        'STMT-CAMT-2',
        'EUR',
        [
          {
            ref: 'CAMT-RET1',
            amount: '1250.00',
            direction: 'debit',
            endToEndId: 'E2E-C1',
            returnReason: 'AC04',
            remittance: 'Return Invoice INV-C1',
          },
        ],
        '2026-03-03',
      ),
      'camt-2.xml',
    );
    expect(progress[0]).toMatchObject({ returnsReversed: 1 });
    expect(await invoice('INV-C1')).toMatchObject({ openMinor: 125_000, status: 'open' });
    expect(await byRef('CAMT-R1')).toMatchObject({ status: 'ignored', allocations: [] });
    const applied = await stack.db.execute(sql`select count(*)::int as n from payment_applications where invoice_number = 'INV-C1'`);
    expect(applied.rows[0]).toEqual({ n: 0 });
    // The invoice is owed again: a new run of its workflow works it.
    await waitFor(async () => (await workflowStatus('INV-C1')) === 'RUNNING', { what: 'invoice-INV-C1 to run again' });
    // Its first step reads the ledger: until then its state holds no balance.
    const state = await waitFor(
      async () => {
        const v = await stack.env.client.workflow.getHandle('invoice-INV-C1').query(invoiceStateQuery);
        return v.openMinor > 0 ? v : null;
      },
      { what: 'invoice-INV-C1 to read its balance' },
    );
    expect(state.openMinor).toBe(125_000);
  });

  it('a supervised match is a cash-match proposal; an approver approves it over HTTP, and applies an unapplied credit by hand', async () => {
    const { progress } = await runFile(
      camt053(
        'STMT-CAMT-3',
        'EUR',
        [
          { ref: 'CAMT-S1', amount: '3000.00', direction: 'credit', payer: 'Granite Holdings', remittance: 'INV-S1' },
          { ref: 'CAMT-S2', amount: '800.00', direction: 'credit', payer: 'Unknown Trading', remittance: 'thanks' },
        ],
        '2026-03-04',
      ),
      'camt-3.xml',
    );
    expect(progress[0]).toMatchObject({ decided: { applied: 0, proposed: 1, unapplied: 1 }, posted: 0 });
    expect((await invoice('INV-S1')).openMinor).toBe(300_000);

    const inbox = await http('GET', '/api/approvals?kind=cash_match', 'vic');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(1);
    const proposal = inbox.body.items[0];
    expect(proposal).toMatchObject({
      kind: 'cash_match',
      transaction: { entryRef: 'CAMT-S1', status: 'proposed', allocations: [{ invoiceNumber: 'INV-S1', amount: '3000.00' }] },
    });
    expect(proposal.candidates[0]).toMatchObject({ customerId: 'S1' });
    expect(proposal.evidence.join(' ')).toContain('Proposed to a person');

    // A viewer reads but may not decide.
    expect((await http('POST', `/api/cash/${proposal.id}/apply`, 'vic', {})).status).toBe(403);
    const approved = await http('POST', `/api/cash/${proposal.id}/apply`, 'alice', {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      transaction: { status: 'applied' },
      ledger: { posted: 1 },
      invoices: [{ invoiceNumber: 'INV-S1', told: true }],
    });
    expect(await invoice('INV-S1')).toMatchObject({ openMinor: 0, status: 'paid' });
    expect((await http('POST', `/api/cash/${proposal.id}/apply`, 'alice', {})).status).toBe(409);
    const decided = await stack.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'cash_match_decided'));
    expect(decided.map((a) => a.approvedBy)).toEqual(['alice']);

    // The unapplied queue, and a credit applied there by hand.
    const queue = await http('GET', '/api/cash?status=unapplied', 'vic');
    const unknown = queue.body.items.find((t: { entryRef: string }) => t.entryRef === 'CAMT-S2');
    expect(unknown).toMatchObject({ status: 'unapplied', allocations: [] });
    const tooMuch = await http('POST', `/api/cash/${unknown.id}/apply`, 'alice', {
      allocations: [{ invoiceNumber: 'INV-S2', amount: '900.00' }],
    });
    expect(tooMuch.status).toBe(422);
    const byHand = await http('POST', `/api/cash/${unknown.id}/apply`, 'alice', {
      allocations: [{ invoiceNumber: 'INV-S2', amount: '800.00' }],
    });
    expect(byHand.status, JSON.stringify(byHand.body)).toBe(200);
    expect(await invoice('INV-S2')).toMatchObject({ openMinor: 0, status: 'paid' });

    // Taken back: the ledger reverses it, the invoice is owed again and the credit is back in the queue.
    const back = await http('POST', `/api/cash/${unknown.id}/unapply`, 'ada', { reason: 'wrong customer' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.transaction).toMatchObject({ status: 'unapplied', allocations: [] });
    expect(await invoice('INV-S2')).toMatchObject({ openMinor: 80_000, status: 'open' });

    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/cash', '/api/cash/{id}/apply', '/api/cash/{id}/unapply']));
  });
});
