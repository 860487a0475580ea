/**
 * Proposal ids: `<workflowId>/<stepKey>` for a step's first draft, `/r<n>` after n supersessions
 * (a partial payment or a promise re-plans the step). The count is stored in the carried memory,
 * so an id is never reused however long the action log (which keeps 50 entries) has grown.
 */
import type { InvoiceMemory } from './invoice-state';

export class ProposalIds {
  private readonly attempts: Record<string, number>;

  constructor(
    private readonly workflowId: string,
    memory: InvoiceMemory,
  ) {
    // State carried by a run from before the counter: seed it from the notes, as those runs counted.
    memory.proposalAttempts ??= seedFromNotes(workflowId, memory);
    this.attempts = memory.proposalAttempts;
  }

  /** The id of the next draft of this step. */
  next(stepKey: string): string {
    const attempt = this.attempts[stepKey] ?? 0;
    return `${this.workflowId}/${stepKey}${attempt ? `/r${attempt}` : ''}`;
  }

  superseded(stepKey: string): void {
    this.attempts[stepKey] = (this.attempts[stepKey] ?? 0) + 1;
  }
}

/** Counts `proposal_superseded` notes per step, from their "<workflowId>/<stepKey>[/r<n>]: why" detail. */
function seedFromNotes(workflowId: string, memory: Pick<InvoiceMemory, 'actions'>): Record<string, number> {
  const counts: Record<string, number> = {};
  const prefix = `${workflowId}/`;
  for (const action of memory.actions) {
    if (action.kind !== 'proposal_superseded' || !action.detail.startsWith(prefix)) continue;
    const id = action.detail.slice(prefix.length).split(': ')[0]!;
    const stepKey = id.replace(/\/r\d+$/, '');
    counts[stepKey] = (counts[stepKey] ?? 0) + 1;
  }
  return counts;
}
