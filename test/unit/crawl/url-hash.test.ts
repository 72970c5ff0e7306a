import { describe, expect, test } from '@jest/globals';
import { ownerToken, urlSlot } from '../../../src/crawl/url-hash.js';

describe('urlSlot', () => {
  test('deterministic, bucket within range, field an integer below 2^(64-bits)', () => {
    for (const bits of [11, 17, 24]) {
      for (let i = 0; i < 200; i++) {
        const url = `http://a.test/p${i}`;
        const s = urlSlot(url, bits);
        expect(urlSlot(url, bits)).toEqual(s);
        expect(s.bucket).toBeGreaterThanOrEqual(0);
        expect(s.bucket).toBeLessThan(2 ** bits);
        expect(/^\d+$/.test(s.field)).toBe(true);
        expect(BigInt(s.field) < 2n ** BigInt(64 - bits)).toBe(true);
      }
    }
  });

  test('bucket and field together are the first 64 bits of the hash (no bits lost)', () => {
    const a = urlSlot('http://a.test/x', 17);
    const b = urlSlot('http://a.test/x', 20);
    const join = (s: { bucket: number; field: string }, bits: number) => (BigInt(s.bucket) << BigInt(64 - bits)) | BigInt(s.field);
    expect(join(a, 17)).toBe(join(b, 20));
  });

  test('spreads URLs over buckets', () => {
    const buckets = new Set(Array.from({ length: 5000 }, (_, i) => urlSlot(`http://a.test/${i}`, 11).bucket));
    expect(buckets.size).toBeGreaterThan(1500);
  });

  test('refuses bucket sizes that would lose precision', () => {
    expect(() => urlSlot('http://a.test/', 8)).toThrow(RangeError);
  });

  test('owner tokens are never 0 (0 is produce) and fit 21 bits', () => {
    for (let i = 0; i < 1000; i++) {
      const t = ownerToken(`http://a.test/${i}`);
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThan(2 ** 21);
    }
  });
});
