/**
 * `ar metrics` end to end on PostgreSQL: a ledger imported with `ar import`, the JSON checked
 * against a second, deliberately plain computation of each definition straight from the CSV files
 * (not from the insights code). No Temporal server runs: the command needs only the database.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, daysBetween, utcDate } from '../../domain/calendar';
import { parseDecimal, toDecimal } from '../../domain/money';
import { type CliFixture, startCliFixture } from '../support/cli';

const FIXTURES = path.resolve('test/fixtures/ledger');
let cli: CliFixture;

function csv(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

interface Inv {
  number: string;
  currency: string;
  amount: number;
  issue: string;
  due: string;
}
interface Pay {
  invoice: string;
  date: string;
  amount: number;
}

/** The definitions as the issue states them, one loop each. */
function expected(invoices: Inv[], payments: Pay[], asOf: string, from: string, n: number) {
  const ar = (t: string, cur: string, onlyCurrent = false) =>
    invoices
      .filter((i) => i.currency === cur && i.issue <= t && (!onlyCurrent || i.due >= t))
      .reduce((sum, i) => {
        const paid = payments.filter((p) => p.invoice === i.number && p.date <= t).reduce((a, p) => a + p.amount, 0);
        return sum + Math.max(0, i.amount - paid);
      }, 0);
  const sales = (cur: string, a: string, b: string) =>
    invoices.filter((i) => i.currency === cur && i.issue >= a && i.issue <= b).reduce((s, i) => s + i.amount, 0);
  const bucket = (d: number) => (d <= 0 ? 'current' : d <= 30 ? '1-30' : d <= 60 ? '31-60' : d <= 90 ? '61-90' : '90+');
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const out: Record<string, unknown> = {};
  for (const cur of [...new Set(invoices.filter((i) => i.issue <= asOf).map((i) => i.currency))].sort()) {
    const arEnd = ar(asOf, cur);
    const aging: Record<string, string> = { current: '0', '1-30': '0', '31-60': '0', '61-90': '0', '90+': '0' };
    const agingMinor: Record<string, number> = { current: 0, '1-30': 0, '31-60': 0, '61-90': 0, '90+': 0 };
    for (const i of invoices.filter((x) => x.currency === cur && x.issue <= asOf)) {
      const paid = payments.filter((p) => p.invoice === i.number && p.date <= asOf).reduce((a, p) => a + p.amount, 0);
      agingMinor[bucket(daysBetween(i.due, asOf))]! += Math.max(0, i.amount - paid);
    }
    for (const k of Object.keys(aging)) aging[k] = toDecimal(agingMinor[k]!, cur);
    const windowSales = sales(cur, addDays(asOf, -(n - 1)), asOf);
    // Countback: the as-of month to date, then whole months back.
    let remaining = arEnd;
    let days = 0;
    let [y, m] = [Number(asOf.slice(0, 4)), Number(asOf.slice(5, 7))];
    let first = true;
    while (remaining > 0) {
      const monthStart = `${y}-${String(m).padStart(2, '0')}-01`;
      const monthEnd = first ? asOf : addDays(`${m === 12 ? y + 1 : y}-${String((m % 12) + 1).padStart(2, '0')}-01`, -1);
      const len = daysBetween(monthStart, monthEnd) + 1;
      const s = sales(cur, monthStart, monthEnd);
      if (remaining >= s) {
        days += len;
        remaining -= s;
      } else {
        days += (len * remaining) / s;
        remaining = 0;
      }
      first = false;
      m -= 1;
      if (m === 0) [y, m] = [y - 1, 12];
    }
    const begin = ar(addDays(from, -1), cur);
    const periodSales = sales(cur, from, asOf);
    const denominator = begin + periodSales - ar(asOf, cur, true);
    out[cur] = {
      arOpen: toDecimal(arEnd, cur),
      current: toDecimal(ar(asOf, cur, true), cur),
      aging,
      creditSales: toDecimal(windowSales, cur),
      dsoStandardDays: windowSales === 0 ? null : round2((arEnd / windowSales) * n),
      dsoCountbackDays: round2(days),
      ceiPercent: denominator === 0 ? null : round2(((begin + periodSales - arEnd) / denominator) * 100),
    };
  }
  return out;
}

const invoices: Inv[] = csv(path.join(FIXTURES, 'invoices.csv')).map((r) => ({
  number: r.invoice_number!,
  currency: r.currency!,
  amount: parseDecimal(r.amount!, r.currency!),
  issue: r.issue_date!,
  due: r.due_date!,
}));
const payments: Pay[] = csv(path.join(FIXTURES, 'payments.csv')).map((r) => ({
  invoice: r.invoice_number!,
  date: r.date!,
  amount: parseDecimal(r.amount!, r.currency!),
}));

