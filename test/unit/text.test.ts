/** The one way an error echoes a value (domain/text.ts): clipped, and never by recursion. */
import { describe, expect, it } from 'vitest';
import { clipText, clipValue, jsonPreview } from '../../domain/text';

describe('clipText', () => {
  it('keeps short text and cuts long text to the limit with "..."', () => {
    expect(clipText('Acme')).toBe('Acme');
    expect(clipText('x'.repeat(120))).toBe('x'.repeat(120));
    expect(clipText('x'.repeat(100_000))).toBe(`${'x'.repeat(117)}...`);
    expect(clipText('abcdef', 5)).toBe('ab...');
  });

  it('never splits a surrogate pair', () => {
    const cut = clipText(`${'a'.repeat(116)}😀${'b'.repeat(10)}`);
    expect(cut).toBe(`${'a'.repeat(116)}...`);
    expect(cut.length).toBeLessThanOrEqual(120);
  });
});

describe('jsonPreview and clipValue', () => {
  it('writes the JSON of a small value exactly', () => {
    for (const v of [null, 1, true, 'a"b', [1, 'x', null], { a: [1, { b: 'c' }], d: null }, []])
      expect(jsonPreview(v, 1000)).toBe(JSON.stringify(v));
  });

  it('previews a value nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => JSON.stringify(deep)).toThrow(RangeError); // what errors.ts used to do
    expect(jsonPreview(deep)).toBe(`${'['.repeat(117)}...`);
    expect(clipValue(deep)).toBe(`${'['.repeat(117)}...`);
  });

  it('stops early on a wide value and clips long strings inside it', () => {
    const wide = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(jsonPreview(wide).length).toBeLessThanOrEqual(120);
    expect(clipValue({ name: 'x'.repeat(100_000) })).toMatch(/^\{"name":"x+\.\.\.$/);
    expect((clipValue({ name: 'x'.repeat(100_000) }) as string).length).toBe(120);
  });

  it('leaves small values as they are', () => {
    expect(clipValue(undefined)).toBeUndefined();
    expect(clipValue(42)).toBe(42);
    expect(clipValue({ a: 1 })).toEqual({ a: 1 });
    expect(clipValue('x'.repeat(500))).toHaveLength(120);
  });
});
