/**
 * The fan-out's rules without Temporal: which page comes next (every invoice workflow, then every
 * outreach workflow), how a page's outcome adds up, when a run continues as new, and the progress
 * an operator reads. The workflow (workflow.ts) wires it to activities.
 */
import {
  FANOUT_TARGETS,
  type FanOutCarry,
  type FanOutPacing,
  type FanOutPage,
  type FanOutProgress,
  type FanOutStatus,
  type FanOutTarget,
} from './messages';

/** Failure messages kept in the progress: enough to see what went wrong, never a long history. */
export const MAX_FANOUT_ERRORS = 20;

export class PolicyFanOutCase {
  private state: FanOutCarry;
  private status: FanOutStatus = 'running';
  private finishedAt: string | null = null;
  private pagesThisRun = 0;

  constructor(
    readonly version: number,
    readonly workflowId: string,
    startedAt: string,
    carried?: FanOutCarry,
  ) {
    this.state = carried ?? {
      startedAt,
      total: null,
      counts: { invoices: 0, outreach: 0, notFound: 0, failed: 0, pages: 0 },
      target: FANOUT_TARGETS[0]!,
      pageToken: null,
      errors: [],
    };
  }

  get counted(): boolean {
    return this.state.total !== null;
  }

  /** The count's answer: how many to tell, and (from scoped code) which invoice workflows and why. */
  setTotal(total: number | null, scope?: { invoiceQuery: string; description: string }): void {
    this.state.total = total;
    if (scope) {
      this.state.invoiceQuery = scope.invoiceQuery;
      this.state.scope = scope.description;
    }
  }

  /** The visibility query of the invoice workflows to tell (undefined: every running one). */
  get invoiceQuery(): string | undefined {
    return this.state.invoiceQuery;
  }

  /** The page to ask for next, or null when every target has been told (or the fan-out stopped). */
  next(): { target: FanOutTarget; pageToken: string | null } | null {
    return this.status === 'running' ? { target: this.state.target, pageToken: this.state.pageToken } : null;
  }

  applyPage(page: FanOutPage): void {
    if (this.status !== 'running') return;
    if (page.superseded) {
      this.status = 'superseded';
      return;
    }
    const c = this.state.counts;
    if (page.target === 'invoice') c.invoices += page.signalled;
    else c.outreach += page.signalled;
    c.notFound += page.notFound;
    c.failed += page.failed;
    c.pages++;
    this.pagesThisRun++;
    this.addErrors(page.errors);
    if (page.pacing) {
      const p = this.pacing();
      this.state.pacing = { heldMs: p.heldMs + page.pacing.heldMs, peakBacklog: Math.max(p.peakBacklog, page.pacing.peakBacklog) };
    }
    if (page.nextPageToken !== null) {
      this.state.pageToken = page.nextPageToken;
      return;
    }
    const after = FANOUT_TARGETS.indexOf(page.target) + 1;
    if (after < FANOUT_TARGETS.length) {
      this.state.target = FANOUT_TARGETS[after]!;
      this.state.pageToken = null;
    } else this.status = 'done';
  }

  /** A page that failed for good (its retries spent): the fan-out stops; workflows read the version at their next step. */
  fail(message: string): void {
    this.addErrors([message]);
    this.status = 'failed';
  }

  finish(at: string): void {
    this.finishedAt ??= at;
  }

  /** Continue as new after `pagesPerRun` pages in this run, or earlier when Temporal suggests it. */
  shouldContinueAsNew(pagesPerRun: number, suggested: boolean): boolean {
    return this.status === 'running' && (this.pagesThisRun >= pagesPerRun || suggested);
  }

  carry(): FanOutCarry {
    return JSON.parse(JSON.stringify(this.state)) as FanOutCarry;
  }

  view(): FanOutProgress {
    return {
      version: this.version,
      workflowId: this.workflowId,
      status: this.status,
      total: this.state.total,
      scope: this.state.scope ?? null,
      pacing: this.pacing(),
      counts: { ...this.state.counts },
      current: this.status === 'running' ? this.state.target : null,
      startedAt: this.state.startedAt,
      finishedAt: this.finishedAt,
      errors: [...this.state.errors],
    };
  }

  /** One line for the Web UI's current details. */
  summary(): string {
    const c = this.state.counts;
    const told = c.invoices + c.outreach;
    const of = this.state.total === null ? '' : ` of ${this.state.total}`;
    const line = `policy v${this.version} fan-out ${this.status}: ${told}${of} signalled (${c.invoices} invoice, ${c.outreach} outreach, ${c.notFound} gone, ${c.failed} failed) in ${c.pages} pages`;
    const p = this.pacing();
    const paced = p.heldMs > 0 ? `; held ${Math.round(p.heldMs / 1000)} s for the task queue's backlog (peak ${p.peakBacklog})` : '';
    return this.state.scope ? `${line}${paced}\n${this.state.scope}` : `${line}${paced}`;
  }

  private pacing(): FanOutPacing {
    return { ...(this.state.pacing ?? { heldMs: 0, peakBacklog: 0 }) };
  }

  private addErrors(errors: readonly string[]): void {
    for (const e of errors) if (this.state.errors.length < MAX_FANOUT_ERRORS) this.state.errors.push(e.slice(0, 500));
  }
}
