/**
 * The ERP port contract: what every ledger adapter (built-in, NetSuite, QuickBooks, Xero, Sage)
 * must do for the workflows to be safe. An adapter's test file calls
 * `runLedgerContract('my adapter', makeLedger)` with a factory that returns the port, a way to seed
 * records (in a sandbox company for a real ERP) and a way to read back what the port recorded.
 *
 * Tests use a fresh prefix for every record they create, so they pass against a sandbox that is
 * not reset between runs and that holds other records.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emailContact,
  LedgerError,
  type ContactRecord,
  type InvoiceRecord,
  type LedgerPort,
  type ReceivePaymentInput,
  type Tier,
} from '../../ledger/port';

interface SeedCustomer {
  id: string;
  name: string;
  tier: Tier;
  segment?: string;
  timezone?: string;
  contacts?: ContactRecord[];
}

interface SeedInvoice {
  number: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  openMinor?: number;
  issueDate: string;
  dueDate: string;
  terms?: string | null;
  poNumber?: string | null;
}

interface SeedPayment {
  id: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  receivedOn: string;
}

export interface LedgerFixture {
  ledger: LedgerPort;
  seed: {
    customer(c: SeedCustomer): Promise<void>;
    invoice(i: SeedInvoice): Promise<void>;
    payment(p: SeedPayment): Promise<void>;
  };
  /** Reads back what the port wrote, where the port itself has no read (an ERP adapter queries its sandbox). */
  inspect: {
    contactLogEntries(idempotencyKey: string): Promise<{ customerId: string; invoiceNumber: string | null; channel: string }[]>;
    promise(
      id: string,
    ): Promise<{ invoiceNumber: string; promisedDate: string; amountMinor: number | null; currency: string; status: string } | null>;
    dispute(id: string): Promise<{ invoiceNumber: string; status: string } | null>;
    writeOffTotal(invoiceNumber: string): Promise<number>;
  };
  close(): Promise<void>;
}

