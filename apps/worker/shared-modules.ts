/**
 * What the worker evaluates once per workflow thread and shares between workflows (the bundler's
 * preloadModules), where each new workflow used to evaluate it again: zod and the message schemas
 * of the invoice, outreach and rollout workflows, with the pure domain modules they import. A
 * profile of bench:approvals found zod at 23 % of the workflow thread during decisions (about
 * 12 ms a decision: importing zod in each new outreach workflow, building each workflow's schemas
 * on its first message); issue 15.
 *
 * Rules for a module shared here (the SDK deep-freezes what a shared module exports): it keeps no
 * per-workflow state, and it exports functions and constants, never an object it fills later (the
 * schemas live in module scope, behind a function). zod fills a few module values on first use
 * (its default locale and memoizer on the first schema built, whether it may compile parsers with
 * `new Function` on the first object parsed): the warm-up below fills them before the freeze.
 */
import { z } from 'zod';
import '../../collections/message-schemas';
import '../../outreach/message-schemas';
import '../../rollout/message-schemas';

const warmUp = z.object({ text: z.string().min(1), count: z.number().int() }).strict();
warmUp.safeParse({ text: 'a', count: 1 });
warmUp.safeParse({ text: '', count: 1.5, extra: true });
void z.core.util.allowsEval.value;
