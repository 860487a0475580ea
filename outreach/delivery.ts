/**
 * Delivering one message to a customer: the last gates (no-touch, a contact to write to, a quoted
 * balance the ledger still shows), the outbox row (claimed under the contact caps), the provider,
 * the ledger's contact log and the audit rows; then telling the invoices it carries. Used by the
 * outreach workflow's delivery activity and by the invoice's hand-over sending at once
 * (outreach/at-once.ts), which passes the reads it has already made.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ActivityNotFoundError, type Client, WorkflowNotFoundError } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { reminderDeliveredSignal, type ReminderDelivered } from '../collections/messages';
import { writeAudit } from '../db/audit';
import { schema, type Db } from '../db/client';
import type { Policy } from '../domain/policy';
import { type CustomerRecord, emailContact, type LedgerPort } from '../ledger/port';
import { currentPolicy } from '../policy/store';
import { sampleForReview } from '../rollout/review-queue';
import { EmailProviderError, type EmailSender } from './channels/email';
import { claimUnderCaps, type Claim } from './contact-claim';
import type { ContactCaps } from './contact-caps';
import type { ReminderRequest } from './messages';
import { resendDecision } from './outbox';

export interface DeliveryInput {
  outboxKey: string;
  customerId: string;
  subject: string;
  body: string;
  /** The approved requests this message carries (one, or several merged). */
  requests: (Pick<
    ReminderRequest,
    'requestId' | 'invoiceWorkflowId' | 'invoiceNumber' | 'reasoning' | 'policyVersion' | 'approvedBy' | 'edited' | 'tone' | 'completion'
  > & {
    /** The open balance the approved text quotes (absent in inputs recorded before it existed). */
    quotedOpenMinor?: number;
  })[];
  /**
   * Tell each invoice workflow the outcome from here, once it is recorded ('outreach-one-read'):
   * the outreach workflow then needs no signal commands and no workflow task to resolve them.
   * Absent in inputs recorded before it: the workflow signals them itself.
   */
  confirmDelivery?: true;
  /**
   * Claim the outbox row under these caps (outreach/contact-claim.ts): counted from the outbox, so
   * a reminder another path sent meanwhile holds this one back ('capped'). Absent in inputs recorded
   * before it: the row is written without a count.
   */
  caps?: ContactCaps;
  /** When the caps count this message (ISO): the sender's clock, the Temporal server's. */
  contactAt?: string;
}

export interface DeliveryResult {
  /**
   * stale: not sent, because a balance the message quotes is no longer what the ledger shows.
   * capped: not sent, because one more contact breaks the caps (only with `caps` in the input).
   */
  status: 'sent' | 'logged' | 'suppressed' | 'stale' | 'capped';
  to: string | null;
  detail: string;
  /** The invoice workflows were told (asked for with confirmDelivery, and a Temporal client at hand). */
  confirmed?: boolean;
  /** With 'capped': the customer's contacts the outbox counts (epoch ms), for the caller's own caps. */
  contactTimes?: number[];
}

/** A delivery that reached the customer, or was settled without them: what an invoice is told. */
export type SettledDelivery = DeliveryResult & { status: Exclude<DeliveryResult['status'], 'capped'> };

export const isSettled = (result: DeliveryResult): result is SettledDelivery => result.status !== 'capped';

export type OutboxRow = typeof schema.emailOutbox.$inferSelect;

/** A read memoised for one activity attempt: the same answer to the same question within it. */
function readOnce<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let answer = seen.get(key);
    if (!answer) seen.set(key, (answer = read(key)));
    return answer;
  };
}

/**
 * Reads the caller made for this same attempt, moments before: the delivery uses them instead of
 * reading again. `outboxRow` null: the caller looked, and no row has this key.
 */
export interface KnownReads {
  customer: CustomerRecord | null;
  policy: Policy;
  outboxRow: OutboxRow | null;
}

