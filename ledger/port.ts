/**
 * The ERP port: everything the system reads from and writes to the finance team's system of
 * record. The built-in PostgreSQL ledger implements it (ledger/builtin.ts); an adapter for
 * NetSuite, QuickBooks, Xero or Sage implements the same interface and passes the same
 * contract suite (test/integration/ledger-contract.test.ts).
 *
 * Every write carries an idempotency key or a natural key, so activity retries never double-post.
 */

export type Tier = 'strategic' | 'standard' | 'small';
export type LedgerInvoiceStatus = 'open' | 'paid' | 'disputed' | 'written_off' | 'void';

export interface CustomerRecord {
  id: string;
  name: string;
  tier: Tier;
  segment: string;
  riskScore: number;
  noTouch: boolean;
  timezone: string;
  locale: string;
  paymentTermsDays: number;
  contacts: ContactRecord[];
  /**
   * An account pause in force: invoices that reach the ledger while it holds start paused.
   * Optional: an adapter without account pauses (and ledger reads recorded before them) have none.
   */
  accountPause?: AccountPause | null;
}

export interface AccountPause {
  by: string;
  reason: string;
  /** ISO timestamp. */
  since: string;
}

export interface ContactRecord {
  role: 'billing' | 'decision_maker' | 'other';
  name: string | null;
  email: string | null;
  phone: string | null;
  /** The address hard-bounced: no email goes to it until a person fixes the contact. */
  emailInvalid?: boolean;
}

/** Whom an email goes to: the billing contact, else the decision-maker, else anyone with an email that has not bounced. */
export function emailContact(contacts: readonly ContactRecord[]): ContactRecord | undefined {
  const withEmail = contacts.filter((c) => c.email && !c.emailInvalid);
  return withEmail.find((c) => c.role === 'billing') ?? withEmail.find((c) => c.role === 'decision_maker') ?? withEmail[0];
}

export interface InvoiceRecord {
  number: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  openMinor: number;
  issueDate: string;
  dueDate: string;
  terms: string | null;
  poNumber: string | null;
  status: LedgerInvoiceStatus;
  noTouch: boolean;
}

/** An open invoice found by a search, with its customer's name for a person to recognise it. */
export interface OpenInvoiceMatch extends InvoiceRecord {
  customerName: string;
}

export interface OpenInvoiceSearch {
  /**
   * Matched anywhere, case-insensitively, in the invoice number (also with spaces, dashes and
   * slashes left out: "inv 1042" finds INV-1042), the PO number, the customer id or name.
   */
  text?: string;
  /** Only invoices in this currency (a bank credit pays invoices of its own currency). */
  currency?: string;
  limit: number;
}

export interface OpenInvoicePage {
  invoices: InvoiceRecord[];
  /** Opaque; pass back to get the next page. Absent when there are no more. */
  nextCursor?: string;
}

interface RecordContactInput {
  idempotencyKey: string;
  customerId: string;
  invoiceNumbers: string[];
  channel: 'email' | 'sms' | 'phone' | 'letter';
  summary: string;
}

export interface PaymentApplicationInput {
  paymentId: string;
  invoiceNumber: string;
  amountMinor: number;
  currency: string;
  appliedBy: string;
}

export interface PaymentApplicationResult {
  invoiceNumber: string;
  openMinor: number;
  status: LedgerInvoiceStatus;
  /** False when this exact application was already posted (a retry). */
  applied: boolean;
}

export interface PaymentReversalResult {
  invoiceNumber: string;
  openMinor: number;
  status: LedgerInvoiceStatus;
  amountMinor: number;
  /** False when nothing was applied under this (payment, invoice): already reversed, or never posted. */
  reversed: boolean;
}

/** A receipt recorded and applied to one invoice in one step (a manual payment). */
export interface ReceivePaymentInput {
  paymentId: string;
  customerId: string;
  invoiceNumber: string;
  receivedOn: string;
  currency: string;
  amountMinor: number;
  reference: string | null;
  appliedBy: string;
  /** Where the receipt came from (default 'manual'; cash application says 'bank'), and who paid as the bank named them. */
  source?: string;
  payer?: string | null;
}

