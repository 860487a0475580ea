/**
 * Payloads of the messages people and systems send to an invoice workflow. One zod schema per
 * message: the admin endpoint validates with it at the edge (domain/messages.ts), and the
 * workflow's Update validators validate again so a bad message from any client is refused before
 * it touches workflow state or history.
 *
 * Built on first use: building zod schemas was most of a workflow's memory, and a workflow that
 * never receives a message never needs them.
 */
import { z } from 'zod';
import { isIsoDate } from '../domain/calendar';

function build() {
  const isoDate = z.string().refine((s): boolean => isIsoDate(s), 'must be a calendar date YYYY-MM-DD');
  const minorAmount = z
    .number()
    .int('must be a whole number of minor units')
    .positive('must be greater than zero')
    .max(Number.MAX_SAFE_INTEGER);
  const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');
  const actor = z.string().min(1, 'must name who acts').max(200);

  const decisionSchema = z
    .object({
      proposalId: z.string().min(1),
      decision: z.enum(['approve', 'reject']),
      by: actor,
      note: z.string().max(2000).optional(),
      reason: z.string().min(1).max(2000).optional(),
      edits: z
        .object({ subject: z.string().min(1).max(300).optional(), body: z.string().min(1).max(20000).optional() })
        .strict()
        .optional(),
    })
    .strict()
    .refine((d) => d.decision === 'approve' || !!d.reason, { message: 'a rejection needs a reason', path: ['reason'] })
    .refine((d) => d.decision === 'approve' || !d.edits, { message: 'edits go with approve, not reject', path: ['edits'] });

  const paymentAppliedSchema = z
    .object({ paymentId: z.string().min(1).max(200), amountMinor: minorAmount, currency, by: actor.default('cash-application') })
    .strict();

  const promiseToPaySchema = z
    .object({ promiseId: z.string().min(1).max(200), date: isoDate, amountMinor: minorAmount.optional(), by: actor })
    .strict();

  const disputeOpenedSchema = z
    .object({ disputeId: z.string().min(1).max(200), reason: z.string().min(1).max(500), note: z.string().max(5000).optional(), by: actor })
    .strict();

  const disputeResolvedSchema = z
    .object({
      outcome: z.enum(['invalid', 'credit', 'write_off']),
      /** For a credit: the amount credited against the invoice. */
      creditMinor: minorAmount.optional(),
      note: z.string().max(5000).optional(),
      by: actor,
    })
    .strict()
    .refine((d) => d.outcome !== 'credit' || d.creditMinor !== undefined, { message: 'a credit needs creditMinor', path: ['creditMinor'] });

  const pauseSchema = z.object({ by: actor, reason: z.string().min(1).max(1000) }).strict();

  const resumeSchema = z.object({ by: actor }).strict();
  return {
    decision: decisionSchema,
    paymentApplied: paymentAppliedSchema,
    promiseToPay: promiseToPaySchema,
    disputeOpened: disputeOpenedSchema,
    disputeResolved: disputeResolvedSchema,
    pause: pauseSchema,
    resume: resumeSchema,
  };
}

export type MessageSchemas = ReturnType<typeof build>;

export type Decision = z.infer<MessageSchemas['decision']>;
export type PaymentApplied = z.infer<MessageSchemas['paymentApplied']>;
export type PromiseToPay = z.infer<MessageSchemas['promiseToPay']>;
export type DisputeOpened = z.infer<MessageSchemas['disputeOpened']>;
export type DisputeResolved = z.infer<MessageSchemas['disputeResolved']>;
export type Pause = z.infer<MessageSchemas['pause']>;
export type Resume = z.infer<MessageSchemas['resume']>;
let built: MessageSchemas | undefined;

export function messageSchemas(): MessageSchemas {
  return (built ??= build());
}

/** Formats the first zod issue as "field: value rule" for errors that name what went wrong. */
export function describeZodError(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((i) => {
      const field = i.path.join('.') || '(message)';
      let value: unknown = input;
      for (const p of i.path)
        value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
      return `${field}: ${value === undefined ? 'missing' : JSON.stringify(value)} ${i.message}`;
    })
    .join('; ');
}
