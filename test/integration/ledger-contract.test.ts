/** The built-in PostgreSQL ledger passes the ERP port contract. */
import { eq, sql } from 'drizzle-orm';
import { schema } from '../../db/client';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createTestDatabase } from '../../dev/harness/database';
import { runLedgerContract } from './ledger-contract';

runLedgerContract('built-in PostgreSQL ledger', async () => {
  const t = await createTestDatabase();
  const { db } = t;
  return {
    ledger: createBuiltinLedger(db),
    seed: {
      async customer(c) {
        await db.insert(schema.customers).values({ id: c.id, name: c.name, tier: c.tier, segment: c.segment, timezone: c.timezone });
        if (c.contacts?.length) await db.insert(schema.contacts).values(c.contacts.map((k) => ({ ...k, customerId: c.id })));
      },
      async invoice(i) {
        const openMinor = i.openMinor ?? i.amountMinor;
        await db.insert(schema.invoices).values({ ...i, openMinor, status: openMinor === 0 ? 'paid' : 'open' });
      },
      async payment(p) {
        await db.insert(schema.payments).values(p);
      },
    },
    inspect: {
      async contactLogEntries(key) {
        return db
          .select({
            customerId: schema.contactLog.customerId,
            invoiceNumber: schema.contactLog.invoiceNumber,
            channel: schema.contactLog.channel,
          })
          .from(schema.contactLog)
          .where(eq(schema.contactLog.idempotencyKey, key));
      },
      async promise(id) {
        const [p] = await db
          .select({
            invoiceNumber: schema.promises.invoiceNumber,
            promisedDate: schema.promises.promisedDate,
            amountMinor: schema.promises.amountMinor,
            currency: schema.promises.currency,
            status: schema.promises.status,
          })
          .from(schema.promises)
          .where(eq(schema.promises.id, id));
        return p ?? null;
      },
      async dispute(id) {
        const [d] = await db
          .select({ invoiceNumber: schema.disputes.invoiceNumber, status: schema.disputes.status })
          .from(schema.disputes)
          .where(eq(schema.disputes.id, id));
        return d ?? null;
      },
      async writeOffTotal(invoiceNumber) {
        const [r] = await db
          .select({ total: sql<number>`coalesce(sum(${schema.writeOffs.amountMinor}), 0)::int8` })
          .from(schema.writeOffs)
          .where(eq(schema.writeOffs.invoiceNumber, invoiceNumber));
        return r?.total ?? 0;
      },
    },
    close: () => t.close(),
  };
});
