import { describe as group, expect, test } from '@jest/globals';
import { describe, formatLimitsTable } from '../../src/ratelimit/inspect.js';

group('limits show rows', () => {
  const now = 1_000_000;
  test('a busy host: next admission from its TAT, rate from its interval', () => {
    const row = describe('host:a.com', [`${now + 750} 250 0 0`, 750], now);
    expect(row).toMatchObject({ known: true, nextAllowedInMs: 750, intervalMs: 250, ratePerSec: 4, burst: 0, ttlMs: 750, holdRemainingMs: 0 });
  });
  test('a hold wins over the TAT; burst lets it admit earlier', () => {
    expect(describe('host:b', [`${now + 100} 100 1 ${now + 9000}`, 9000], now).nextAllowedInMs).toBe(9000);
    expect(describe('host:c', [`${now + 300} 100 2 0`, 300], now).nextAllowedInMs).toBe(100);
  });
  test('unknown keys admit now; the table says so, and says when the scan was cut short', () => {
    const row = describe('host:none', ['', -2], now);
    expect(row).toMatchObject({ known: false, nextAllowedInMs: 0, ttlMs: null, ratePerSec: null });
    const text = formatLimitsTable({ serverTime: '', keys: [row, describe('host:a.com', [`${now + 750} 250 0 0`, 750], now)], truncated: true });
    expect(text).toMatch(/^KEY\s+NEXT IN\s+RATE/);
    expect(text).toContain('host:none');
    expect(text).toMatch(/host:a\.com\s+750ms\s+4\/s\s+250ms\s+0/);
    expect(text).toContain('stopped after 2 keys');
  });
});
