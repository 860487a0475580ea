/** A merged message is made of the approved texts only (issue 13, defect 9e). */
import { describe, expect, it } from 'vitest';
import { mergeApproved } from '../../outreach/merge';

describe('mergeApproved', () => {
  it('one request is sent exactly as approved', () => {
    expect(mergeApproved([{ subject: 'About INV-1', body: 'Hi,\n\nedited.' }])).toEqual({ subject: 'About INV-1', body: 'Hi,\n\nedited.' });
  });

  it('several keep each approved body whole, in order, and each subject once', () => {
    const merged = mergeApproved([
      { subject: 'Reminder: Invoice A', body: 'body A' },
      { subject: 'About B (edited)', body: 'body B' },
      { subject: 'Reminder: Invoice A', body: 'body C' },
    ]);
    expect(merged.subject).toBe('Reminder: Invoice A / About B (edited)');
    expect(merged.body.split('\n\n----------------------------------------\n\n')).toEqual(['body A', 'body B', 'body C']);
  });

  it('refuses an empty batch', () => {
    expect(() => mergeApproved([])).toThrow(/at least one/);
  });
});
