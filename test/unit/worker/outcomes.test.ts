import { describe, expect, test } from '@jest/globals';
import { outcomeRecords } from '../../../src/worker/outcomes.js';
import { WorkerStats } from '../../../src/worker/stats.js';
import { formatStatus } from '../../../src/worker/status-reporter.js';
import type { UrlEnvelope } from '../../../src/records/index.js';

const envelope: UrlEnvelope = { url: 'http://a.test/p', host: 'a.test', customer_id: 'c', priority: 0, discovered_at: 1, attempt: 0, crawl_id: 'k', depth: 1, etag: '"e"' };
const ctx = { topics: { pages: 'p', errors: 'e', dlq: 'd', metrics: 'm' }, worker: 'w1', now: 5 };
const notModified = { kind: 'not-modified' as const, status: 304, headers: { etag: '"e"' }, elapsedMs: 4 };

describe('the not-modified outcome (a recrawl answered 304)', () => {
  test('only a metrics record, with outcome not-modified and status 304: no page, error or dlq record', () => {
    const records = outcomeRecords(envelope, notModified, ctx);
    expect(records.map((r) => r.topic)).toEqual(['m']);
    expect(JSON.parse(records[0]!.value.toString())).toEqual({
      url: envelope.url, host: 'a.test', status: 304, outcome: 'not-modified', elapsed_ms: 4, bytes: 0, ts: 5, worker: 'w1',
    });
  });

  test('counted on its own: not a page, not an error, not a dlq', () => {
    const stats = new WorkerStats();
    stats.recordFetch(notModified);
    stats.recordFetch(notModified);
    const json = stats.toJSON();
    expect(json).toMatchObject({ fetched: 2, notModified: 2, pages: 0, errors: 0, dlq: 0, byStatus: { 304: 2 } });
    const line = formatStatus(stats.snapshot({ inFlight: 0, queued: 0, hosts: 0, pausedPartitions: 0, assigned: 1 }));
    expect(line).toContain('not-modified 2');
    expect(formatStatus(new WorkerStats().snapshot({ inFlight: 0, queued: 0, hosts: 0, pausedPartitions: 0, assigned: 1 }))).not.toContain('not-modified');
  });
});

describe('the duplicate outcome (a crawl URL redirected to one its crawl already has)', () => {
  const duplicate = { kind: 'duplicate' as const, status: 301, detail: 'redirect to http://a.test/q, which the crawl already has', elapsedMs: 3 };

  test('only a metrics record, with the redirect\'s status and where it led: no page, error or dlq record', () => {
    const records = outcomeRecords(envelope, duplicate, ctx);
    expect(records.map((r) => r.topic)).toEqual(['m']);
    expect(JSON.parse(records[0]!.value.toString())).toEqual({
      url: envelope.url, host: 'a.test', status: 301, outcome: 'duplicate', reason: duplicate.detail, elapsed_ms: 3, bytes: 0, ts: 5, worker: 'w1',
    });
  });

  test('counted on its own, in the summary and on the status line', () => {
    const stats = new WorkerStats();
    stats.recordFetch(duplicate);
    expect(stats.toJSON()).toMatchObject({ fetched: 1, duplicates: 1, pages: 0, errors: 0, dlq: 0, byStatus: { 301: 1 } });
    expect(formatStatus(stats.snapshot({ inFlight: 0, queued: 0, hosts: 0, pausedPartitions: 0, assigned: 1 }))).toContain('duplicates 1');
  });
});
