/** `ar sync`: start one invoice workflow per open invoice in the ledger (idempotent; safe to re-run). */
import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { createBuiltinLedger } from '../../../ledger/builtin';
import { openDatabase } from '../../../db/open';
import { createProgress } from '../progress';

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('Start an invoice workflow for every open invoice that has none yet, and end those of invoices the ledger closed.')
    .action(async () => {
      // Loaded on use: the Temporal client is heavy, and every other `ar` command starts faster without it.
      const { syncInvoiceWorkflows } = await import('../../../collections/sync');
      const { connectClient } = await import('../../../temporal/client');
      const config = loadConfig();
      const database = await openDatabase(config);
      const client = await connectClient(config);
      const progress = createProgress();
      try {
        const r = await syncInvoiceWorkflows(client, database.db, createBuiltinLedger(database.db), {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          // The total is not known up front: a running count, not a percentage.
          onProgress: (done) => progress.update('synced', done, 0),
        });
        progress.done();
        console.log(
          `Sync against ${config.TEMPORAL_ADDRESS} (${config.TEMPORAL_NAMESPACE}), database from ${database.source}: ` +
            `${r.scanned} open invoices scanned, ${r.started} workflows started, ${r.alreadyRunning} already running, ${r.ended} ended.`,
        );
      } finally {
        progress.done();
        await client.connection.close();
        await database.close();
      }
    });
}
