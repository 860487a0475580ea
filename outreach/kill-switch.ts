/**
 * The kill switch: one durable row that holds every outgoing message (all channels, all
 * customers) while the workflows keep their schedules. Outreach reads it right before each
 * delivery; resuming signals the running outreach workflows so held messages go out at once
 * (each also re-checks every 10 minutes, so none waits on a missed signal for long).
 */
import type { Client } from '@temporalio/client';
import { schema, type Db } from '../db/client';
import { sendsResumedSignal } from './messages';

export interface SendsSwitch {
  held: boolean;
  reason: string | null;
  by: string | null;
  since: string | null;
}

export async function readSendsSwitch(db: Db): Promise<SendsSwitch> {
  const [row] = await db.select().from(schema.sendsSwitch);
  if (!row) return { held: false, reason: null, by: null, since: null };
  return { held: row.held, reason: row.reason, by: row.changedBy, since: row.changedAt.toISOString() };
}

/** Holds every send. Holding again keeps the first reason and time: the switch is one switch. */
export async function holdSends(db: Db, input: { by: string; reason: string }): Promise<SendsSwitch> {
  const current = await readSendsSwitch(db);
  if (current.held) return current;
  await setSwitch(db, { held: true, reason: input.reason, changedBy: input.by });
  return readSendsSwitch(db);
}

export async function releaseSends(db: Db, input: { by: string }): Promise<SendsSwitch> {
  await setSwitch(db, { held: false, reason: null, changedBy: input.by });
  return readSendsSwitch(db);
}

async function setSwitch(db: Db, values: { held: boolean; reason: string | null; changedBy: string }): Promise<void> {
  const row = { id: 1, ...values, changedAt: new Date() };
  await db.insert(schema.sendsSwitch).values(row).onConflictDoUpdate({ target: schema.sendsSwitch.id, set: row });
}

/** Wakes every running outreach workflow after a resume; returns how many were told. */
export async function wakeHeldOutreach(client: Client): Promise<number> {
  let told = 0;
  for await (const w of client.workflow.list({ query: 'WorkflowType = "outreachWorkflow" AND ExecutionStatus = "Running"' })) {
    try {
      await client.workflow.getHandle(w.workflowId).signal(sendsResumedSignal);
      told++;
    } catch {
      // Completed meanwhile: nothing held there.
    }
  }
  return told;
}
