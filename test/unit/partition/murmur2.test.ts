import { describe, expect, test } from '@jest/globals';
import { murmur2, murmur2Partition, murmur2String } from '../../../src/partition/murmur2.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('murmur2', () => {
  test("matches Kafka's own test vectors (UtilsTest, DefaultPartitionerTest)", () => {
    expect(murmur2(bytes('21'))).toBe(-973932308);
    expect(murmur2(bytes('foobar'))).toBe(-790332482);
    expect(murmur2(bytes('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(bytes('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(bytes('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(bytes('abc'))).toBe(479470107);
    expect(murmur2(new Uint8Array(0))).toBe(275646681);
  });

  test('murmur2String hashes the UTF-8 bytes: ASCII from char codes, anything else encoded', () => {
    for (const s of ['', '21', 'foobar', 'abc', 'a-little-bit-longer-string', 'www.example.co.uk:8443', 'xn--mnchen-3ya.de', 'münchen.de', 'a\u007fb', '日本', '\ud83d\ude00x']) {
      expect(murmur2String(s)).toBe(murmur2(bytes(s)));
    }
  });

  test('partition = positive(murmur2) % count, for every tail length', () => {
    expect(murmur2Partition('foobar', 10)).toBe((-790332482 & 0x7fffffff) % 10);
    for (const s of ['a', 'ab', 'abc', 'abcd', 'abcde']) {
      const p = murmur2Partition(s, 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
    }
  });
});
