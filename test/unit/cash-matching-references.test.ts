import { describe, expect, it } from 'vitest';
import { findReferences, isValidQrReference, isValidRf, makeQrReference, makeRf } from '../../cash/matching/references';

describe('cash matching: creditor references', () => {
  it('verifies ISO 11649 RF check digits (mod 97)', () => {
    expect(isValidRf('RF18539007547034')).toBe(true);
    expect(isValidRf('RF18 5390 0754 7034')).toBe(true);
    expect(isValidRf('rf18 5390 0754 7034')).toBe(true);
    expect(isValidRf('RF19539007547034')).toBe(false); // check digits off by one
    expect(isValidRf('RF18539007547035')).toBe(false); // body digit changed
    expect(isValidRf('RF18')).toBe(false);
    expect(isValidRf('RF1853900754703412345678901')).toBe(false); // body longer than 21
    expect(makeRf('539007547034')).toBe('RF18539007547034');
    for (const body of ['1', 'ACME2024', '000000000000000000042']) expect(isValidRf(makeRf(body))).toBe(true);
  });

  it('verifies Swiss QR references (27 digits, mod 10 recursive)', () => {
    expect(isValidQrReference('210000000003139471430009017')).toBe(true);
    expect(isValidQrReference('21 00000 00003 13947 14300 09017')).toBe(true);
    expect(isValidQrReference('210000000003139471430009018')).toBe(false);
    expect(isValidQrReference('21000000000313947143000901')).toBe(false); // 26 digits
    expect(makeQrReference('21000000000313947143000901')).toBe('210000000003139471430009017');
  });

  it('finds references in free text, grouped or compact, and reports RF-shaped ones that fail', () => {
    const scan = findReferences('Pay rf18 5390 0754 7034 INV 1042 and 21 00000 00003 13947 14300 09017; RF19 5390 0754 7034');
    expect(scan.found).toEqual([
      { kind: 'rf', value: 'RF18539007547034', raw: 'rf18 5390 0754 7034' },
      { kind: 'qr', value: '210000000003139471430009017', raw: '21 00000 00003 13947 14300 09017' },
    ]);
    expect(scan.invalid).toEqual(['RF19 5390 0754 7034']);
    expect(findReferences('RF18539007547034').found.map((f) => f.value)).toEqual(['RF18539007547034']);
    // 27 digits that fail the check are not a reference.
    expect(findReferences('210000000003139471430009018').found).toEqual([]);
  });
});
