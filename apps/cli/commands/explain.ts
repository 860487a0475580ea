/** `ar explain <invoice number | workflow id>`: why each customer-facing action happened, then, by whom, under which policy. */
import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { openDatabase } from '../../../db/open';
import type { ExplainOutcome } from '../../../insights/explain';
import { renderExplanation } from '../explain-text';
import { installReplayLogger, reportedNoSuchWorkflow } from '../replay-support';

export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .argument('<invoice>', 'an invoice number (INV-1042) or its workflow id (invoice-INV-1042)')
    .option('--step <key>', 'only the actions of this ladder step (overdue-7, …)')
    .option('--json', 'print the explanation as JSON')
    .description(
      "Explain an invoice's customer-facing actions from its workflow history and audit trail: what, why, why then, who decided, which policy, and whether the history replays deterministically.",
    )
    .action(async (subject: string, opts: { step?: string; json?: boolean }) => {
      const config = loadConfig();
      await installReplayLogger(config);
      const { explainInvoice } = await import('../../../insights/explain');
      const { connectClient } = await import('../../../temporal/client');
      const { WORKFLOWS_PATH } = await import('../../worker/create-worker');
      const database = await openDatabase(config);
      const client = await connectClient(config);
      let explanation: ExplainOutcome;
      try {
        explanation = await explainInvoice({ client, db: database.db, workflows: { workflowsPath: WORKFLOWS_PATH } }, subject, opts);
      } catch (err) {
        if (await reportedNoSuchWorkflow(err, config)) return;
        throw err;
      } finally {
        await client.connection.close();
        await database.close();
      }
      console.log(opts.json ? JSON.stringify(explanation, null, 2) : renderExplanation(explanation));
      if (explanation.replay && !explanation.replay.deterministic) process.exitCode = 3;
    });
}
