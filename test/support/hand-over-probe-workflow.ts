/**
 * A test-only workflow that runs the invoice's hand-over activity once, on its own task queue:
 * how a test makes a retried attempt of `awaitReminderDelivery` (a fresh task token for a request
 * outreach already has) without waiting the 6 hours an invoice's attempt waits before its retry.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { HandOverAnswer } from '../../collections/messages';
import type { ReminderRequest } from '../../outreach/messages';

const { awaitReminderDelivery } = proxyActivities<{
  awaitReminderDelivery(input: { customerId: string; request: ReminderRequest }): Promise<HandOverAnswer>;
}>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });

export async function handOverProbeWorkflow(input: { customerId: string; request: ReminderRequest }): Promise<HandOverAnswer> {
  return awaitReminderDelivery(input);
}
