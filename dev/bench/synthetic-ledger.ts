/**
 * A seeded synthetic ledger as CSV files for `ar import`: customers (with a billing email) and
 * invoices in USD, EUR and JPY, some partly paid. Deterministic (LCG), so every run imports the
 * same data. Shared by bench:import and bench:scale.
 */
import { addDays } from '../../domain/calendar';
import { toDecimal } from '../../domain/money';

/** Deterministic pseudo-random numbers (LCG): every run imports the same data. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export interface SyntheticInvoice {
  number: string;
  customerId: string;
  issue: string;
  due: string;
  currency: string;
  amountMinor: number;
  openMinor: number | null;
}

export interface SyntheticLedgerOptions {
  rows: number;
  customers: number;
  /** Issue and due date of invoice i (1-based); `rand` is the generator's own stream. */
  dates?: (i: number, rand: () => number) => { issue: string; due: string };
}

/** bench:import's book: issued over the first half of 2025, due 30 days later. */
function issued2025(_i: number, rand: () => number) {
  const issue = addDays('2025-01-01', Math.floor(rand() * 180));
  return { issue, due: addDays(issue, 30) };
}

export function generateLedger(opts: SyntheticLedgerOptions): { customersCsv: string; invoicesCsv: string; invoices: SyntheticInvoice[] } {
  const { rows, customers: customerCount } = opts;
  const dates = opts.dates ?? issued2025;
  const rand = rng(42);
  const tiers = ['strategic', 'standard', 'small'];
  const zones = ['America/New_York', 'Europe/Berlin', 'Asia/Tokyo', 'Europe/London'];
  const customers = ['customer_id,name,tier,segment,email,decision_maker_email,timezone'];
  for (let i = 1; i <= customerCount; i++) {
    const id = `C${String(i).padStart(6, '0')}`;
    customers.push(`${id},Customer ${i},${tiers[i % 3]},seg-${i % 7},ap${i}@example.com,cfo${i}@example.com,${zones[i % 4]}`);
  }
  const invoices: SyntheticInvoice[] = [];
  const lines = ['invoice_number,customer_id,issue_date,due_date,currency,amount,open_amount,po_number,terms'];
  for (let i = 1; i <= rows; i++) {
    const r = rand();
    const currency = r < 0.7 ? 'USD' : r < 0.9 ? 'EUR' : 'JPY';
    const amountMinor = 100 + Math.floor(rand() * 5_000_000);
    const openMinor = rand() < 0.3 ? Math.floor(amountMinor * rand()) : null;
    const { issue, due } = dates(i, rand);
    const inv: SyntheticInvoice = {
      number: `INV-${String(i).padStart(7, '0')}`,
      customerId: `C${String(1 + Math.floor(rand() * customerCount)).padStart(6, '0')}`,
      issue,
      due,
      currency,
      amountMinor,
      openMinor,
    };
    invoices.push(inv);
    const open = openMinor === null ? '' : toDecimal(openMinor, currency);
    lines.push(
      `${inv.number},${inv.customerId},${inv.issue},${inv.due},${currency},${toDecimal(amountMinor, currency)},${open},PO-${i},NET30`,
    );
  }
  return { customersCsv: customers.join('\r\n') + '\r\n', invoicesCsv: lines.join('\r\n') + '\r\n', invoices };
}
