/**
 * Who paid: the payer account learned from earlier applied matches (strong), then the payer name
 * against customers' names. A name that fits several customers about equally identifies none of
 * them, and says so.
 */
import { NAME_SCORE_FOR_AMOUNT_SEARCH, nameWeight, WEIGHTS } from './confidence';
import { quoteCustomer } from './evidence';
import type { CustomerDirectory } from './payers';
import type { CreditToMatch } from './types';

export interface PayerSignal {
  /** Log-odds the payer fields add for this customer. */
  weight: number;
  viaAccount: boolean;
  /** The name fits this customer and another about equally. */
  ambiguousName: boolean;
  nameScore: number;
  sentences: string[];
}

/** A name this close to the best one's score is "about equally" good. */
const RIVAL_MARGIN = 3;

export function identifyPayer(directory: CustomerDirectory, credit: CreditToMatch): { payer: Map<string, PayerSignal>; notes: string[] } {
  const payer = new Map<string, PayerSignal>();
  const notes: string[] = [];
  const signal = (id: string): PayerSignal => {
    let s = payer.get(id);
    if (!s) payer.set(id, (s = { weight: 0, viaAccount: false, ambiguousName: false, nameScore: 0, sentences: [] }));
    return s;
  };

  const owners = credit.payerAccount ? directory.byAccount(credit.payerAccount) : [];
  for (const k of owners) {
    const c = directory.customers[k]!;
    const s = signal(c.id);
    s.weight += owners.length === 1 ? WEIGHTS.account : WEIGHTS.accountShared;
    s.viaAccount = true;
    s.sentences.push(
      `Payer account ${directory.displayAccount(credit.payerAccount!)} is known for ${quoteCustomer(c.id, c.name)} (learned from earlier matches)` +
        (owners.length > 1 ? `, and for ${owners.length - 1} other customer${owners.length > 2 ? 's' : ''}` : ''),
    );
  }

  // The account's only owner is also who the name says: no need to search every name for rivals
  // (they matter only when the name alone identifies the payer).
  const owner = owners.length === 1 ? owners[0]! : undefined;
  const ownerScore = owner !== undefined && credit.payerName ? directory.scoreAgainst(credit.payerName, owner) : 0;
  if (owner !== undefined && ownerScore >= NAME_SCORE_FOR_AMOUNT_SEARCH) {
    const c = directory.customers[owner]!;
    const s = signal(c.id);
    s.weight += nameWeight(ownerScore);
    s.nameScore = ownerScore;
    s.sentences.push(`Payer '${credit.payerName}' matches ${quoteCustomer(c.id, c.name)} (name score ${ownerScore})`);
  } else if (credit.payerName) {
    const matches = directory.byName(credit.payerName);
    const best = matches[0];
    if (best) {
      const rivals = matches.filter(
        (m) => m.customer !== best.customer && m.score >= best.score - RIVAL_MARGIN && m.score >= NAME_SCORE_FOR_AMOUNT_SEARCH,
      );
      if (rivals.length && best.score >= NAME_SCORE_FOR_AMOUNT_SEARCH) {
        const all = [best, ...rivals];
        notes.push(
          `Payer '${credit.payerName}' fits ${all.length} customers about equally: ` +
            all.map((m) => `${directory.customers[m.customer]!.id} '${directory.customers[m.customer]!.name}' (${m.score})`).join(', '),
        );
        for (const m of all) {
          const s = signal(directory.customers[m.customer]!.id);
          s.ambiguousName = true;
          s.nameScore = m.score;
        }
      } else {
        const c = directory.customers[best.customer]!;
        const s = signal(c.id);
        s.weight += nameWeight(best.score);
        s.nameScore = best.score;
        s.sentences.push(`Payer '${credit.payerName}' matches ${quoteCustomer(c.id, c.name)} (name score ${best.score})`);
      }
    }
  }

  if (!payer.size) {
    const given = [
      credit.payerName && `'${credit.payerName}'`,
      credit.payerAccount && `account ${directory.displayAccount(credit.payerAccount)}`,
    ].filter(Boolean);
    notes.push(
      given.length ? `Payer ${given.join(', ')} matches no customer by account or name` : 'The bank gave no payer name or account',
    );
  }
  return { payer, notes };
}