async function expectLedgerError(p: Promise<unknown>, code: LedgerError['code']): Promise<LedgerError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a LedgerError '${code}'`).toBeInstanceOf(LedgerError);
  expect((err as LedgerError).code).toBe(code);
  return err as LedgerError;
}

/** Pages through every open invoice, returning the numbers in the order served. */
async function scanOpen(ledger: LedgerPort, limit: number, between?: (page: number) => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  let page = 0;
  do {
    const res = await ledger.listOpenInvoices({ cursor, limit });
    expect(res.invoices.length).toBeLessThanOrEqual(limit);
    for (const inv of res.invoices) {
      expect(['open', 'disputed']).toContain(inv.status);
      seen.push(inv.number);
    }
    cursor = res.nextCursor;
    page++;
    if (cursor && between) await between(page);
    if (page > 10_000) throw new Error('paging does not terminate');
  } while (cursor);
  return seen;
}

export function runLedgerContract(name: string, makeLedger: () => Promise<LedgerFixture>): void {
  describe(`ledger contract: ${name}`, () => {
    let f: LedgerFixture;
    let ledger: LedgerPort;

    beforeAll(async () => {
      f = await makeLedger();
      ledger = f.ledger;
    });
    afterAll(async () => {
      await f?.close();
    });

    /** A customer with a unique id and one USD invoice per given amount (open in full). */
    async function setup(amounts: number[] = [10_000], currency = 'USD') {
      const p = `t${randomUUID().slice(0, 8)}`;
      const customerId = `${p}-C`;
      await f.seed.customer({ id: customerId, name: `Customer ${p}`, tier: 'standard' });
      const numbers: string[] = [];
      for (const [i, amountMinor] of amounts.entries()) {
        const number = `${p}-INV-${String(i).padStart(3, '0')}`;
        await f.seed.invoice({ number, customerId, currency, amountMinor, issueDate: '2025-01-01', dueDate: '2025-01-31' });
        numbers.push(number);
      }
      return { p, customerId, numbers };
    }

    describe('reads', () => {
      it('returns a customer with its contacts, and null for an unknown id', async () => {
        const id = `t${randomUUID().slice(0, 8)}-C`;
        await f.seed.customer({
          id,
          name: 'Globex GmbH',
          tier: 'strategic',
          segment: 'emea',
          timezone: 'Europe/Berlin',
          contacts: [
            { role: 'billing', name: 'Ap Team', email: 'ap@globex.example', phone: null },
            { role: 'decision_maker', name: 'Hank Scorpio', email: 'hank@globex.example', phone: '+49 30 1234' },
          ],
        });
        const c = await ledger.getCustomer(id);
        expect(c).toMatchObject({ id, name: 'Globex GmbH', tier: 'strategic', segment: 'emea', timezone: 'Europe/Berlin', noTouch: false });
        expect(c!.contacts).toEqual([
          { role: 'billing', name: 'Ap Team', email: 'ap@globex.example', phone: null },
          { role: 'decision_maker', name: 'Hank Scorpio', email: 'hank@globex.example', phone: '+49 30 1234' },
        ]);
        expect(await ledger.getCustomer(`${id}-missing`)).toBeNull();
      });

      it('returns a customer without contacts with an empty contact list', async () => {
        const id = `t${randomUUID().slice(0, 8)}-C`;
        await f.seed.customer({ id, name: 'Initech', tier: 'standard', contacts: [] });
        expect(await ledger.getCustomer(id)).toMatchObject({ id, name: 'Initech', contacts: [] });
      });

      it('a hard-bounced address is invalid on every contact that has it, and no longer chosen for email', async () => {
        const id = `t${randomUUID().slice(0, 8)}-C`;
        await f.seed.customer({
          id,
          name: 'Bounce Ltd',
          tier: 'standard',
          contacts: [
            { role: 'billing', name: 'Ap', email: `AP@${id}.example`, phone: null },
            { role: 'decision_maker', name: 'Dee', email: `dee@${id}.example`, phone: null },
          ],
        });
        expect(await ledger.invalidateEmail(`ap@${id}.example`, 'hard bounce')).toEqual([id]);
        const c = (await ledger.getCustomer(id))!;
        expect(c.contacts.find((x) => x.role === 'billing')).toMatchObject({ emailInvalid: true });
        expect(emailContact(c.contacts)?.email).toBe(`dee@${id}.example`);
        expect(await ledger.invalidateEmail(`nobody@${id}.example`, 'hard bounce')).toEqual([]);
      });

      it('sets and clears no-touch on a customer; an unknown customer answers false', async () => {
        const { customerId } = await setup([]);
        expect(await ledger.setNoTouch(customerId, true)).toBe(true);
        expect((await ledger.getCustomer(customerId))!.noTouch).toBe(true);
        expect(await ledger.setNoTouch(customerId, false)).toBe(true);
        expect((await ledger.getCustomer(customerId))!.noTouch).toBe(false);
        expect(await ledger.setNoTouch(`${customerId}-missing`, true)).toBe(false);
      });

      it('stores an account pause on the customer until it is cleared; an unknown customer answers false', async () => {
        const { customerId } = await setup([]);
        expect((await ledger.getCustomer(customerId))!.accountPause ?? null).toBeNull();
        const before = Date.now();
        expect(await ledger.setAccountPause(customerId, { by: 'ada', reason: 'talking to them' })).toBe(true);
        const paused = (await ledger.getCustomer(customerId))!.accountPause!;
        expect(paused).toMatchObject({ by: 'ada', reason: 'talking to them' });
        expect(Date.parse(paused.since)).toBeGreaterThanOrEqual(before - 5_000);
        expect(await ledger.setAccountPause(customerId, null)).toBe(true);
        expect((await ledger.getCustomer(customerId))!.accountPause ?? null).toBeNull();
        expect(await ledger.setAccountPause(`${customerId}-missing`, { by: 'ada', reason: 'x' })).toBe(false);
      });

      it('returns an invoice exactly as seeded, and null for an unknown number', async () => {
        const { customerId, p } = await setup([]);
        const number = `${p}-JPY`;
        await f.seed.invoice({
          number,
          customerId,
          currency: 'JPY',
          amountMinor: 1_234_567,
          openMinor: 1_000_000,
          issueDate: '2025-02-28',
          dueDate: '2025-03-31',
          terms: 'NET30',
          poNumber: 'PO-9',
        });
        const inv = await ledger.getInvoice(number);
        expect(inv).toEqual<InvoiceRecord>({
          number,
          customerId,
          currency: 'JPY',
          amountMinor: 1_234_567,
          openMinor: 1_000_000,
          issueDate: '2025-02-28',
          dueDate: '2025-03-31',
          terms: 'NET30',
          poNumber: 'PO-9',
          status: 'open',
          noTouch: false,
        });
        expect(await ledger.getInvoice(`${number}-missing`)).toBeNull();
      });
    });

    describe('listOpenInvoices', () => {
      it('pages every open or disputed invoice exactly once and leaves out closed ones', async () => {
        const { numbers } = await setup(Array.from({ length: 23 }, (_, i) => 1000 + i));
        await ledger.updateInvoiceStatus(numbers[3]!, 'void');
        await ledger.openDispute({
          id: `${numbers[7]}-D`,
          invoiceNumber: numbers[7]!,
          reason: 'pricing',
          note: null,
          owner: null,
          deadline: null,
          openedBy: 'test',
        });
        const ours = (await scanOpen(ledger, 5)).filter((n) => numbers.includes(n));
        expect(new Set(ours).size).toBe(ours.length);
        expect([...ours].sort()).toEqual(numbers.filter((_, i) => i !== 3).sort());
      });

      it('has no gaps or duplicates when invoices change, close and open between pages', async () => {
        const { numbers, customerId, p } = await setup(Array.from({ length: 20 }, () => 10_000));
        const served: string[] = [];
        const closedAhead = new Set<string>();
        let cursor: string | undefined;
        let step = 0;
        do {
          const res = await ledger.listOpenInvoices({ cursor, limit: 4 });
          served.push(...res.invoices.map((i) => i.number).filter((n) => n.startsWith(p)));
          cursor = res.nextCursor;
          if (!cursor) break;
          step++;
          const done = numbers.filter((n) => served.includes(n));
          const ahead = numbers.filter((n) => !served.includes(n) && !closedAhead.has(n));
          const paymentId = `${p}-PAY-${step}`;
          await f.seed.payment({ id: paymentId, customerId, currency: 'USD', amountMinor: 1_000, receivedOn: '2025-02-01' });
          // An invoice already served changes (an ordering by last change would serve it again) ...
          const back = done[done.length - 1];
          if (back)
            await ledger.postPaymentApplication({
              paymentId,
              invoiceNumber: back,
              amountMinor: 100,
              currency: 'USD',
              appliedBy: 'contract',
            });
          // ... one not yet served changes, another closes, and a new invoice opens.
          if (ahead.length > 1) {
            await ledger.postPaymentApplication({
              paymentId,
              invoiceNumber: ahead[0]!,
              amountMinor: 200,
              currency: 'USD',
              appliedBy: 'contract',
            });
          }
          if (ahead.length > 2) {
            const last = ahead[ahead.length - 1]!;
            await ledger.updateInvoiceStatus(last, 'void');
            closedAhead.add(last);
          }
          await f.seed.invoice({
            number: `${p}-NEW-${step}`,
            customerId,
            currency: 'USD',
            amountMinor: 500,
            issueDate: '2025-01-01',
            dueDate: '2025-01-31',
          });
          if (step > 1_000) throw new Error('paging does not terminate');
        } while (cursor);

        expect(step).toBeGreaterThanOrEqual(4);
        expect(closedAhead.size).toBeGreaterThan(0);
        expect(served.length).toBe(new Set(served).size);
        const stayedOpen = numbers.filter((n) => !closedAhead.has(n));
        expect(stayedOpen.filter((n) => !served.includes(n))).toEqual([]);
        expect(served.filter((n) => closedAhead.has(n))).toEqual([]);
      });

      it('refuses a cursor it did not issue and a limit below one', async () => {
        await expectLedgerError(ledger.listOpenInvoices({ cursor: 'not-a-cursor', limit: 5 }), 'invalid');
        await expectLedgerError(ledger.listOpenInvoices({ limit: 0 }), 'invalid');
      });
    });

    describe('recordContact', () => {
      it('records one entry per invoice, once, however often it is retried', async () => {
        const { customerId, numbers } = await setup([100, 200]);
        const key = `contact-${randomUUID()}`;
        const input = { idempotencyKey: key, customerId, invoiceNumbers: numbers, channel: 'email' as const, summary: 'Reminder 1' };
        await ledger.recordContact(input);
        await ledger.recordContact(input);
        const entries = await f.inspect.contactLogEntries(key);
        expect(entries.map((e) => e.invoiceNumber).sort()).toEqual([...numbers].sort());
        expect(entries.every((e) => e.customerId === customerId && e.channel === 'email')).toBe(true);
      });

      it('records an account-level contact (no invoice) once', async () => {
        const { customerId } = await setup([]);
        const key = `contact-${randomUUID()}`;
        const input = { idempotencyKey: key, customerId, invoiceNumbers: [], channel: 'phone' as const, summary: 'Statement call' };
        await ledger.recordContact(input);
        await ledger.recordContact(input);
        expect(await f.inspect.contactLogEntries(key)).toEqual([{ customerId, invoiceNumber: null, channel: 'phone' }]);
      });

      it('refuses an unknown customer', async () => {
        await expectLedgerError(
          ledger.recordContact({
            idempotencyKey: randomUUID(),
            customerId: `missing-${randomUUID()}`,
            invoiceNumbers: [],
            channel: 'email',
            summary: 'x',
          }),
          'not_found',
        );
      });
    });

    describe('logPromise', () => {
      it('logs a promise once by id', async () => {
        const { numbers } = await setup([50_000]);
        const id = `promise-${randomUUID()}`;
        const input = { id, invoiceNumber: numbers[0]!, promisedDate: '2025-03-15', amountMinor: 25_000, currency: 'USD', loggedBy: 'ann' };
        await ledger.logPromise(input);
        await ledger.logPromise(input);
        expect(await f.inspect.promise(id)).toEqual({
          invoiceNumber: numbers[0],
          promisedDate: '2025-03-15',
          amountMinor: 25_000,
          currency: 'USD',
          status: 'open',
        });
      });

      it('refuses another currency than the invoice and an unknown invoice', async () => {
        const { numbers } = await setup([50_000]);
        await expectLedgerError(
          ledger.logPromise({
            id: randomUUID(),
            invoiceNumber: numbers[0]!,
            promisedDate: '2025-03-15',
            amountMinor: 100,
            currency: 'EUR',
            loggedBy: 'ann',
          }),
          'invalid',
        );
        await expectLedgerError(
          ledger.logPromise({
            id: randomUUID(),
            invoiceNumber: `missing-${randomUUID()}`,
            promisedDate: '2025-03-15',
            amountMinor: null,
            currency: 'USD',
            loggedBy: 'ann',
          }),
          'not_found',
        );
      });
    });

    describe('closePromise', () => {
      it('closes an open promise once: the first outcome stands, and an unknown id is a no-op', async () => {
        const { numbers } = await setup([50_000]);
        const id = `promise-${randomUUID()}`;
        await ledger.logPromise({
          id,
          invoiceNumber: numbers[0]!,
          promisedDate: '2025-03-15',
          amountMinor: null,
          currency: 'USD',
          loggedBy: 'ann',
        });
        await ledger.closePromise({ id, status: 'kept' });
        await ledger.closePromise({ id, status: 'kept' });
        expect(await f.inspect.promise(id)).toMatchObject({ status: 'kept' });
        await ledger.closePromise({ id, status: 'broken' });
        expect(await f.inspect.promise(id)).toMatchObject({ status: 'kept' });
        await ledger.closePromise({ id: `missing-${randomUUID()}`, status: 'broken' });
      });
    });

    describe('searchOpenInvoices', () => {
      it('finds still-owed invoices by number (also written loosely), PO, customer id or name, in one currency', async () => {
        const { p, customerId, numbers } = await setup([1_000, 2_000, 3_000]);
        await ledger.updateInvoiceStatus(numbers[1]!, 'void');
        const eur = await setup([4_000], 'EUR');
        const numbersOf = (found: { number: string }[]) => found.map((i) => i.number);
        // By customer name and id: the open ones only, oldest due first, with the customer's name.
        const byName = await ledger.searchOpenInvoices({ text: `customer ${p}`, limit: 10 });
        expect(numbersOf(byName)).toEqual([numbers[0], numbers[2]]);
        expect(byName[0]).toMatchObject({ customerId, customerName: `Customer ${p}`, openMinor: 1_000, status: 'open' });
        expect(numbersOf(await ledger.searchOpenInvoices({ text: customerId.toUpperCase(), limit: 10 }))).toEqual([numbers[0], numbers[2]]);
        // A number without its dashes, in lower case; the exact number comes first.
        const loose = numbers[2]!.replace(/-/g, ' ').toLowerCase();
        expect(numbersOf(await ledger.searchOpenInvoices({ text: loose, limit: 10 }))).toEqual([numbers[2]]);
        expect(numbersOf(await ledger.searchOpenInvoices({ text: numbers[2]!, limit: 10 }))[0]).toBe(numbers[2]);
        // One currency; a limit; LIKE's `_` in the text is a plain character, not any character.
        expect(numbersOf(await ledger.searchOpenInvoices({ text: p, currency: 'EUR', limit: 10 }))).toEqual([]);
        expect(numbersOf(await ledger.searchOpenInvoices({ text: eur.p, currency: 'EUR', limit: 10 }))).toEqual(eur.numbers);
        expect(await ledger.searchOpenInvoices({ text: p, limit: 1 })).toHaveLength(1);
        expect(await ledger.searchOpenInvoices({ text: `${p.slice(0, 3)}_${p.slice(4)}`, limit: 10 })).toEqual([]);
      });
    });

    describe('listCustomerOpenInvoices and getInvoiceStatuses', () => {
      it("lists a customer's open and disputed invoices by number, and null for an unknown customer", async () => {
        const { customerId, numbers } = await setup([1_000, 2_000, 3_000, 4_000]);
        await ledger.updateInvoiceStatus(numbers[1]!, 'void');
        await ledger.openDispute({
          id: `${numbers[2]}-D`,
          invoiceNumber: numbers[2]!,
          reason: 'pricing',
          note: null,
          owner: null,
          deadline: null,
          openedBy: 'test',
        });
        const other = await setup([5_000]);
        const open = await ledger.listCustomerOpenInvoices(customerId);
        expect(open!.map((i) => [i.number, i.status])).toEqual([
          [numbers[0], 'open'],
          [numbers[2], 'disputed'],
          [numbers[3], 'open'],
        ]);
        expect(open!.every((i) => i.customerId === customerId)).toBe(true);
        expect(await ledger.listCustomerOpenInvoices(other.customerId)).toHaveLength(1);
        expect(await ledger.listCustomerOpenInvoices(`${customerId}-missing`)).toBeNull();
        const { customerId: empty } = await setup([]);
        expect(await ledger.listCustomerOpenInvoices(empty)).toEqual([]);
      });

      it('tells the status of each known invoice, open or closed, and leaves unknown numbers out', async () => {
        const { numbers } = await setup([1_000, 2_000, 3_000]);
        await ledger.updateInvoiceStatus(numbers[0]!, 'void');
        await ledger.recordWriteOff({
          id: `wo-${randomUUID()}`,
          invoiceNumber: numbers[1]!,
          amountMinor: 2_000,
          currency: 'USD',
          reason: 'small',
          approvedBy: 'c',
        });
        const missing = `missing-${randomUUID()}`;
        const statuses = await ledger.getInvoiceStatuses([...numbers, missing]);
        expect(Object.fromEntries(statuses)).toEqual({ [numbers[0]!]: 'void', [numbers[1]!]: 'written_off', [numbers[2]!]: 'open' });
        expect((await ledger.getInvoiceStatuses([])).size).toBe(0);
      });
    });

    describe('receivePayment', () => {
      const receipt = (
        s: { customerId: string; numbers: string[]; p: string },
        amountMinor: number,
        extra: Partial<ReceivePaymentInput> = {},
      ): ReceivePaymentInput => ({
        paymentId: `${s.p}-MANUAL-${randomUUID().slice(0, 8)}`,
        customerId: s.customerId,
        invoiceNumber: s.numbers[0]!,
        receivedOn: '2025-02-10',
        currency: 'USD',
        amountMinor,
        reference: 'wire 42',
        appliedBy: 'ann',
        ...extra,
      });

      it('records and applies a receipt once however often it is retried', async () => {
        const s = await setup([10_000]);
        const input = receipt(s, 4_000);
        expect(await ledger.receivePayment(input)).toEqual({
          invoiceNumber: s.numbers[0],
          openMinor: 6_000,
          status: 'open',
          applied: true,
        });
        expect(await ledger.receivePayment(input)).toEqual({
          invoiceNumber: s.numbers[0],
          openMinor: 6_000,
          status: 'open',
          applied: false,
        });
        const rest = receipt(s, 6_000);
        expect(await ledger.receivePayment(rest)).toMatchObject({ openMinor: 0, status: 'paid', applied: true });
        // A retry after the invoice closed still answers, rather than refusing a closed invoice.
        expect(await ledger.receivePayment(rest)).toMatchObject({ openMinor: 0, status: 'paid', applied: false });
      });

      it('reverses an application once: the invoice is owed again and a paid one reopens', async () => {
        const s = await setup([10_000]);
        const input = receipt(s, 10_000);
        expect(await ledger.receivePayment(input)).toMatchObject({ openMinor: 0, status: 'paid' });
        const back = { paymentId: input.paymentId, invoiceNumber: s.numbers[0]!, reason: 'returned by the bank', reversedBy: 'test' };
        expect(await ledger.reversePaymentApplication(back)).toEqual({
          invoiceNumber: s.numbers[0],
          openMinor: 10_000,
          status: 'open',
          amountMinor: 10_000,
          reversed: true,
        });
        expect(await ledger.reversePaymentApplication(back)).toMatchObject({ openMinor: 10_000, status: 'open', reversed: false });
        expect((await ledger.getInvoice(s.numbers[0]!))?.openMinor).toBe(10_000);
      });

      it('refuses the same payment id with other values', async () => {
        const s = await setup([10_000, 10_000]);
        const input = receipt(s, 1_000);
        await ledger.receivePayment(input);
        await expectLedgerError(ledger.receivePayment({ ...input, amountMinor: 1_500 }), 'conflict');
        await expectLedgerError(ledger.receivePayment({ ...input, receivedOn: '2025-02-11' }), 'conflict');
        await expectLedgerError(ledger.receivePayment({ ...input, invoiceNumber: s.numbers[1]! }), 'conflict');
        expect((await ledger.getInvoice(s.numbers[0]!))!.openMinor).toBe(9_000);
        expect((await ledger.getInvoice(s.numbers[1]!))!.openMinor).toBe(10_000);
      });

      it('refuses, recording nothing, more than is owed, another currency, a void invoice, another customer, an unknown invoice', async () => {
        const s = await setup([1_000, 1_000]);
        const over = receipt(s, 1_001);
        await expectLedgerError(ledger.receivePayment(over), 'invalid');
        // Nothing was recorded: the same id may now carry a valid receipt.
        expect(await ledger.receivePayment({ ...over, amountMinor: 1_000 })).toMatchObject({ openMinor: 0, applied: true });
        await expectLedgerError(ledger.receivePayment(receipt(s, 100, { invoiceNumber: s.numbers[1]!, currency: 'EUR' })), 'invalid');
        await ledger.updateInvoiceStatus(s.numbers[1]!, 'void');
        await expectLedgerError(ledger.receivePayment(receipt(s, 100, { invoiceNumber: s.numbers[1]! })), 'invalid');
        const other = await setup([1_000]);
        await expectLedgerError(ledger.receivePayment(receipt(s, 100, { invoiceNumber: other.numbers[0]! })), 'invalid');
        await expectLedgerError(ledger.receivePayment(receipt(s, 100, { invoiceNumber: `missing-${randomUUID()}` })), 'not_found');
        await expectLedgerError(ledger.receivePayment(receipt(other, 0)), 'invalid');
        expect((await ledger.getInvoice(other.numbers[0]!))!.openMinor).toBe(1_000);
      });
    });

    describe('disputes', () => {
      const dispute = (id: string, invoiceNumber: string) => ({
        id,
        invoiceNumber,
        reason: 'short shipment',
        note: 'box 3 missing',
        owner: 'ops',
        deadline: '2025-04-01',
        openedBy: 'ann',
      });

      it('opens a dispute once, marks the invoice disputed (still owed, still listed), and resolving puts it back', async () => {
        const { numbers } = await setup([10_000]);
        const n = numbers[0]!;
        const id = `dispute-${randomUUID()}`;
        await ledger.openDispute(dispute(id, n));
        await ledger.openDispute(dispute(id, n));
        expect(await f.inspect.dispute(id)).toEqual({ invoiceNumber: n, status: 'open' });
        expect((await ledger.getInvoice(n))!.status).toBe('disputed');
        // Disputed money is still receivable: the invoice stays in the working set, its workflow waits.
        expect(await scanOpen(ledger, 50)).toContain(n);
        expect(await ledger.getOpenDispute(n)).toEqual({ id, reason: 'short shipment', owner: 'ops', deadline: '2025-04-01' });

        await ledger.setDisputeStatus({ id, status: 'resolved_invalid', resolution: { note: 'delivered in full' } });
        expect(await ledger.getOpenDispute(n)).toBeNull();
        expect(await f.inspect.dispute(id)).toEqual({ invoiceNumber: n, status: 'resolved_invalid' });
        expect((await ledger.getInvoice(n))!.status).toBe('open');
      });

      it('keeps the invoice disputed while another dispute on it is open', async () => {
        const { numbers } = await setup([10_000]);
        const n = numbers[0]!;
        const [a, b] = [`dispute-${randomUUID()}`, `dispute-${randomUUID()}`];
        await ledger.openDispute(dispute(a, n));
        await ledger.openDispute(dispute(b, n));
        await ledger.setDisputeStatus({ id: a, status: 'resolved_credit' });
        expect((await ledger.getInvoice(n))!.status).toBe('disputed');
        await ledger.setDisputeStatus({ id: b, status: 'resolved_invalid' });
        expect((await ledger.getInvoice(n))!.status).toBe('open');
      });

      it('refuses an unknown dispute and an unknown invoice', async () => {
        await expectLedgerError(ledger.setDisputeStatus({ id: `missing-${randomUUID()}`, status: 'resolved_invalid' }), 'not_found');
        await expectLedgerError(ledger.openDispute(dispute(randomUUID(), `missing-${randomUUID()}`)), 'not_found');
      });
    });

    describe('postPaymentApplication', () => {
      async function withPayment(amounts: number[], paymentMinor: number, currency = 'USD') {
        const s = await setup(amounts, currency);
        const paymentId = `${s.p}-PAY`;
        await f.seed.payment({ id: paymentId, customerId: s.customerId, currency, amountMinor: paymentMinor, receivedOn: '2025-02-10' });
        return { ...s, paymentId };
      }

      it('reduces the open balance once however often it is retried', async () => {
        const { numbers, paymentId } = await withPayment([10_000], 3_000);
        const input = { paymentId, invoiceNumber: numbers[0]!, amountMinor: 3_000, currency: 'USD', appliedBy: 'matcher' };
        expect(await ledger.postPaymentApplication(input)).toEqual({
          invoiceNumber: numbers[0],
          openMinor: 7_000,
          status: 'open',
          applied: true,
        });
        expect(await ledger.postPaymentApplication(input)).toEqual({
          invoiceNumber: numbers[0],
          openMinor: 7_000,
          status: 'open',
          applied: false,
        });
        expect((await ledger.getInvoice(numbers[0]!))!.openMinor).toBe(7_000);
      });

      it('marks the invoice paid when the balance reaches zero, and splits a payment across invoices', async () => {
        const { numbers, paymentId } = await withPayment([4_000, 6_000], 10_000);
        const post = (invoiceNumber: string, amountMinor: number) =>
          ledger.postPaymentApplication({ paymentId, invoiceNumber, amountMinor, currency: 'USD', appliedBy: 'matcher' });
        expect(await post(numbers[0]!, 4_000)).toMatchObject({ openMinor: 0, status: 'paid', applied: true });
        expect(await post(numbers[1]!, 6_000)).toMatchObject({ openMinor: 0, status: 'paid', applied: true });
        expect((await ledger.getInvoice(numbers[1]!))!.status).toBe('paid');
      });

      it('refuses more than the invoice is owed, leaving it unchanged', async () => {
        const { numbers, paymentId } = await withPayment([1_000], 5_000);
        await expectLedgerError(
          ledger.postPaymentApplication({ paymentId, invoiceNumber: numbers[0]!, amountMinor: 1_001, currency: 'USD', appliedBy: 'm' }),
          'invalid',
        );
        expect((await ledger.getInvoice(numbers[0]!))!.openMinor).toBe(1_000);
      });

      it('refuses more than the payment has left to allocate', async () => {
        const { numbers, paymentId } = await withPayment([5_000, 5_000], 6_000);
        await ledger.postPaymentApplication({ paymentId, invoiceNumber: numbers[0]!, amountMinor: 5_000, currency: 'USD', appliedBy: 'm' });
        await expectLedgerError(
          ledger.postPaymentApplication({ paymentId, invoiceNumber: numbers[1]!, amountMinor: 1_001, currency: 'USD', appliedBy: 'm' }),
          'invalid',
        );
        expect((await ledger.getInvoice(numbers[1]!))!.openMinor).toBe(5_000);
      });

      it('refuses a currency other than the invoice and the payment', async () => {
        const { numbers, paymentId } = await withPayment([5_000], 5_000, 'EUR');
        await expectLedgerError(
          ledger.postPaymentApplication({ paymentId, invoiceNumber: numbers[0]!, amountMinor: 100, currency: 'USD', appliedBy: 'm' }),
          'invalid',
        );
        const usd = await setup([5_000], 'USD');
        await expectLedgerError(
          ledger.postPaymentApplication({ paymentId, invoiceNumber: usd.numbers[0]!, amountMinor: 100, currency: 'EUR', appliedBy: 'm' }),
          'invalid',
        );
        expect((await ledger.getInvoice(usd.numbers[0]!))!.openMinor).toBe(5_000);
      });

      it('refuses the same pair posted again with another amount, and a non-positive amount', async () => {
        const { numbers, paymentId } = await withPayment([5_000], 5_000);
        await ledger.postPaymentApplication({ paymentId, invoiceNumber: numbers[0]!, amountMinor: 1_000, currency: 'USD', appliedBy: 'm' });
        await expectLedgerError(
          ledger.postPaymentApplication({ paymentId, invoiceNumber: numbers[0]!, amountMinor: 1_500, currency: 'USD', appliedBy: 'm' }),
          'conflict',
        );
        await expectLedgerError(
          ledger.postPaymentApplication({ paymentId, invoiceNumber: numbers[0]!, amountMinor: 0, currency: 'USD', appliedBy: 'm' }),
          'invalid',
        );
        expect((await ledger.getInvoice(numbers[0]!))!.openMinor).toBe(4_000);
      });

      it('refuses an unknown payment or invoice', async () => {
        const { numbers, paymentId } = await withPayment([5_000], 5_000);
        await expectLedgerError(
          ledger.postPaymentApplication({
            paymentId: `missing-${randomUUID()}`,
            invoiceNumber: numbers[0]!,
            amountMinor: 1,
            currency: 'USD',
            appliedBy: 'm',
          }),
          'not_found',
        );
        await expectLedgerError(
          ledger.postPaymentApplication({
            paymentId,
            invoiceNumber: `missing-${randomUUID()}`,
            amountMinor: 1,
            currency: 'USD',
            appliedBy: 'm',
          }),
          'not_found',
        );
      });
    });

    describe('postCreditNote', () => {
      const credit = (id: string, invoiceNumber: string, amountMinor: number, currency = 'USD') => ({
        id,
        invoiceNumber,
        amountMinor,
        currency,
        reason: 'damaged goods',
      });

      it('credits once by id, and a credit of the whole balance closes the invoice', async () => {
        const { numbers } = await setup([1_000]);
        const n = numbers[0]!;
        const c = credit(`cn-${randomUUID()}`, n, 250);
        await ledger.postCreditNote(c);
        await ledger.postCreditNote(c);
        expect(await ledger.getInvoice(n)).toMatchObject({ openMinor: 750, status: 'open' });
        await expectLedgerError(ledger.postCreditNote({ ...c, amountMinor: 300 }), 'conflict');
        await ledger.postCreditNote(credit(`cn-${randomUUID()}`, n, 750));
        expect(await ledger.getInvoice(n)).toMatchObject({ openMinor: 0, status: 'paid' });
      });

      it('refuses more than is owed, another currency, and an unknown invoice', async () => {
        const { numbers } = await setup([1_000]);
        const n = numbers[0]!;
        await expectLedgerError(ledger.postCreditNote(credit(`cn-${randomUUID()}`, n, 1_001)), 'invalid');
        await expectLedgerError(ledger.postCreditNote(credit(`cn-${randomUUID()}`, n, 10, 'GBP')), 'invalid');
        await expectLedgerError(ledger.postCreditNote(credit(`cn-${randomUUID()}`, `missing-${randomUUID()}`, 10)), 'not_found');
        expect(await ledger.getInvoice(n)).toMatchObject({ openMinor: 1_000, status: 'open' });
      });
    });

    describe('recordWriteOff', () => {
      const writeOff = (id: string, invoiceNumber: string, amountMinor: number, currency = 'USD') => ({
        id,
        invoiceNumber,
        amountMinor,
        currency,
        reason: 'small balance',
        approvedBy: 'controller',
      });

      it('writes off once by id, and a full write-off closes the invoice', async () => {
        const { numbers } = await setup([1_000]);
        const n = numbers[0]!;
        const partial = writeOff(`wo-${randomUUID()}`, n, 300);
        await ledger.recordWriteOff(partial);
        await ledger.recordWriteOff(partial);
        expect(await ledger.getInvoice(n)).toMatchObject({ openMinor: 700, status: 'open' });
        expect(await f.inspect.writeOffTotal(n)).toBe(300);
        await ledger.recordWriteOff(writeOff(`wo-${randomUUID()}`, n, 700));
        expect(await ledger.getInvoice(n)).toMatchObject({ openMinor: 0, status: 'written_off' });
      });

      it('refuses more than is owed, another currency, and an unknown invoice', async () => {
        const { numbers } = await setup([1_000]);
        const n = numbers[0]!;
        await expectLedgerError(ledger.recordWriteOff(writeOff(`wo-${randomUUID()}`, n, 1_001)), 'invalid');
        await expectLedgerError(ledger.recordWriteOff(writeOff(`wo-${randomUUID()}`, n, 100, 'EUR')), 'invalid');
        await expectLedgerError(ledger.recordWriteOff(writeOff(`wo-${randomUUID()}`, `missing-${randomUUID()}`, 100)), 'not_found');
        expect(await ledger.getInvoice(n)).toMatchObject({ openMinor: 1_000, status: 'open' });
        expect(await f.inspect.writeOffTotal(n)).toBe(0);
      });
    });

    describe('updateInvoiceStatus', () => {
      it('sets the status, and a voided invoice leaves the open list', async () => {
        const { numbers } = await setup([1_000]);
        await ledger.updateInvoiceStatus(numbers[0]!, 'void');
        expect((await ledger.getInvoice(numbers[0]!))!.status).toBe('void');
        expect(await scanOpen(ledger, 100)).not.toContain(numbers[0]);
      });

      it('refuses "paid" while money is owed, and an unknown invoice', async () => {
        const { numbers } = await setup([1_000]);
        await expectLedgerError(ledger.updateInvoiceStatus(numbers[0]!, 'paid'), 'invalid');
        expect((await ledger.getInvoice(numbers[0]!))!.status).toBe('open');
        await expectLedgerError(ledger.updateInvoiceStatus(`missing-${randomUUID()}`, 'void'), 'not_found');
      });
    });
  });
}
