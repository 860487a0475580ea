/** The fan-out's paging and progress (PolicyFanOutCase) and a page's checkpoint (PageTally), without a server. */
import { describe, expect, it } from 'vitest';
import { MAX_FANOUT_ERRORS, PolicyFanOutCase } from '../../policy/fanout-case';
import { forEachBounded, PageTally } from '../../policy/fanout-page';
import type { FanOutPage } from '../../policy/messages';

const T0 = '2026-01-05T10:00:00.000Z';
const page = (p: Partial<FanOutPage> & Pick<FanOutPage, 'target'>): FanOutPage => ({
  signalled: 0,
  notFound: 0,
  failed: 0,
  errors: [],
  nextPageToken: null,
  superseded: false,
  ...p,
});

describe('PolicyFanOutCase', () => {
  it('pages through every invoice workflow, then every outreach workflow, adding up the counts', () => {
    const fc = new PolicyFanOutCase(7, 'policy-fanout-v7', T0);
    fc.setTotal(2503);
    expect(fc.next()).toEqual({ target: 'invoice', pageToken: null });
    fc.applyPage(page({ target: 'invoice', signalled: 1000, nextPageToken: 'p2' }));
    expect(fc.next()).toEqual({ target: 'invoice', pageToken: 'p2' });
    fc.applyPage(page({ target: 'invoice', signalled: 998, notFound: 2, nextPageToken: null }));
    expect(fc.next()).toEqual({ target: 'outreach', pageToken: null });
    fc.applyPage(page({ target: 'outreach', signalled: 500, failed: 1, errors: ['outreach-C1: boom'] }));
    expect(fc.next()).toBeNull();
    fc.finish('2026-01-05T10:00:09.000Z');
    expect(fc.view()).toEqual({
      version: 7,
      workflowId: 'policy-fanout-v7',
      status: 'done',
      total: 2503,
      scope: null,
      pacing: { heldMs: 0, peakBacklog: 0 },
      counts: { invoices: 1998, outreach: 500, notFound: 2, failed: 1, pages: 3 },
      current: null,
      startedAt: T0,
      finishedAt: '2026-01-05T10:00:09.000Z',
      errors: ['outreach-C1: boom'],
    });
    expect(fc.summary()).toBe('policy v7 fan-out done: 2498 of 2503 signalled (1998 invoice, 500 outreach, 2 gone, 1 failed) in 3 pages');
  });

  it("carries who it tells (the invoices' query and why) across continue-as-new, and shows why in its summary", () => {
    const fc = new PolicyFanOutCase(4, 'policy-fanout-v4', T0);
    fc.setTotal(12, { invoiceQuery: 'Q', description: 're-plan v1–3: small' });
    expect(fc.invoiceQuery).toBe('Q');
    fc.applyPage(page({ target: 'invoice', signalled: 10, nextPageToken: 'p2' }));
    const next = new PolicyFanOutCase(4, 'policy-fanout-v4', T0, fc.carry());
    expect(next.counted).toBe(true);
    expect(next.invoiceQuery).toBe('Q');
    expect(next.view()).toMatchObject({ scope: 're-plan v1–3: small', total: 12, counts: { invoices: 10 } });
    expect(next.summary()).toBe(
      'policy v4 fan-out running: 10 of 12 signalled (10 invoice, 0 outreach, 0 gone, 0 failed) in 1 pages\nre-plan v1–3: small',
    );
    // A count that failed (or a run from before scoping) tells every running invoice workflow.
    const unscoped = new PolicyFanOutCase(5, 'policy-fanout-v5', T0);
    unscoped.setTotal(null);
    expect(unscoped.invoiceQuery).toBeUndefined();
    expect(unscoped.view().scope).toBeNull();
  });

  it('stops when a newer version supersedes it, and ignores anything after', () => {
    const fc = new PolicyFanOutCase(3, 'policy-fanout-v3', T0);
    fc.applyPage(page({ target: 'invoice', signalled: 10, nextPageToken: 'p2' }));
    fc.applyPage(page({ target: 'invoice', superseded: true }));
    expect(fc.next()).toBeNull();
    fc.applyPage(page({ target: 'invoice', signalled: 10 }));
    expect(fc.view()).toMatchObject({ status: 'superseded', counts: { invoices: 10, pages: 1 } });
  });

  it('a page that fails for good ends the fan-out as failed, with why', () => {
    const fc = new PolicyFanOutCase(3, 'policy-fanout-v3', T0);
    fc.fail('invoice page: visibility unavailable');
    expect(fc.next()).toBeNull();
    expect(fc.view()).toMatchObject({ status: 'failed', errors: ['invoice page: visibility unavailable'] });
  });

  it('continues as new after a run of pages, carrying where it was and what it counted', () => {
    const fc = new PolicyFanOutCase(4, 'policy-fanout-v4', T0);
    fc.setTotal(50);
    fc.applyPage(page({ target: 'invoice', signalled: 5, nextPageToken: 'a' }));
    expect(fc.shouldContinueAsNew(2, false)).toBe(false);
    expect(fc.shouldContinueAsNew(2, true)).toBe(true);
    fc.applyPage(page({ target: 'invoice', signalled: 5, nextPageToken: 'b' }));
    expect(fc.shouldContinueAsNew(2, false)).toBe(true);

    const next = new PolicyFanOutCase(4, 'policy-fanout-v4', '2026-01-05T10:05:00.000Z', fc.carry());
    expect(next.counted).toBe(true);
    expect(next.shouldContinueAsNew(2, false)).toBe(false);
    expect(next.next()).toEqual({ target: 'invoice', pageToken: 'b' });
    expect(next.view()).toMatchObject({ startedAt: T0, total: 50, counts: { invoices: 10, pages: 2 } });
    // The carry is a copy: the old run's object cannot change the new run's state.
    fc.applyPage(page({ target: 'invoice', signalled: 99 }));
    expect(next.view().counts.invoices).toBe(10);
  });

  it('keeps a bounded number of error messages', () => {
    const fc = new PolicyFanOutCase(5, 'policy-fanout-v5', T0);
    for (let i = 0; i < 30; i++) fc.applyPage(page({ target: 'invoice', failed: 1, errors: [`e${i}`], nextPageToken: 'x' }));
    expect(fc.view().errors).toHaveLength(MAX_FANOUT_ERRORS);
    expect(fc.view().counts.failed).toBe(30);
  });
});

