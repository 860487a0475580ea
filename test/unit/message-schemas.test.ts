/** What a workflow's validators let in: never a value the database would refuse. */
import { describe, expect, it } from 'vitest';
import { messageSchemas, signalPayload } from '../../collections/message-schemas';
import { outreachSignalPayload } from '../../outreach/message-schemas';

describe('message schemas refuse control characters', () => {
  it('in a decision, a pause and a dispute', () => {
    const s = messageSchemas();
    const decision = { proposalId: 'p', decision: 'approve', by: 'ann' } as const;
    expect(s.decision.safeParse(decision).success).toBe(true);
    expect(s.decision.safeParse({ ...decision, note: 'fine\nthanks\t!' }).success).toBe(true);
    const bad = s.decision.safeParse({ ...decision, edits: { body: 'a\u0000b' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['edits', 'body'], message: expect.stringMatching(/control characters/) });
    expect(s.pause.safeParse({ by: 'ann', reason: 'x\u0000' }).success).toBe(false);
    expect(s.disputeOpened.safeParse({ disputeId: 'd', reason: 'r', note: '\u007f', by: 'ann' }).success).toBe(false);
  });

  it('signals: a bad payload is reported and dropped', () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(signalPayload('ledgerClosed', null, warn)).toBeUndefined();
    expect(signalPayload('ledgerClosed', { status: 'paid' }, warn)).toEqual({ status: 'paid' });
    expect(outreachSignalPayload('withdrawReminder', { requestId: 3 }, warn)).toBeUndefined();
    expect(outreachSignalPayload('requestReminder', { requestId: 'r' }, warn)).toBeUndefined();
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^ignored a ledgerClosed signal: /);
    expect(warnings[1]).toMatch(/^ignored a withdrawReminder signal: requestId /);
  });
});
