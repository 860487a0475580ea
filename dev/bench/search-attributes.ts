/**
 * `npm run bench:search-attributes`: how long after the sync starts them does every invoice
 * workflow carry all its search attributes (ArCustomerId, ArInvoiceNumber, ArStatus, ArCurrency,
 * ArAmountDueMinor, ArTier, ArDunningStage, ArAwaitingApproval, ArPolicyVersion)? The Web UI's
 * saved views and `ar` lists filter on them, so a workflow without them is invisible there.
 *
 * Starts the stack in this process (Temporal dev server, a fresh PostgreSQL database on
 * TEST_DATABASE_URL's server or embedded PGlite, the `ar` worker), loads the demo ledger with
 * BENCH_CUSTOMERS customers (default 200: about 1,000 invoices, as `npm start` loads), runs the
 * real sync, and counts through visibility (`client.workflow.count`) once a second how many
 * invoice workflows have every attribute, until all of them do (or BENCH_TIMEOUT_S, default 600).
 * Reports the sync's own duration and the time until 50%, 90% and 100% were filled.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { performance } from 'node:perf_hooks';
import { syncInvoiceWorkflows } from '../../collections/sync';
import { createBuiltinLedger } from '../../ledger/builtin';
import { createDevLogSender } from '../../outreach/channels/email';
import { startTestStack } from '../harness/stack';
import { loadDemoLedger } from '../stack/demo-ledger';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 200);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT_S ?? 600);

Runtime.install({ logger: new DefaultLogger('WARN') });

const ALL = [
  'ArCustomerId',
  'ArInvoiceNumber',
  'ArStatus',
  'ArCurrency',
  'ArAmountDueMinor',
  'ArTier',
  'ArDunningStage',
  'ArAwaitingApproval',
  'ArPolicyVersion',
];
const INVOICES = 'WorkflowType = "invoiceWorkflow"';
const FILLED = `${INVOICES} AND ${ALL.map((a) => `${a} IS NOT NULL`).join(' AND ')}`;

const s = await startTestStack({ email: createDevLogSender(() => undefined) });
try {
  await s.seed.policy(s.db, {});
  const ledger = await loadDemoLedger(s.db, { today: new Date().toISOString().slice(0, 10), customers: CUSTOMERS });
  console.log(`demo ledger: ${ledger.customers} customers, ${ledger.invoices} invoices`);
  const client = s.env.client;

  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const sync = await syncInvoiceWorkflows(client, s.db, createBuiltinLedger(s.db), { taskQueue: s.taskQueue });
  const syncS = seconds();
  console.log(`sync: ${sync.started} workflows started in ${syncS.toFixed(1)}s`);

  const marks: Record<string, number | null> = { '50%': null, '90%': null, '100%': null };
  let filled = 0;
  let total = sync.started;
  while (seconds() < TIMEOUT_S) {
    total = (await client.workflow.count(INVOICES)).count;
    filled = (await client.workflow.count(FILLED)).count;
    for (const [k, share] of [
      ['50%', 0.5],
      ['90%', 0.9],
      ['100%', 1],
    ] as const)
      if (marks[k] === null && total >= sync.started && filled >= Math.ceil(share * total)) marks[k] = seconds();
    if (marks['100%'] !== null) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const show = (v: number | null) => (v === null ? `not within ${TIMEOUT_S}s` : `${v.toFixed(1)}s`);
  console.log(`search attributes filled (${filled} of ${total} invoice workflows), from the start of the sync:`);
  for (const [k, v] of Object.entries(marks)) console.log(`  ${k.padStart(4)}  ${show(v)}`);
  console.log(
    JSON.stringify({
      invoices: ledger.invoices,
      workflows: total,
      syncSeconds: +syncS.toFixed(1),
      ...Object.fromEntries(Object.entries(marks).map(([k, v]) => [`filled${k}`, v === null ? null : +v.toFixed(1)])),
    }),
  );
} finally {
  await s.close();
}
