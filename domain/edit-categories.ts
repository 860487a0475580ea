/**
 * What an approver changed when approving a draft with edits. Recorded with each edit so the team
 * learns which policy to fix (an edited tone is a ladder to soften, an edited amount a ledger to
 * check); the insights room counts them per tier and dunning step.
 */
export const EDIT_CATEGORIES = ['tone', 'amount', 'contact', 'timing', 'wording', 'other'] as const;
export type EditCategory = (typeof EDIT_CATEGORIES)[number];
