/**
 * Test-only workflows that run the invoice's hand-over activities on a task queue of their own:
 * how a test makes a retried attempt of `awaitReminderDelivery` (a fresh task token for a request
 * outreach already has) at the moment a test chooses, rather than after an invoice's attempt times out, or
 * withdraws a reminder whose hand-over nobody has answered yet.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { HandOverAnswer } from '../../collections/messages';
import type { ReminderRequest } from '../../outreach/messages';

interface HandOverActivities {
  awaitReminderDelivery(input: { customerId: string; request: ReminderRequest }): Promise<HandOverAnswer>;
  withdrawReminder(input: { customerId: string; requestId: string; handOverActivityId?: string }): Promise<void>;
}

const acts = proxyActivities<HandOverActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });

export async function handOverProbeWorkflow(input: { customerId: string; request: ReminderRequest }): Promise<HandOverAnswer> {
  return acts.awaitReminderDelivery(input);
}

/** Hands a reminder over, then withdraws it while the hand-over is still open, as an invoice paid meanwhile does. */
export async function withdrawOpenHandOverProbeWorkflow(input: { customerId: string; request: ReminderRequest }): Promise<HandOverAnswer> {
  const activityId = 'hand-over/probe';
  const handed = (
    acts.awaitReminderDelivery as unknown as {
      executeWithOptions(o: { activityId: string }, a: unknown[]): Promise<HandOverAnswer>;
    }
  ).executeWithOptions({ activityId }, [input]);
  await acts.withdrawReminder({ customerId: input.customerId, requestId: input.request.requestId, handOverActivityId: activityId });
  return handed;
}
