/**
 * The cash workflow's state and how it reads to a person: a plain class, so its rules are unit
 * tested without a server and the workflow file only wires Temporal to it.
 */
import type { CashPhase, CashProgress } from './messages';

export class StatementRun {
  private progress: CashProgress;

  constructor(statementKey: string) {
    this.progress = {
      statementKey,
      phase: 'loading',
      transactions: 0,
      credits: 0,
      debits: 0,
      decided: { applied: 0, proposed: 0, unapplied: 0, ignored: 0 },
      posted: 0,
      alreadyPosted: 0,
      invoicesTold: 0,
      returnsReversed: 0,
      refused: [],
    };
  }

  view(): CashProgress {
    // A copy, so a query answer never aliases state (structuredClone is not in the workflow sandbox).
    return JSON.parse(JSON.stringify(this.progress)) as CashProgress;
  }

  loaded(s: { transactions: number; credits: number; debits: number }): void {
    Object.assign(this.progress, { transactions: s.transactions, credits: s.credits, debits: s.debits });
  }

  enter(phase: CashPhase): void {
    this.progress.phase = phase;
  }

  matched(decided: CashProgress['decided']): void {
    this.progress.decided = { ...decided };
  }

  postedBatch(results: readonly { posted: number; alreadyPosted: number; refused: readonly string[] }[]): void {
    for (const r of results) {
      this.progress.posted += r.posted;
      this.progress.alreadyPosted += r.alreadyPosted;
      this.progress.refused.push(...r.refused);
    }
  }

  told(outcomes: readonly { told: boolean }[]): void {
    this.progress.invoicesTold += outcomes.filter((o) => o.told).length;
  }

  reversed(results: readonly { creditId: number | null }[]): void {
    this.progress.returnsReversed += results.filter((r) => r.creditId !== null).length;
  }

  /** The current details pane: what it is doing and what it did. */
  details(): string {
    const p = this.progress;
    const lines = [
      `**${p.phase}** — statement ${p.statementKey}`,
      `${p.transactions} transactions: ${p.credits} credits, ${p.debits} debits (debits are stored, never matched)`,
      `Matching: ${p.decided.applied} applied automatically, ${p.decided.proposed} proposed to a person, ${p.decided.unapplied} unapplied, ${p.decided.ignored} ignored`,
      `Ledger: ${p.posted} allocations posted${p.alreadyPosted ? `, ${p.alreadyPosted} already posted (nothing twice)` : ''}; ${p.invoicesTold} invoice workflows told`,
    ];
    if (p.returnsReversed) lines.push(`Returns: ${p.returnsReversed} returned credits reversed`);
    if (p.refused.length) lines.push(`Refused by the ledger: ${p.refused.join('; ')}`);
    return lines.join('\n\n');
  }
}
