/**
 * One page of the fan-out as the page activity works through it: the outcome per workflow, and the
 * checkpoint it heartbeats. Signals finish out of order (many in flight), so the checkpoint is the
 * longest run of finished entries from the start of the page; a retried attempt skips that run
 * (when the same page lists the same workflow at its end) and counts each workflow once.
 */
export type SignalOutcome = 'signalled' | 'notFound' | 'failed';

export interface PageTotals {
  signalled: number;
  notFound: number;
  failed: number;
}

export interface PageCheckpoint extends PageTotals {
  /** Entries finished from the start of the page. */
  done: number;
  /** The workflow id of the last of them: a retry resumes only if the page still lists it there. */
  lastId: string | null;
}

export class PageTally {
  private readonly outcomes: (SignalOutcome | undefined)[];
  private prefix: PageCheckpoint = { done: 0, lastId: null, signalled: 0, notFound: 0, failed: 0 };

  constructor(
    readonly ids: readonly string[],
    resumed?: PageCheckpoint,
  ) {
    this.outcomes = new Array(ids.length).fill(undefined);
    if (resumed && resumed.done > 0 && resumed.done <= ids.length && ids[resumed.done - 1] === resumed.lastId) {
      this.prefix = { ...resumed };
      for (let i = 0; i < resumed.done; i++) this.outcomes[i] = 'signalled';
    }
  }

  /** Indexes still to signal, in page order. */
  pending(): number[] {
    const out: number[] = [];
    for (let i = this.prefix.done; i < this.ids.length; i++) out.push(i);
    return out;
  }

  record(index: number, outcome: SignalOutcome): void {
    if (index < this.prefix.done || this.outcomes[index] !== undefined) return;
    this.outcomes[index] = outcome;
    while (this.prefix.done < this.ids.length && this.outcomes[this.prefix.done] !== undefined) {
      const o = this.outcomes[this.prefix.done]!;
      this.prefix[o]++;
      this.prefix.lastId = this.ids[this.prefix.done]!;
      this.prefix.done++;
    }
  }

  checkpoint(): PageCheckpoint {
    return { ...this.prefix };
  }

  /** Once every entry is recorded: the page's totals (the resumed part included). */
  totals(): PageTotals {
    const { signalled, notFound, failed } = this.prefix;
    return { signalled, notFound, failed };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
