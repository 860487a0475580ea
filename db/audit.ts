/** The audit trail: one row per decision or customer-facing action, keyed for idempotency. */
import { schema, type Db } from './client';

export interface AuditEntry {
  idempotencyKey: string;
  workflowId?: string;
  invoiceNumber?: string;
  customerId?: string;
  action: string;
  actor: string;
  reasoning?: string;
  policyVersion?: number;
  approvedBy?: string;
  details?: Record<string, unknown>;
}

export async function writeAudit(db: Db | Parameters<Parameters<Db['transaction']>[0]>[0], entry: AuditEntry): Promise<void> {
  await db.insert(schema.auditLog).values(entry).onConflictDoNothing();
}
