/** What operators filter on follows the ledger: a customer moved to another tier shows under it (issue 13, defect 9c). */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../db/client';
import { policyChangedSignal } from '../../collections/messages';
import { startTestStack, type TestStack } from '../../dev/harness/stack';
import { waitFor } from '../../dev/harness/wait';
import { SA } from '../../temporal/search-attributes';
import { startInvoice, terminate, type InvoiceHandle } from '../support/invoice';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true });
});
afterAll(async () => {
  await stack?.close();
});

const tierOf = async (h: InvoiceHandle) => (await h.describe()).typedSearchAttributes.get(SA.tier);

describe('invoice workflow: search attributes', () => {
  it('ArTier follows a tier change the next re-read sees', async () => {
    await stack.seed.customer(stack.db, { id: 'ST', tier: 'standard' });
    // Due in 10 days: the workflow sleeps until the heads-up, and a message wakes it to re-plan.
    const h = await startInvoice(stack, { number: 'ST-1', customerId: 'ST', dueInDays: 10 });
    try {
      expect(await waitFor(async () => (await tierOf(h)) ?? null, { what: 'ArTier set' })).toBe('standard');
      await stack.db.update(schema.customers).set({ tier: 'strategic' }).where(eq(schema.customers.id, 'ST'));
      // Any re-read will do: a policy change makes the workflow read the ledger again at once.
      await h.signal(policyChangedSignal);
      expect(await waitFor(async () => ((await tierOf(h)) === 'strategic' ? 'strategic' : null), { what: 'ArTier updated' })).toBe(
        'strategic',
      );
    } finally {
      await terminate(h);
    }
  });
});
