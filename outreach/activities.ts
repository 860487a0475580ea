/**
 * Activities of the customer outreach workflow: its rules, and delivering one email (outbox row,
 * provider, ledger contact, audit rows).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { currentPolicy } from '../policy/store';
import { upcomingHolidays } from '../policy/holidays';
import type { Policy } from '../domain/policy';
import { emailContact, type LedgerPort } from '../ledger/port';
import type { ReminderRequest } from './messages';
import { writeAudit } from '../db/audit';
import { readSendsSwitch, type SendsSwitch } from './kill-switch';
import { EmailProviderError, type EmailSender } from './channels/email';

export interface DeliveryInput {
  outboxKey: string;
  customerId: string;
  subject: string;
  body: string;
  /** The approved requests this message carries (one, or several merged). */
  requests: Pick<
    ReminderRequest,
    'requestId' | 'invoiceWorkflowId' | 'invoiceNumber' | 'reasoning' | 'policyVersion' | 'approvedBy' | 'edited' | 'tone'
  >[];
}

export interface DeliveryResult {
  status: 'sent' | 'logged' | 'suppressed';
  to: string | null;
  detail: string;
}

export function createOutreachActivities(deps: { db: Db; ledger: LedgerPort; email: EmailSender; emailFrom: string }) {
  const { db, ledger, email } = deps;

  /** Why no message may go to this customer about these invoices now, or null. */
  async function noTouchReason(customerId: string, customerNoTouch: boolean, invoiceNumbers: string[]): Promise<string | null> {
    const policy = await currentPolicy(db);
    if (customerNoTouch || policy.noTouch.customers.includes(customerId)) return 'the customer is no-touch: a person decides every contact';
    const flagged: string[] = [];
    for (const number of invoiceNumbers) {
      const invoice = await ledger.getInvoice(number);
      if (invoice?.noTouch || policy.noTouch.invoices.includes(number)) flagged.push(number);
    }
    return flagged.length
      ? `no-touch invoice ${flagged.join(', ')}: a person decides every contact about ${flagged.length === 1 ? 'it' : 'them'}`
      : null;
  }

  return {
    /**
     * Caps, send window (with the customer's holidays and closing days ahead) and batching for
     * this customer, from the policy in force. holidays is optional: results recorded before it
     * existed have none.
     */
    async loadOutreachRules(customerId: string): Promise<{
      caps: Policy['contactCaps'];
      sendWindow: Policy['sendWindow'];
      batchWindowMinutes: number;
      timezone: string;
      policyVersion: number;
      holidays?: string[];
    }> {
      const [customer, policy] = await Promise.all([ledger.getCustomer(customerId), currentPolicy(db)]);
      const timezone = customer?.timezone ?? 'UTC';
      return {
        caps: policy.contactCaps,
        sendWindow: policy.sendWindow,
        batchWindowMinutes: policy.batchWindowMinutes,
        timezone,
        policyVersion: policy.version,
        holidays: upcomingHolidays(policy, timezone, new Date()),
      };
    },

    /** The kill switch, read right before each delivery. */
    async readSendsSwitch(): Promise<SendsSwitch> {
      return readSendsSwitch(db);
    },

    /**
     * Delivers one message. The outbox row's unique key makes a retry (or a worker killed after
     * the provider call) find the earlier row; Resend gets the same key as Idempotency-Key.
     */
    async deliverEmail(input: DeliveryInput): Promise<DeliveryResult> {
      const customer = await ledger.getCustomer(input.customerId);
      if (!customer) throw ApplicationFailure.nonRetryable(`customer ${input.customerId} is not in the ledger`, 'CustomerNotFound');
      const contact = emailContact(customer.contacts);
      const invoiceNumbers = input.requests.map((r) => r.invoiceNumber);
      // The last gate before the customer: no-touch set after approval still holds, whether on the
      // customer, on an invoice the message carries, or in the policy in force.
      const suppressedWhy =
        (await noTouchReason(input.customerId, customer.noTouch, invoiceNumbers)) ??
        (!contact?.email ? 'no contact with an email address; a person must reach this customer' : null);
      if (suppressedWhy || !contact?.email) {
        for (const r of input.requests) {
          await writeAudit(db, {
            idempotencyKey: `${r.requestId}/suppressed`,
            workflowId: r.invoiceWorkflowId,
            invoiceNumber: r.invoiceNumber,
            customerId: input.customerId,
            action: 'reminder_suppressed',
            actor: 'system',
            reasoning: suppressedWhy ?? 'no contact email',
            policyVersion: r.policyVersion,
            approvedBy: r.approvedBy,
          });
        }
        return { status: 'suppressed', to: null, detail: suppressedWhy ?? 'no contact email' };
      }
      await db
        .insert(schema.emailOutbox)
        .values({
          idempotencyKey: input.outboxKey,
          customerId: input.customerId,
          toAddress: contact.email,
          subject: input.subject,
          body: input.body,
          invoiceNumbers,
        })
        .onConflictDoNothing();
      const [row] = await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.idempotencyKey, input.outboxKey));
      if (!row) throw new Error(`outbox row ${input.outboxKey} vanished`);
      let status: DeliveryResult['status'] = row.status === 'sent' ? 'sent' : 'logged';
      if (row.status === 'queued' || row.status === 'failed') {
        try {
          const { providerMessageId } = await email.send({
            idempotencyKey: input.outboxKey,
            from: deps.emailFrom,
            to: row.toAddress,
            subject: row.subject,
            text: row.body,
          });
          status = email.mode === 'resend' ? 'sent' : 'logged';
          await db
            .update(schema.emailOutbox)
            .set({ status, providerMessageId, sentAt: new Date(), error: null })
            .where(eq(schema.emailOutbox.id, row.id));
        } catch (err) {
          await db
            .update(schema.emailOutbox)
            .set({ status: 'failed', error: (err as Error).message })
            .where(eq(schema.emailOutbox.id, row.id));
          if (err instanceof EmailProviderError && err.permanent) throw ApplicationFailure.nonRetryable(err.message, 'EmailRejected');
          throw err;
        }
      }
      await ledger.recordContact({
        idempotencyKey: input.outboxKey,
        customerId: input.customerId,
        invoiceNumbers,
        channel: 'email',
        summary: input.subject,
      });
      for (const r of input.requests) {
        await writeAudit(db, {
          idempotencyKey: `${r.requestId}/sent`,
          workflowId: r.invoiceWorkflowId,
          invoiceNumber: r.invoiceNumber,
          customerId: input.customerId,
          action: 'reminder_sent',
          actor: r.approvedBy.startsWith('autonomy:') ? 'system' : r.approvedBy,
          reasoning: r.reasoning,
          policyVersion: r.policyVersion,
          approvedBy: r.approvedBy,
          details: {
            outboxKey: input.outboxKey,
            to: contact.email,
            subject: input.subject,
            edited: r.edited,
            tone: r.tone,
            batchedWith: invoiceNumbers.filter((n) => n !== r.invoiceNumber),
            delivery: status,
          },
        });
      }
      return {
        status,
        to: contact.email,
        detail: status === 'sent' ? `sent to ${contact.email}` : `dev mode: recorded in the outbox for ${contact.email}, not sent`,
      };
    },
  };
}

export type OutreachActivities = ReturnType<typeof createOutreachActivities>;
