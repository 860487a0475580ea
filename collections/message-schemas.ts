/**
 * Payloads of the messages people and systems send to an invoice workflow. One zod schema per
 * message: the admin endpoint validates with it at the edge (domain/messages.ts), and the
 * workflow's Update validators validate again so a bad message from any client is refused before
 * it touches workflow state or history.
 *
 * Each schema is built on its first use, alone: building zod schemas was most of a workflow's
 * memory, a workflow that never receives a message never needs them, and the workflow sandbox
 * gives every workflow its own module state, so a decision's first message used to pay for all
 * of its schemas (a profile of the decision path: ~5 ms per workflow) where it needs one.
 */
import { z } from 'zod';
import { isIsoDate } from '../domain/calendar';
import { EDIT_CATEGORIES } from '../domain/edit-categories';
import { CONTROL_CHARACTER_RULE, controlCharacterIn } from '../domain/text';

function makeBuilders() {
  // Every text a person or system sends: what PostgreSQL refuses (U+0000) must never enter workflow state.
  const str = () => z.string().refine((v) => controlCharacterIn(v) === null, CONTROL_CHARACTER_RULE);
  const isoDate = str().refine((s): boolean => isIsoDate(s), 'must be a calendar date YYYY-MM-DD');
  const minorAmount = z
    .number()
    .int('must be a whole number of minor units')
    .positive('must be greater than zero')
    .max(Number.MAX_SAFE_INTEGER);
  const currency = str().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');
  const actor = str().min(1, 'must name who acts').max(200);

  const decisionSchema = () =>
    z
      .object({
        proposalId: str().min(1),
        decision: z.enum(['approve', 'reject']),
        by: actor,
        note: str().max(2000).optional(),
        reason: str().min(1).max(2000).optional(),
        edits: z
          .object({ subject: str().min(1).max(300).optional(), body: str().min(1).max(20000).optional() })
          .strict()
          .optional(),
        /** What the edits changed (counted per tier and step to tune the policy); the admin endpoint requires it with edits. */
        editCategory: z.enum(EDIT_CATEGORIES, { error: `must be one of ${EDIT_CATEGORIES.join(', ')}` }).optional(),
        editNote: str().max(2000).optional(),
      })
      .strict()
      .refine((d) => d.decision === 'approve' || !!d.reason, { message: 'a rejection needs a reason', path: ['reason'] })
      .refine((d) => d.decision === 'approve' || !d.edits, { message: 'edits go with approve, not reject', path: ['edits'] })
      .refine((d) => !!d.edits || (d.editCategory === undefined && d.editNote === undefined), {
        message: 'goes with edits: say what the edits changed only when there are edits',
        path: ['editCategory'],
      });

  const paymentAppliedSchema = () =>
    z.object({ paymentId: str().min(1).max(200), amountMinor: minorAmount, currency, by: actor.default('cash-application') }).strict();

  const promiseToPaySchema = () =>
    z.object({ promiseId: str().min(1).max(200), date: isoDate, amountMinor: minorAmount.optional(), by: actor }).strict();

  const disputeOpenedSchema = () =>
    z.object({ disputeId: str().min(1).max(200), reason: str().min(1).max(500), note: str().max(5000).optional(), by: actor }).strict();

  const disputeResolvedSchema = () =>
    z
      .object({
        outcome: z.enum(['invalid', 'credit', 'write_off']),
        /** For a credit: the amount credited against the invoice. */
        creditMinor: minorAmount.optional(),
        note: str().max(5000).optional(),
        by: actor,
      })
      .strict()
      .refine((d) => d.outcome !== 'credit' || d.creditMinor !== undefined, {
        message: 'a credit needs creditMinor',
        path: ['creditMinor'],
      });

  const pauseSchema = () => z.object({ by: actor, reason: str().min(1).max(1000) }).strict();

  const resumeSchema = () => z.object({ by: actor }).strict();

  // Signals get no answer, so a bad one is ignored (and logged) instead of refused; these say what "bad" is.
  const ledgerClosedSchema = () => z.object({ status: str().min(1).max(50) }).strict();
  const ledgerChangedSchema = () => z.object({ reason: str().min(1).max(200) }).strict();
  const reminderDeliveredSchema = () =>
    z
      .object({
        requestId: str().min(1).max(500),
        outboxKey: str().max(500),
        batchedWith: z.array(str().max(200)).max(1000),
        sentAt: str().max(50),
        status: z.enum(['sent', 'logged', 'suppressed', 'stale']),
        detail: str().max(5000),
      })
      .strict();
  return {
    ledgerClosed: ledgerClosedSchema,
    ledgerChanged: ledgerChangedSchema,
    reminderDelivered: reminderDeliveredSchema,
    decision: decisionSchema,
    paymentApplied: paymentAppliedSchema,
    promiseToPay: promiseToPaySchema,
    disputeOpened: disputeOpenedSchema,
    disputeResolved: disputeResolvedSchema,
    pause: pauseSchema,
    resume: resumeSchema,
  };
}

type Builders = ReturnType<typeof makeBuilders>;
export type MessageSchemas = { [K in keyof Builders]: ReturnType<Builders[K]> };

export type Decision = z.infer<MessageSchemas['decision']>;
export type PaymentApplied = z.infer<MessageSchemas['paymentApplied']>;
export type PromiseToPay = z.infer<MessageSchemas['promiseToPay']>;
export type DisputeOpened = z.infer<MessageSchemas['disputeOpened']>;
export type DisputeResolved = z.infer<MessageSchemas['disputeResolved']>;
export type Pause = z.infer<MessageSchemas['pause']>;
export type Resume = z.infer<MessageSchemas['resume']>;
const NAMES: readonly (keyof Builders)[] = [
  'ledgerClosed',
  'ledgerChanged',
  'reminderDelivered',
  'decision',
  'paymentApplied',
  'promiseToPay',
  'disputeOpened',
  'disputeResolved',
  'pause',
  'resume',
];
let builders: Builders | undefined;
const built: Partial<MessageSchemas> = {};

/** The schemas, each built when first read (a getter per schema, so callers read them as properties). */
const schemas = Object.defineProperties(
  {} as MessageSchemas,
  Object.fromEntries(NAMES.map((k) => [k, { enumerable: true, get: () => (built[k] ??= (builders ??= makeBuilders())[k]() as never) }])),
);

export function messageSchemas(): MessageSchemas {
  return schemas;
}

/** A signal's payload if it fits its schema, else undefined and a warning in the worker log naming what is wrong. */
export function signalPayload<K extends keyof MessageSchemas>(
  name: K,
  payload: unknown,
  warn: (message: string) => void,
): z.output<MessageSchemas[K]> | undefined {
  const parsed = messageSchemas()[name].safeParse(payload);
  if (parsed.success) return parsed.data as z.output<MessageSchemas[K]>;
  warn(`ignored a ${String(name)} signal: ${describeZodError(parsed.error, payload)}`);
  return undefined;
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