describe('PageTally', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];

  it('checkpoints the finished run from the start of the page, whatever order signals finish in', () => {
    const t = new PageTally(ids);
    t.record(1, 'signalled');
    expect(t.checkpoint()).toMatchObject({ done: 0, lastId: null });
    t.record(0, 'notFound');
    expect(t.checkpoint()).toEqual({ done: 2, lastId: 'b', signalled: 1, notFound: 1, failed: 0 });
    t.record(3, 'failed');
    t.record(2, 'signalled');
    t.record(4, 'signalled');
    expect(t.totals()).toEqual({ signalled: 3, notFound: 1, failed: 1 });
  });

  it('a retried attempt resumes after the checkpoint and counts each workflow once', () => {
    const first = new PageTally(ids);
    first.record(0, 'signalled');
    first.record(1, 'signalled');
    const retry = new PageTally(ids, first.checkpoint());
    expect(retry.pending()).toEqual([2, 3, 4]);
    for (const i of retry.pending()) retry.record(i, 'signalled');
    retry.record(1, 'signalled'); // already counted
    expect(retry.totals()).toEqual({ signalled: 5, notFound: 0, failed: 0 });
  });

  it('starts the page over when it no longer lists the checkpoint workflow at that place', () => {
    const first = new PageTally(ids);
    first.record(0, 'signalled');
    first.record(1, 'signalled');
    const shifted = new PageTally(['b', 'c', 'd', 'e', 'f'], first.checkpoint());
    expect(shifted.pending()).toEqual([0, 1, 2, 3, 4]);
    for (const i of shifted.pending()) shifted.record(i, 'signalled');
    expect(shifted.totals().signalled).toBe(5);
  });
});

describe('forEachBounded', () => {
  it('never has more than the limit in flight and visits every item once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      7,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, i % 3));
        seen.push(i);
        inFlight--;
      },
    );
    expect(most).toBe(7);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
