/**
 * What one approved decision sets off, counted from the histories: the invoice workflow's events
 * from the workflow task that accepted the decision on, and the outreach workflow's that delivered it (none when the
 * hand-over sent it at once). A decision's
 * CPU grows with these (every workflow task is an activation in the worker and several writes in the
 * server), so this is the line that explains a decision's cost next to a bare Update's.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyOrNone } from '../harness/history-or-none';
import { outreachWorkflowId } from '../../temporal/workflow-ids';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

export interface ChainCounts {
  workflowTasks: number;
  activities: number;
  localActivities: number;
  timers: number;
  events: number;
}

const none = (): ChainCounts => ({ workflowTasks: 0, activities: 0, localActivities: 0, timers: 0, events: 0 });

function count(events: HistoryEvent[], into: ChainCounts): void {
  for (const e of events) {
    into.events++;
    if (e.workflowTaskCompletedEventAttributes) into.workflowTasks++;
    else if (e.activityTaskScheduledEventAttributes) into.activities++;
    else if (e.timerStartedEventAttributes) into.timers++;
    else if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') into.localActivities++;
  }
}

/**
 * Mean counts per decision over `decided` (invoice workflows decided once each, whose customers
 * have no other invoice in the run, so each outreach history is this decision's alone).
 */
export async function decisionChain(
  client: Client,
  decided: { workflowId: string; customerId: string }[],
  opts: { outreach?: boolean; trace?: boolean; outreachOf?: (d: { workflowId: string; customerId: string }) => string } = {},
): Promise<{ invoice: ChainCounts; outreach: ChainCounts; decisions: number }> {
  const invoice = none();
  const outreach = none();
  let decisions = 0;
  for (const d of decided) {
    const events = (await client.workflow.getHandle(d.workflowId).fetchHistory()).events ?? [];
    const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    if (accepted < 0) continue;
    decisions++;
    // From the workflow task that accepted it: that task is the decision's too.
    let from = accepted;
    while (from > 0 && !events[from]!.workflowTaskStartedEventAttributes) from--;
    count(events.slice(from), invoice);
    // The first decision's events by type, in order (BENCH_CHAIN_TRACE=1): what the counts are made of.
    if (opts.trace && decisions === 1) console.log(`${d.workflowId}: ${events.slice(from).map(eventType).join(' ')}`);
    // A rejection hands nothing over: no outreach workflow to read.
    if (opts.outreach === false) continue;
    const outreachId = opts.outreachOf ? opts.outreachOf(d) : outreachWorkflowId(d.customerId);
    // None when the hand-over sent it at once: nothing to count.
    count((await historyOrNone(client, outreachId))?.events ?? [], outreach);
  }
  const mean = (c: ChainCounts): ChainCounts =>
    Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v / Math.max(1, decisions)])) as unknown as ChainCounts;
  return { invoice: mean(invoice), outreach: mean(outreach), decisions };
}

/** The event's type from the attributes it carries (`timerStartedEventAttributes` → timerStarted). */
function eventType(e: HistoryEvent): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null);
  return key ? key.slice(0, -'EventAttributes'.length) : '?';
}

export function formatChain(name: string, c: ChainCounts): string {
  const f = (x: number) => x.toFixed(1);
  return `${name.padEnd(38)} ${f(c.workflowTasks)} workflow tasks, ${f(c.activities)} activities, ${f(c.localActivities)} local activities, ${f(c.timers)} timers, ${f(c.events)} events`;
}
