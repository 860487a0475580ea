/**
 * Payloads of the outreach workflow's signals. Invoice workflows send them, but so can anyone with
 * a Temporal client: a payload that breaks its schema is logged and ignored, never queued. Built on
 * first use, as collections/message-schemas.ts explains.
 */
import { z } from 'zod';
import { TONES } from '../domain/policy-terms';
import { CONTROL_CHARACTER_RULE, controlCharacterIn } from '../domain/text';

const clean = (v: string) => controlCharacterIn(v) === null;
import type { ReminderRequest } from './messages';

function build() {
  // What the database refuses (U+0000) must never be queued: it would block the customer's outbox.
  const text = (max: number) => z.string().max(max).refine(clean, CONTROL_CHARACTER_RULE);
  const minor = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
  // Not strict: a newer invoice worker may add a field during a rolling deploy; unknown fields are dropped.
  const requestReminder = z.object({
    requestId: z.string().min(1).max(500),
    invoice: z
      .object({
        number: z.string().min(1).max(200),
        currency: z.string().regex(/^[A-Z]{3}$/),
        openMinor: minor,
        amountMinor: minor,
        dueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        poNumber: text(200).nullable().optional(),
      })
      .strict(),
    customerName: text(500),
    contactName: text(500).nullable(),
    locale: text(50),
    invoiceWorkflowId: z.string().min(1).max(500),
    invoiceNumber: z.string().min(1).max(200),
    tone: z.enum(TONES),
    subject: text(300).min(1),
    body: text(20_000).min(1),
    reasoning: text(20_000),
    policyVersion: z.number().int().positive(),
    approvedBy: z.string().min(1).max(200),
    edited: z.boolean(),
    completion: z.string().min(1).max(4_000).optional(),
  }) satisfies z.ZodType<ReminderRequest>;
  const withdrawReminder = z.object({ requestId: z.string().min(1).max(500) }).strict();
  return { requestReminder, withdrawReminder };
}

type OutreachSchemas = ReturnType<typeof build>;
let built: OutreachSchemas | undefined;

/** The payload if it fits, else undefined and a warning naming the first problem. */
export function outreachSignalPayload<K extends keyof OutreachSchemas>(
  name: K,
  payload: unknown,
  warn: (message: string) => void,
): z.output<OutreachSchemas[K]> | undefined {
  built ??= build();
  const parsed = built[name].safeParse(payload);
  if (parsed.success) return parsed.data as z.output<OutreachSchemas[K]>;
  const issue = parsed.error.issues[0];
  warn(`ignored a ${name} signal: ${issue ? `${issue.path.join('.') || '(payload)'} ${issue.message}` : 'invalid payload'}`);
  return undefined;
}
