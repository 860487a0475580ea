/**
 * Who may do what. A role is a fixed set of permissions; an approver's limit (per currency)
 * further bounds which proposals they may decide.
 *
 *   viewer   reads proposals, invoices and disputes
 *   approver + decides proposals within their limit; logs promises, disputes and payments;
 *              marks sampled autonomous actions right or wrong (the review queue)
 *   admin    + pauses and resumes invoices and accounts; resolves disputes; publishes policy;
 *              controls the rollout (evaluate, hold, resume, advance, roll back); no limit unless one is set
 */
import type { Role } from '../db/schema';
import { toDecimal } from '../domain/money';
import { AccessError } from './errors';

export const PERMISSIONS = ['read', 'decide', 'log', 'review', 'pause', 'resolve_dispute', 'edit_policy', 'control_rollout'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  approver: new Set(['read', 'decide', 'log', 'review']),
  admin: new Set(PERMISSIONS),
};

export interface AuthUser {
  id: number;
  name: string;
  role: Role;
  /**
   * Decides proposals up to limit.minor in each limit's currency, and none in other currencies;
   * null = unlimited. Never an empty list; at most one limit per currency, ordered by currency.
   */
  limits: Limit[] | null;
}

export function can(user: AuthUser, permission: Permission): boolean {
  return GRANTS[user.role].has(permission);
}

export function requirePermission(user: AuthUser, permission: Permission): void {
  if (!can(user, permission)) {
    throw new AccessError(`${user.role} ${user.name} may not ${describe(permission)}`, { role: user.role, permission });
  }
}

function describe(p: Permission): string {
  switch (p) {
    case 'read':
      return 'read';
    case 'decide':
      return 'decide proposals';
    case 'log':
      return 'log promises, disputes or payments';
    case 'pause':
      return 'pause or resume invoices or accounts';
    case 'resolve_dispute':
      return 'resolve disputes';
    case 'edit_policy':
      return 'publish policy';
    case 'review':
      return 'review autonomous actions';
    case 'control_rollout':
      return 'control the rollout';
  }
}

export interface Limit {
  currency: string;
  minor: number;
}

/** "USD", "EUR and USD", "EUR, JPY and USD". */
function currencyList(codes: string[]): string {
  return codes.length <= 1 ? codes.join('') : `${codes.slice(0, -1).join(', ')} and ${codes[codes.length - 1]}`;
}

/**
 * Is this amount within the user's limits? Only the limit in the amount's own currency covers
 * it: a user with limits has none in any other currency.
 */
export function withinLimit(user: AuthUser, amount: { currency: string; minor: number }): boolean {
  if (!user.limits) return true;
  const limit = user.limits.find((l) => l.currency === amount.currency);
  return !!limit && amount.minor <= limit.minor;
}

export function requireWithinLimit(user: AuthUser, amount: { currency: string; minor: number }): void {
  if (withinLimit(user, amount)) return;
  const limits = user.limits!;
  const limit = limits.find((l) => l.currency === amount.currency);
  const shown = `${toDecimal(amount.minor, amount.currency)} ${amount.currency}`;
  const reason = limit
    ? `is over your approval limit of ${toDecimal(limit.minor, limit.currency)} ${limit.currency}`
    : `is in ${amount.currency}, but your approval limit${limits.length === 1 ? ' is' : 's are'} in ${currencyList(limits.map((l) => l.currency))}`;
  const asMoney = (l: Limit) => ({ currency: l.currency, amount: toDecimal(l.minor, l.currency) });
  throw new AccessError(`proposal amount ${shown} ${reason}`, {
    limit: limit ? asMoney(limit) : null,
    limits: limits.map(asMoney),
  });
}