export function createDelivery(deps: { db: Db; ledger: LedgerPort; email: EmailSender; emailFrom: string }) {
  const { db, ledger, email } = deps;

  async function outboxRow(key: string): Promise<OutboxRow | undefined> {
    const [row] = await db.select().from(schema.emailOutbox).where(eq(schema.emailOutbox.idempotencyKey, key));
    return row;
  }

  /** Why no message may go to this customer about these invoices now, or null. */
  async function noTouchReason(
    customerId: string,
    customerNoTouch: boolean,
    invoiceNumbers: string[],
    getInvoice: LedgerPort['getInvoice'],
    policy: Policy,
  ): Promise<string | null> {
    if (customerNoTouch || policy.noTouch.customers.includes(customerId)) return 'the customer is no-touch: a person decides every contact';
    const flagged: string[] = [];
    for (const number of invoiceNumbers) {
      const invoice = await getInvoice(number);
      if (invoice?.noTouch || policy.noTouch.invoices.includes(number)) flagged.push(number);
    }
    return flagged.length
      ? `no-touch invoice ${flagged.join(', ')}: a person decides every contact about ${flagged.length === 1 ? 'it' : 'them'}`
      : null;
  }

  /**
   * Which quoted balances the ledger no longer shows, unless this message already went to the
   * provider (a retry after the send must finish recording it, not hand it back).
   */
  async function staleQuotes(
    input: DeliveryInput,
    row: OutboxRow | undefined,
    getInvoice: LedgerPort['getInvoice'],
  ): Promise<string | null> {
    if (row && (row.providerMessageId || row.sendAttemptedAt || row.status !== 'queued')) return null;
    const changed: string[] = [];
    for (const r of input.requests) {
      if (r.quotedOpenMinor === undefined) continue;
      const invoice = await getInvoice(r.invoiceNumber);
      if (invoice && invoice.openMinor !== r.quotedOpenMinor)
        changed.push(`${r.invoiceNumber} now shows ${invoice.openMinor} open, not the ${r.quotedOpenMinor} the approved text quotes`);
    }
    return changed.length ? `the ledger changed while the message waited to be sent: ${changed.join('; ')}` : null;
  }

  /** One audit row per invoice the message carries, keyed by its request: why it did not go out. */
  async function auditEachRequest(
    input: DeliveryInput,
    action: 'reminder_suppressed' | 'reminder_stale' | 'reminder_unconfirmed',
    reasoning: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const suffix = action.slice('reminder_'.length);
    for (const r of input.requests) {
      await writeAudit(db, {
        idempotencyKey: `${r.requestId}/${suffix}`,
        workflowId: r.invoiceWorkflowId,
        invoiceNumber: r.invoiceNumber,
        customerId: input.customerId,
        action,
        actor: 'system',
        reasoning,
        policyVersion: r.policyVersion,
        approvedBy: r.approvedBy,
        ...(details ? { details } : {}),
      });
    }
  }

  /** Delivers one message under its outbox key. `known`: the caller's reads of this attempt, used instead of reading again. */
  async function deliver(input: DeliveryInput, known?: KnownReads): Promise<DeliveryResult> {
    const [customer, policy] = known
      ? [known.customer, known.policy]
      : await Promise.all([ledger.getCustomer(input.customerId), currentPolicy(db)]);
    if (!customer) throw ApplicationFailure.nonRetryable(`customer ${input.customerId} is not in the ledger`, 'CustomerNotFound');
    const contact = emailContact(customer.contacts);
    const invoiceNumbers = input.requests.map((r) => r.invoiceNumber);
    // Each invoice read once for both gates below (they used to read it twice a message, issue 15).
    const getInvoice = readOnce(ledger.getInvoice.bind(ledger));
    // The last gate before the customer: no-touch set after approval still holds, whether on the
    // customer, on an invoice the message carries, or in the policy in force.
    const suppressedWhy =
      (await noTouchReason(input.customerId, customer.noTouch, invoiceNumbers, getInvoice, policy)) ??
      (!contact?.email ? 'no contact with an email address; a person must reach this customer' : null);
    if (suppressedWhy || !contact?.email) {
      await auditEachRequest(input, 'reminder_suppressed', suppressedWhy ?? 'no contact email');
      return { status: 'suppressed', to: null, detail: suppressedWhy ?? 'no contact email' };
    }
    // A retry finds the row its first attempt wrote: read once, for the stale gate and the send.
    const existing = known ? (known.outboxRow ?? undefined) : await outboxRow(input.outboxKey);
    const stale = await staleQuotes(input, existing, getInvoice);
    if (stale) {
      await auditEachRequest(input, 'reminder_stale', stale, { outboxKey: input.outboxKey });
      return { status: 'stale', to: contact.email, detail: stale };
    }
    const values = {
      idempotencyKey: input.outboxKey,
      customerId: input.customerId,
      toAddress: contact.email,
      subject: input.subject,
      body: input.body,
      invoiceNumbers,
    };
    // A retry goes on with the row its first attempt claimed: that message already counts.
    const claim: Claim = existing
      ? { kind: 'claimed', row: existing }
      : input.caps
        ? await claimUnderCaps(db, { ...values, contactAt: new Date(input.contactAt ?? Date.now()) }, input.caps)
        : { kind: 'claimed', row: (await db.insert(schema.emailOutbox).values(values).onConflictDoNothing().returning())[0] };
    if (claim.kind === 'capped') {
      const until = new Date(claim.until).toISOString();
      return { status: 'capped', to: contact.email, detail: `held by the contact caps until ${until}`, contactTimes: claim.contactTimes };
    }
    // Nothing returned: another attempt wrote the key in between; its row is the one to go on with.
    const row = claim.row ?? (await outboxRow(input.outboxKey));
    if (!row) throw new Error(`outbox row ${input.outboxKey} vanished`);
    let status: DeliveryResult['status'] = row.status === 'sent' ? 'sent' : 'logged';
    // Before any repeat: was this key already accepted, or is a repeat no longer safe? (defect 9f)
    const resend = resendDecision(row, new Date(), email.idempotencyWindowMs);
    if (resend.kind === 'accepted' && row.status !== 'sent') {
      // Accepted, but the status write was lost (a crash, an outage): record it, send nothing.
      status = 'sent';
      await db.update(schema.emailOutbox).set({ status, error: null }).where(eq(schema.emailOutbox.id, row.id));
    } else if (resend.kind === 'unconfirmed' && row.status !== 'sent' && row.status !== 'logged') {
      const why = `first handed to the provider at ${resend.firstAttemptAt.toISOString()}, beyond its idempotency window, and its answer was never recorded: not sent again (it may have gone out); a person checks the provider's log for ${input.outboxKey}`;
      await db.update(schema.emailOutbox).set({ status: 'failed', error: why }).where(eq(schema.emailOutbox.id, row.id));
      await auditEachRequest(input, 'reminder_unconfirmed', why, { outboxKey: input.outboxKey });
      return { status: 'suppressed', to: contact.email, detail: why };
    } else if (row.status === 'queued' || row.status === 'failed') {
      try {
        // The first attempt's time, kept across retries: it bounds how long a repeat stays safe.
        if (!row.sendAttemptedAt)
          await db.update(schema.emailOutbox).set({ sendAttemptedAt: new Date() }).where(eq(schema.emailOutbox.id, row.id));
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
          .set({ status, providerMessageId, providerAcceptedAt: providerMessageId ? new Date() : null, sentAt: new Date(), error: null })
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
      // A sampled share of autonomous sends waits for a person's review (their marks feed demotion).
      if (r.approvedBy.startsWith('autonomy:'))
        await sampleForReview(db, {
          auditKey: `${r.requestId}/sent`,
          workflowId: r.invoiceWorkflowId,
          invoiceNumber: r.invoiceNumber,
          customerId: input.customerId,
          approvedBy: r.approvedBy,
          subject: input.subject,
          reasoning: r.reasoning,
        });
    }
    return {
      status,
      to: contact.email,
      detail: status === 'sent' ? `sent to ${contact.email}` : `dev mode: recorded in the outbox for ${contact.email}, not sent`,
    };
  }

  /**
   * The outcome to each invoice the message carries. After every write above, so a retry of this
   * activity re-delivers nothing (outbox key) and signals again; the invoice keeps one outcome per request.
   */
  async function confirmToInvoices(input: DeliveryInput, result: SettledDelivery, client: Client): Promise<void> {
    const sentAt = new Date().toISOString();
    for (const r of input.requests) {
      const delivered: ReminderDelivered = {
        requestId: r.requestId,
        outboxKey: input.outboxKey,
        batchedWith: input.requests.filter((x) => x !== r).map((x) => x.invoiceNumber),
        sentAt,
        status: result.status,
        detail: result.detail,
      };
      // The invoice's hand-over activity waits for this: completing it tells the invoice in the task
      // that plans its next step. A token no longer live (that attempt timed out, or the invoice
      // cancelled it) falls back to the signal.
      if (r.completion) {
        try {
          await client.activity.complete(Buffer.from(r.completion, 'base64'), delivered);
          continue;
        } catch (err) {
          if (!(err instanceof ActivityNotFoundError)) throw err;
        }
      }
      try {
        await client.workflow.getHandle(r.invoiceWorkflowId).signal(reminderDeliveredSignal, delivered);
      } catch (err) {
        // The invoice workflow may have closed meanwhile; the audit trail has the delivery.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
  }

  return { deliver, confirmToInvoices, outboxRow };
}
