/**
 * What a merged message says: only what people approved. Pure, so the same message comes out on
 * replay, and testable without a server.
 */
import type { ReminderRequest } from './messages';

/** Separates the approved reminders in one merged message. */
const PART_BREAK = '\n\n----------------------------------------\n\n';

/**
 * One message made only of the approved texts: each request's subject and body exactly as approved
 * (a person's edits included), never re-worded; the subjects in order, a repeated one once.
 */
export function mergeApproved(batch: readonly Pick<ReminderRequest, 'subject' | 'body'>[]): { subject: string; body: string } {
  if (batch.length === 0) throw new Error('mergeApproved: batch: [] must hold at least one request');
  if (batch.length === 1) return { subject: batch[0]!.subject, body: batch[0]!.body };
  const subjects = [...new Set(batch.map((b) => b.subject))];
  return { subject: subjects.join(' / '), body: batch.map((b) => b.body).join(PART_BREAK) };
}
