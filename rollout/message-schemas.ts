/**
 * Payloads of the ar-rollout workflow's Updates. Built on first use, and exported through a
 * function only: the worker shares this module between workflows (apps/worker/shared-modules.ts),
 * and the SDK freezes what a shared module exports.
 */
import { z } from 'zod';

function build() {
  const by = z.string().trim().min(1, 'must name who acts').max(200);
  const note = z.string().trim().min(1, 'must say why (--note "why")').max(2000);
  return {
    evaluate: z.object({ by: by.default('admin') }),
    control: z.object({ by, note }),
    advance: z.object({ by, note, force: z.boolean().default(false) }),
  };
}

type RolloutSchemas = ReturnType<typeof build>;
let built: RolloutSchemas | undefined;

export function rolloutRequestSchemas(): RolloutSchemas {
  built ??= build();
  return built;
}

export type EvaluateRequest = z.input<RolloutSchemas['evaluate']>;
export type ControlRequest = z.input<RolloutSchemas['control']>;
export type AdvanceRequest = z.input<RolloutSchemas['advance']>;
