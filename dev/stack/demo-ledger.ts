/**
 * A realistic demo ledger for a first `npm start`: about 200 customers in three tiers and about
 * 1,000 invoices in USD, EUR and GBP, some not yet due, some 1–120 days overdue, some partly
 * paid, a few disputed. Deterministic (seeded), so every new user sees the same ledger.
 */
import { sql } from 'drizzle-orm';
import { schema, type Db } from '../../db/client';
import { addDays } from '../../domain/calendar';

/** mulberry32: a tiny seeded PRNG, so the demo is the same on every machine. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

const NAMES_A = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Acme',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Tyrell',
  'Wonka',
  'Cyberdyne',
  'Aperture',
  'Gringotts',
  'Oceanic',
  'Pied Piper',
  'Dunder',
];
const NAMES_B = ['Logistics', 'Foods', 'Systems', 'Retail', 'Health', 'Labs', 'Energy', 'Media', 'Partners', 'Manufacturing'];
const ZONES = [
  { tz: 'America/New_York', locale: 'en-US', currency: 'USD' },
  { tz: 'America/Chicago', locale: 'en-US', currency: 'USD' },
  { tz: 'America/Los_Angeles', locale: 'en-US', currency: 'USD' },
  { tz: 'Europe/Berlin', locale: 'de-DE', currency: 'EUR' },
  { tz: 'Europe/Paris', locale: 'fr-FR', currency: 'EUR' },
  { tz: 'Europe/Amsterdam', locale: 'nl-NL', currency: 'EUR' },
  { tz: 'Europe/London', locale: 'en-GB', currency: 'GBP' },
] as const;
const SEGMENTS = ['enterprise', 'mid-market', 'smb'] as const;

export interface DemoLedgerSummary {
  customers: number;
  invoices: number;
  disputed: number;
  partlyPaid: number;
}

export async function isLedgerEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(schema.customers);
  return (row?.n ?? 0) === 0;
}

export async function loadDemoLedger(db: Db, opts: { today: string; customers?: number; seed?: number }): Promise<DemoLedgerSummary> {
  const r = rng(opts.seed ?? 20261123);
  const nCustomers = opts.customers ?? 200;
  const customers: (typeof schema.customers.$inferInsert)[] = [];
  const contacts: (typeof schema.contacts.$inferInsert)[] = [];
  const invoices: (typeof schema.invoices.$inferInsert)[] = [];
  const payments: (typeof schema.payments.$inferInsert)[] = [];
  const applications: (typeof schema.paymentApplications.$inferInsert)[] = [];
  const disputes: (typeof schema.disputes.$inferInsert)[] = [];
  let partlyPaid = 0;

  for (let c = 1; c <= nCustomers; c++) {
    const roll = r.next();
    const tier = roll < 0.1 ? 'strategic' : roll < 0.6 ? 'standard' : 'small';
    const zone = r.pick(ZONES);
    const id = `C${String(c).padStart(4, '0')}`;
    const name = `${r.pick(NAMES_A)} ${r.pick(NAMES_B)} ${c}`;
    const domain = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    customers.push({
      id,
      name,
      tier,
      segment: tier === 'strategic' ? 'enterprise' : r.pick(SEGMENTS),
      riskScore: r.int(5, 95),
      noTouch: tier === 'strategic' && r.next() < 0.2,
      timezone: zone.tz,
      locale: zone.locale,
      paymentTermsDays: r.pick([30, 30, 45, 60]),
    });
    // Most have a billing contact; some also a decision-maker; a few have none (readiness finds them).
    if (r.next() < 0.95) contacts.push({ customerId: id, role: 'billing', name: 'Accounts Payable', email: `ap@${domain}.example` });
    if (r.next() < 0.6)
      contacts.push({
        customerId: id,
        role: 'decision_maker',
        name: r.pick(['Dana Chen', 'Luis Ortega', 'Priya Nair', 'Sam Okafor', 'Eva Novak']),
        email: `finance.lead@${domain}.example`,
      });

    const count = tier === 'strategic' ? r.int(6, 12) : tier === 'standard' ? r.int(4, 7) : r.int(2, 5);
    for (let k = 1; k <= count; k++) {
      const number = `INV-${String(c).padStart(4, '0')}-${String(k).padStart(2, '0')}`;
      const terms = customers[customers.length - 1]!.paymentTermsDays!;
      // Due dates from 20 days ahead to 120 days behind today.
      const dueOffset = r.int(-120, 20);
      const dueDate = addDays(opts.today, dueOffset);
      const issueDate = addDays(dueDate, -terms);
      const scale = tier === 'strategic' ? 5_000_00 : tier === 'standard' ? 800_00 : 150_00;
      const amountMinor = Math.round(scale * (0.3 + r.next() * 2.5)) + r.int(0, 99);
      let openMinor = amountMinor;
      if (r.next() < 0.1) {
        const paid = Math.round(amountMinor * (0.2 + r.next() * 0.5));
        openMinor = amountMinor - paid;
        const paymentId = `PAY-${number}`;
        payments.push({
          id: paymentId,
          customerId: id,
          receivedOn: addDays(dueDate, r.int(-5, 10)) < opts.today ? addDays(dueDate, r.int(-5, 0)) : opts.today,
          currency: zone.currency,
          amountMinor: paid,
          payer: name,
          reference: number,
          source: 'import',
        });
        applications.push({ paymentId, invoiceNumber: number, amountMinor: paid, appliedBy: 'demo' });
        partlyPaid++;
      }
      const disputed = dueOffset < -10 && r.next() < 0.03;
      invoices.push({
        number,
        customerId: id,
        currency: zone.currency,
        amountMinor,
        openMinor,
        issueDate,
        dueDate,
        terms: `Net ${terms}`,
        poNumber: r.next() < 0.7 ? `PO-${r.int(10000, 99999)}` : null,
        status: disputed ? 'disputed' : 'open',
      });
      if (disputed) {
        disputes.push({
          id: `DSP-${number}`,
          invoiceNumber: number,
          reason: r.pick(['pricing', 'goods not received', 'duplicate invoice', 'quality']),
          owner: 'ar-disputes',
          deadline: addDays(opts.today, r.int(1, 14)),
          openedBy: 'demo',
        });
      }
    }
  }

  await db.transaction(async (tx) => {
    const chunks = <T>(xs: T[], n = 500) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
    for (const c of chunks(customers)) await tx.insert(schema.customers).values(c);
    for (const c of chunks(contacts)) await tx.insert(schema.contacts).values(c);
    for (const c of chunks(invoices)) await tx.insert(schema.invoices).values(c);
    for (const c of chunks(payments)) if (c.length) await tx.insert(schema.payments).values(c);
    for (const c of chunks(applications)) if (c.length) await tx.insert(schema.paymentApplications).values(c);
    for (const c of chunks(disputes)) if (c.length) await tx.insert(schema.disputes).values(c);
  });
  return { customers: customers.length, invoices: invoices.length, disputed: disputes.length, partlyPaid };
}
