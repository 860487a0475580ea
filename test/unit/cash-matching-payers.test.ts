import { describe, expect, it } from 'vitest';
import { CustomerDirectory, nameScore, normaliseAccount, normaliseName } from '../../cash/matching/payers';

describe('cash matching: payer names and accounts', () => {
  it('normalises case, punctuation, diacritics and legal forms', () => {
    expect(normaliseName('ACME Corp.')).toBe('acme');
    expect(normaliseName('Acme Corporation')).toBe('acme');
    expect(normaliseName('Müller & Söhne GmbH & Co. KG')).toBe('muller sohne');
    expect(normaliseName('Ferrari S.p.A.')).toBe('ferrari');
    expect(normaliseName('Société Générale de Café SARL')).toBe('societe generale de cafe');
    expect(normaliseName('Philips N.V.')).toBe('philips');
    expect(normaliseName('Nokia Oyj')).toBe('nokia');
    expect(normaliseName('Volvo AB')).toBe('volvo');
    expect(normaliseName('Tesco plc')).toBe('tesco');
    expect(normaliseName('The Widget Co, LLC')).toBe('widget');
    expect(normaliseName('Straße Bau Ltd.')).toBe('strasse bau');
    // A name that is nothing but a legal form keeps it.
    expect(normaliseName('AB')).toBe('ab');
    expect(nameScore(normaliseName('ACME Corp.'), normaliseName('Acme Corporation'))).toBe(100);
  });

  it('normalises accounts: IBANs in electronic format, others without spacing', () => {
    expect(normaliseAccount('de89 3704 0044 0532 0130 00')).toBe('DE89370400440532013000');
    expect(normaliseAccount('021000021-123 456')).toBe('021000021123456');
  });

  const directory = new CustomerDirectory([
    { id: 'C1', name: 'Nordwind Logistik GmbH', knownAccounts: ['DE89 3704 0044 0532 0130 00'] },
    { id: 'C2', name: 'Acme Industrial Holdings Ltd', knownAccounts: [] },
    { id: 'C3', name: 'Acme Logistics Ltd', knownAccounts: ['GB29NWBK60161331926819'] },
    { id: 'C4', name: 'Acme Logistics Inc.', knownAccounts: ['GB29NWBK60161331926819'] },
    ...Array.from({ length: 200 }, (_, i) => ({
      id: `X${String(i).padStart(3, '0')}`,
      name: `Filler${i} Logistik GmbH`,
      knownAccounts: [],
    })),
  ]);
  const names = (payer: string) => directory.byName(payer).map((m) => [directory.customers[m.customer]!.id, m.score]);

  it('finds customers by name despite capitals, typos and extra words, without scoring everyone', () => {
    expect(names('NORDWIND LOGISTIK')[0]).toEqual(['C1', 100]);
    expect(names('Nordwnid Logistik G.m.b.H.')[0]?.[0]).toBe('C1');
    expect(names('NORDWIND LOGISTIK GMBH HAMBURG')[0]?.[0]).toBe('C1');
    expect(names('Totally Unknown Payer SA')).toEqual([]);
  });

  it('reports a name that fits two customers equally', () => {
    expect(names('ACME LOGISTICS')).toEqual([
      ['C3', 100],
      ['C4', 100],
    ]);
  });

  it('finds customers by a learned account, several when the account is shared', () => {
    expect(directory.byAccount('DE89370400440532013000').map((i) => directory.customers[i]!.id)).toEqual(['C1']);
    expect(directory.byAccount('gb29 nwbk 6016 1331 9268 19').map((i) => directory.customers[i]!.id)).toEqual(['C3', 'C4']);
    expect(directory.byAccount('FR7630006000011234567890189')).toEqual([]);
  });
});
