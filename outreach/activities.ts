/**
 * Activities of the customer outreach workflow: its rules and reads, the hand-over answers, and
 * delivering one email (the delivery itself is outreach/delivery.ts).
 */
import { ActivityNotFoundError, type Client, WorkflowNotFoundError } from '@temporalio/client';
import { invoiceStateQuery, type HandOverAnswer } from '../collections/messages';
import { invoiceWorkflowId } from '../temporal/workflow-ids';
import type { OthersDue } from './batch-window';
import type { Db } from '../db/client';
import { currentPolicy } from '../policy/store';
import { upcomingHolidays } from '../policy/holidays';
import type { Policy } from '../domain/policy';
import type { CustomerRecord, LedgerPort } from '../ledger/port';
import { readSendsSwitch, type SendsSwitch } from './kill-switch';
import type { EmailSender } from './channels/email';
import { createDelivery, isSettled, type DeliveryInput, type DeliveryResult } from './delivery';

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

/** Caps, send window (with the holidays and closing days ahead from now) and batching for this customer. */
export function outreachRules(customer: CustomerRecord | null, policy: Policy): OutreachRules {
  const timezone = customer?.timezone ?? 'UTC';
  return {
    caps: policy.contactCaps,
    sendWindow: policy.sendWindow,
    batchWindowMinutes: policy.batchWindowMinutes,
    timezone,
    policyVersion: policy.version,
    holidays: upcomingHolidays(policy, timezone, new Date()),
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
  const { db, ledger } = deps;
  const delivery = createDelivery(deps);

  const activities = {
    /**
     * Caps, send window (with the customer's holidays and closing days ahead) and batching for
     * this customer, from the policy in force. holidays is optional: results recorded before it
     * existed have none.
     */
    async loadOutreachRules(customerId: string): Promise<OutreachRules> {
      const [customer, policy] = await Promise.all([ledger.getCustomer(customerId), currentPolicy(db)]);
      return outreachRules(customer, policy);
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

    /**
     * Delivers one message. The outbox row's unique key makes a retry (or a worker killed after
     * the provider call) find the earlier row; Resend gets the same key as Idempotency-Key.
     */
    async deliverEmail(input: DeliveryInput): Promise<DeliveryResult> {
      const result = await delivery.deliver(input);
      if (!input.confirmDelivery || !deps.temporal || !isSettled(result)) return result;
      await delivery.confirmToInvoices(input, result, await deps.temporal());
      return { ...result, confirmed: true };
    },
  };

  return activities;
}

export type OutreachActivities = ReturnType<typeof createOutreachActivities>;
