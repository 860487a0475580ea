/** The fan-out's pacing (policy/fanout-pace.ts) on a simulated clock and backlog. */
import { describe, expect, it } from 'vitest';
import { BacklogGate } from '../../policy/fanout-pace';

function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('BacklogGate', () => {
  it('lets out as many signals per read as keep the backlog under its ceiling, then waits for the next read', async () => {
    const c = clock();
    const reads: number[] = [];
    const gate = new BacklogGate({
      maxBacklog: 100,
      readEveryMs: 1000,
      readBacklog: async () => {
        reads.push(c.now());
        return 60;
      },
      now: c.now,
      sleep: c.sleep,
    });
    for (let i = 0; i < 40; i++) await gate.admit();
    expect(reads).toEqual([0]);
    expect(c.now()).toBe(0);
    // The 41st: no room until the next read, a second later. That read (still 60: the server's
    // count may be cached) does not count the 40 just sent, so they come off its room: none.
    const next = gate.admit();
    await next;
    expect(reads).toEqual([0, 1000, 2000]);
    expect(gate.heldMs).toBe(2000);
    expect(gate.peak).toBe(60);
  });

  it("reads every five seconds by default, the server cache's age", async () => {
    const c = clock();
    const reads: number[] = [];
    const gate = new BacklogGate({
      maxBacklog: 10,
      readBacklog: async () => {
        reads.push(c.now());
        return 0;
      },
      now: c.now,
      sleep: c.sleep,
    });
    for (let i = 0; i < 30; i++) await gate.admit();
    // 10 at 0 s; the read at 5 s takes them off (0 room); 10 at 10 s; none at 15 s; 10 at 20 s.
    expect(reads).toEqual([0, 5000, 10_000, 15_000, 20_000]);
  });

  it('holds while the backlog is at or above the ceiling, until it drains, and says how long and how high', async () => {
    const c = clock();
    const backlog = [500, 400, 250, 90];
    const holds: number[] = [];
    const gate = new BacklogGate({
      maxBacklog: 100,
      readEveryMs: 1000,
      readBacklog: async () => backlog.shift() ?? 0,
      now: c.now,
      sleep: c.sleep,
      onHold: (b) => holds.push(b),
    });
    await gate.admit();
    expect(holds).toEqual([500, 400, 250]);
    expect(gate.heldMs).toBe(3000);
    expect(gate.peak).toBe(500);
  });

  it('never holds longer than maxHoldMs in a row: a queue that does not drain slows the fan-out, never stops it', async () => {
    const c = clock();
    const gate = new BacklogGate({
      maxBacklog: 10,
      maxHoldMs: 5000,
      readEveryMs: 1000,
      readBacklog: async () => 1000,
      now: c.now,
      sleep: c.sleep,
    });
    await gate.admit();
    expect(c.now()).toBe(5000);
    await gate.admit();
    expect(c.now()).toBe(10_000);
  });

  it('holds nothing when the server cannot tell its backlog (or the read fails)', async () => {
    const c = clock();
    const unknown = new BacklogGate({ maxBacklog: 0, readBacklog: async () => null, now: c.now, sleep: c.sleep });
    const failing = new BacklogGate({
      maxBacklog: 0,
      readBacklog: async () => {
        throw new Error('unavailable');
      },
      now: c.now,
      sleep: c.sleep,
    });
    for (let i = 0; i < 100; i++) {
      await unknown.admit();
      await failing.admit();
    }
    expect(c.now()).toBe(0);
  });

  it('lanes asking at once share one read and its room', async () => {
    const c = clock();
    let reads = 0;
    const gate = new BacklogGate({
      maxBacklog: 50,
      readBacklog: async () => {
        reads++;
        return 18;
      },
      now: c.now,
      sleep: c.sleep,
    });
    await Promise.all(Array.from({ length: 32 }, () => gate.admit()));
    expect(reads).toBe(1);
    expect(c.now()).toBe(0);
  });
});
