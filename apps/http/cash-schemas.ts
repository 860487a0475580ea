/** Request and response schemas of the cash application API (GET /api/cash, apply, unapply, cash-match approvals). */
import { z } from 'zod';
import { BANK_TX_STATUSES } from '../../db/cash-schema';

const decimalAmount = z
  .string()
  .max(24, 'must be at most 24 characters')
  .regex(/^\d+(\.\d+)?$/, 'must be a positive decimal amount such as "123.45" (digits and an optional ".", no sign, spaces or separators)');

export const cashQuery = z
  .object({
    status: z.enum(BANK_TX_STATUSES).optional(),
    /** A statement key, as `ar bank import` prints it. */
    statement: z.string().min(1).max(300).optional(),
    limit: z
      .string()
      .regex(/^\d{1,5}$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1').max(10_000, 'must be at most 10000'))
      .optional(),
  })
  .strict();

export const applyCashBody = z
  .object({
    /** Absent: the proposal's allocations as they are (approving it). */
    allocations: z
      .array(z.object({ invoiceNumber: z.string().min(1).max(200), amount: decimalAmount }).strict())
      .min(1, 'must name at least one invoice')
      .max(200)
      .optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

export const unapplyCashBody = z.object({ reason: z.string().min(1).max(2000).optional() }).strict();

const cashItemOut = z.object({
  id: z.number().int(),
  statement: z.string(),
  entryRef: z.string().nullable(),
  bookingDate: z.string(),
  valueDate: z.string().nullable(),
  amount: z.string(),
  currency: z.string(),
  direction: z.enum(['credit', 'debit']),
  payer: z.string().nullable(),
  payerAccount: z.string().nullable(),
  remittance: z.string(),
  status: z.enum(BANK_TX_STATUSES),
  confidence: z.number().nullable(),
  customerId: z.string().nullable(),
  allocations: z.array(z.object({ invoiceNumber: z.string(), amount: z.string() })),
  reasons: z.array(z.string()),
});

export const cashListOut = z.object({ items: z.array(cashItemOut), total: z.number().int() });

export const cashDecisionOut = z.object({
  transaction: cashItemOut,
  ledger: z.object({ posted: z.number().int(), alreadyPosted: z.number().int(), refused: z.array(z.string()) }).optional(),
  invoices: z.array(z.object({ invoiceNumber: z.string(), told: z.boolean(), detail: z.string() })),
});

/** A cash-match proposal in the approvals inbox: the transaction, the top candidates and the evidence. */
export const cashApprovalsOut = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      kind: z.literal('cash_match'),
      transaction: cashItemOut,
      candidates: z.array(
        z.object({
          customerId: z.string(),
          allocations: z.array(z.object({ invoiceNumber: z.string(), amount: z.string() })),
          score: z.number(),
          basis: z.string(),
        }),
      ),
      evidence: z.array(z.string()),
    }),
  ),
  total: z.number().int(),
  nextCursor: z.null(),
});
