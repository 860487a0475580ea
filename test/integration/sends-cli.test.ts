/** `ar sends pause | status | resume` against a real PostgreSQL database: the switch is one durable row. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSendsSwitch } from '../../outreach/kill-switch';
import { startCliFixture, type CliFixture } from '../support/cli';

let fx: CliFixture;

beforeAll(async () => {
  // No Temporal for these commands (port 1 refuses at once): never some other stack's server on 7233.
  process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
  fx = await startCliFixture('ar-sends-');
  // Migrations run on first open: status does that.
  expect((await fx.ar('sends', 'status')).code).toBe(0);
});
afterAll(async () => {
  await fx?.close();
});

describe('ar sends', () => {
  it('pause holds with its reason; pausing again keeps the first; status says so; resume releases', async () => {
    const none = await fx.ar('sends', 'pause', '--reason', '   ');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--reason "   ": must be 1 to 1000 characters');

    const paused = await fx.ar('sends', 'pause', '--reason', 'bounce spike', '--by', 'ops-ann');
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/^Sends are HELD since \S+ by ops-ann: bounce spike/);
    const again = await fx.ar('sends', 'pause', '--reason', 'another reason', '--by', 'ops-bob');
    expect(again.stdout).toContain('by ops-ann: bounce spike');
    const status = JSON.parse((await fx.ar('sends', 'status', '--json')).stdout);
    expect(status).toMatchObject({ held: true, reason: 'bounce spike', by: 'ops-ann' });
    expect(await readSendsSwitch(fx.t.db)).toMatchObject({ held: true, reason: 'bounce spike' });

    // No Temporal here: the switch is released anyway, and it says when held messages will go.
    const resumed = await fx.ar('sends', 'resume', '--by', 'ops-ann');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('Sends flow (last resumed by ops-ann');
    expect(await readSendsSwitch(fx.t.db)).toMatchObject({ held: false, reason: null });
  });
});
