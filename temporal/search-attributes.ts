/**
 * Custom search attributes: what operators filter on in the Temporal Web UI and CLI, e.g.
 *   temporal workflow list --query 'ArAwaitingApproval = true AND ArTier = "strategic"'
 * Registered by the local stack (dev/stack) and documented in the README for production.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA = {
  customerId: defineSearchAttributeKey('ArCustomerId', SearchAttributeType.KEYWORD),
  invoiceNumber: defineSearchAttributeKey('ArInvoiceNumber', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('ArStatus', SearchAttributeType.KEYWORD),
  dunningStage: defineSearchAttributeKey('ArDunningStage', SearchAttributeType.KEYWORD),
  amountDue: defineSearchAttributeKey('ArAmountDueMinor', SearchAttributeType.INT),
  currency: defineSearchAttributeKey('ArCurrency', SearchAttributeType.KEYWORD),
  tier: defineSearchAttributeKey('ArTier', SearchAttributeType.KEYWORD),
  awaitingApproval: defineSearchAttributeKey('ArAwaitingApproval', SearchAttributeType.BOOL),
  policyVersion: defineSearchAttributeKey('ArPolicyVersion', SearchAttributeType.INT),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(SA);

/** `Name=Type` pairs for `temporal server start-dev --search-attribute` and `temporal operator search-attribute create`. */
export function searchAttributeCliArgs(): string[] {
  const typeName: Record<string, string> = {
    KEYWORD: 'Keyword',
    INT: 'Int',
    BOOL: 'Bool',
    TEXT: 'Text',
    DATETIME: 'Datetime',
    DOUBLE: 'Double',
  };
  return ALL_SEARCH_ATTRIBUTES.map((k) => `${k.name}=${typeName[k.type] ?? k.type}`);
}
