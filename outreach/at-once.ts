/**
 * An approved reminder delivered from its invoice's hand-over activity, without the customer's
 * outreach workflow, when that workflow would only send it at once (issue 15). An approval then
 * costs one activity where the hand-over to a second workflow cost a signal-with-start, that
 * workflow's tasks, its reads and its delivery activity.
 *
 * It goes through outreach instead when something there must decide:
 * - the kill switch holds;
 * - another reminder of the customer is due inside the batch window;
 * - the send window is shut;
 * - the customer's outreach workflow holds or is sending messages;
 * - the contact caps, counted from the outbox under the customer's lock, hold it back;
 * - the hand-over is a retry whose first attempt may have handed it to outreach.
 *
 * The outbox key is the one outreach gives a message of this request alone. So a retry of the
 * activity, or the workflow sending the same request, finds the row and sends nothing twice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { ReminderDelivered } from '../collections/messages';
import { currentPolicy } from '../policy/store';
import { outreachWorkflowId } from '../temporal/workflow-ids';
import { whyThroughOutreach } from './at-once-gate';
import type { ContactCaps } from './contact-caps';
import { createOutreachActivities, outreachRules } from './activities';
import { createDelivery, isSettled } from './delivery';
import { readSendsSwitch } from './kill-switch';
import { outreachStateQuery, type ReminderRequest } from './messages';

export interface AtOnceInput {
  customerId: string;
  request: ReminderRequest;
  /** The hand-over activity's attempt: a retry may find the request with outreach already. */
  attempt: number;
  /** Now on the Temporal server's clock (epoch ms): the caps and the send window are workflow time. */
  at: number;
}

export type AtOnceOutcome = { delivered: ReminderDelivered } | { throughOutreach: string };

export type DeliverAtOnce = (input: AtOnceInput) => Promise<AtOnceOutcome>;

export function createAtOnceDelivery(
  deps: Parameters<typeof createOutreachActivities>[0] & { temporal: () => Promise<Client> },
): DeliverAtOnce {
  const outreach = createOutreachActivities(deps);
  const delivery = createDelivery(deps);

  /**
   * Why the customer's outreach workflow must take this one, from what it holds now; null if nothing.
   * A request that reaches outreach after this look is not merged with this one. It is held by the
   * caps' claim instead, so the customer gets two messages at most and never more than the caps allow.
   */
  async function outreachHolds(customerId: string): Promise<string | null> {
    const handle = (await deps.temporal()).workflow.getHandle(outreachWorkflowId(customerId));
    try {
      // Asked only of a running one: a query to a closed run would replay its history.
      if ((await handle.describe()).status.name !== 'RUNNING') return null;
      const state = await handle.query(outreachStateQuery);
      const holds = state.queued.length + (state.inFlight?.length ?? 0);
      return holds > 0 || state.sendsHeld ? `${outreachWorkflowId(customerId)} holds ${holds} other message(s) for this customer` : null;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  return async function deliverAtOnce(input) {
    const { customerId, request } = input;
    const outboxKey = `${outreachWorkflowId(customerId)}/${request.requestId}`;
    // What the gate and the delivery both need, read once and together (they read it twice, issue 15).
    const [customer, policy, claimed, sends] = await Promise.all([
      deps.ledger.getCustomer(customerId),
      currentPolicy(deps.db),
      delivery.outboxRow(outboxKey),
      readSendsSwitch(deps.db),
    ]);
    let caps: ContactCaps | undefined;
    // A row under this key: an earlier attempt claimed it (or outreach sent it alone); finish it here.
    if (!claimed) {
      if (input.attempt > 1) return { throughOutreach: 'a retried hand-over: its first attempt may have handed it to outreach' };
      const rules = outreachRules(customer, policy);
      const others =
        rules.batchWindowMinutes > 0 ? await outreach.remindersDueSoon({ customerId, exceptInvoices: [request.invoiceNumber] }) : null;
      const why = whyThroughOutreach({ rules, others, sends }, input.at) ?? (await outreachHolds(customerId));
      if (why) return { throughOutreach: why };
      caps = rules.caps;
    }
    let result: Awaited<ReturnType<typeof delivery.deliver>>;
    try {
      result = await delivery.deliver(
        {
          outboxKey,
          customerId,
          subject: request.subject,
          body: request.body,
          ...(caps ? { caps, contactAt: new Date(input.at).toISOString() } : {}),
          requests: [
            {
              requestId: request.requestId,
              invoiceWorkflowId: request.invoiceWorkflowId,
              invoiceNumber: request.invoiceNumber,
              reasoning: request.reasoning,
              policyVersion: request.policyVersion,
              approvedBy: request.approvedBy,
              edited: request.edited,
              tone: request.tone,
              quotedOpenMinor: request.invoice.openMinor,
            },
          ],
        },
        { customer, policy, outboxRow: claimed ?? null },
      );
    } catch (err) {
      // The provider refused this address for good: outreach keeps it queued and tries again later, as it always has.
      if (err instanceof ApplicationFailure && err.type === 'EmailRejected') return { throughOutreach: err.message };
      throw err;
    }
    if (!isSettled(result)) return { throughOutreach: result.detail };
    return {
      delivered: {
        requestId: request.requestId,
        outboxKey,
        batchedWith: [],
        // The server's clock, as outreach's workflow time is for the messages it sends.
        sentAt: new Date(input.at).toISOString(),
        status: result.status,
        detail: result.detail,
      },
    };
  };
}
