/** The evidence sentences for the chosen allocation: what names it, who paid, how the amount fits. */
import type { Allocated } from './amounts';
import { amount, listNumbers, money } from './evidence';
import { type Hypothesis, type MatchContext, who } from './hypotheses';
import type { PayerSignal } from './identify-payer';
import type { Named } from './named-invoices';
import { toleranceMinor } from './policy';
import type { CreditToMatch } from './types';

export function explain(
  ctx: MatchContext,
  credit: CreditToMatch,
  h: Hypothesis,
  a: Allocated,
  deduction: string | null,
  named: ReadonlyMap<number, Named>,
  payer: ReadonlyMap<string, PayerSignal>,
): string[] {
  const inv = ctx.book.invoices;
  const cur = credit.currency;
  const total = credit.amountMinor as number;
  const out: string[] = [];
  for (const i of h.invoices) out.push(...(named.get(i)?.sentences ?? []));
  const left = [...named.keys()].filter((i) => !h.invoices.includes(i)).sort((x, y) => x - y);
  if (left.length) out.push(`The credit also names ${listNumbers(left.map((i) => inv[i]!.number))}, which this allocation leaves out`);

  const p = payer.get(h.customerId);
  if (p?.sentences.length) out.push(...p.sentences);
  else {
    for (const [id, s] of payer) {
      if (s.weight >= 3) out.push(`The payer looks like ${who(ctx, id)}, not ${h.customerId}: someone may be paying on their behalf`);
    }
  }

  const nums = h.invoices.map((i) => inv[i]!.number);
  const what = nums.length > 1 ? `the open balances of ${listNumbers(nums)} together` : `the open balance of ${nums[0]}`;
  if (a.shortMinor === 0 && a.unallocatedMinor === 0) {
    let s = `Amount ${money(total, cur)} equals ${what}`;
    if (h.origin === 'subset') {
      const cut = h.subsetComplete ? '' : '; the search was cut short, so other combinations may fit';
      s += ` (found by amount among ${h.subsetPool} open invoices of ${h.customerId}${cut})`;
    }
    if (h.origin === 'amount-only') s += `, but nothing else ties this credit to ${who(ctx, h.customerId)}`;
    out.push(s);
  } else if (a.shortMinor > 0) {
    const tol = toleranceMinor(ctx.policy, cur, a.totalOpenMinor);
    const last = inv[a.allocations[a.allocations.length - 1]!.idx]!.number;
    const base = `Amount ${money(total, cur)} is ${amount(a.shortMinor, cur)} short of ${what} (${amount(a.totalOpenMinor, cur)})`;
    out.push(
      a.shortMinor <= tol
        ? `${base}, within the tolerance of ${amount(tol, cur)} (bank charges): all of it goes to ${nums.length > 1 ? 'them' : last} and the rest may be written off`
        : `${base}, beyond the tolerance of ${amount(tol, cur)}: ${last} stays partly open`,
    );
    if (a.allocations.length < nums.length) out.push(`Paid oldest first; ${nums.slice(a.allocations.length).join(', ')} get nothing`);
    if (deduction) out.push(`The remittance names a deduction ('${deduction}')`);
  } else {
    out.push(
      `Amount ${money(total, cur)} exceeds ${what} by ${amount(a.unallocatedMinor, cur)}: the excess stays unallocated (credit on account)`,
    );
  }
  return out;
}
