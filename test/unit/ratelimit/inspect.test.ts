import { describe as group, expect, test } from '@jest/globals';
import { describe, formatLimitsTable } from '../../../src/ratelimit/inspect.js';

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
  test('a hold the host asked for (its retry-after marker) is the HOLD; any other hold is spacing (issue #18, 4)', () => {
    const spacing = describe('host:s', [`${now + 2000} 2000 0 ${now + 363}`, 2000], now);
    expect(spacing).toMatchObject({ holdRemainingMs: 0, spacingRemainingMs: 363, nextAllowedInMs: 2000 });
    const retry = describe('host:r', [`${now + 2000} 2000 0 ${now + 30_000}`, 30_000], now, 30_000);
    expect(retry).toMatchObject({ holdRemainingMs: 30_000, spacingRemainingMs: 0, nextAllowedInMs: 30_000 });
    // The server time is read before the marker's PTTL: the marker may look a few ms shorter than the hold.
    const readApart = describe('host:r2', [`${now + 2000} 2000 0 ${now + 45_000}`, 45_000], now, 44_950);
    expect(readApart).toMatchObject({ holdRemainingMs: 44_950, spacingRemainingMs: 0 });
    // A spacing hold running well past a Retry-After that is nearly over is still spacing.
    const later = describe('host:r3', [`${now + 2000} 2000 0 ${now + 5_000}`, 5_000], now, 200);
    expect(later).toMatchObject({ holdRemainingMs: 200, spacingRemainingMs: 5_000 });
    const text = formatLimitsTable({ serverTime: '', keys: [spacing, retry], truncated: false });
    expect(text).toMatch(/^KEY\s+NEXT IN\s+RATE\s+INTERVAL\s+BURST\s+HOLD\s+SPACING\s+TTL$/m);
    expect(text).toMatch(/host:s\s+2\.0s\s+0\.5\/s\s+2\.0s\s+0\s+-\s+363ms\s+2\.0s/);
    expect(text).toMatch(/host:r\s+30s\s+0\.5\/s\s+2\.0s\s+0\s+30s\s+-\s+30s/);
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
