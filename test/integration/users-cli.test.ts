/**
 * `ar users` end to end: spawned as a user would run it (`npx tsx apps/cli/main.ts`), with
 * DATABASE_URL pointing at this file's test database. Approval limits per currency: set with
 * repeated --limit, changed with `ar users limit`, shown by `ar users list`, refused with the
 * option, the value and the rule when wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByToken, listUsers } from '../../access/users';
import { startCliFixture, type CliFixture } from '../support/cli';
import type { TestDatabase } from '../../dev/harness/database';

let cli: CliFixture;
let t: TestDatabase;

const limitsOf = async (name: string) => (await listUsers(t.db)).find((u) => u.name === name)?.limits;

beforeAll(async () => {
  cli = await startCliFixture('ar-users-cli-');
  ({ t } = cli);
});
afterAll(async () => {
  await cli?.close();
});
const ar = (...args: string[]) => cli.ar(...args);

describe('ar users', () => {
  it('adds an approver with one limit per currency, and the single form still works', async () => {
    const multi = await ar('users', 'add', 'alice', '--role', 'approver', '--limit', '5000', 'USD', '--limit', '4000', 'eur');
    expect(multi.code, multi.stderr).toBe(0);
    expect(multi.stdout).toContain('Created approver alice with approval limits of 4000.00 EUR, 5000.00 USD.');
    const token = /^\s+(ar_\S+)$/m.exec(multi.stdout)?.[1];
    expect(token).toBeDefined();
    expect(await findUserByToken(t.db, token!)).toMatchObject({
      name: 'alice',
      limits: [
        { currency: 'EUR', minor: 400_000 },
        { currency: 'USD', minor: 500_000 },
      ],
    });

    const single = await ar('users', 'add', 'kenji', '--role', 'approver', '--limit', '100000', 'JPY');
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toContain('Created approver kenji with approval limits of 100000 JPY.');
    expect(await limitsOf('kenji')).toEqual([{ currency: 'JPY', minor: 100_000 }]);

    expect((await ar('users', 'add', 'ada', '--role', 'admin')).code).toBe(0);
    expect((await ar('users', 'add', 'vera', '--role', 'viewer')).code).toBe(0);
  });

  it('refuses bad limits, naming the option, the value and the rule, and creates nothing', async () => {
    const cases: [string[], string][] = [
      [['--limit', '5000', 'USD', '--limit', '4000'], 'ar: --limit: "5000 USD 4000" must be an amount and a currency for each limit'],
      [
        ['--limit', '5000', 'USD', '--limit', '10', 'usd'],
        'ar: --limit currency: "usd" is given more than once; a user has one limit per currency',
      ],
      [['--limit', '5000', 'XXQ'], 'ar: --limit currency: "XXQ" is not an ISO 4217 currency code'],
      [['--limit', '12.345', 'EUR'], 'ar: --limit amount: "12.345" has more than 2 decimal places, the minor unit of EUR'],
      [['--limit', '1.5', 'JPY'], 'ar: --limit amount: "1.5" has more than 0 decimal places, the minor unit of JPY'],
      [['--limit', '0', 'USD'], 'ar: --limit amount: "0" must be greater than zero'],
      [['--limit', 'lots', 'USD'], 'ar: --limit amount: "lots" is not a decimal amount'],
    ];
    for (const [args, message] of cases) {
      const r = await ar('users', 'add', 'bob', '--role', 'approver', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    const viewer = await ar('users', 'add', 'vic', '--role', 'viewer', '--limit', '10', 'USD');
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toContain('--limit: a viewer decides nothing, so a limit makes no sense');
    expect((await listUsers(t.db)).map((u) => u.name)).toEqual(['ada', 'alice', 'kenji', 'vera']);
  });

  it('ar users limit replaces the limits, or removes them with --unlimited', async () => {
    const r = await ar('users', 'limit', 'alice', '--limit', '250.50', 'GBP', '--limit', '6000', 'USD');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('approver alice now has approval limits of 250.50 GBP, 6000.00 USD.');
    // Replaced, not merged: EUR is gone.
    expect(await limitsOf('alice')).toEqual([
      { currency: 'GBP', minor: 25_050 },
      { currency: 'USD', minor: 600_000 },
    ]);

    const admin = await ar('users', 'limit', 'ada', '--limit', '1000000', 'USD');
    expect(admin.code, admin.stderr).toBe(0);
    expect(await limitsOf('ada')).toEqual([{ currency: 'USD', minor: 100_000_000 }]);

    const unlimited = await ar('users', 'limit', 'kenji', '--unlimited');
    expect(unlimited.code, unlimited.stderr).toBe(0);
    expect(unlimited.stdout).toContain('approver kenji now has no approval limit.');
    expect(await limitsOf('kenji')).toBeNull();
  });

  it('ar users limit refuses bad input and changes nothing', async () => {
    const cases: [string[], string][] = [
      [['alice'], 'ar: --limit: required (e.g. --limit 5000 USD), or --unlimited to remove every limit'],
      [['alice', '--unlimited', '--limit', '10', 'USD'], 'ar: --unlimited: cannot be combined with --limit'],
      [['alice', '--limit', '-5', 'USD'], 'ar: --limit amount: "-5" must be greater than zero'],
      [['alice', '--limit', '5', 'US'], 'ar: --limit currency: "US" is not an ISO 4217 currency code'],
      [['vera', '--limit', '5', 'USD'], 'ar: limit: a viewer decides nothing, so a limit makes no sense'],
      [['nobody', '--unlimited'], 'ar: user "nobody" not found'],
    ];
    for (const [args, message] of cases) {
      const r = await ar('users', 'limit', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    expect(await limitsOf('alice')).toEqual([
      { currency: 'GBP', minor: 25_050 },
      { currency: 'USD', minor: 600_000 },
    ]);
  });

  it('ar users list shows each user’s limits', async () => {
    const r = await ar('users', 'list');
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' ').trim())
        .filter(Boolean),
    ).toEqual([
      'ada admin limits 1000000.00 USD',
      'alice approver limits 250.50 GBP, 6000.00 USD',
      'kenji approver unlimited',
      'vera viewer',
    ]);
  });
});
