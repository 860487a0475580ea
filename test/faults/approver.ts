/**
 * An approver as people are: they click approve, and when the endpoint answers 503/504 or not at
 * all ("may have been delivered; retrying is safe") they click again, until it says approved (200)
 * or already decided (409).
 */
export interface ApprovalTally {
  /** HTTP requests sent, repeats included. */
  sent: number;
  /** 200: this click decided the proposal. */
  accepted: number;
  /** 409: someone (or an earlier click whose answer was lost) decided it first. */
  alreadyDecided: number;
  /** Repeats after a 503, a 504 or no answer. */
  retried: number;
  /** Any other answer (a 500, a 400): the edge broke a promise. */
  unexpected: string[];
  /** Which proposals each 200 was for: more than one per proposal is a double decision. */
  winners: Map<string, number>;
}

export function newTally(): ApprovalTally {
  return { sent: 0, accepted: 0, alreadyDecided: 0, retried: 0, unexpected: [], winners: new Map() };
}

export async function approveUntilAnswered(
  adminUrl: string,
  token: string,
  proposalId: string,
  tally: ApprovalTally,
  opts: { giveUpAfterMs: number },
): Promise<'accepted' | 'already_decided' | 'gave_up'> {
  const deadline = Date.now() + opts.giveUpAfterMs;
  while (Date.now() < deadline) {
    tally.sent++;
    let status = 0;
    try {
      const res = await fetch(`${adminUrl}/api/approvals/${encodeURIComponent(proposalId)}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(60_000),
      });
      status = res.status;
      const text = await res.text();
      if (status === 200) {
        tally.accepted++;
        tally.winners.set(proposalId, (tally.winners.get(proposalId) ?? 0) + 1);
        return 'accepted';
      }
      if (status === 409) {
        tally.alreadyDecided++;
        return 'already_decided';
      }
      if (status !== 503 && status !== 504) tally.unexpected.push(`${proposalId}: ${status} ${text.slice(0, 200)}`);
    } catch {
      /* no answer: the same as a 503 for an approver */
    }
    tally.retried++;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return 'gave_up';
}
