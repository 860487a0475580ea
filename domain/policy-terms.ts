/**
 * The words of the collection policy, without its validation: workflows import these, and
 * loading no zod schema keeps each workflow small (see domain/policy.ts for the schemas).
 */

export const TONES = ['friendly', 'firm', 'final'] as const;
export type Tone = (typeof TONES)[number];

export const ACTION_KINDS = [
  'reminder',
  'statement',
  'promise_logging',
  'cash_match',
  'dispute_routing',
  'payment_plan_offer',
  'write_off',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
/** Judgment calls that no rollout phase may automate. */
export const ALWAYS_HUMAN: ReadonlySet<ActionKind> = new Set(['payment_plan_offer', 'write_off']);

/**
 * The channels a dunning step may name: those outreach/channels can deliver today. Policy
 * validation reads this list (without importing outreach); add 'sms' here when an SMS channel
 * exists, together with its sender.
 */
export const AVAILABLE_CHANNELS = ['email'] as const;
/** Why a step naming any other channel is refused. */
export const CHANNEL_RULE = 'only email is available until an SMS channel exists';

/**
 * What a policy version read before maxPromiseDaysAhead existed holds (histories recorded then).
 * Here, not in policy.ts: a workflow importing one value from policy.ts evaluated its zod schemas
 * (and parsed the default policy) once per workflow, the sandbox keeping modules per workflow.
 */
export const DEFAULT_MAX_PROMISE_DAYS_AHEAD = 180;
