/**
 * Activities of the customer outreach workflow: its rules, and delivering one email (outbox row,
 * provider, ledger contact, audit rows).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ActivityNotFoundError, type Client, WorkflowNotFoundError } from '@temporalio/client';
import { invoiceStateQuery, reminderDeliveredSignal, type HandOverAnswer, type ReminderDelivered } from '../collections/messages';
import { invoiceWorkflowId } from '../temporal/workflow-ids';
import type { OthersDue } from './batch-window';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/client';
import { currentPolicy } from '../policy/store';
import { upcomingHolidays } from '../policy/holidays';
import type { Policy } from '../domain/policy';
import { emailContact, type LedgerPort } from '../ledger/port';
import type { ReminderRequest } from './messages';
import { writeAudit } from '../db/audit';
import { sampleForReview } from '../rollout/review-queue';
import { readSendsSwitch, type SendsSwitch } from './kill-switch';
import { EmailProviderError, type EmailSender } from './channels/email';
import { resendDecision } from './outbox';
import { claimUnderCaps, type Claim } from './contact-claim';
import type { ContactCaps } from './contact-caps';

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

export interface OutreachRules {
  caps: Policy['contactCaps'];
  sendWindow: Policy['sendWindow'];
  batchWindowMinutes: number;
  timezone: string;
  policyVersion: number;
  holidays?: string[];
}

export interface OutreachContext {
  rules: OutreachRules;
  others: OthersDue | null;
  sends: SendsSwitch;
}

type OutboxRow = typeof schema.emailOutbox.$inferSelect;

/** A read memoised for one activity attempt: the same answer to the same question within it. */
function readOnce<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let answer = seen.get(key);
    if (!answer) seen.set(key, (answer = read(key)));
    return answer;
  };
}

export function createOutreachActivities(deps: {
  db: Db;
  ledger: LedgerPort;
  email: EmailSender;
  emailFrom: string;
  /** Asks the customer's invoice workflows when they act next (the batch window); without it, the whole window. */
  temporal?: () => Promise<Client>;
}) {
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
  ): Promise<string | null> {
    const policy = await currentPolicy(db);
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

  const activities = {
    /**
     * Caps, send window (with the customer's holidays and closing days ahead) and batching for
     * this customer, from the policy in force. holidays is optional: results recorded before it
     * existed have none.
     */
    async loadOutreachRules(customerId: string): Promise<OutreachRules> {
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

    /**
     * When the customer's other open invoices (not those queued) act next: their workflows' next
     * step and whether a draft waits for a person. Null without a Temporal client.
     */
    async remindersDueSoon(input: { customerId: string; exceptInvoices: string[] }): Promise<OthersDue | null> {
      if (!deps.temporal) return null;
      const client = await deps.temporal();
      const invoices = (await ledger.listCustomerOpenInvoices(input.customerId)) ?? [];
      const out: OthersDue = { dueAt: [], awaitingApproval: 0, unknown: false };
      for (const inv of invoices) {
        if (input.exceptInvoices.includes(inv.number)) continue;
        try {
          const v = await client.workflow.getHandle(invoiceWorkflowId(inv.number)).query(invoiceStateQuery);
          if (v.pendingProposal) out.awaitingApproval++;
          // Decided a moment ago and on its way here (or drafting now): due now, worth the grace.
          else if (v.stepInProgress) out.dueAt.push(new Date().toISOString());
          else if (v.nextStep) out.dueAt.push(v.nextStep.at);
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) out.unknown = true;
        }
      }
      return out;
    },

    /** The kill switch, read right before each delivery. */
    async readSendsSwitch(): Promise<SendsSwitch> {
      return readSendsSwitch(db);
    },

    /**
     * The three reads before a message in one local activity ('outreach-one-read'): the rules, the
     * other invoices' next steps (only with a batch window, and `exceptInvoices` given) and the
     * kill switch. One marker and one round trip through the worker where there were three; the
     * workflow reads the switch again if it waited after this.
     */
    async loadOutreachContext(input: { customerId: string; exceptInvoices: string[] | null }): Promise<OutreachContext> {
      const rules = await activities.loadOutreachRules(input.customerId);
      const others =
        rules.batchWindowMinutes > 0 && input.exceptInvoices
          ? await activities.remindersDueSoon({ customerId: input.customerId, exceptInvoices: input.exceptInvoices })
          : null;
      return { rules, others, sends: await readSendsSwitch(db) };
    },

    /**
     * Delivers one message. The outbox row's unique key makes a retry (or a worker killed after
     * the provider call) find the earlier row; Resend gets the same key as Idempotency-Key.
     */
    /**
     * Tells invoices whose hand-over waits on a held message that it is queued here (their activity
     * completes; the delivery comes later as a signal). A token no longer live is skipped: that
     * invoice's retried attempt carries a fresh one, or it no longer waits.
     */
    async answerHandOvers(input: { answers: { completion: string; answer: HandOverAnswer }[] }): Promise<number> {
      if (!deps.temporal) return 0;
      const client = await deps.temporal();
      let answered = 0;
      for (const a of input.answers) {
        try {
          await client.activity.complete(Buffer.from(a.completion, 'base64'), a.answer);
          answered++;
        } catch (err) {
          if (!(err instanceof ActivityNotFoundError)) throw err;
        }
      }
      return answered;
    },

    async deliverEmail(input: DeliveryInput): Promise<DeliveryResult> {
      const result = await deliver(input);
      if (!input.confirmDelivery || !deps.temporal || !isSettled(result)) return result;
      await confirmToInvoices(input, result, await deps.temporal());
      return { ...result, confirmed: true };
    },
  };

  async function deliver(input: DeliveryInput): Promise<DeliveryResult> {
    const customer = await ledger.getCustomer(input.customerId);
    if (!customer) throw ApplicationFailure.nonRetryable(`customer ${input.customerId} is not in the ledger`, 'CustomerNotFound');
    const contact = emailContact(customer.contacts);
    const invoiceNumbers = input.requests.map((r) => r.invoiceNumber);
    // Each invoice read once for both gates below (they used to read it twice a message, issue 15).
    const getInvoice = readOnce(ledger.getInvoice.bind(ledger));
    // The last gate before the customer: no-touch set after approval still holds, whether on the
    // customer, on an invoice the message carries, or in the policy in force.
    const suppressedWhy =
      (await noTouchReason(input.customerId, customer.noTouch, invoiceNumbers, getInvoice)) ??
      (!contact?.email ? 'no contact with an email address; a person must reach this customer' : null);
    if (suppressedWhy || !contact?.email) {
      await auditEachRequest(input, 'reminder_suppressed', suppressedWhy ?? 'no contact email');
      return { status: 'suppressed', to: null, detail: suppressedWhy ?? 'no contact email' };
    }
    // A retry finds the row its first attempt wrote: read once, for the stale gate and the send.
    const existing = await outboxRow(input.outboxKey);
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

  return activities;
}

export type OutreachActivities = ReturnType<typeof createOutreachActivities>;