async function metrics(...args: string[]) {
  const r = await cli.ar('metrics', ...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  cli = await startCliFixture('ar-metrics-');
  for (const kind of ['customers', 'invoices', 'payments']) {
    const r = await cli.ar('import', kind, path.join(FIXTURES, `${kind}.csv`));
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await cli?.close();
});

describe('ar metrics', () => {
  it('gives the contract fields, equal to a plain computation of each definition', async () => {
    for (const [asOf, from, n] of [
      ['2025-06-30', '2025-06-01', 90],
      ['2025-04-15', '2025-03-01', 30],
      ['2025-05-02', '2025-04-10', 60],
    ] as const) {
      const m = await metrics('--as-of', asOf, '--from', from, '--dso-days', String(n));
      expect([m.asOf, m.from]).toEqual([asOf, from]);
      const want = expected(invoices, payments, asOf, from, n);
      expect(Object.keys(m.byCurrency)).toEqual(Object.keys(want));
      for (const [cur, fields] of Object.entries(want)) expect(m.byCurrency[cur], `${asOf} ${cur}`).toMatchObject(fields as object);
    }
  });

  it('defaults: as of today, from the first of the as-of month, N = 90', async () => {
    const m = await metrics('--as-of', '2025-05-20');
    expect([m.asOf, m.from, m.dsoDays]).toEqual(['2025-05-20', '2025-05-01', 90]);
    const today = await metrics();
    expect(today.asOf).toBe(utcDate(new Date()));
  });

  it('a past date keeps the figures it had after later payments are recorded; a stated balance counts from its import', async () => {
    const before = await metrics('--as-of', '2025-06-30');
    const later = path.join(cli.dir, 'later-payments.csv');
    await writeFile(
      later,
      'payment_id,customer_id,date,currency,amount,invoice_number,reference\nPAY-LATE,C001,2025-07-15,USD,5000.00,INV-1003,LATE\n',
    );
    expect((await cli.ar('import', 'payments', later)).code).toBe(0);
    expect((await metrics('--as-of', '2025-06-30')).byCurrency).toEqual(before.byCurrency);
    const july = await metrics('--as-of', '2025-07-31');
    const delta = parseDecimal(before.byCurrency.USD.arOpen, 'USD') - parseDecimal(july.byCurrency.USD.arOpen, 'USD');
    expect(delta).toBe(500_000); // nothing else USD was issued or paid in July

    // An ERP export stating 300.00 open of 1000.00 with no payment behind it: today the ledger's balance, before the import the full amount.
    const stated = path.join(cli.dir, 'stated.csv');
    await writeFile(
      stated,
      'invoice_number,customer_id,issue_date,due_date,currency,amount,open_amount,po_number,terms\nINV-ST-1,C002,2025-01-10,2025-02-09,CHF,1000.00,300.00,,NET30\n',
    );
    expect((await cli.ar('import', 'invoices', stated)).code).toBe(0);
    const now = await metrics();
    expect(now.byCurrency.CHF.arOpen).toBe('300.00');
    expect(now.undatedSettlements).toBe(1);
    expect((await metrics('--as-of', '2025-06-30')).byCurrency.CHF.arOpen).toBe('1000.00');
  });

  it('stores a baseline with its note, and lists it with ar metrics history', async () => {
    const taken = await cli.ar('metrics', 'baseline', '--note', 'before the pilot', '--as-of', '2025-06-30', '--by', 'fay');
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/^Stored baseline #\d+ as of 2025-06-30: "before the pilot"\./);
    const history = await cli.ar('metrics', 'history', '--json');
    expect(history.code, history.stderr).toBe(0);
    const [b] = JSON.parse(history.stdout);
    const then = await metrics('--as-of', '2025-06-30');
    expect(b).toMatchObject({ kind: 'baseline', asOf: '2025-06-30', note: 'before the pilot', takenBy: 'fay' });
    expect(b.byCurrency.USD).toEqual({
      arOpen: then.byCurrency.USD.arOpen,
      dsoStandardDays: then.byCurrency.USD.dsoStandardDays,
      dsoCountbackDays: then.byCurrency.USD.dsoCountbackDays,
      ceiPercent: then.byCurrency.USD.ceiPercent,
    });
    expect((await cli.ar('metrics', 'history')).stdout).toContain('2025-06-30  BASELINE');
    const noNote = await cli.ar('metrics', 'baseline');
    expect(noNote.code).not.toBe(0);
    expect(noNote.stderr).toContain("required option '--note <text>' not specified");
  });

  it('refuses a bad option with the value and the rule', async () => {
    const bad = await cli.ar('metrics', '--as-of', '2025-13-01');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('"2025-13-01" must be a calendar date YYYY-MM-DD');
    const days = await cli.ar('metrics', '--dso-days', '0');
    expect(days.stderr).toContain('"0" must be a whole number of days from 1 to 3660');
    const order = await cli.ar('metrics', '--as-of', '2025-05-01', '--from', '2025-06-01');
    expect(order.code).not.toBe(0);
    expect(order.stderr).toContain('--from 2025-06-01 must not be after --as-of 2025-05-01');
  });
});
