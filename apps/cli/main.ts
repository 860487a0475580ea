/**
 * The `ar` command line: `npx ar <command>`. Each command lives in its own file under
 * commands/ and registers itself here.
 */
import { Command } from 'commander';
import { registerBankCommands } from './commands/bank';
import { registerExplainCommand } from './commands/explain';
import { registerImportCommands } from './commands/import';
import { registerMetricsCommand } from './commands/metrics';
import { registerPolicyCommands } from './commands/policy';
import { registerReadinessCommand } from './commands/readiness';
import { registerReplayCommand } from './commands/replay';
import { registerRolloutCommands } from './commands/rollout';
import { registerSendsCommands } from './commands/sends';
import { registerSyncCommand } from './commands/sync';
import { registerUsersCommands } from './commands/users';

const program = new Command()
  .name('ar')
  .description('Accounts-receivable automation: ledger imports, readiness, workflow sync and administration.')
  .showHelpAfterError()
  // Options after a subcommand belong to it (`ar metrics history --json`), not to the command above it.
  .enablePositionalOptions()
  .exitOverride();

registerImportCommands(program);
registerBankCommands(program);
registerReadinessCommand(program);
registerMetricsCommand(program);
registerSyncCommand(program);
registerReplayCommand(program);
registerExplainCommand(program);
registerPolicyCommands(program);
registerRolloutCommands(program);
registerSendsCommands(program);
registerUsersCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // gRPC errors carry numeric codes; only commander's own (text) codes mean "usage already printed".
  const e = err as { code?: unknown; exitCode?: number; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) process.exit(e.exitCode ?? 1);
  console.error(`ar: ${e.message ?? String(err)}`);
  process.exit(1);
}
