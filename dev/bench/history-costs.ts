/**
 * `npm run bench:history-costs`: what one recorded lifecycle costs Temporal, counted from the
 * replay fixtures (test/fixtures/histories): events, workflow tasks, activities, timers, messages,
 * search-attribute upserts, and the days it spans. The capacity model in the README rests on these.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../test/fixtures/histories/', import.meta.url));
// The current recordings only: name.json, not the older name.vN.json kept for replay.
const files = readdirSync(DIR).filter((f) => /^[a-z]+-[A-Za-z0-9-]+\.json$/.test(f) && !/\.v\d+\.json$/.test(f));

const KINDS: [string, string][] = [
  ['workflow tasks', 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED'],
  ['activities', 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'],
  ['timers', 'EVENT_TYPE_TIMER_STARTED'],
  ['signals in', 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED'],
  ['signals out', 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'],
  ['updates', 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED'],
  ['SA upserts', 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'],
];

const rows = [['history', 'events', 'days', ...KINDS.map(([k]) => k)]];
for (const f of files.sort()) {
  const events = (JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as { events: { eventType: string; eventTime: string }[] }).events;
  const days = (Date.parse(events.at(-1)!.eventTime) - Date.parse(events[0]!.eventTime)) / 86_400_000;
  const n = (type: string) => events.filter((e) => e.eventType === type).length;
  rows.push([f.replace(/\.json$/, ''), String(events.length), days.toFixed(1), ...KINDS.map(([, t]) => String(n(t)))]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n'));
