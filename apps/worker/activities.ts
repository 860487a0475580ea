/** All activities, built from their dependencies (the samples-typescript createActivities pattern). */
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { ApplicationFailure } from '@temporalio/activity';
import { LedgerError, type LedgerPort } from '../../ledger/port';
import type { EmailSender } from '../../outreach/channels/email';
import { createInvoiceActivities } from '../../collections/activities';
import { createOutreachActivities } from '../../outreach/activities';
import { createAtOnceDelivery } from '../../outreach/at-once';
import { createInsightsActivities } from '../../insights/activities';
import { createRolloutActivities } from '../../rollout/activities';
import { createCashActivities } from '../../cash/activities';
import { createPolicyActivities } from '../../policy/activities';

export interface ActivityDeps {
  db: Db;
  ledger: LedgerPort;
  email: EmailSender;
  /** Lazily connected client, for activities that message other workflows. */
  temporal: () => Promise<Client>;
  taskQueue: string;
  emailFrom: string;
  policyFanOutMaxBacklog?: number;
  /** Every approved reminder through the customer's outreach workflow, none sent at once (bench:approvals compares). */
  outreachOnly?: boolean;
}

export function createActivities(deps: ActivityDeps) {
  return withPermanentLedgerErrors({
    // An approved reminder with nothing to coordinate goes out from the invoice's hand-over (issue 15).
    ...createInvoiceActivities({ ...deps, deliverAtOnce: deps.outreachOnly ? undefined : createAtOnceDelivery(deps) }),
    ...createOutreachActivities(deps),
    ...createInsightsActivities(deps),
    ...createRolloutActivities(deps),
    ...createCashActivities(deps),
    ...createPolicyActivities(deps),
  });
}

/**
 * A ledger refusal (bad input, missing record) cannot succeed on retry: it becomes a
 * non-retryable failure whose type names the cause. Transient faults keep retrying.
 */
function withPermanentLedgerErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(acts: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof LedgerError && err.code !== 'conflict') {
          throw ApplicationFailure.nonRetryable(err.message, err.code === 'not_found' ? 'LedgerNotFound' : 'LedgerRefused');
        }
        throw err;
      }
    };
  }
  return wrapped as T;
}

export type Activities = ReturnType<typeof createActivities>;
