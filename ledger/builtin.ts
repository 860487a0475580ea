/** The built-in ledger: the ERP port over this project's own PostgreSQL tables. */
import { and, inArray, asc, eq, gt, gte, ilike, ne, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { schema } from '../db/client';
import {
  LedgerError,
  type CustomerRecord,
  type InvoiceRecord,
  type LedgerInvoiceStatus,
  type LedgerPort,
  type OpenInvoicePage,
  type PaymentApplicationInput,
  type PaymentApplicationResult,
  type PaymentReversalResult,
  type ReceivePaymentInput,
} from './port';
import { clipValue } from '../domain/text';

const { customers, contacts, invoices, contactLog, promises, disputes, payments, paymentApplications, writeOffs, creditNotes } = schema;

function toInvoice(r: typeof invoices.$inferSelect): InvoiceRecord {
  return {
    number: r.number,
    customerId: r.customerId,
    currency: r.currency,
    amountMinor: r.amountMinor,
    openMinor: r.openMinor,
    issueDate: r.issueDate,
    dueDate: r.dueDate,
    terms: r.terms,
    poNumber: r.poNumber,
    status: r.status,
    noTouch: r.noTouch,
  };
}

// The cursor is the last invoice number returned. Versioned so its shape can change later.
function encodeCursor(number: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: number })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown };
    if (c.v !== 1 || typeof c.after !== 'string') throw new Error('bad');
    return c.after;
  } catch {
    throw new LedgerError(`cursor: ${JSON.stringify(clipValue(cursor))} is not a cursor returned by listOpenInvoices`, 'invalid');
  }
}

/**
 * Maps a constraint refusal from PostgreSQL to the port's error codes, so callers (activities)
 * can tell a bad request (never retry) from a transient fault (retry). Drizzle wraps the driver error.
 */
function mapDbError(err: unknown): never {
  const e = ((err as { cause?: unknown }).cause ?? err) as { code?: string; message?: string; constraint?: string };
  if (e.code === '23503') throw new LedgerError(`not found: ${e.message ?? ''} (${e.constraint ?? ''})`, 'not_found');
  if (e.code === '23514') throw new LedgerError(`${e.message ?? 'refused'} (${e.constraint ?? ''})`, 'invalid');
  if (e.code === '23505') throw new LedgerError(`${e.message ?? 'duplicate'} (${e.constraint ?? ''})`, 'conflict');
  throw err;
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LedgerError) throw err;
    return mapDbError(err);
  }
}

function assertAmount(field: string, n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new LedgerError(`${field}: ${n} must be a positive whole number of minor units`, 'invalid');
}

/** Applies cash inside the caller's transaction (postPaymentApplication and receivePayment share it). */
async function applyInTx(tx: Tx, input: PaymentApplicationInput): Promise<PaymentApplicationResult> {
  // Invoice first, then payment: the same lock order as the allocation trigger.
  const [inv] = await tx.select().from(invoices).where(eq(invoices.number, input.invoiceNumber)).for('update');
  if (!inv) throw new LedgerError(`invoice ${input.invoiceNumber} not found`, 'not_found');
  const [pay] = await tx.select().from(payments).where(eq(payments.id, input.paymentId)).for('update');
  if (!pay) throw new LedgerError(`payment ${input.paymentId} not found`, 'not_found');
  if (inv.currency !== input.currency || pay.currency !== input.currency) {
    throw new LedgerError(
      `currency: ${input.currency} does not match invoice ${inv.number} in ${inv.currency} and payment ${pay.id} in ${pay.currency}`,
      'invalid',
    );
  }
  const [existing] = await tx
    .select()
    .from(paymentApplications)
    .where(and(eq(paymentApplications.paymentId, input.paymentId), eq(paymentApplications.invoiceNumber, input.invoiceNumber)));
  if (existing) {
    if (existing.amountMinor !== input.amountMinor) {
      throw new LedgerError(
        `payment ${pay.id} is already applied to invoice ${inv.number} with ${existing.amountMinor}, not ${input.amountMinor}`,
        'conflict',
      );
    }
    return { invoiceNumber: inv.number, openMinor: inv.openMinor, status: inv.status, applied: false };
  }
  if (inv.status === 'void') throw new LedgerError(`invoice ${inv.number} is void: cash cannot be applied to it`, 'invalid');
  if (input.amountMinor > inv.openMinor) {
    throw new LedgerError(`amount: ${input.amountMinor} exceeds the open balance ${inv.openMinor} of invoice ${inv.number}`, 'invalid');
  }
  const [{ allocated } = { allocated: 0 }] = await tx
    .select({ allocated: sql<number>`coalesce(sum(${paymentApplications.amountMinor}), 0)::int8` })
    .from(paymentApplications)
    .where(eq(paymentApplications.paymentId, pay.id));
  if (allocated + input.amountMinor > pay.amountMinor) {
    throw new LedgerError(
      `amount: ${input.amountMinor} exceeds the unallocated ${pay.amountMinor - allocated} of payment ${pay.id}`,
      'invalid',
    );
  }
  await tx.insert(paymentApplications).values({
    paymentId: input.paymentId,
    invoiceNumber: input.invoiceNumber,
    amountMinor: input.amountMinor,
    appliedBy: input.appliedBy,
  });
  const openMinor = inv.openMinor - input.amountMinor;
  const status: LedgerInvoiceStatus = openMinor === 0 ? 'paid' : inv.status;
  await tx.update(invoices).set({ openMinor, status, updatedAt: sql`now()` }).where(eq(invoices.number, inv.number));
  return { invoiceNumber: inv.number, openMinor, status, applied: true };
}