export interface LedgerPort {
  /**
   * Open invoices, a page at a time, in a stable key order (the built-in ledger: invoice number).
   * Paging a full scan returns every invoice that stays open throughout exactly once, even while
   * invoices change, close or open between pages (an invoice opened behind the cursor appears in
   * the next scan). Ordering by last change would not: a changed invoice would come round again.
   */
  listOpenInvoices(opts: { cursor?: string; limit: number }): Promise<OpenInvoicePage>;
  getInvoice(number: string): Promise<InvoiceRecord | null>;
  getCustomer(id: string): Promise<CustomerRecord | null>;
  recordContact(input: RecordContactInput): Promise<void>;
  /** Invoices with a payment applied at or after `since` (the scheduled sync tells their workflows to re-read). */
  listInvoicesPaidSince(since: Date): Promise<string[]>;
  /** A hard bounce: marks every contact with this address invalid; returns the customers concerned. */
  invalidateEmail(address: string, reason: string): Promise<string[]>;
  /** Sets the customer's no-touch flag (a complaint: no-touch pending review); false for an unknown customer. */
  setNoTouch(customerId: string, noTouch: boolean): Promise<boolean>;
  /** Stores (or, with null, clears) the customer's account pause; false for an unknown customer. */
  setAccountPause(customerId: string, pause: { by: string; reason: string } | null): Promise<boolean>;
  /**
   * Still-owed (open or disputed) invoices for a person applying cash by hand: invoices whose
   * number equals the text first, then by due date (oldest first), then number. At most `limit`.
   */
  searchOpenInvoices(search: OpenInvoiceSearch): Promise<OpenInvoiceMatch[]>;
  /** Invoices of a customer that are still owed (open or disputed), by number; null for an unknown customer. */
  listCustomerOpenInvoices(customerId: string): Promise<InvoiceRecord[] | null>;
  /**
   * The current status of each known invoice among `numbers` (unknown numbers are absent): the
   * sync asks it for the invoices whose workflows still run, to end those the ledger closed.
   */
  getInvoiceStatuses(numbers: readonly string[]): Promise<Map<string, LedgerInvoiceStatus>>;
  logPromise(input: {
    id: string;
    invoiceNumber: string;
    promisedDate: string;
    amountMinor: number | null;
    currency: string;
    loggedBy: string;
  }): Promise<void>;
  /** Idempotent: a promise already closed keeps its first outcome; an unknown id is a no-op (nothing to close). */
  closePromise(input: { id: string; status: 'kept' | 'broken' }): Promise<void>;
  openDispute(input: {
    id: string;
    invoiceNumber: string;
    reason: string;
    note: string | null;
    owner: string | null;
    deadline: string | null;
    openedBy: string;
  }): Promise<void>;
  /** The oldest open dispute on an invoice, if any: a workflow started on a disputed invoice adopts it. */
  getOpenDispute(invoiceNumber: string): Promise<{ id: string; reason: string; owner: string | null; deadline: string | null } | null>;
  setDisputeStatus(input: {
    id: string;
    status: 'open' | 'resolved_invalid' | 'resolved_credit' | 'resolved_write_off';
    resolution?: unknown;
  }): Promise<void>;
  /**
   * Idempotent per (payment, invoice): a retry returns applied=false; the same pair with another
   * amount is a 'conflict'. Refused as 'invalid': more than the invoice's open balance or the
   * payment's unallocated rest, a currency other than the invoice's and the payment's, a void invoice.
   */
  postPaymentApplication(input: PaymentApplicationInput): Promise<PaymentApplicationResult>;
  /**
   * Takes back one receipt's application to an invoice (a bank return of the credit, or a person
   * unapplying a mistaken match): the invoice's open balance grows by it again and a paid invoice
   * reopens. Idempotent: nothing applied under that (payment, invoice) returns reversed=false.
   */
  reversePaymentApplication(input: {
    paymentId: string;
    invoiceNumber: string;
    reason: string;
    reversedBy: string;
  }): Promise<PaymentReversalResult>;
  /**
   * Records a receipt and applies it in full to one invoice, atomically (both or neither).
   * Idempotent by paymentId: a retry with the same values returns applied=false; the same id with
   * other values (amount, currency, date, customer, invoice) is a 'conflict'. Refused as 'invalid'
   * as postPaymentApplication refuses (more than the open balance, another currency, a void invoice).
   */
  receivePayment(input: ReceivePaymentInput): Promise<PaymentApplicationResult>;
  /**
   * A credit against an invoice (e.g. a dispute settled with a credit): reduces its open balance.
   * Idempotent by id; refused as 'invalid' above the open balance or in another currency.
   */
  postCreditNote(input: { id: string; invoiceNumber: string; amountMinor: number; currency: string; reason: string }): Promise<void>;
  /** Idempotent by id. Refused as 'invalid': more than the open balance, or another currency. */
  recordWriteOff(input: {
    id: string;
    invoiceNumber: string;
    amountMinor: number;
    currency: string;
    reason: string;
    approvedBy: string;
  }): Promise<void>;
  updateInvoiceStatus(number: string, status: LedgerInvoiceStatus): Promise<void>;
}

export class LedgerError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'conflict' | 'invalid',
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}
