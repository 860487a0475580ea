/**
 * The sync sets every search attribute when it starts an invoice workflow, on the Temporal dev
 * server and PostgreSQL: no worker polls the task queue here, so nothing the workflow does could
 * have set them — the Web UI and `ar` lists find a new workflow by tier, stage and policy version
 * at once, not minutes later when its first ledger read runs on a busy worker.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { createTestDatabase, type TestDatabase } from '../../dev/harness/database';
import { seedCustomer, seedInvoice, seedPolicy } from '../../dev/harness/seed';
import { createDevServerEnv } from '../../dev/harness/temporal';
import { createBuiltinLedger } from '../../ledger/builtin';
import { SA } from '../../temporal/search-attributes';

let env: TestWorkflowEnvironment;
let t: TestDatabase;
beforeAll(async () => {
  [env, t] = await Promise.all([createDevServerEnv(), createTestDatabase()]);
});
afterAll(async () => {
  await env?.teardown();
  await t?.close();
});

describe('the sync starts invoice workflows with their search attributes', () => {
  it('sets customer, invoice, status, currency, amount, tier, stage, approval and policy version at start', async () => {
    const version = await seedPolicy(t.db, {});
    await seedCustomer(t.db, { id: 'C-SA-1', tier: 'small' });
    await seedCustomer(t.db, { id: 'C-SA-2', tier: 'strategic' });
    await seedInvoice(t.db, { number: 'SA-1', customerId: 'C-SA-1', amountMinor: 12_345, dueDate: '2026-01-10' });
    await seedInvoice(t.db, { number: 'SA-2', customerId: 'C-SA-2', amountMinor: 50_000, dueDate: '2026-02-10' });
    const taskQueue = `nobody-polls-${Math.random().toString(36).slice(2, 8)}`;
    const r = await syncInvoiceWorkflows(env.client, t.db, createBuiltinLedger(t.db), { taskQueue });
    expect(r.started).toBe(2);

    for (const [n, customerId, tier, amount] of [
      ['SA-1', 'C-SA-1', 'small', 12_345],
      ['SA-2', 'C-SA-2', 'strategic', 50_000],
    ] as const) {
      const d = await env.client.workflow.getHandle(`invoice-${n}`).describe();
      expect(d.historyLength, 'no workflow task ran').toBeLessThan(3);
      const sa = d.typedSearchAttributes;
      expect({
        invoice: sa.get(SA.invoiceNumber),
        customer: sa.get(SA.customerId),
        status: sa.get(SA.status),
        currency: sa.get(SA.currency),
        amount: sa.get(SA.amountDue),
        tier: sa.get(SA.tier),
        stage: sa.get(SA.dunningStage),
        awaiting: sa.get(SA.awaitingApproval),
        policyVersion: sa.get(SA.policyVersion),
      }).toEqual({
        invoice: n,
        customer: customerId,
        status: 'open',
        currency: 'USD',
        amount,
        tier,
        stage: 'not-started',
        awaiting: false,
        policyVersion: version,
      });
    }
    // Visibility answers list queries on them (what the Web UI's saved views and the benchmark count).
    const filled =
      'WorkflowType = "invoiceWorkflow" AND ArTier IS NOT NULL AND ArPolicyVersion IS NOT NULL AND ArDunningStage = "not-started"';
    await expect.poll(async () => (await env.client.workflow.count(filled)).count, { timeout: 15_000 }).toBe(2);
  });
});
