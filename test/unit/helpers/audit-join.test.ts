import { describe, expect, test } from '@jest/globals';
import { formatAudit, joinOutcomes } from '../../helpers/audit-join.js';
import { urlOfRecord } from '../../helpers/audit.js';

describe('joinOutcomes', () => {
  test('lost, duplicates, split and unexpected outcomes are counted separately', () => {
    const r = joinOutcomes(['a', 'b', 'c', 'd'], [
      { url: 'a', place: 'pages' },
      { url: 'a', place: 'pages' },
      { url: 'b', place: 'errors' },
      { url: 'b', place: 'dlq' },
      { url: 'b', place: 'dlq' },
      { url: 'c', place: 'fallback' },
      { url: 'zz', place: 'pages' },
    ]);
    expect(r).toEqual({
      mode: 'at-least-once', urls: 4, withOutcome: 3, lost: ['d'], duplicates: 3, duplicatedUrls: 2, splitUrls: 1, unexpected: 1,
      byPlace: { pages: 3, errors: 1, dlq: 2, fallback: 1 },
    });
    expect(formatAudit('t', r)).toMatch(/^\[audit\] t: 4 URLs, 1 lost, 3 duplicates \(2 URLs, 1 in two places\), 1 unexpected/);
  });

  test('an expected URL listed twice is one URL; nothing observed means everything is lost', () => {
    expect(joinOutcomes(['a', 'a'], [], 'exactly-once')).toMatchObject({ mode: 'exactly-once', urls: 1, lost: ['a'], duplicates: 0 });
  });
});

describe('urlOfRecord', () => {
  test('reads the URL where each place keeps it, and names URL-less records by their key', () => {
    expect(urlOfRecord('pages', 'k', JSON.stringify({ url: 'http://a/' }))).toBe('http://a/');
    expect(urlOfRecord('dlq', 'k', JSON.stringify({ original: { url: 'http://b/' } }))).toBe('http://b/');
    expect(urlOfRecord('rejects', null, JSON.stringify({ input: 'not a url', reason: 'invalid-url' }))).toBe('not a url');
    expect(urlOfRecord('errors', 'poison-3', JSON.stringify({ url: null, reason: 'malformed' }))).toBe('raw-key:poison-3');
    expect(urlOfRecord('errors', null, '{broken')).toBeUndefined();
  });
});

describe('unownedTime', () => {
  test('from a revocation to the next assignment of the same partition, by any worker', async () => {
    const { unownedTime } = await import('../../helpers/rebalance-pause.js');
    const a = [{ at: 100, text: 'debug: assigned partitions 0,1' }, { at: 1000, text: 'debug: revoking partitions 0,1' }];
    const b = [{ at: 1300, text: 'debug: assigned partitions 1' }, { at: 1900, text: 'debug: assigned partitions 0' }, { at: 2000, text: 'debug: assigned partitions (none)' }];
    expect(unownedTime([a, b])).toEqual({ longestMs: 900, totalMs: 1200, revocations: 2 });
  });
});
