/**
 * `ar users …`: people who use the admin endpoint, and their bearer tokens.
 *
 *   ar users add NAME --role viewer|approver|admin [--limit AMOUNT CURRENCY]...
 *   ar users limit NAME --limit AMOUNT CURRENCY [--limit AMOUNT CURRENCY]... | --unlimited
 *   ar users list
 *
 * An approval limit is per currency: a user with limits decides proposals up to the limit in
 * each of those currencies and none in any other; a user without limits is unlimited.
 *   ar users token NAME      another token for NAME (printed once)
 *   ar users revoke NAME     revokes every token of NAME
 */
import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { ROLES } from '../../../db/schema';
import { assertCurrency, MoneyError, parseDecimal, toDecimal } from '../../../domain/money';
import type { Limit } from '../../../access/roles';
import { createUser, isRole, issueToken, listUsers, revokeTokens, setLimits } from '../../../access/users';
import { openDatabase } from '../../../db/open';
import { clipValue } from '../../../domain/text';

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const opened = await openDatabase(loadConfig());
  try {
    return await fn(opened.db);
  } finally {
    await opened.close();
  }
}

/**
 * "--limit 5000 USD [--limit 4000 EUR]…" (commander gathers every value of a repeated variadic
 * option into one list) → one limit per currency, or null when no --limit was given. Errors name
 * the option, the value and the rule.
 */
export function parseLimits(values: string[] | undefined): Limit[] | null {
  if (!values) return null;
  if (!values.length || values.length % 2 !== 0) {
    throw new Error(
      `--limit: ${JSON.stringify(clipValue(values.join(' ')))} must be an amount and a currency for each limit, e.g. --limit 5000 USD --limit 4000 EUR`,
    );
  }
  const limits: Limit[] = [];
  for (let i = 0; i < values.length; i += 2) {
    const limit = parseOneLimit(values[i]!, values[i + 1]!);
    if (limits.some((l) => l.currency === limit.currency)) {
      throw new Error(`--limit currency: ${JSON.stringify(values[i + 1])} is given more than once; a user has one limit per currency`);
    }
    limits.push(limit);
  }
  return limits;
}

/** "--limit 5000 USD" → { currency, minor }; the single-limit form. */
export function parseLimit(values: string[] | undefined): Limit | null {
  if (!values) return null;
  if (values.length !== 2)
    throw new Error(`--limit: ${JSON.stringify(clipValue(values.join(' ')))} must be an amount and a currency, e.g. --limit 5000 USD`);
  return parseOneLimit(values[0]!, values[1]!);
}

function parseOneLimit(amount: string, code: string): Limit {
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

/** "5000.00 USD, 4000.00 EUR" */
function describeLimits(limits: Limit[] | null): string {
  return limits ? limits.map((l) => `${toDecimal(l.minor, l.currency)} ${l.currency}`).join(', ') : 'unlimited';
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
    .option(
      '--limit <amount-and-currency...>',
      'approval limit for deciding proposals, one per currency, e.g. --limit 5000 USD --limit 4000 EUR (none = unlimited)',
    )
    .action(async (name: string, opts: { role: string; limit?: string[] }) => {
      if (!isRole(opts.role)) throw new Error(`--role: ${JSON.stringify(clipValue(opts.role))} must be one of ${ROLES.join(', ')}`);
      const limits = parseLimits(opts.limit);
      if (limits && opts.role === 'viewer') throw new Error('--limit: a viewer decides nothing, so a limit makes no sense');
      const { user, token } = await withDatabase((db) => createUser(db, { name, role: opts.role as (typeof ROLES)[number], limits }));
      console.log(`Created ${user.role} ${user.name}${user.limits ? ` with approval limits of ${describeLimits(user.limits)}` : ''}.`);
      printToken(user.name, token);
    });

  users
    .command('limit')
    .description("Replace a user's approval limits (one per currency), or make them unlimited")
    .argument('<name>')
    .option('--limit <amount-and-currency...>', 'approval limit, one per currency, e.g. --limit 5000 USD --limit 4000 EUR')
    .option('--unlimited', 'remove every limit: the user may decide proposals of any amount in any currency')
    .action(async (name: string, opts: { limit?: string[]; unlimited?: boolean }) => {
      if (opts.unlimited && opts.limit) throw new Error('--unlimited: cannot be combined with --limit; give either limits or --unlimited');
      if (!opts.unlimited && !opts.limit)
        throw new Error('--limit: required (e.g. --limit 5000 USD), or --unlimited to remove every limit');
      const limits = opts.unlimited ? null : parseLimits(opts.limit);
      const user = await withDatabase((db) => setLimits(db, name, limits));
      console.log(
        `${user.role} ${user.name} now has ${user.limits ? `approval limits of ${describeLimits(user.limits)}` : 'no approval limit'}.`,
      );
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
        console.log(
          `${u.name.padEnd(24)} ${u.role.padEnd(9)} ${u.limits ? `limits ${describeLimits(u.limits)}` : u.role === 'viewer' ? '' : 'unlimited'}`.trimEnd(),
        );
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
    .description('Revoke every token of a user (they can no longer sign in)')
    .argument('<name>')
    .action(async (name: string) => {
      const n = await withDatabase((db) => revokeTokens(db, name));
      console.log(`Revoked ${n} token${n === 1 ? '' : 's'} of ${name}.`);
    });
}
