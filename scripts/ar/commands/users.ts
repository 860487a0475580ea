/**
 * `ar users …`: people who use the admin endpoint, and their bearer tokens.
 *
 *   ar users add NAME --role viewer|approver|admin [--limit AMOUNT CURRENCY]
 *   ar users list
 *   ar users token NAME      another token for NAME (printed once)
 *   ar users revoke NAME     revokes every token of NAME
 */
import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { ROLES } from '../../../db/schema';
import { assertCurrency, MoneyError, parseDecimal, toDecimal } from '../../../domain/money';
import { createUser, isRole, issueToken, listUsers, revokeTokens } from '../../../admin/users';
import { openDatabase } from '../../lib/database';

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const opened = await openDatabase(loadConfig());
  try {
    return await fn(opened.db);
  } finally {
    await opened.close();
  }
}

/** "--limit 5000 USD" → { currency, minor }; errors name the option, the value and the rule. */
export function parseLimit(values: string[] | undefined): { currency: string; minor: number } | null {
  if (!values) return null;
  if (values.length !== 2) throw new Error(`--limit: ${JSON.stringify(values.join(' '))} must be an amount and a currency, e.g. --limit 5000 USD`);
  const [amount, code] = values as [string, string];
  try {
    const currency = assertCurrency(code.toUpperCase(), '--limit currency');
    const minor = parseDecimal(amount, currency, '--limit amount');
    if (minor <= 0) throw new Error(`--limit amount: ${JSON.stringify(amount)} must be greater than zero`);
    return { currency, minor };
  } catch (e) {
    if (e instanceof MoneyError) throw new Error(e.message);
    throw e;
  }
}

function printToken(name: string, token: string): void {
  console.log(`Token for ${name} (shown once; store it now, only its hash is kept):\n\n  ${token}\n`);
  console.log('Use it as "Authorization: Bearer <token>" or paste it into the approvals page.');
}

export function registerUsersCommands(program: Command): void {
  const users = program.command('users').description('People who use the admin endpoint, and their bearer tokens');

  users
    .command('add')
    .description('Create a user and print their token once')
    .argument('<name>', 'user name (recorded as the decider in the audit trail)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--limit <amount-and-currency...>', 'approval limit for deciding proposals, e.g. --limit 5000 USD (none = unlimited)')
    .action(async (name: string, opts: { role: string; limit?: string[] }) => {
      if (!isRole(opts.role)) throw new Error(`--role: ${JSON.stringify(opts.role)} must be one of ${ROLES.join(', ')}`);
      const limit = parseLimit(opts.limit);
      if (limit && opts.role === 'viewer') throw new Error('--limit: a viewer decides nothing, so a limit makes no sense');
      const { user, token } = await withDatabase((db) => createUser(db, { name, role: opts.role as (typeof ROLES)[number], limit }));
      console.log(`Created ${user.role} ${user.name}${user.limit ? ` with an approval limit of ${toDecimal(user.limit.minor, user.limit.currency)} ${user.limit.currency}` : ''}.`);
      printToken(user.name, token);
    });

  users
    .command('list')
    .description('List users, their roles and limits')
    .action(async () => {
      const all = await withDatabase((db) => listUsers(db));
      if (!all.length) {
        console.log('No users yet. Create one with: ar users add NAME --role admin');
        return;
      }
      for (const u of all) {
        console.log(`${u.name.padEnd(24)} ${u.role.padEnd(9)} ${u.limit ? `limit ${toDecimal(u.limit.minor, u.limit.currency)} ${u.limit.currency}` : ''}`.trimEnd());
      }
    });

  users
    .command('token')
    .description('Issue another token for a user (printed once)')
    .argument('<name>')
    .action(async (name: string) => {
      const token = await withDatabase((db) => issueToken(db, name));
      printToken(name, token);
    });

  users
    .command('revoke')
    .description("Revoke every token of a user (they can no longer sign in)")
    .argument('<name>')
    .action(async (name: string) => {
      const n = await withDatabase((db) => revokeTokens(db, name));
      console.log(`Revoked ${n} token${n === 1 ? '' : 's'} of ${name}.`);
    });
}
