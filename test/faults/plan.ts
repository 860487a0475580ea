/**
 * The size of a fault run. `npm test` runs the short one; `npm run test:faults` sets
 * AR_FAULTS=long for more invoices and more faults of each kind. AR_FAULT_INVOICES overrides the
 * number of invoices.
 */
export type FaultKind = 'worker-sigkill' | 'temporal-sigkill' | 'postgres-restart';

export interface FaultPlan {
  long: boolean;
  invoices: number;
  /** Approvals are spread over this long, and the faults land inside it. */
  burstMs: number;
  faults: FaultKind[];
}

const repeat = (kind: FaultKind, n: number): FaultKind[] => Array.from({ length: n }, () => kind);

export function faultPlan(env: NodeJS.ProcessEnv = process.env): FaultPlan {
  const long = env.AR_FAULTS === 'long';
  const base = long
    ? {
        invoices: 60,
        burstMs: 120_000,
        faults: [...repeat('worker-sigkill', 6), ...repeat('temporal-sigkill', 3), ...repeat('postgres-restart', 3)],
      }
    : { invoices: 12, burstMs: 25_000, faults: [...repeat('worker-sigkill', 2), 'temporal-sigkill', 'postgres-restart'] as FaultKind[] };
  const invoices = env.AR_FAULT_INVOICES ? Number(env.AR_FAULT_INVOICES) : base.invoices;
  if (!Number.isInteger(invoices) || invoices < 1) throw new Error(`AR_FAULT_INVOICES=${env.AR_FAULT_INVOICES} must be a positive integer`);
  return { ...base, long, invoices, faults: shuffle(base.faults) };
}

/** Random order and random moments: each run hits the system at other points of its work. */
function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
