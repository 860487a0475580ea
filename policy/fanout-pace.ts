/**
 * Paces a fan-out by the backlog it causes: each signal wakes a workflow, whose task waits on the
 * task queue with everyone else's, approvers' decisions among them. Signalling faster than the
 * workers re-plan only lengthens that queue (at 100,000 invoices it reached 180,000 tasks, and a
 * decision waited behind them), so each read of the backlog lets out only as many signals as keep
 * it under the ceiling until the next read. The server's count is cached for about five seconds
 * (measured on the dev server: it moved only every 5.1–5.3 s), so a read may not yet count the
 * signals sent since the read before: those come off the room too. At most about
 * ceiling / (2 × readEveryMs) signals a second go out, fewer while the workers fall behind. It
 * never holds longer than `maxHoldMs` in a row: a queue that does not drain (someone else's load)
 * slows the fan-out down, never stops it.
 */
export interface BacklogGateOptions {
  /** Workflow tasks allowed to wait, the ones these signals cause included. */
  maxBacklog: number;
  /** Reads the queue's backlog; null when the server cannot tell (the gate then holds nothing). */
  readBacklog: () => Promise<number | null>;
  /** How often the backlog is read while signals wait for room (ms; default 5,000, the server's cache). */
  readEveryMs?: number;
  /** The longest hold in a row before one more signal goes out anyway (ms). */
  maxHoldMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Called each time the gate waits (the activity heartbeats there). */
  onHold?: (backlog: number) => void;
}

export class BacklogGate {
  private readAt = Number.NEGATIVE_INFINITY;
  /** Signals still allowed out before the next read. */
  private room = 0;
  /** Signals let out since the last read: the next read may not count them yet. */
  private sinceRead = 0;
  private reading: Promise<void> | null = null;
  private holdingSince: number | null = null;
  private lastBacklog = 0;
  /** Wall time the gate was closed, and the highest backlog seen: the page reports both. */
  heldMs = 0;
  peak = 0;

  constructor(private readonly o: BacklogGateOptions) {}

  /** Resolves when one more signal may go out. */
  async admit(): Promise<void> {
    const now = this.o.now ?? Date.now;
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const every = this.o.readEveryMs ?? 5000;
    for (;;) {
      if (this.room <= 0 && now() - this.readAt >= every) await this.read();
      if (this.room > 0) {
        this.room--;
        this.sinceRead++;
        return this.open(now());
      }
      this.holdingSince ??= now();
      if (now() - this.holdingSince >= (this.o.maxHoldMs ?? 120_000)) {
        this.sinceRead++;
        return this.open(now()); // one through, then hold again
      }
      this.o.onHold?.(this.lastBacklog);
      await sleep(Math.max(1, every - (now() - this.readAt)));
    }
  }

  private open(at: number): void {
    if (this.holdingSince !== null) this.heldMs += at - this.holdingSince;
    this.holdingSince = null;
  }

  /** One read at a time, shared by every lane that asks meanwhile. */
  private async read(): Promise<void> {
    this.reading ??= this.o
      .readBacklog()
      .catch(() => null)
      .then((b) => {
        if (b === null) this.room = Number.POSITIVE_INFINITY;
        else {
          this.lastBacklog = b;
          this.peak = Math.max(this.peak, b);
          this.room = this.o.maxBacklog - b - this.sinceRead;
        }
        this.sinceRead = 0;
        this.readAt = (this.o.now ?? Date.now)();
        this.reading = null;
      });
    await this.reading;
  }
}
