/**
 * Who may do what. A role is a fixed set of permissions; an approver's limit (per currency)
 * further bounds which proposals they may decide.
 *
 *   viewer   reads proposals, invoices and disputes
 *   approver + decides proposals within their limit; logs promises, disputes and payments
 *   admin    + pauses and resumes invoices and accounts; resolves disputes; publishes policy;
 *              no limit unless one is set
 */
import type { Role } from '../db/schema';
import { toDecimal } from '../domain/money';
import { forbidden } from './errors';

export const PERMISSIONS = ['read', 'decide', 'log', 'pause', 'resolve_dispute', 'edit_policy'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  approver: new Set(['read', 'decide', 'log']),
  admin: new Set(PERMISSIONS),
};

export interface AuthUser {
  id: number;
  name: string;
  role: Role;
  /** Decides proposals up to this amount in this currency; null = unlimited. */
  limit: { currency: string; minor: number } | null;
}

export function can(user: AuthUser, permission: Permission): boolean {
  return GRANTS[user.role].has(permission);
}

export function requirePermission(user: AuthUser, permission: Permission): void {
  if (!can(user, permission)) {
    throw forbidden(`${user.role} ${user.name} may not ${describe(permission)}`, { role: user.role, permission });
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
  }
}

/** Is this amount within the user's limit? A limit in another currency does not cover it. */
export function withinLimit(user: AuthUser, amount: { currency: string; minor: number }): boolean {
  if (!user.limit) return true;
  return user.limit.currency === amount.currency && amount.minor <= user.limit.minor;
}

export function requireWithinLimit(user: AuthUser, amount: { currency: string; minor: number }): void {
  if (withinLimit(user, amount)) return;
  const limit = user.limit!;
  const shown = `${toDecimal(amount.minor, amount.currency)} ${amount.currency}`;
  const reason =
    limit.currency === amount.currency
      ? `is over your approval limit of ${toDecimal(limit.minor, limit.currency)} ${limit.currency}`
      : `is in ${amount.currency}, but your approval limit is in ${limit.currency}`;
  throw forbidden(`proposal amount ${shown} ${reason}`, {
    limit: { currency: limit.currency, amount: toDecimal(limit.minor, limit.currency) },
  });
}