export function createBuiltinLedger(db: Db): LedgerPort {
  return {
    async listOpenInvoices({ cursor, limit }): Promise<OpenInvoicePage> {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new LedgerError(`limit: ${limit} must be a positive integer`, 'invalid');
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      // Disputed invoices are still owed: their workflows wait on the dispute rather than not exist.
      const open = inArray(invoices.status, ['open', 'disputed']);
      const rows = await db
        .select()
        .from(invoices)
        .where(after === undefined ? open : and(open, gt(invoices.number, after)))
        .orderBy(asc(invoices.number))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        invoices: page.map(toInvoice),
        nextCursor: rows.length > limit && last ? encodeCursor(last.number) : undefined,
      };
    },

    async getInvoice(number) {
      const [row] = await db.select().from(invoices).where(eq(invoices.number, number));
      return row ? toInvoice(row) : null;
    },

    async searchOpenInvoices({ text, currency, limit }) {
      const words = text?.trim() ?? '';
      // LIKE's own wildcards in the text are literal characters here.
      const like = `%${words.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const compact = words.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
      const found = words
        ? or(
            ilike(invoices.number, like),
            ilike(invoices.poNumber, like),
            ilike(customers.id, like),
            ilike(customers.name, like),
            ...(compact ? [sql`regexp_replace(upper(${invoices.number}), '[^[:alnum:]]', '', 'g') like ${`%${compact}%`}`] : []),
          )
        : undefined;
      const rows = await db
        .select({ invoice: invoices, customerName: customers.name })
        .from(invoices)
        .innerJoin(customers, eq(customers.id, invoices.customerId))
        .where(and(inArray(invoices.status, ['open', 'disputed']), currency ? eq(invoices.currency, currency) : undefined, found))
        .orderBy(sql`(upper(${invoices.number}) = upper(${words})) desc`, asc(invoices.dueDate), asc(invoices.number))
        .limit(Math.max(1, Math.min(limit, 100)));
      return rows.map((r) => ({ ...toInvoice(r.invoice), customerName: r.customerName }));
    },

    async listCustomerOpenInvoices(customerId) {
      const [cust] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
      if (!cust) return null;
      const rows = await db
        .select()
        .from(invoices)
        .where(and(eq(invoices.customerId, customerId), inArray(invoices.status, ['open', 'disputed'])))
        .orderBy(asc(invoices.number));
      return rows.map(toInvoice);
    },

    async getInvoiceStatuses(numbers) {
      const statuses = new Map<string, LedgerInvoiceStatus>();
      // Chunks keep the parameter list well under PostgreSQL's limit.
      for (let i = 0; i < numbers.length; i += 1000) {
        const rows = await db
          .select({ number: invoices.number, status: invoices.status })
          .from(invoices)
          .where(inArray(invoices.number, numbers.slice(i, i + 1000)));
        for (const r of rows) statuses.set(r.number, r.status);
      }
      return statuses;
    },

    async getCustomer(id): Promise<CustomerRecord | null> {
      // One statement, not two: every dunning step and delivery reads the customer with its contacts.
      const rows = await db
        .select({ customer: customers, contact: contacts })
        .from(customers)
        .leftJoin(contacts, eq(contacts.customerId, customers.id))
        .where(eq(customers.id, id))
        .orderBy(asc(contacts.id));
      const row = rows[0]?.customer;
      if (!row) return null;
      const cs = rows.flatMap((r) => (r.contact ? [r.contact] : []));
      return {
        id: row.id,
        name: row.name,
        tier: row.tier,
        segment: row.segment,
        riskScore: row.riskScore,
        noTouch: row.noTouch,
        timezone: row.timezone,
        locale: row.locale,
        paymentTermsDays: row.paymentTermsDays,
        contacts: cs.map((c) => ({
          role: c.role,
          name: c.name,
          email: c.email,
          phone: c.phone,
          ...(c.emailInvalidAt ? { emailInvalid: true } : {}),
        })),
        accountPause:
          row.pausedBy && row.pauseReason && row.pausedAt
            ? { by: row.pausedBy, reason: row.pauseReason, since: row.pausedAt.toISOString() }
            : null,
      };
    },

    async listInvoicesPaidSince(since) {
      const rows = await db
        .selectDistinct({ number: paymentApplications.invoiceNumber })
        .from(paymentApplications)
        .where(gte(paymentApplications.appliedAt, since));
      return rows.map((r) => r.number);
    },

    async invalidateEmail(address, reason) {
      const rows = await guarded(() =>
        db
          .update(contacts)
          .set({ emailInvalidAt: new Date(), emailInvalidReason: reason })
          .where(sql`lower(${contacts.email}) = lower(${address})`)
          .returning({ customerId: contacts.customerId }),
      );
      return [...new Set(rows.map((r) => r.customerId))];
    },

    async setNoTouch(customerId, noTouch) {
      const updated = await guarded(() =>
        db.update(customers).set({ noTouch, updatedAt: new Date() }).where(eq(customers.id, customerId)).returning({ id: customers.id }),
      );
      return updated.length > 0;
    },

    async setAccountPause(customerId, pause) {
      const updated = await guarded(() =>
        db
          .update(customers)
          .set(
            pause
              ? { pausedBy: pause.by, pauseReason: pause.reason, pausedAt: new Date(), updatedAt: new Date() }
              : { pausedBy: null, pauseReason: null, pausedAt: null, updatedAt: new Date() },
          )
          .where(eq(customers.id, customerId))
          .returning({ id: customers.id }),
      );
      return updated.length > 0;
    },

    async recordContact(input) {
      const rows = (input.invoiceNumbers.length ? input.invoiceNumbers : [null]).map((invoiceNumber) => ({
        idempotencyKey: input.idempotencyKey,
        customerId: input.customerId,
        invoiceNumber,
        channel: input.channel,
        summary: input.summary,
      }));
      // The unique key is NULLS NOT DISTINCT, so an account-level retry (no invoice) is a no-op too.
      await guarded(() => db.insert(contactLog).values(rows).onConflictDoNothing());
    },

    async logPromise(input) {
      if (input.amountMinor !== null) assertAmount('amountMinor', input.amountMinor);
      await guarded(async () => {
        const [inv] = await db.select({ currency: invoices.currency }).from(invoices).where(eq(invoices.number, input.invoiceNumber));
        if (!inv) throw new LedgerError(`invoice ${input.invoiceNumber} not found`, 'not_found');
        if (inv.currency !== input.currency) {
          throw new LedgerError(`currency: ${input.currency} does not match invoice ${input.invoiceNumber} in ${inv.currency}`, 'invalid');
        }
        await db
          .insert(promises)
          .values({ ...input })
          .onConflictDoNothing();
      });
    },

    async closePromise({ id, status }) {
      // Only an open promise closes: a retry, or a second outcome, leaves the first one standing.
      await db
        .update(promises)
        .set({ status })
        .where(and(eq(promises.id, id), eq(promises.status, 'open')));
    },

    async openDispute(input) {
      await guarded(() =>
        db.transaction(async (tx) => {
          const [inv] = await tx
            .select({ n: invoices.number })
            .from(invoices)
            .where(eq(invoices.number, input.invoiceNumber))
            .for('update');
          if (!inv) throw new LedgerError(`invoice ${input.invoiceNumber} not found`, 'not_found');
          await tx
            .insert(disputes)
            .values({ ...input })
            .onConflictDoNothing();
          // Only an open invoice becomes disputed: a paid or void one keeps its status.
          await tx
            .update(invoices)
            .set({ status: 'disputed', updatedAt: sql`now()` })
            .where(and(eq(invoices.number, input.invoiceNumber), eq(invoices.status, 'open')));
        }),
      );
    },

    async getOpenDispute(invoiceNumber) {
      const [row] = await db
        .select()
        .from(disputes)
        .where(and(eq(disputes.invoiceNumber, invoiceNumber), eq(disputes.status, 'open')))
        .orderBy(asc(disputes.openedAt))
        .limit(1);
      return row ? { id: row.id, reason: row.reason, owner: row.owner, deadline: row.deadline } : null;
    },

    async setDisputeStatus({ id, status, resolution }) {
      await guarded(() =>
        db.transaction(async (tx) => {
          const [row] = await tx
            .update(disputes)
            .set({ status, resolution: resolution ?? null, resolvedAt: status === 'open' ? null : sql`now()` })
            .where(eq(disputes.id, id))
            .returning();
          if (!row) throw new LedgerError(`dispute ${id} not found`, 'not_found');
          if (status === 'open') {
            await tx
              .update(invoices)
              .set({ status: 'disputed', updatedAt: sql`now()` })
              .where(and(eq(invoices.number, row.invoiceNumber), eq(invoices.status, 'open')));
            return;
          }
          // The invoice leaves "disputed" only when no other dispute on it is still open.
          const [other] = await tx
            .select({ id: disputes.id })
            .from(disputes)
            .where(and(eq(disputes.invoiceNumber, row.invoiceNumber), eq(disputes.status, 'open'), ne(disputes.id, id)))
            .limit(1);
          if (other) return;
          await tx
            .update(invoices)
            .set({ status: sql`case when ${invoices.openMinor} = 0 then 'paid' else 'open' end`, updatedAt: sql`now()` })
            .where(and(eq(invoices.number, row.invoiceNumber), eq(invoices.status, 'disputed')));
        }),
      );
    },

    async postPaymentApplication(input: PaymentApplicationInput): Promise<PaymentApplicationResult> {
      assertAmount('amountMinor', input.amountMinor);
      return guarded(() => db.transaction((tx) => applyInTx(tx, input)));
    },

    async reversePaymentApplication({ paymentId, invoiceNumber }): Promise<PaymentReversalResult> {
      return guarded(() =>
        db.transaction(async (tx) => {
          // Invoice first, then payment: the lock order of applyInTx and the allocation trigger.
          const [inv] = await tx.select().from(invoices).where(eq(invoices.number, invoiceNumber)).for('update');
          if (!inv) throw new LedgerError(`invoice ${invoiceNumber} not found`, 'not_found');
          const [app] = await tx
            .delete(paymentApplications)
            .where(and(eq(paymentApplications.paymentId, paymentId), eq(paymentApplications.invoiceNumber, invoiceNumber)))
            .returning();
          if (!app) return { invoiceNumber, openMinor: inv.openMinor, status: inv.status, amountMinor: 0, reversed: false };
          const openMinor = inv.openMinor + app.amountMinor;
          // Money owed again: a paid invoice is collectable again; other states (disputed) keep theirs.
          const status: LedgerInvoiceStatus = inv.status === 'paid' ? 'open' : inv.status;
          await tx.update(invoices).set({ openMinor, status, updatedAt: sql`now()` }).where(eq(invoices.number, invoiceNumber));
          return { invoiceNumber, openMinor, status, amountMinor: app.amountMinor, reversed: true };
        }),
      );
    },

    async receivePayment(input: ReceivePaymentInput): Promise<PaymentApplicationResult> {
      assertAmount('amountMinor', input.amountMinor);
      return guarded(() =>
        db.transaction(async (tx) => {
          const [inv] = await tx.select({ customerId: invoices.customerId }).from(invoices).where(eq(invoices.number, input.invoiceNumber));
          if (!inv) throw new LedgerError(`invoice ${input.invoiceNumber} not found`, 'not_found');
          if (inv.customerId !== input.customerId) {
            throw new LedgerError(
              `customerId: ${input.customerId} is not the customer of invoice ${input.invoiceNumber} (${inv.customerId})`,
              'invalid',
            );
          }
          const [existing] = await tx.select().from(payments).where(eq(payments.id, input.paymentId)).for('update');
          if (existing) {
            const same =
              existing.amountMinor === input.amountMinor &&
              existing.currency === input.currency &&
              existing.receivedOn === input.receivedOn &&
              existing.customerId === input.customerId;
            // A retry: the receipt must already sit on this invoice, else the id names another receipt.
            const [app] = await tx
              .select({ id: paymentApplications.id })
              .from(paymentApplications)
              .where(and(eq(paymentApplications.paymentId, input.paymentId), eq(paymentApplications.invoiceNumber, input.invoiceNumber)));
            if (!same || !app) throw new LedgerError(`payment ${input.paymentId} was already recorded with other values`, 'conflict');
          } else {
            await tx.insert(payments).values({
              id: input.paymentId,
              customerId: input.customerId,
              receivedOn: input.receivedOn,
              currency: input.currency,
              amountMinor: input.amountMinor,
              reference: input.reference,
              source: input.source ?? 'manual',
              payer: input.payer ?? null,
            });
          }
          // A refusal below rolls the receipt back with it: no orphan payment for a refused application.
          const result = await applyInTx(tx, {
            paymentId: input.paymentId,
            invoiceNumber: input.invoiceNumber,
            amountMinor: input.amountMinor,
            currency: input.currency,
            appliedBy: input.appliedBy,
          });
          return result;
        }),
      );
    },

    async postCreditNote(input) {
      assertAmount('amountMinor', input.amountMinor);
      await guarded(() =>
        db.transaction(async (tx) => {
          const [inv] = await tx.select().from(invoices).where(eq(invoices.number, input.invoiceNumber)).for('update');
          if (!inv) throw new LedgerError(`invoice ${input.invoiceNumber} not found`, 'not_found');
          const [existing] = await tx.select().from(creditNotes).where(eq(creditNotes.id, input.id));
          if (existing) {
            if (
              existing.invoiceNumber !== input.invoiceNumber ||
              existing.amountMinor !== input.amountMinor ||
              existing.currency !== input.currency
            ) {
              throw new LedgerError(`credit note ${input.id} was already posted with other values`, 'conflict');
            }
            return; // A retry.
          }
          if (inv.currency !== input.currency) {
            throw new LedgerError(`currency: ${input.currency} does not match invoice ${inv.number} in ${inv.currency}`, 'invalid');
          }
          if (input.amountMinor > inv.openMinor) {
            throw new LedgerError(
              `amount: ${input.amountMinor} exceeds the open balance ${inv.openMinor} of invoice ${inv.number}`,
              'invalid',
            );
          }
          await tx.insert(creditNotes).values({
            id: input.id,
            customerId: inv.customerId,
            invoiceNumber: inv.number,
            currency: input.currency,
            amountMinor: input.amountMinor,
            issuedOn: sql`current_date`,
            reason: input.reason,
          });
          const openMinor = inv.openMinor - input.amountMinor;
          await tx
            .update(invoices)
            .set({ openMinor, status: openMinor === 0 ? 'paid' : inv.status, updatedAt: sql`now()` })
            .where(eq(invoices.number, inv.number));
        }),
      );
    },

    async recordWriteOff(input) {
      assertAmount('amountMinor', input.amountMinor);
      await guarded(() =>
        db.transaction(async (tx) => {
          const [inv] = await tx.select().from(invoices).where(eq(invoices.number, input.invoiceNumber)).for('update');
          if (!inv) throw new LedgerError(`invoice ${input.invoiceNumber} not found`, 'not_found');
          const [existing] = await tx.select().from(writeOffs).where(eq(writeOffs.id, input.id));
          if (existing) {
            if (
              existing.invoiceNumber !== input.invoiceNumber ||
              existing.amountMinor !== input.amountMinor ||
              existing.currency !== input.currency
            ) {
              throw new LedgerError(`write-off ${input.id} was already recorded with other values`, 'conflict');
            }
            return; // A retry.
          }
          if (inv.currency !== input.currency) {
            throw new LedgerError(`currency: ${input.currency} does not match invoice ${inv.number} in ${inv.currency}`, 'invalid');
          }
          // Writing off more than is owed is refused, never clamped: the excess would be a silent error.
          if (input.amountMinor > inv.openMinor) {
            throw new LedgerError(
              `amount: ${input.amountMinor} exceeds the open balance ${inv.openMinor} of invoice ${inv.number}`,
              'invalid',
            );
          }
          await tx.insert(writeOffs).values(input);
          const openMinor = inv.openMinor - input.amountMinor;
          await tx
            .update(invoices)
            .set({ openMinor, status: openMinor === 0 ? 'written_off' : inv.status, updatedAt: sql`now()` })
            .where(eq(invoices.number, inv.number));
        }),
      );
    },

    async updateInvoiceStatus(number, status) {
      // A "paid" invoice with money owed is refused by invoices_paid_ck and reported as 'invalid'.
      const r = await guarded(() =>
        db.update(invoices).set({ status, updatedAt: sql`now()` }).where(eq(invoices.number, number)).returning({ n: invoices.number }),
      );
      if (r.length === 0) throw new LedgerError(`invoice ${number} not found`, 'not_found');
    },
  };
}
