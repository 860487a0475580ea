/**
 * Drafting templates: the words a reminder uses, by tone. Pure, so the same draft is produced
 * on replay, and testable without any infrastructure.
 */
import { daysBetween } from './calendar';
import { formatMoney } from './money';
import type { Tone } from './policy';

export interface DraftInvoice {
  number: string;
  currency: string;
  openMinor: number;
  amountMinor: number;
  dueDate: string;
  poNumber?: string | null;
}

export interface DraftInput {
  customerName: string;
  contactName?: string | null;
  locale: string;
  tone: Tone;
  today: string;
  invoices: readonly DraftInvoice[];
  senderName?: string;
}

export interface Draft {
  subject: string;
  body: string;
  tone: Tone;
}

function describeDue(dueDate: string, today: string): string {
  const d = daysBetween(dueDate, today);
  if (d < 0) return `due in ${-d} day${d === -1 ? '' : 's'} (${dueDate})`;
  if (d === 0) return `due today (${dueDate})`;
  return `${d} day${d === 1 ? '' : 's'} overdue (due ${dueDate})`;
}

function invoiceLine(inv: DraftInvoice, input: DraftInput): string {
  const po = inv.poNumber ? `, PO ${inv.poNumber}` : '';
  return `- Invoice ${inv.number}${po}: ${formatMoney(inv.openMinor, inv.currency, input.locale)} ${describeDue(inv.dueDate, input.today)}`;
}

const OPENINGS: Record<Tone, (n: number) => string> = {
  friendly: (n) =>
    n === 1 ? 'This is a friendly note about the invoice below.' : `This is a friendly note about the ${n} invoices below.`,
  firm: (n) => `Our records show ${n === 1 ? 'the invoice below remains' : `the ${n} invoices below remain`} unpaid past the agreed terms.`,
  final: (n) => `This is a final notice: ${n === 1 ? 'the invoice below is' : `the ${n} invoices below are`} seriously overdue.`,
};

const ASKS: Record<Tone, string> = {
  friendly:
    'If payment is already on its way, thank you and please disregard this message. If anything is unclear, just reply and we will help.',
  firm: 'Please arrange payment now, or reply with the date we can expect it. If there is a problem with the invoice, tell us so we can resolve it.',
  final: 'Please pay within 7 days or contact us today to agree a date. Without a reply we will pass the account to our collections team.',
};

export function draftReminder(input: DraftInput): Draft {
  if (input.invoices.length === 0) throw new Error('draftReminder: invoices: [] must list at least one invoice');
  const n = input.invoices.length;
  const first = input.invoices[0]!;
  const overdue = input.invoices.some((i) => daysBetween(i.dueDate, input.today) > 0);
  const subjectCore = n === 1 ? `Invoice ${first.number}` : `${n} invoices (${input.invoices.map((i) => i.number).join(', ')})`;
  const prefix = input.tone === 'final' ? 'Final notice: ' : input.tone === 'firm' ? 'Overdue: ' : overdue ? 'Reminder: ' : 'Upcoming: ';
  const totals = new Map<string, number>();
  for (const i of input.invoices) totals.set(i.currency, (totals.get(i.currency) ?? 0) + i.openMinor);
  const totalText = [...totals].map(([c, m]) => formatMoney(m, c, input.locale)).join(' + ');
  const greeting = input.contactName ? `Dear ${input.contactName},` : `Hello ${input.customerName} accounts team,`;
  const body = [
    greeting,
    '',
    OPENINGS[input.tone](n),
    '',
    ...input.invoices.map((i) => invoiceLine(i, input)),
    '',
    `Total now due: ${totalText}.`,
    '',
    ASKS[input.tone],
    '',
    'Kind regards,',
    input.senderName ?? 'Accounts Receivable',
  ].join('\n');
  return { subject: `${prefix}${subjectCore}`, body, tone: input.tone };
}
