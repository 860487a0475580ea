/**
 * Amount fit: how a credit's amount relates to a set of open invoices, and the bounded search for
 * sets of one customer's invoices whose open balances add up to the credit exactly. Integer
 * minor units throughout.
 */

export interface OpenAmount {
  /** Index into the matcher's invoices, which are kept oldest first: a smaller index is older. */
  readonly idx: number;
  readonly openMinor: number;
}

export interface Allocated {
  readonly allocations: ReadonlyArray<{ readonly idx: number; readonly amountMinor: number }>;
  /** Credit left over after every invoice is paid in full (an overpayment). */
  readonly unallocatedMinor: number;
  /** Open balance left on the last invoice when the credit does not cover them all. */
  readonly shortMinor: number;
  readonly totalOpenMinor: number;
}

/** Pays the invoices oldest first, each in full, the last one partly when the credit runs out. */
export function allocateOldestFirst(invoices: readonly OpenAmount[], creditMinor: number): Allocated {
  const ordered = [...invoices].sort((a, b) => a.idx - b.idx);
  let left = creditMinor;
  let totalOpenMinor = 0;
  const allocations: Array<{ idx: number; amountMinor: number }> = [];
  for (const inv of ordered) {
    totalOpenMinor += inv.openMinor;
    if (left <= 0) continue;
    const amount = Math.min(left, inv.openMinor);
    allocations.push({ idx: inv.idx, amountMinor: amount });
    left -= amount;
  }
  return { allocations, unallocatedMinor: left, shortMinor: Math.max(0, totalOpenMinor - creditMinor), totalOpenMinor };
}

export interface SubsetSearch {
  /** Each solution's invoice indices, ascending; at most `maxSolutions`. */
  readonly solutions: number[][];
  /** False when the step budget ran out: there may be solutions not found. */
  readonly complete: boolean;
  readonly steps: number;
}

/**
 * Sets of 2..maxSize invoices whose open balances sum to `target` exactly. Depth-first over the
 * candidates sorted by amount (largest first, then oldest), pruned by what the remaining slots
 * can still add; the last slot is a binary search for the one amount still missing rather than
 * a scan. Stops after `maxSolutions` (two already mean "ambiguous") or `maxSteps` (a step is one
 * candidate tried, or one last-slot search).
 */
export function findSubsets(
  candidates: readonly OpenAmount[],
  target: number,
  maxSize: number,
  maxSteps: number,
  maxSolutions = 3,
): SubsetSearch {
  const c = candidates.filter((x) => x.openMinor > 0 && x.openMinor <= target).sort((a, b) => b.openMinor - a.openMinor || a.idx - b.idx);
  const n = c.length;
  const amount = new Float64Array(n);
  for (let i = 0; i < n; i++) amount[i] = c[i]!.openMinor;
  // prefixSum[i] = sum of amount[0..i): the r largest from position j sum to prefixSum[j+r] - prefixSum[j].
  const prefixSum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefixSum[i + 1] = prefixSum[i]! + amount[i]!;
  const solutions: number[][] = [];
  const chosen: number[] = [];
  let steps = 0;
  let complete = true;

  const found = (): boolean => {
    solutions.push(chosen.map((k) => c[k]!.idx).sort((a, b) => a - b));
    return solutions.length < maxSolutions;
  };

  /** The one remaining slot: every candidate from `from` on whose amount is exactly `need`, in order. */
  const last = (from: number, need: number): boolean => {
    if (++steps > maxSteps) {
      complete = false;
      return false;
    }
    // First position at or after `from` whose amount is ≤ need (amounts descend).
    let a = from;
    let b = n;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (amount[mid]! > need) a = mid + 1;
      else b = mid;
    }
    for (let j = a; j < n && amount[j] === need; j++) {
      chosen.push(j);
      const more = found();
      chosen.pop();
      if (!more) return false;
    }
    return true;
  };

  const dfs = (from: number, sum: number): boolean => {
    const slots = maxSize - chosen.length;
    // With one invoice already chosen and one slot left, only an exact amount completes a set.
    if (slots === 1) return chosen.length >= 1 ? last(from, target - sum) : true;
    for (let j = from; j < n; j++) {
      if (++steps > maxSteps) {
        complete = false;
        return false;
      }
      const next = sum + amount[j]!;
      // Too much, or short by less than the smallest invoice there is: this one completes nothing.
      if (next > target || (next < target && (j + 1 >= n || amount[n - 1]! > target - next))) continue;
      // Even the largest remaining invoices cannot reach the target: later ones are smaller still.
      if (sum + prefixSum[Math.min(n, j + slots)]! - prefixSum[j]! < target) return true;
      chosen.push(j);
      if (next === target) {
        if (chosen.length >= 2 && !found()) {
          chosen.pop();
          return false;
        }
      } else if (!dfs(j + 1, next)) {
        chosen.pop();
        return false;
      }
      chosen.pop();
    }
    return true;
  };
  if (maxSize >= 2 && n >= 2) dfs(0, 0);
  return { solutions, complete, steps };
}
