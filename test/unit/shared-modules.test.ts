/**
 * The modules the worker shares between workflows (apps/worker/shared-modules.ts) are deep-frozen
 * by the SDK: an exported object that is filled later (a zod schema builds parts of itself on first
 * use) would throw inside a workflow. Their runtime exports stay functions and primitives.
 */
import { describe, expect, it } from 'vitest';
import * as invoiceSchemas from '../../collections/message-schemas';
import * as outreachSchemas from '../../outreach/message-schemas';
import * as rolloutSchemas from '../../rollout/message-schemas';

const shared = { invoiceSchemas, outreachSchemas, rolloutSchemas };

describe('modules shared between workflows', () => {
  it('export functions and primitives only, never an object', () => {
    for (const [name, mod] of Object.entries(shared)) {
      const exports = Object.entries(mod);
      expect(exports.length, name).toBeGreaterThan(0);
      for (const [key, value] of exports)
        expect(['function', 'string', 'number', 'boolean'], `${name}.${key} is a ${typeof value}`).toContain(typeof value);
    }
  });

  it('hand out the same schema objects on every call: built once per workflow thread', () => {
    expect(rolloutSchemas.rolloutRequestSchemas()).toBe(rolloutSchemas.rolloutRequestSchemas());
    expect(invoiceSchemas.messageSchemas().decision).toBe(invoiceSchemas.messageSchemas().decision);
  });
});
