import { describe, expect, test } from '@jest/globals';
import { convert, parseDate, parseNumber, parsePrice } from '../../../src/extract/field-types.js';

describe('field types', () => {
  test('numbers as people write them', () => {
    expect(parseNumber('1,299.99')).toBe(1299.99);
    expect(parseNumber('1.299,99')).toBe(1299.99);
    expect(parseNumber('1 299,5')).toBe(1299.5);
    expect(parseNumber('12,000')).toBe(12000);
    expect(parseNumber('1.299.000')).toBe(1299000);
    expect(parseNumber('rated 4.5 of 5')).toBe(4.5);
    expect(parseNumber('-3')).toBe(-3);
    expect(parseNumber('none')).toBeNull();
  });

  test('prices carry their currency when the text names it', () => {
    expect(parsePrice('£129.99')).toEqual({ amount: 129.99, currency: 'GBP' });
    expect(parsePrice('10,50\u00a0€')).toEqual({ amount: 10.5, currency: 'EUR' });
    expect(parsePrice('CHF 1’200')).toEqual({ amount: 1200, currency: 'CHF' });
    expect(parsePrice('1200 SEK')).toEqual({ amount: 1200, currency: 'SEK' });
    expect(parsePrice('99')).toEqual({ amount: 99, currency: null });
    expect(parsePrice('free')).toBeNull();
  });

  test('urls resolve against the page; dates become ISO', () => {
    expect(convert('../a b', 'url', 'https://x.test/c/d/')).toEqual({ value: 'https://x.test/c/a%20b' });
    expect(convert('http://[bad', 'url', 'https://x.test/')).toEqual({ error: "'http://[bad' is not a URL" });
    expect(parseDate('2026-03-01')).toBe('2026-03-01');
    expect(parseDate('2026-10-02T10:00:00+02:00')).toBe('2026-10-02T08:00:00.000Z');
    expect(parseDate('March 2026 or so')).toBeNull();
    expect(convert('3.5', 'integer', '')).toEqual({ error: "'3.5' is not an integer" });
    expect(convert('In stock', 'boolean', '')).toEqual({ value: true });
  });
});
