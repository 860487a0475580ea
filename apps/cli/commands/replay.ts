/** `ar replay <workflow id | history.json>`: is the history deterministic under today's code, and what did it decide, and why? */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../config';
import { clipValue } from '../../../domain/text';
import { installReplayLogger, reportedNoSuchWorkflow } from '../replay-support';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .argument(
      '<source>',
      'a workflow id (fetched from the Temporal server) or a history JSON file (from the Web UI or `temporal workflow show --output json`)',
    )
    .option('--workflow-id <id>', 'for a file: the workflow id it belongs to (default: the file name without .json or a .vN suffix)')
    .option('--json', 'print the report as JSON')
    .option('--quiet', 'only the verdict, not the step-by-step story')
    .description('Replay a workflow history through the current code; report determinism and the decisions it recorded.')
    .action(async (source: string, opts: { workflowId?: string; json?: boolean; quiet?: boolean }) => {
      const config = loadConfig();
      await installReplayLogger(config);
      const { fetchHistory, loadHistoryFile, replay } = await import('../../../temporal/replay');
      let history: ReturnType<typeof loadHistoryFile>;
      let workflowId = source;
      if (source.endsWith('.json') || existsSync(source)) {
        if (!existsSync(source)) throw new Error(`source: ${JSON.stringify(clipValue(source))} is not a readable file`);
        history = loadHistoryFile(source);
        // Workflows derive ids from their own id, so replay needs the real one.
        workflowId = opts.workflowId ?? path.basename(source).replace(/(\.v\d+)?\.json$/, '');
      } else {
        const { connectClient } = await import('../../../temporal/client');
        const client = await connectClient(config);
        try {
          history = await fetchHistory(client, source);
        } catch (err) {
          if (await reportedNoSuchWorkflow(err, config)) return;
          throw err;
        } finally {
          await client.connection.close();
        }
      }
      const { WORKFLOWS_PATH } = await import('../../worker/create-worker');
      const report = await replay(history, workflowId, { workflowsPath: WORKFLOWS_PATH });
      if (opts.json) {
        console.log(JSON.stringify(report, null, 2));
      } else {
        if (!opts.quiet) for (const s of report.steps) console.log(`${String(s.eventId).padStart(5)}  ${s.at}  ${s.what}`);
        console.log(
          report.deterministic
            ? `\n${workflowId}: deterministic — ${report.events} events replay cleanly through the current code.`
            : `\n${workflowId}: NOT deterministic under the current code — ${report.error}\nA change that alters running histories must go behind patched().`,
        );
      }
      if (!report.deterministic) process.exitCode = 3;
    });
}
