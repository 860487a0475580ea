/** `ar sends pause --reason … | resume | status`: the kill switch that holds every outgoing message. */
import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { openDatabase } from '../../../db/open';
import { clipValue } from '../../../domain/text';
import { holdSends, readSendsSwitch, releaseSends, type SendsSwitch } from '../../../outreach/kill-switch';

const describe = (s: SendsSwitch) =>
  s.held
    ? `Sends are HELD since ${s.since} by ${s.by}: ${s.reason}`
    : `Sends flow${s.by ? ` (last resumed by ${s.by} at ${s.since})` : ''}.`;

export function registerSendsCommands(program: Command): void {
  const sends = program.command('sends').description('The kill switch: hold every outgoing message (all channels, all customers) at once.');

  sends
    .command('pause')
    .requiredOption('--reason <text>', 'why: shown in the Temporal UI, on the page and in /healthz')
    .option('--by <name>', 'who pauses', process.env.USER ?? 'cli')
    .description('Hold every outgoing message; workflows keep their schedules, and held messages go out after resume.')
    .action(async (opts: { reason: string; by: string }) => {
      const reason = opts.reason.trim();
      if (!reason || reason.length > 1000)
        throw new Error(`--reason ${JSON.stringify(clipValue(opts.reason))}: must be 1 to 1000 characters`);
      const database = await openDatabase(loadConfig());
      try {
        console.log(describe(await holdSends(database.db, { by: opts.by, reason })));
      } finally {
        await database.close();
      }
    });

  sends
    .command('resume')
    .option('--by <name>', 'who resumes', process.env.USER ?? 'cli')
    .description('Release the kill switch: held messages go out, within the contact caps and send windows.')
    .action(async (opts: { by: string }) => {
      const config = loadConfig();
      const database = await openDatabase(config);
      try {
        console.log(describe(await releaseSends(database.db, { by: opts.by })));
      } finally {
        await database.close();
      }
      // Outreach looks at the switch again within 10 minutes by itself; waking it releases the messages now.
      const { connectClient } = await import('../../../temporal/client');
      const { wakeHeldOutreach } = await import('../../../outreach/kill-switch');
      try {
        const client = await connectClient(config);
        try {
          console.log(`Woke ${await wakeHeldOutreach(client)} outreach workflow(s).`);
        } finally {
          await client.connection.close();
        }
      } catch (err) {
        console.error(
          `ar: Temporal at ${config.TEMPORAL_ADDRESS} did not answer (${(err as Error).message}); held messages go out within 10 minutes of it coming back.`,
        );
      }
    });

  sends
    .command('status')
    .option('--json', 'print the switch as JSON')
    .description('Whether sends are held, since when, by whom and why.')
    .action(async (opts: { json?: boolean }) => {
      const database = await openDatabase(loadConfig());
      try {
        const s = await readSendsSwitch(database.db);
        console.log(opts.json ? JSON.stringify(s, null, 2) : describe(s));
      } finally {
        await database.close();
      }
    });
}
