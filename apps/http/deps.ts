/** What the admin endpoint needs from the rest of the system, and small shared helpers. */
import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { MoneyError, parseDecimal, toDecimal } from '../../domain/money';
import type { LedgerPort } from '../../ledger/port';
import { badRequest, fromMoneyError } from './errors';

export interface AdminDeps {
  db: Db;
  temporal: Client;
  /** TEMPORAL_TASK_QUEUE: where background workflows (a policy's fan-out) are started; 'ar' by default. */
  config: Pick<Config, 'ADMIN_PORT' | 'ADMIN_HOST'> & Partial<Pick<Config, 'RESEND_WEBHOOK_SECRET' | 'TEMPORAL_TASK_QUEUE'>>;
  /** The ERP port for manual payments; the built-in ledger over `db` by default. */
  ledger?: LedgerPort;
  /** The clock for ages and days overdue; the wall clock by default. */
  now?: () => Date;
  /** Largest request body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** How long to wait for a workflow to answer an Update (default 30 s). */
  updateTimeoutMs?: number;
}

export interface Money {
  amount: string;
  minor: number;
  currency: string;
}

export function moneyOf(minor: number, currency: string): Money {
  return { amount: toDecimal(minor, currency), minor, currency };
}

/** A positive decimal string in a currency → minor units; a 400 naming the field otherwise. */
export function parseAmount(text: string, currency: string, field: string): number {
  let v: number;
  try {
    v = parseDecimal(text, currency, field);
  } catch (e) {
    if (e instanceof MoneyError) throw fromMoneyError(e);
    throw e;
  }
  if (v <= 0) throw badRequest(field, text, 'must be greater than zero');
  return v;
}

/** A path parameter, checked for a sane size (ids and invoice numbers are short). */
export function pathParam(params: Record<string, string>, name: string): string {
  const v = params[name] ?? '';
  if (v.length === 0 || v.length > 200) throw badRequest(name, v, 'must be 1 to 200 characters');
  return v;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,100}$/;

export function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) throw badRequest('Idempotency-Key', header, 'must be 1 to 100 letters, digits, ".", "_", ":" or "-"');
  return header;
}
