/** `ar policy show | publish FILE | status`: the collection policy in force, publishing a new version, and its fan-out. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../config';
import { currentPolicy } from '../../../policy/store';
import { describeZodError } from '../../../collections/message-schemas';
import { policySchema } from '../../../domain/policy';
import { openDatabase } from '../../../db/open';
import { checkHolidayCalendars } from '../../../policy/holidays';
import { describePolicyStatus, readPolicyStatus } from '../../../policy/status';

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('The collection policy: dunning ladders, caps, send window, autonomy (versioned).');

  policy
    .command('show')
    .description('Print the policy in force as JSON (a starting point for a new version).')
    .action(async () => {
      const database = await openDatabase(loadConfig());
      try {
        const { version, ...body } = await currentPolicy(database.db);
        console.log(JSON.stringify({ version, ...body }, null, 2));
      } finally {
        await database.close();
      }
    });

  policy
    .command('publish')
    .argument('<file>', 'a JSON policy document (the output of `ar policy show`, edited)')
    .requiredOption('--note <text>', 'why this version: recorded with it')
    .option('--by <name>', 'who publishes it', process.env.USER ?? 'cli')
    .description('Validate and publish a new policy version; running workflows are told in the background (`ar policy status`).')
    .action(async (file: string, opts: { note: string; by: string }) => {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new Error(`${file}: not readable JSON (${(err as Error).message})`);
      }
      if (body && typeof body === 'object' && 'version' in body) delete (body as Record<string, unknown>).version;
      // Refused before anything is opened: a bad document names the field, the value and the rule.
      const checked = policySchema.safeParse(body);
      if (!checked.success) throw new Error(`${file}: ${describeZodError(checked.error, body)}`);
      // Refused before anything is opened: an unknown holiday country names its field.
      try {
        checkHolidayCalendars(checked.data.holidays);
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
      }
      const config = loadConfig();
      const database = await openDatabase(config);
      const { connectClient } = await import('../../../temporal/client');
      const { publishAndFanOut } = await import('../../../policy/publishing');
      const client = await connectClient(config);
      try {
        const r = await publishAndFanOut(client, database.db, body, {
          note: opts.note,
          createdBy: opts.by,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
        });
        console.log(`Published policy v${r.policy.version}.`);
        if (r.fanOut.error) {
          console.log(`Running workflows were not told (${r.fanOut.error}); they read v${r.policy.version} at their next step.`);
        } else {
          console.log(
            `Running workflows are being told in the background by ${r.fanOut.workflowId}: follow it with \`ar policy status\` or in the Temporal Web UI.`,
          );
        }
      } finally {
        await client.connection.close();
        await database.close();
      }
    });

  policy
    .command('status')
    .option('--json', 'print as JSON')
    .description('The version in force and how far its fan-out has got (signalled of total, status, started, finished, errors).')
    .action(async (opts: { json?: boolean }) => {
      const database = await openDatabase(loadConfig());
      try {
        const status = await readPolicyStatus(database.db);
        console.log(opts.json ? JSON.stringify(status, null, 2) : describePolicyStatus(status).join('\n'));
      } finally {
        await database.close();
      }
    });
}
