/** The plain-text form of an invoice explanation, for a terminal. */
import type { ExplainOutcome } from '../../insights/explain';
import type { ExplainedAction } from '../../temporal/invoice-explain';

const indent = (text: string, by = '      ') => text.replace(/\n/g, `\n${by}`);

function facts(a: ExplainedAction): string {
  const f = a.why.facts;
  const parts = [
    f.balance ? `balance ${f.balance.amount} ${f.balance.currency}` : null,
    f.daysOverdue === null ? null : `${f.daysOverdue} day${Math.abs(f.daysOverdue) === 1 ? '' : 's'} overdue (due ${f.dueDate})`,
    f.tier ? `${f.tier} tier` : null,
    `${f.contactCount} earlier contact${f.contactCount === 1 ? '' : 's'}`,
    f.promise ? `promise to pay by ${f.promise.date} (logged by ${f.promise.by})` : 'no promise',
    f.dispute ? `dispute ${f.dispute.id}: ${f.dispute.reason}` : 'no dispute',
    f.pausedBy ? `paused by ${f.pausedBy}` : null,
  ];
  return parts.filter(Boolean).join('; ');
}

function action(a: ExplainedAction): string[] {
  const lines = [`■ ${a.stepKey} (${a.kind}): ${a.outcome}${a.proposalId ? `  [${a.proposalId}]` : ''}`];
  if (a.text) {
    lines.push(`    text:     "${a.text.subject}"${a.text.tone ? ` (${a.text.tone})` : ''}`);
    lines.push(`      ${indent(a.text.body)}`);
  }
  if (a.draft) lines.push(`    drafted:  "${a.draft.subject}" (edited before sending)`);
  if (a.why.reasoning) lines.push(`    why:      ${a.why.reasoning}`);
  lines.push(`    facts:    ${facts(a)}`);
  const w = a.when;
  lines.push(`    when:     ${w.at}${w.plannedBy ? ` — woke for ${w.plannedBy}` : ''}`);
  if (w.ladderStep) lines.push(`    ladder:   ${w.ladderStep}`);
  if (w.sendWindow) lines.push(`    window:   ${w.sendWindow}`);
  if (w.contactCaps) lines.push(`    caps:     ${w.contactCaps}; batch window ${w.batchWindowMinutes} minutes`);
  if (a.decision) {
    const d = a.decision;
    const edit = d.edited ? `, edited${d.editCategory ? ` (${d.editCategory}${d.editNote ? `: ${d.editNote}` : ''})` : ''}` : '';
    lines.push(`    decision: ${d.outcome} by ${d.by} at ${d.at}${edit}${d.note ? ` — "${d.note}"` : ''}`);
  }
  if (w.queuedAt) lines.push(`    queued:   handed to outreach at ${w.queuedAt}`);
  if (a.delivery) {
    const batched = a.delivery.batchedWith.length ? `, with ${a.delivery.batchedWith.join(', ')}` : '';
    lines.push(
      `    delivery: ${a.delivery.status} at ${a.delivery.at}${a.delivery.to ? ` to ${a.delivery.to}` : ''}${batched} (${a.delivery.detail})`,
    );
  }
  lines.push(`    policy:   v${a.policyVersion ?? '?'}${a.rolloutPhase ? `, rollout phase ${a.rolloutPhase}` : ''}`);
  return lines;
}

export function renderExplanation(e: ExplainOutcome): string {
  const lines = [`${e.workflowId} (invoice ${e.invoiceNumber}, customer ${e.customerId}; ${e.runs} run${e.runs === 1 ? '' : 's'})`, ''];
  if (e.actions.length === 0) lines.push('No customer-facing action yet.');
  for (const a of e.actions) lines.push(...action(a), '');
  if (e.events.length) {
    lines.push('What people and systems told it:');
    for (const ev of e.events) lines.push(`    ${ev.at}  ${ev.what}${ev.by ? ` (by ${ev.by})` : ''}`);
    lines.push('');
  }
  if (e.closed) lines.push(`Closed as ${e.closed.status} at ${e.closed.at}.`);
  if (e.replay)
    lines.push(
      e.replay.deterministic
        ? `Replay today: deterministic — ${e.replay.events} events replay cleanly through the current code.`
        : `Replay today: NOT deterministic — ${e.replay.error}`,
    );
  return lines.join('\n');
}
