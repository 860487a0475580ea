/**
 * Messages of the outreach-<customer id> workflow, typed in one place: invoice workflows hand it
 * approved reminders and may withdraw them; `state` shows what waits and why.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DraftInvoice } from '../domain/drafting';
import type { Tone } from '../domain/policy';

export interface ReminderRequest {
  /** Idempotency anchor: `<invoice workflow id>/<step key>`. */
  requestId: string;
  /** What a merged message lists for this invoice. */
  invoice: DraftInvoice;
  customerName: string;
  contactName: string | null;
  locale: string;
  invoiceWorkflowId: string;
  invoiceNumber: string;
  tone: Tone;
  subject: string;
  body: string;
  reasoning: string;
  policyVersion: number;
  approvedBy: string;
  edited: boolean;
  /**
   * The invoice's hand-over activity to complete with the delivery (its task token, base64), on
   * invoices running 'lean-lifecycle'; absent otherwise, and then the delivery signals the invoice.
   */
  completion?: string;
}

export const requestReminderSignal = defineSignal<[ReminderRequest]>('requestReminder');
/** The invoice no longer needs this reminder (paid, disputed, paused while it waited for the caps). */
export const withdrawReminderSignal = defineSignal<[{ requestId: string }]>('withdrawReminder');

/** A new policy was published: a batch window waiting now adopts its (perhaps shorter) length. */
export const outreachPolicyChangedSignal = defineSignal('policyChanged');

/** The kill switch was released: re-check it now rather than at the next 10-minute look. */
export const sendsResumedSignal = defineSignal('sendsResumed');

export interface OutreachStateView {
  customerId: string;
  queued: string[];
  /** The requests of the message being delivered now (absent in older runs' answers). */
  inFlight?: string[];
  recentContacts: string[];
  nextSendAt: string | null;
  /** Set while the kill switch holds this customer's queued messages (absent in older runs' answers). */
  sendsHeld?: { by: string | null; reason: string | null; since: string | null } | null;
}
export const outreachStateQuery = defineQuery<OutreachStateView>('state');
